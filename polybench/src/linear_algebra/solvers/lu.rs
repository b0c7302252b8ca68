//! lu: LU decomposition in place, without pivoting
//! (`linear-algebra/solvers/lu/lu.c`).
//!
//! The outer loop `i` is sequential, and so is the first loop `j < i`
//! inside it (the row's `L` part, where `A[i][j]` reads `A[i][k]`, `k < j`,
//! of the same loop). One `#[parallel_for]` on the second loop `j >= i`
//! (the row's `U` part): iteration `j` owns `A[i][j]` and reads the row's
//! columns `k < i`, which that loop does not write, and column `j` above
//! row `i`.

use parallel::parallel;

/// `MINI_DATASET`: `n`.
pub const MINI: usize = 40;
/// `MEDIUM_DATASET`: `n`.
pub const MEDIUM: usize = 400;

/// PolyBench's `init_array` of lu, ludcmp and cholesky: a lower triangular
/// matrix times its transpose, which is positive semi-definite; row-major.
pub fn init(n: usize) -> Vec<f64> {
    let mut a = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            a[i * n + j] = (-(j as i64) % n as i64) as f64 / n as f64 + 1.0;
        }
        for j in i + 1..n {
            a[i * n + j] = 0.0;
        }
        a[i * n + i] = 1.0;
    }
    let mut b = vec![0.0; n * n];
    for t in 0..n {
        for r in 0..n {
            for s in 0..n {
                b[r * n + s] += a[r * n + t] * a[s * n + t];
            }
        }
    }
    b
}

/// The plain loops, row-major.
pub fn flat_seq(n: usize, a: &mut [f64]) {
    for i in 0..n {
        for j in 0..i {
            for k in 0..j {
                a[i * n + j] -= a[i * n + k] * a[k * n + j];
            }
            a[i * n + j] /= a[j * n + j];
        }
        for j in i..n {
            for k in 0..i {
                a[i * n + j] -= a[i * n + k] * a[k * n + j];
            }
        }
    }
}

/// The plain loops on a nested array.
pub fn nested_seq(n: usize, a: &mut [Vec<f64>]) {
    for i in 0..n {
        for j in 0..i {
            for k in 0..j {
                a[i][j] -= a[i][k] * a[k][j];
            }
            a[i][j] /= a[j][j];
        }
        for j in i..n {
            for k in 0..i {
                a[i][j] -= a[i][k] * a[k][j];
            }
        }
    }
}

macro_rules! parallel_versions {
    ($flat:ident, $nested:ident, $($schedule:tt)*) => {
        /// The annotated loops, row-major, on `threads` threads.
        #[parallel]
        pub fn $flat(n: usize, a: &mut [f64], threads: usize) {
            for i in 0..n {
                for j in 0..i {
                    for k in 0..j {
                        a[i * n + j] -= a[i * n + k] * a[k * n + j];
                    }
                    a[i * n + j] /= a[j * n + j];
                }
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for j in i..n {
                    for k in 0..i {
                        a[i * n + j] -= a[i * n + k] * a[k * n + j];
                    }
                }
            }
        }

        /// The annotated loops on a nested array, on `threads` threads.
        #[parallel]
        pub fn $nested(n: usize, a: &mut [Vec<f64>], threads: usize) {
            for i in 0..n {
                for j in 0..i {
                    for k in 0..j {
                        a[i][j] -= a[i][k] * a[k][j];
                    }
                    a[i][j] /= a[j][j];
                }
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for j in i..n {
                    for k in 0..i {
                        a[i][j] -= a[i][k] * a[k][j];
                    }
                }
            }
        }
    };
}

parallel_versions!(flat, nested, static);
parallel_versions!(flat_dynamic, nested_dynamic, dynamic, 3);
