//! 2mm: `D := alpha·A·B·C + beta·D` (`linear-algebra/kernels/2mm/2mm.c`);
//! `A` is `ni × nk`, `B` is `nk × nj`, `C` is `nj × nl`, `D` is `ni × nl`,
//! `tmp` is `ni × nj`.
//!
//! Two loop nests, each under one `#[parallel_for]` on its outer loop `i`:
//! row `i` of `tmp`, then row `i` of `D`.

use parallel::parallel;

/// `MINI_DATASET`: `(ni, nj, nk, nl)`.
pub const MINI: (usize, usize, usize, usize) = (16, 18, 22, 24);
/// `MEDIUM_DATASET`: `(ni, nj, nk, nl)`.
pub const MEDIUM: (usize, usize, usize, usize) = (180, 190, 210, 220);

/// PolyBench's `init_array`: `(alpha, beta, A, B, C, D)`, row-major.
pub fn init(
    ni: usize,
    nj: usize,
    nk: usize,
    nl: usize,
) -> (f64, f64, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let fill = |rows: usize, cols: usize, f: &dyn Fn(usize, usize) -> f64| {
        let mut m = vec![0.0; rows * cols];
        for i in 0..rows {
            for j in 0..cols {
                m[i * cols + j] = f(i, j);
            }
        }
        m
    };
    let a = fill(ni, nk, &|i, j| ((i * j + 1) % ni) as f64 / ni as f64);
    let b = fill(nk, nj, &|i, j| (i * (j + 1) % nj) as f64 / nj as f64);
    let c = fill(nj, nl, &|i, j| ((i * (j + 3) + 1) % nl) as f64 / nl as f64);
    let d = fill(ni, nl, &|i, j| (i * (j + 2) % nk) as f64 / nk as f64);
    (1.5, 1.2, a, b, c, d)
}

/// The plain loops, row-major.
pub fn flat_seq(
    ni: usize,
    nj: usize,
    nk: usize,
    nl: usize,
    alpha: f64,
    beta: f64,
    tmp: &mut [f64],
    a: &[f64],
    b: &[f64],
    c: &[f64],
    d: &mut [f64],
) {
    for i in 0..ni {
        for j in 0..nj {
            tmp[i * nj + j] = 0.0;
            for k in 0..nk {
                tmp[i * nj + j] += alpha * a[i * nk + k] * b[k * nj + j];
            }
        }
    }
    for i in 0..ni {
        for j in 0..nl {
            d[i * nl + j] *= beta;
            for k in 0..nj {
                d[i * nl + j] += tmp[i * nj + k] * c[k * nl + j];
            }
        }
    }
}

/// The plain loops on nested arrays.
pub fn nested_seq(
    ni: usize,
    nj: usize,
    nk: usize,
    nl: usize,
    alpha: f64,
    beta: f64,
    tmp: &mut [Vec<f64>],
    a: &[Vec<f64>],
    b: &[Vec<f64>],
    c: &[Vec<f64>],
    d: &mut [Vec<f64>],
) {
    for i in 0..ni {
        for j in 0..nj {
            tmp[i][j] = 0.0;
            for k in 0..nk {
                tmp[i][j] += alpha * a[i][k] * b[k][j];
            }
        }
    }
    for i in 0..ni {
        for j in 0..nl {
            d[i][j] *= beta;
            for k in 0..nj {
                d[i][j] += tmp[i][k] * c[k][j];
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
            nl: usize,
            alpha: f64,
            beta: f64,
            tmp: &mut [f64],
            a: &[f64],
            b: &[f64],
            c: &[f64],
            d: &mut [f64],
            threads: usize,
        ) {
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..ni {
                for j in 0..nj {
                    tmp[i * nj + j] = 0.0;
                    for k in 0..nk {
                        tmp[i * nj + j] += alpha * a[i * nk + k] * b[k * nj + j];
                    }
                }
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..ni {
                for j in 0..nl {
                    d[i * nl + j] *= beta;
                    for k in 0..nj {
                        d[i * nl + j] += tmp[i * nj + k] * c[k * nl + j];
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
            nl: usize,
            alpha: f64,
            beta: f64,
            tmp: &mut [Vec<f64>],
            a: &[Vec<f64>],
            b: &[Vec<f64>],
            c: &[Vec<f64>],
            d: &mut [Vec<f64>],
            threads: usize,
        ) {
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..ni {
                for j in 0..nj {
                    tmp[i][j] = 0.0;
                    for k in 0..nk {
                        tmp[i][j] += alpha * a[i][k] * b[k][j];
                    }
                }
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..ni {
                for j in 0..nl {
                    d[i][j] *= beta;
                    for k in 0..nj {
                        d[i][j] += tmp[i][k] * c[k][j];
                    }
                }
            }
        }
    };
}

parallel_versions!(flat, nested, static);
parallel_versions!(flat_dynamic, nested_dynamic, dynamic, 3);
