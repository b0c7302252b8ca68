//! jacobi-2d: a five-point Jacobi stencil over `tsteps` time steps
//! (`stencils/jacobi-2d/jacobi-2d.c`).
//!
//! The time loop is sequential; inside it, one `#[parallel_for]` on each
//! sweep's outer loop `i`: rows of `B` from `A`, then rows of `A` from `B`.

use parallel::parallel;

/// `MINI_DATASET`: `(tsteps, n)`.
pub const MINI: (usize, usize) = (20, 30);
/// `MEDIUM_DATASET`: `(tsteps, n)`.
pub const MEDIUM: (usize, usize) = (100, 250);

/// PolyBench's `init_array`: `(A, B)`, row-major.
pub fn init(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = vec![0.0; n * n];
    let mut b = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            a[i * n + j] = (i as f64 * (j + 2) as f64 + 2.0) / n as f64;
            b[i * n + j] = (i as f64 * (j + 3) as f64 + 3.0) / n as f64;
        }
    }
    (a, b)
}

/// The plain loops, row-major. `n` must be at least 1.
pub fn flat_seq(tsteps: usize, n: usize, a: &mut [f64], b: &mut [f64]) {
    for _t in 0..tsteps {
        for i in 1..n - 1 {
            for j in 1..n - 1 {
                b[i * n + j] = 0.2
                    * (a[i * n + j]
                        + a[i * n + j - 1]
                        + a[i * n + 1 + j]
                        + a[(1 + i) * n + j]
                        + a[(i - 1) * n + j]);
            }
        }
        for i in 1..n - 1 {
            for j in 1..n - 1 {
                a[i * n + j] = 0.2
                    * (b[i * n + j]
                        + b[i * n + j - 1]
                        + b[i * n + 1 + j]
                        + b[(1 + i) * n + j]
                        + b[(i - 1) * n + j]);
            }
        }
    }
}

/// The plain loops on nested arrays.
pub fn nested_seq(tsteps: usize, n: usize, a: &mut [Vec<f64>], b: &mut [Vec<f64>]) {
    for _t in 0..tsteps {
        for i in 1..n - 1 {
            for j in 1..n - 1 {
                b[i][j] = 0.2 * (a[i][j] + a[i][j - 1] + a[i][1 + j] + a[1 + i][j] + a[i - 1][j]);
            }
        }
        for i in 1..n - 1 {
            for j in 1..n - 1 {
                a[i][j] = 0.2 * (b[i][j] + b[i][j - 1] + b[i][1 + j] + b[1 + i][j] + b[i - 1][j]);
            }
        }
    }
}

macro_rules! parallel_versions {
    ($flat:ident, $nested:ident, $($schedule:tt)*) => {
        /// The annotated loops, row-major, on `threads` threads.
        #[parallel]
        pub fn $flat(tsteps: usize, n: usize, a: &mut [f64], b: &mut [f64], threads: usize) {
            for _t in 0..tsteps {
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 1..n - 1 {
                    for j in 1..n - 1 {
                        b[i * n + j] = 0.2
                            * (a[i * n + j] + a[i * n + j - 1] + a[i * n + 1 + j] + a[(1 + i) * n + j] + a[(i - 1) * n + j]);
                    }
                }
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 1..n - 1 {
                    for j in 1..n - 1 {
                        a[i * n + j] = 0.2
                            * (b[i * n + j] + b[i * n + j - 1] + b[i * n + 1 + j] + b[(1 + i) * n + j] + b[(i - 1) * n + j]);
                    }
                }
            }
        }

        /// The annotated loops on nested arrays, on `threads` threads.
        #[parallel]
        pub fn $nested(tsteps: usize, n: usize, a: &mut [Vec<f64>], b: &mut [Vec<f64>], threads: usize) {
            for _t in 0..tsteps {
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 1..n - 1 {
                    for j in 1..n - 1 {
                        b[i][j] = 0.2 * (a[i][j] + a[i][j - 1] + a[i][1 + j] + a[1 + i][j] + a[i - 1][j]);
                    }
                }
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 1..n - 1 {
                    for j in 1..n - 1 {
                        a[i][j] = 0.2 * (b[i][j] + b[i][j - 1] + b[i][1 + j] + b[1 + i][j] + b[i - 1][j]);
                    }
                }
            }
        }
    };
}

parallel_versions!(flat, nested, static);
parallel_versions!(flat_dynamic, nested_dynamic, dynamic, 3);
