//! symm: `C := alpha·A·B + beta·C` with `A` symmetric, stored in its lower
//! triangle (`linear-algebra/blas/symm/symm.c`); `A` is `m × m`, `B` and
//! `C` are `m × n`.
//!
//! The outer loop `i` is sequential (iteration `i` updates the rows `k < i`
//! of `C`); one `#[parallel_for]` on the loop `j` inside it: iteration `j`
//! owns column `j` of `C`. The C's function-scope temporary `temp2` is
//! `private`.

use parallel::parallel;

/// `MINI_DATASET`: `(m, n)`.
pub const MINI: (usize, usize) = (20, 30);
/// `MEDIUM_DATASET`: `(m, n)`.
pub const MEDIUM: (usize, usize) = (200, 240);

/// PolyBench's `init_array`: `(alpha, beta, C, A, B)`, row-major; the
/// upper triangle of `A` is -999, which the kernel must not read.
pub fn init(m: usize, n: usize) -> (f64, f64, Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut c = vec![0.0; m * n];
    let mut a = vec![0.0; m * m];
    let mut b = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            c[i * n + j] = ((i + j) % 100) as f64 / m as f64;
            b[i * n + j] = ((n + i - j) % 100) as f64 / m as f64;
        }
    }
    for i in 0..m {
        for j in 0..=i {
            a[i * m + j] = ((i + j) % 100) as f64 / m as f64;
        }
        for j in i + 1..m {
            a[i * m + j] = -999.0;
        }
    }
    (1.5, 1.2, c, a, b)
}

/// The plain loops, row-major.
pub fn flat_seq(m: usize, n: usize, alpha: f64, beta: f64, c: &mut [f64], a: &[f64], b: &[f64]) {
    let mut temp2;
    for i in 0..m {
        for j in 0..n {
            temp2 = 0.0;
            for k in 0..i {
                c[k * n + j] += alpha * b[i * n + j] * a[i * m + k];
                temp2 += b[k * n + j] * a[i * m + k];
            }
            c[i * n + j] =
                beta * c[i * n + j] + alpha * b[i * n + j] * a[i * m + i] + alpha * temp2;
        }
    }
}

/// The plain loops on nested arrays.
pub fn nested_seq(
    m: usize,
    n: usize,
    alpha: f64,
    beta: f64,
    c: &mut [Vec<f64>],
    a: &[Vec<f64>],
    b: &[Vec<f64>],
) {
    let mut temp2;
    for i in 0..m {
        for j in 0..n {
            temp2 = 0.0;
            for k in 0..i {
                c[k][j] += alpha * b[i][j] * a[i][k];
                temp2 += b[k][j] * a[i][k];
            }
            c[i][j] = beta * c[i][j] + alpha * b[i][j] * a[i][i] + alpha * temp2;
        }
    }
}

macro_rules! parallel_versions {
    ($flat:ident, $nested:ident, $($schedule:tt)*) => {
        /// The annotated loops, row-major, on `threads` threads.
        #[parallel]
        pub fn $flat(
            m: usize,
            n: usize,
            alpha: f64,
            beta: f64,
            c: &mut [f64],
            a: &[f64],
            b: &[f64],
            threads: usize,
        ) {
            let mut temp2 = 0.0;
            for i in 0..m {
                #[parallel_for(num_threads(threads), schedule($($schedule)*), private(temp2))]
                for j in 0..n {
                    temp2 = 0.0;
                    for k in 0..i {
                        c[k * n + j] += alpha * b[i * n + j] * a[i * m + k];
                        temp2 += b[k * n + j] * a[i * m + k];
                    }
                    c[i * n + j] =
                        beta * c[i * n + j] + alpha * b[i * n + j] * a[i * m + i] + alpha * temp2;
                }
            }
        }

        /// The annotated loops on nested arrays, on `threads` threads.
        #[parallel]
        pub fn $nested(
            m: usize,
            n: usize,
            alpha: f64,
            beta: f64,
            c: &mut [Vec<f64>],
            a: &[Vec<f64>],
            b: &[Vec<f64>],
            threads: usize,
        ) {
            let mut temp2 = 0.0;
            for i in 0..m {
                #[parallel_for(num_threads(threads), schedule($($schedule)*), private(temp2))]
                for j in 0..n {
                    temp2 = 0.0;
                    for k in 0..i {
                        c[k][j] += alpha * b[i][j] * a[i][k];
                        temp2 += b[k][j] * a[i][k];
                    }
                    c[i][j] = beta * c[i][j] + alpha * b[i][j] * a[i][i] + alpha * temp2;
                }
            }
        }
    };
}

parallel_versions!(flat, nested, static);
parallel_versions!(flat_dynamic, nested_dynamic, dynamic, 3);
