//! mvt: `x1 := x1 + A·y1`, `x2 := x2 + Aᵀ·y2`
//! (`linear-algebra/kernels/mvt/mvt.c`); `A` is `n × n`.
//!
//! Two loop nests, each under one `#[parallel_for]` on its outer loop `i`:
//! iteration `i` owns `x1[i]` (reading row `i` of `A`), then `x2[i]`
//! (reading column `i`).

use parallel::parallel;

/// `MINI_DATASET`: `n`.
pub const MINI: usize = 40;
/// `MEDIUM_DATASET`: `n`.
pub const MEDIUM: usize = 400;

/// PolyBench's `init_array`: `(x1, x2, y_1, y_2, A)`, row-major.
pub fn init(n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let v = |d: usize| {
        (0..n)
            .map(|i| ((i + d) % n) as f64 / n as f64)
            .collect::<Vec<f64>>()
    };
    let mut a = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            a[i * n + j] = (i * j % n) as f64 / n as f64;
        }
    }
    (v(0), v(1), v(3), v(4), a)
}

/// The plain loops, row-major.
pub fn flat_seq(n: usize, x1: &mut [f64], x2: &mut [f64], y_1: &[f64], y_2: &[f64], a: &[f64]) {
    for i in 0..n {
        for j in 0..n {
            x1[i] = x1[i] + a[i * n + j] * y_1[j];
        }
    }
    for i in 0..n {
        for j in 0..n {
            x2[i] = x2[i] + a[j * n + i] * y_2[j];
        }
    }
}

/// The plain loops on a nested `A`.
pub fn nested_seq(
    n: usize,
    x1: &mut [f64],
    x2: &mut [f64],
    y_1: &[f64],
    y_2: &[f64],
    a: &[Vec<f64>],
) {
    for i in 0..n {
        for j in 0..n {
            x1[i] = x1[i] + a[i][j] * y_1[j];
        }
    }
    for i in 0..n {
        for j in 0..n {
            x2[i] = x2[i] + a[j][i] * y_2[j];
        }
    }
}

macro_rules! parallel_versions {
    ($flat:ident, $nested:ident, $($schedule:tt)*) => {
        /// The annotated loops, row-major, on `threads` threads.
        #[parallel]
        pub fn $flat(
            n: usize,
            x1: &mut [f64],
            x2: &mut [f64],
            y_1: &[f64],
            y_2: &[f64],
            a: &[f64],
            threads: usize,
        ) {
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..n {
                for j in 0..n {
                    x1[i] = x1[i] + a[i * n + j] * y_1[j];
                }
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..n {
                for j in 0..n {
                    x2[i] = x2[i] + a[j * n + i] * y_2[j];
                }
            }
        }

        /// The annotated loops on a nested `A`, on `threads` threads.
        #[parallel]
        pub fn $nested(
            n: usize,
            x1: &mut [f64],
            x2: &mut [f64],
            y_1: &[f64],
            y_2: &[f64],
            a: &[Vec<f64>],
            threads: usize,
        ) {
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..n {
                for j in 0..n {
                    x1[i] = x1[i] + a[i][j] * y_1[j];
                }
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..n {
                for j in 0..n {
                    x2[i] = x2[i] + a[j][i] * y_2[j];
                }
            }
        }
    };
}

parallel_versions!(flat, nested, static);
parallel_versions!(flat_dynamic, nested_dynamic, dynamic, 3);
