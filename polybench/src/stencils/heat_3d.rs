//! heat-3d: a seven-point heat-equation stencil in three dimensions over
//! `tsteps` time steps (`stencils/heat-3d/heat-3d.c`); `A` and `B` are
//! `n × n × n`.
//!
//! The time loop is sequential; inside it, one `#[parallel_for]` on each
//! sweep's outer loop `i`: planes of `B` from `A`, then planes of `A` from
//! `B`.

use parallel::parallel;

/// `MINI_DATASET`: `(tsteps, n)`.
pub const MINI: (usize, usize) = (20, 10);
/// `MEDIUM_DATASET`: `(tsteps, n)`.
pub const MEDIUM: (usize, usize) = (100, 40);

/// PolyBench's `init_array`: `A` (`B` starts equal to it), row-major.
pub fn init(n: usize) -> Vec<f64> {
    let mut a = vec![0.0; n * n * n];
    for i in 0..n {
        for j in 0..n {
            for k in 0..n {
                a[i * n * n + j * n + k] = (i + j + (n - k)) as f64 * 10.0 / n as f64;
            }
        }
    }
    a
}

/// A flat `n × n × n` array as nested `Vec`s.
pub fn planes(flat: &[f64], n: usize) -> Vec<Vec<Vec<f64>>> {
    (0..n)
        .map(|i| crate::nested(&flat[i * n * n..(i + 1) * n * n], n, n))
        .collect()
}

/// The plain loops, row-major. `n` must be at least 1.
pub fn flat_seq(tsteps: usize, n: usize, a: &mut [f64], b: &mut [f64]) {
    for _t in 1..=tsteps {
        for i in 1..n - 1 {
            for j in 1..n - 1 {
                for k in 1..n - 1 {
                    b[i * n * n + j * n + k] = 0.125
                        * (a[(i + 1) * n * n + j * n + k] - 2.0 * a[i * n * n + j * n + k]
                            + a[(i - 1) * n * n + j * n + k])
                        + 0.125
                            * (a[i * n * n + (j + 1) * n + k] - 2.0 * a[i * n * n + j * n + k]
                                + a[i * n * n + (j - 1) * n + k])
                        + 0.125
                            * (a[i * n * n + j * n + k + 1] - 2.0 * a[i * n * n + j * n + k]
                                + a[i * n * n + j * n + k - 1])
                        + a[i * n * n + j * n + k];
                }
            }
        }
        for i in 1..n - 1 {
            for j in 1..n - 1 {
                for k in 1..n - 1 {
                    a[i * n * n + j * n + k] = 0.125
                        * (b[(i + 1) * n * n + j * n + k] - 2.0 * b[i * n * n + j * n + k]
                            + b[(i - 1) * n * n + j * n + k])
                        + 0.125
                            * (b[i * n * n + (j + 1) * n + k] - 2.0 * b[i * n * n + j * n + k]
                                + b[i * n * n + (j - 1) * n + k])
                        + 0.125
                            * (b[i * n * n + j * n + k + 1] - 2.0 * b[i * n * n + j * n + k]
                                + b[i * n * n + j * n + k - 1])
                        + b[i * n * n + j * n + k];
                }
            }
        }
    }
}

/// The plain loops on nested arrays.
pub fn nested_seq(tsteps: usize, n: usize, a: &mut [Vec<Vec<f64>>], b: &mut [Vec<Vec<f64>>]) {
    for _t in 1..=tsteps {
        for i in 1..n - 1 {
            for j in 1..n - 1 {
                for k in 1..n - 1 {
                    b[i][j][k] = 0.125 * (a[i + 1][j][k] - 2.0 * a[i][j][k] + a[i - 1][j][k])
                        + 0.125 * (a[i][j + 1][k] - 2.0 * a[i][j][k] + a[i][j - 1][k])
                        + 0.125 * (a[i][j][k + 1] - 2.0 * a[i][j][k] + a[i][j][k - 1])
                        + a[i][j][k];
                }
            }
        }
        for i in 1..n - 1 {
            for j in 1..n - 1 {
                for k in 1..n - 1 {
                    a[i][j][k] = 0.125 * (b[i + 1][j][k] - 2.0 * b[i][j][k] + b[i - 1][j][k])
                        + 0.125 * (b[i][j + 1][k] - 2.0 * b[i][j][k] + b[i][j - 1][k])
                        + 0.125 * (b[i][j][k + 1] - 2.0 * b[i][j][k] + b[i][j][k - 1])
                        + b[i][j][k];
                }
            }
        }
    }
}

