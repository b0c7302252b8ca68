//! syrk: `C := alpha·A·Aᵀ + beta·C` on the lower triangle of `C`
//! (`linear-algebra/blas/syrk/syrk.c`); `A` is `n × m`, `C` is `n × n`.
//!
//! One `#[parallel_for]`, on the outer loop `i`: each iteration owns row
//! `i` of `C` up to the diagonal. Rows grow with `i`, so the schedule deals
//! rows round-robin (`schedule(static, 1)`).

use parallel::parallel;

/// `MINI_DATASET`: `(m, n)`.
pub const MINI: (usize, usize) = (20, 30);
/// `MEDIUM_DATASET`: `(m, n)`.
pub const MEDIUM: (usize, usize) = (200, 240);

/// PolyBench's `init_array`: `(alpha, beta, C, A)`, row-major.
pub fn init(m: usize, n: usize) -> (f64, f64, Vec<f64>, Vec<f64>) {
    let mut a = vec![0.0; n * m];
    let mut c = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..m {
            a[i * m + j] = ((i * j + 1) % n) as f64 / n as f64;
        }
    }
    for i in 0..n {
        for j in 0..n {
            c[i * n + j] = ((i * j + 2) % m) as f64 / m as f64;
        }
    }
    (1.5, 1.2, c, a)
}

/// The plain loops, row-major.
pub fn flat_seq(m: usize, n: usize, alpha: f64, beta: f64, c: &mut [f64], a: &[f64]) {
    for i in 0..n {
        for j in 0..=i {
            c[i * n + j] *= beta;
        }
        for k in 0..m {
            for j in 0..=i {
                c[i * n + j] += alpha * a[i * m + k] * a[j * m + k];
            }
        }
    }
}

/// The plain loops on nested arrays.
pub fn nested_seq(m: usize, n: usize, alpha: f64, beta: f64, c: &mut [Vec<f64>], a: &[Vec<f64>]) {
    for i in 0..n {
        for j in 0..=i {
            c[i][j] *= beta;
        }
        for k in 0..m {
            for j in 0..=i {
                c[i][j] += alpha * a[i][k] * a[j][k];
            }
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
            threads: usize,
        ) {
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..n {
                for j in 0..=i {
                    c[i * n + j] *= beta;
                }
                for k in 0..m {
                    for j in 0..=i {
                        c[i * n + j] += alpha * a[i * m + k] * a[j * m + k];
                    }
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
            threads: usize,
        ) {
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..n {
                for j in 0..=i {
                    c[i][j] *= beta;
                }
                for k in 0..m {
                    for j in 0..=i {
                        c[i][j] += alpha * a[i][k] * a[j][k];
                    }
                }
            }
        }
    };
}

parallel_versions!(flat, nested, static, 1);
parallel_versions!(flat_dynamic, nested_dynamic, dynamic, 3);
