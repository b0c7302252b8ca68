//! ludcmp: LU decomposition, then forward and back substitution to solve
//! `A·x = b` (`linear-algebra/solvers/ludcmp/ludcmp.c`).
//!
//! As in lu, one `#[parallel_for]` on the loop over the row's `U` part
//! (`j >= i`) inside the sequential `i`; the C's function-scope temporary
//! `w` is `private`. The substitutions are sequential (each `y[i]`, `x[i]`
//! reads the ones before it).

use parallel::parallel;

/// `MINI_DATASET`: `n`.
pub const MINI: usize = 40;
/// `MEDIUM_DATASET`: `n`.
pub const MEDIUM: usize = 400;

/// PolyBench's `init_array`: `(A, b)` (`x` and `y` start at 0), row-major.
pub fn init(n: usize) -> (Vec<f64>, Vec<f64>) {
    let fn_ = n as f64;
    let b = (0..n).map(|i| (i + 1) as f64 / fn_ / 2.0 + 4.0).collect();
    (super::lu::init(n), b)
}

/// The plain loops, row-major.
pub fn flat_seq(n: usize, a: &mut [f64], b: &[f64], x: &mut [f64], y: &mut [f64]) {
    let mut w;
    for i in 0..n {
        for j in 0..i {
            w = a[i * n + j];
            for k in 0..j {
                w -= a[i * n + k] * a[k * n + j];
            }
            a[i * n + j] = w / a[j * n + j];
        }
        for j in i..n {
            w = a[i * n + j];
            for k in 0..i {
                w -= a[i * n + k] * a[k * n + j];
            }
            a[i * n + j] = w;
        }
    }
    substitute_flat(n, a, b, x, y);
}

/// The forward and back substitutions, row-major.
fn substitute_flat(n: usize, a: &[f64], b: &[f64], x: &mut [f64], y: &mut [f64]) {
    let mut w;
    for i in 0..n {
        w = b[i];
        for j in 0..i {
            w -= a[i * n + j] * y[j];
        }
        y[i] = w;
    }
    for i in (0..n).rev() {
        w = y[i];
        for j in i + 1..n {
            w -= a[i * n + j] * x[j];
        }
        x[i] = w / a[i * n + i];
    }
}

/// The plain loops on a nested `A`.
pub fn nested_seq(n: usize, a: &mut [Vec<f64>], b: &[f64], x: &mut [f64], y: &mut [f64]) {
    let mut w;
    for i in 0..n {
        for j in 0..i {
            w = a[i][j];
            for k in 0..j {
                w -= a[i][k] * a[k][j];
            }
            a[i][j] = w / a[j][j];
        }
        for j in i..n {
            w = a[i][j];
            for k in 0..i {
                w -= a[i][k] * a[k][j];
            }
            a[i][j] = w;
        }
    }
    substitute_nested(n, a, b, x, y);
}

/// The forward and back substitutions on a nested `A`.
fn substitute_nested(n: usize, a: &[Vec<f64>], b: &[f64], x: &mut [f64], y: &mut [f64]) {
    let mut w;
    for i in 0..n {
        w = b[i];
        for j in 0..i {
            w -= a[i][j] * y[j];
        }
        y[i] = w;
    }
    for i in (0..n).rev() {
        w = y[i];
        for j in i + 1..n {
            w -= a[i][j] * x[j];
        }
        x[i] = w / a[i][i];
    }
}

macro_rules! parallel_versions {
    ($flat:ident, $nested:ident, $($schedule:tt)*) => {
        /// The annotated loops, row-major, on `threads` threads.
        #[parallel]
        pub fn $flat(n: usize, a: &mut [f64], b: &[f64], x: &mut [f64], y: &mut [f64], threads: usize) {
            let mut w = 0.0;
            for i in 0..n {
                for j in 0..i {
                    w = a[i * n + j];
                    for k in 0..j {
                        w -= a[i * n + k] * a[k * n + j];
                    }
                    a[i * n + j] = w / a[j * n + j];
                }
                #[parallel_for(num_threads(threads), schedule($($schedule)*), private(w))]
                for j in i..n {
                    w = a[i * n + j];
                    for k in 0..i {
                        w -= a[i * n + k] * a[k * n + j];
                    }
                    a[i * n + j] = w;
                }
            }
            substitute_flat(n, a, b, x, y);
        }

        /// The annotated loops on a nested `A`, on `threads` threads.
        #[parallel]
        pub fn $nested(
            n: usize,
            a: &mut [Vec<f64>],
            b: &[f64],
            x: &mut [f64],
            y: &mut [f64],
            threads: usize,
        ) {
            let mut w = 0.0;
            for i in 0..n {
                for j in 0..i {
                    w = a[i][j];
                    for k in 0..j {
                        w -= a[i][k] * a[k][j];
                    }
                    a[i][j] = w / a[j][j];
                }
                #[parallel_for(num_threads(threads), schedule($($schedule)*), private(w))]
                for j in i..n {
                    w = a[i][j];
                    for k in 0..i {
                        w -= a[i][k] * a[k][j];
                    }
                    a[i][j] = w;
                }
            }
            substitute_nested(n, a, b, x, y);
        }
    };
}

parallel_versions!(flat, nested, static);
parallel_versions!(flat_dynamic, nested_dynamic, dynamic, 3);
