//! atax: `y := Aᵀ·(A·x)` (`linear-algebra/kernels/atax/atax.c`); `A` is
//! `m × n`.
//!
//! Two loop nests under one `#[parallel_for]` each: the zeroing of `y`
//! (`i`), and the outer loop `i` of the product, where iteration `i` owns
//! `tmp[i]` and adds its row's contribution into every `y[j]`: a reduction
//! over the whole array `y` (OpenMP: `reduction(+: y[0:n])`), so `y` is
//! summed in another order than the plain loop's.

use parallel::parallel;

/// `MINI_DATASET`: `(m, n)`.
pub const MINI: (usize, usize) = (38, 42);
/// `MEDIUM_DATASET`: `(m, n)`.
pub const MEDIUM: (usize, usize) = (390, 410);

/// PolyBench's `init_array`: `(A, x)`, row-major.
pub fn init(m: usize, n: usize) -> (Vec<f64>, Vec<f64>) {
    let fn_ = n as f64;
    let x = (0..n).map(|i| 1.0 + i as f64 / fn_).collect();
    let mut a = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            a[i * n + j] = ((i + j) % n) as f64 / (5 * m) as f64;
        }
    }
    (a, x)
}

/// The plain loops, row-major.
pub fn flat_seq(m: usize, n: usize, a: &[f64], x: &[f64], y: &mut [f64], tmp: &mut [f64]) {
    for i in 0..n {
        y[i] = 0.0;
    }
    for i in 0..m {
        tmp[i] = 0.0;
        for j in 0..n {
            tmp[i] = tmp[i] + a[i * n + j] * x[j];
        }
        for j in 0..n {
            y[j] = y[j] + a[i * n + j] * tmp[i];
        }
    }
}

/// The plain loops on a nested `A`.
pub fn nested_seq(m: usize, n: usize, a: &[Vec<f64>], x: &[f64], y: &mut [f64], tmp: &mut [f64]) {
    for i in 0..n {
        y[i] = 0.0;
    }
    for i in 0..m {
        tmp[i] = 0.0;
        for j in 0..n {
            tmp[i] = tmp[i] + a[i][j] * x[j];
        }
        for j in 0..n {
            y[j] = y[j] + a[i][j] * tmp[i];
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
            a: &[f64],
            x: &[f64],
            y: &mut [f64],
            tmp: &mut [f64],
            threads: usize,
        ) {
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..n {
                y[i] = 0.0;
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*), reduction(+: y))]
            for i in 0..m {
                tmp[i] = 0.0;
                for j in 0..n {
                    tmp[i] = tmp[i] + a[i * n + j] * x[j];
                }
                for j in 0..n {
                    y[j] = y[j] + a[i * n + j] * tmp[i];
                }
            }
        }

        /// The annotated loops on a nested `A`, on `threads` threads.
        #[parallel]
        pub fn $nested(
            m: usize,
            n: usize,
            a: &[Vec<f64>],
            x: &[f64],
            y: &mut [f64],
            tmp: &mut [f64],
            threads: usize,
        ) {
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..n {
                y[i] = 0.0;
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*), reduction(+: y))]
            for i in 0..m {
                tmp[i] = 0.0;
                for j in 0..n {
                    tmp[i] = tmp[i] + a[i][j] * x[j];
                }
                for j in 0..n {
                    y[j] = y[j] + a[i][j] * tmp[i];
                }
            }
        }
    };
}

parallel_versions!(flat, nested, static);
parallel_versions!(flat_dynamic, nested_dynamic, dynamic, 3);
