//! trmm: `B := alpha·Aᵀ·B` with `A` unit lower triangular
//! (`linear-algebra/blas/trmm/trmm.c`); `A` is `m × m`, `B` is `m × n`.
//!
//! The outer loop `i` is sequential (row `i` reads the rows `k > i` before
//! their own turn); one `#[parallel_for]` on the loop `j` inside it:
//! iteration `j` owns column `j` of `B`.

use parallel::parallel;

/// `MINI_DATASET`: `(m, n)`.
pub const MINI: (usize, usize) = (20, 30);
/// `MEDIUM_DATASET`: `(m, n)`.
pub const MEDIUM: (usize, usize) = (200, 240);

/// PolyBench's `init_array`: `(alpha, A, B)`, row-major (the upper
/// triangle of `A`, which the C leaves unset, is 0).
pub fn init(m: usize, n: usize) -> (f64, Vec<f64>, Vec<f64>) {
    let mut a = vec![0.0; m * m];
    let mut b = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..i {
            a[i * m + j] = ((i + j) % m) as f64 / m as f64;
        }
        a[i * m + i] = 1.0;
        for j in 0..n {
            b[i * n + j] = ((n + i - j) % n) as f64 / n as f64;
        }
    }
    (1.5, a, b)
}

/// The plain loops, row-major.
pub fn flat_seq(m: usize, n: usize, alpha: f64, a: &[f64], b: &mut [f64]) {
    for i in 0..m {
        for j in 0..n {
            for k in i + 1..m {
                b[i * n + j] += a[k * m + i] * b[k * n + j];
            }
            b[i * n + j] = alpha * b[i * n + j];
        }
    }
}

/// The plain loops on nested arrays.
pub fn nested_seq(m: usize, n: usize, alpha: f64, a: &[Vec<f64>], b: &mut [Vec<f64>]) {
    for i in 0..m {
        for j in 0..n {
            for k in i + 1..m {
                b[i][j] += a[k][i] * b[k][j];
            }
            b[i][j] = alpha * b[i][j];
        }
    }
}

macro_rules! parallel_versions {
    ($flat:ident, $nested:ident, $($schedule:tt)*) => {
        /// The annotated loops, row-major, on `threads` threads.
        #[parallel]
        pub fn $flat(m: usize, n: usize, alpha: f64, a: &[f64], b: &mut [f64], threads: usize) {
            for i in 0..m {
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for j in 0..n {
                    for k in i + 1..m {
                        b[i * n + j] += a[k * m + i] * b[k * n + j];
                    }
                    b[i * n + j] = alpha * b[i * n + j];
                }
            }
        }

        /// The annotated loops on nested arrays, on `threads` threads.
        #[parallel]
        pub fn $nested(
            m: usize,
            n: usize,
            alpha: f64,
            a: &[Vec<f64>],
            b: &mut [Vec<f64>],
            threads: usize,
        ) {
            for i in 0..m {
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for j in 0..n {
                    for k in i + 1..m {
                        b[i][j] += a[k][i] * b[k][j];
                    }
                    b[i][j] = alpha * b[i][j];
                }
            }
        }
    };
}

parallel_versions!(flat, nested, static);
parallel_versions!(flat_dynamic, nested_dynamic, dynamic, 3);
