//! gesummv: `y := alpha·A·x + beta·B·x` (`linear-algebra/blas/gesummv/gesummv.c`).
//!
//! One `#[parallel_for]`, on the outer loop `i`: each iteration owns
//! `tmp[i]` and `y[i]`.

use parallel::parallel;

/// `MINI_DATASET`: `n`.
pub const MINI: usize = 30;
/// `MEDIUM_DATASET`: `n`.
pub const MEDIUM: usize = 250;

/// PolyBench's `init_array`: `(alpha, beta, A, B, x)`, row-major.
pub fn init(n: usize) -> (f64, f64, Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut a = vec![0.0; n * n];
    let mut b = vec![0.0; n * n];
    let mut x = vec![0.0; n];
    for i in 0..n {
        x[i] = (i % n) as f64 / n as f64;
        for j in 0..n {
            a[i * n + j] = ((i * j + 1) % n) as f64 / n as f64;
            b[i * n + j] = ((i * j + 2) % n) as f64 / n as f64;
        }
    }
    (1.5, 1.2, a, b, x)
}

/// The plain loops, row-major.
pub fn flat_seq(
    n: usize,
    alpha: f64,
    beta: f64,
    a: &[f64],
    b: &[f64],
    tmp: &mut [f64],
    x: &[f64],
    y: &mut [f64],
) {
    for i in 0..n {
        tmp[i] = 0.0;
        y[i] = 0.0;
        for j in 0..n {
            tmp[i] = a[i * n + j] * x[j] + tmp[i];
            y[i] = b[i * n + j] * x[j] + y[i];
        }
        y[i] = alpha * tmp[i] + beta * y[i];
    }
}

/// The plain loops on nested arrays.
pub fn nested_seq(
    n: usize,
    alpha: f64,
    beta: f64,
    a: &[Vec<f64>],
    b: &[Vec<f64>],
    tmp: &mut [f64],
    x: &[f64],
    y: &mut [f64],
) {
    for i in 0..n {
        tmp[i] = 0.0;
        y[i] = 0.0;
        for j in 0..n {
            tmp[i] = a[i][j] * x[j] + tmp[i];
            y[i] = b[i][j] * x[j] + y[i];
        }
        y[i] = alpha * tmp[i] + beta * y[i];
    }
}

macro_rules! parallel_versions {
    ($flat:ident, $nested:ident, $($schedule:tt)*) => {
        /// The annotated loops, row-major, on `threads` threads.
        #[parallel]
        pub fn $flat(
            n: usize,
            alpha: f64,
            beta: f64,
            a: &[f64],
            b: &[f64],
            tmp: &mut [f64],
            x: &[f64],
            y: &mut [f64],
            threads: usize,
        ) {
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..n {
                tmp[i] = 0.0;
                y[i] = 0.0;
                for j in 0..n {
                    tmp[i] = a[i * n + j] * x[j] + tmp[i];
                    y[i] = b[i * n + j] * x[j] + y[i];
                }
                y[i] = alpha * tmp[i] + beta * y[i];
            }
        }

        /// The annotated loops on nested arrays, on `threads` threads.
        #[parallel]
        pub fn $nested(
            n: usize,
            alpha: f64,
            beta: f64,
            a: &[Vec<f64>],
            b: &[Vec<f64>],
            tmp: &mut [f64],
            x: &[f64],
            y: &mut [f64],
            threads: usize,
        ) {
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..n {
                tmp[i] = 0.0;
                y[i] = 0.0;
                for j in 0..n {
                    tmp[i] = a[i][j] * x[j] + tmp[i];
                    y[i] = b[i][j] * x[j] + y[i];
                }
                y[i] = alpha * tmp[i] + beta * y[i];
            }
        }
    };
}

parallel_versions!(flat, nested, static);
parallel_versions!(flat_dynamic, nested_dynamic, dynamic, 3);