macro_rules! parallel_versions {
    ($flat:ident, $nested:ident, $($schedule:tt)*) => {
        /// The annotated loops, row-major, on `threads` threads.
        #[parallel]
        pub fn $flat(tsteps: usize, n: usize, a: &mut [f64], b: &mut [f64], threads: usize) {
            for _t in 1..=tsteps {
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 1..n - 1 {
                    for j in 1..n - 1 {
                        for k in 1..n - 1 {
                            b[i * n * n + j * n + k] = 0.125
                                * (a[(i + 1) * n * n + j * n + k] - 2.0 * a[i * n * n + j * n + k]
                                    + a[(i - 1) * n * n + j * n + k])
                                + 0.125
                                    * (a[i * n * n + (j + 1) * n + k] - 2.0 * a[i * n * n + j * n + k]
                                        + a[i * n * n + (j - 1) * n + k])
                                + 0.125
                                    * (a[i * n * n + j * n + k + 1] - 2.0 * a[i * n * n + j * n + k]
                                        + a[i * n * n + j * n + k - 1])
                                + a[i * n * n + j * n + k];
                        }
                    }
                }
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 1..n - 1 {
                    for j in 1..n - 1 {
                        for k in 1..n - 1 {
                            a[i * n * n + j * n + k] = 0.125
                                * (b[(i + 1) * n * n + j * n + k] - 2.0 * b[i * n * n + j * n + k]
                                    + b[(i - 1) * n * n + j * n + k])
                                + 0.125
                                    * (b[i * n * n + (j + 1) * n + k] - 2.0 * b[i * n * n + j * n + k]
                                        + b[i * n * n + (j - 1) * n + k])
                                + 0.125
                                    * (b[i * n * n + j * n + k + 1] - 2.0 * b[i * n * n + j * n + k]
                                        + b[i * n * n + j * n + k - 1])
                                + b[i * n * n + j * n + k];
                        }
                    }
                }
            }
        }

        /// The annotated loops on nested arrays, on `threads` threads.
        #[parallel]
        pub fn $nested(
            tsteps: usize,
            n: usize,
            a: &mut [Vec<Vec<f64>>],
            b: &mut [Vec<Vec<f64>>],
            threads: usize,
        ) {
            for _t in 1..=tsteps {
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 1..n - 1 {
                    for j in 1..n - 1 {
                        for k in 1..n - 1 {
                            b[i][j][k] = 0.125 * (a[i + 1][j][k] - 2.0 * a[i][j][k] + a[i - 1][j][k])
                                + 0.125 * (a[i][j + 1][k] - 2.0 * a[i][j][k] + a[i][j - 1][k])
                                + 0.125 * (a[i][j][k + 1] - 2.0 * a[i][j][k] + a[i][j][k - 1])
                                + a[i][j][k];
                        }
                    }
                }
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 1..n - 1 {
                    for j in 1..n - 1 {
                        for k in 1..n - 1 {
                            a[i][j][k] = 0.125 * (b[i + 1][j][k] - 2.0 * b[i][j][k] + b[i - 1][j][k])
                                + 0.125 * (b[i][j + 1][k] - 2.0 * b[i][j][k] + b[i][j - 1][k])
                                + 0.125 * (b[i][j][k + 1] - 2.0 * b[i][j][k] + b[i][j][k - 1])
                                + b[i][j][k];
                        }
                    }
                }
            }
        }
    };
}

parallel_versions!(flat, nested, static);
parallel_versions!(flat_dynamic, nested_dynamic, dynamic, 3);
