//! gemm: `C := alpha·A·B + beta·C` (`linear-algebra/blas/gemm/gemm.c`),
//! `A` is `ni × nk`, `B` is `nk × nj`, `C` is `ni × nj`.
//!
//! One `#[parallel_for]`, on the outer loop `i`: each iteration owns row `i`
//! of `C`.

use parallel::parallel;

/// `MINI_DATASET`: `(ni, nj, nk)`.
pub const MINI: (usize, usize, usize) = (20, 25, 30);
/// `MEDIUM_DATASET`: `(ni, nj, nk)`.
pub const MEDIUM: (usize, usize, usize) = (200, 220, 240);

/// PolyBench's `init_array`: `(alpha, beta, C, A, B)`, row-major.
pub fn init(ni: usize, nj: usize, nk: usize) -> (f64, f64, Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut c = vec![0.0; ni * nj];
    let mut a = vec![0.0; ni * nk];
    let mut b = vec![0.0; nk * nj];
    for i in 0..ni {
        for j in 0..nj {
            c[i * nj + j] = ((i * j + 1) % ni) as f64 / ni as f64;
        }
    }
    for i in 0..ni {
        for j in 0..nk {
            a[i * nk + j] = (i * (j + 1) % nk) as f64 / nk as f64;
        }
    }
    for i in 0..nk {
        for j in 0..nj {
            b[i * nj + j] = (i * (j + 2) % nj) as f64 / nj as f64;
        }
    }
    (1.5, 1.2, c, a, b)
}

/// The plain loops, row-major.
pub fn flat_seq(
    ni: usize,
    nj: usize,
    nk: usize,
    alpha: f64,
    beta: f64,
    c: &mut [f64],
    a: &[f64],
    b: &[f64],
) {
    for i in 0..ni {
        for j in 0..nj {
            c[i * nj + j] *= beta;
        }
        for k in 0..nk {
            for j in 0..nj {
                c[i * nj + j] += alpha * a[i * nk + k] * b[k * nj + j];
            }
        }
    }
}

/// The plain loops on nested arrays.
pub fn nested_seq(
    ni: usize,
    nj: usize,
    nk: usize,
    alpha: f64,
    beta: f64,
    c: &mut [Vec<f64>],
    a: &[Vec<f64>],
    b: &[Vec<f64>],
) {
    for i in 0..ni {
        for j in 0..nj {
            c[i][j] *= beta;
        }
        for k in 0..nk {
            for j in 0..nj {
                c[i][j] += alpha * a[i][k] * b[k][j];
            }
        }
    }
}

macro_rules! parallel_versions {
    ($flat:ident, $nested:ident, $($schedule:tt)*) => {
        /// The annotated loops, row-major, on `threads` threads.
        #[parallel]
        pub fn $flat(
            ni: usize,
            nj: usize,
            nk: usize,
            alpha: f64,
            beta: f64,
            c: &mut [f64],
            a: &[f64],
            b: &[f64],
            threads: usize,
        ) {
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..ni {
                for j in 0..nj {
                    c[i * nj + j] *= beta;
                }
                for k in 0..nk {
                    for j in 0..nj {
                        c[i * nj + j] += alpha * a[i * nk + k] * b[k * nj + j];
                    }
                }
            }
        }

        /// The annotated loops on nested arrays, on `threads` threads.
        #[parallel]
        pub fn $nested(
            ni: usize,
            nj: usize,
            nk: usize,
            alpha: f64,
            beta: f64,
            c: &mut [Vec<f64>],
            a: &[Vec<f64>],
            b: &[Vec<f64>],
            threads: usize,
        ) {
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..ni {
                for j in 0..nj {
                    c[i][j] *= beta;
                }
                for k in 0..nk {
                    for j in 0..nj {
                        c[i][j] += alpha * a[i][k] * b[k][j];
                    }
                }
            }
        }
    };
}

parallel_versions!(flat, nested, static);
parallel_versions!(flat_dynamic, nested_dynamic, dynamic, 3);
