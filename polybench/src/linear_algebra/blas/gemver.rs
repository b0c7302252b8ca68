//! gemver: `A := A + u1·v1ᵀ + u2·v2ᵀ`, `x := x + beta·Aᵀ·y + z`,
//! `w := w + alpha·A·x` (`linear-algebra/blas/gemver/gemver.c`).
//!
//! Four loop nests, each under one `#[parallel_for]` on its outer loop `i`:
//! row `i` of `A`, then `x[i]` (reading column `i` of `A`), `x[i]` again,
//! and `w[i]`.

use parallel::parallel;

/// `MINI_DATASET`: `n`.
pub const MINI: usize = 40;
/// `MEDIUM_DATASET`: `n`.
pub const MEDIUM: usize = 400;

/// The arrays of gemver: `a` is `n × n` row-major, the rest vectors of `n`.
#[derive(Clone, Debug, PartialEq)]
pub struct Data {
    /// `alpha`.
    pub alpha: f64,
    /// `beta`.
    pub beta: f64,
    /// `A`, row-major.
    pub a: Vec<f64>,
    /// `u1`.
    pub u1: Vec<f64>,
    /// `v1`.
    pub v1: Vec<f64>,
    /// `u2`.
    pub u2: Vec<f64>,
    /// `v2`.
    pub v2: Vec<f64>,
    /// `w`.
    pub w: Vec<f64>,
    /// `x`.
    pub x: Vec<f64>,
    /// `y`.
    pub y: Vec<f64>,
    /// `z`.
    pub z: Vec<f64>,
}

/// PolyBench's `init_array`.
pub fn init(n: usize) -> Data {
    let fn_ = n as f64;
    let v = |d: f64| {
        (0..n)
            .map(|i| ((i + 1) as f64 / fn_) / d)
            .collect::<Vec<f64>>()
    };
    let mut a = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            a[i * n + j] = (i * j % n) as f64 / n as f64;
        }
    }
    Data {
        alpha: 1.5,
        beta: 1.2,
        a,
        u1: (0..n).map(|i| i as f64).collect(),
        v1: v(4.0),
        u2: v(2.0),
        v2: v(6.0),
        w: vec![0.0; n],
        x: vec![0.0; n],
        y: v(8.0),
        z: v(9.0),
    }
}

/// The plain loops, row-major.
pub fn flat_seq(
    n: usize,
    alpha: f64,
    beta: f64,
    a: &mut [f64],
    u1: &[f64],
    v1: &[f64],
    u2: &[f64],
    v2: &[f64],
    w: &mut [f64],
    x: &mut [f64],
    y: &[f64],
    z: &[f64],
) {
    for i in 0..n {
        for j in 0..n {
            a[i * n + j] = a[i * n + j] + u1[i] * v1[j] + u2[i] * v2[j];
        }
    }
    for i in 0..n {
        for j in 0..n {
            x[i] = x[i] + beta * a[j * n + i] * y[j];
        }
    }
    for i in 0..n {
        x[i] = x[i] + z[i];
    }
    for i in 0..n {
        for j in 0..n {
            w[i] = w[i] + alpha * a[i * n + j] * x[j];
        }
    }
}

/// The plain loops on a nested `A`.
pub fn nested_seq(
    n: usize,
    alpha: f64,
    beta: f64,
    a: &mut [Vec<f64>],
    u1: &[f64],
    v1: &[f64],
    u2: &[f64],
    v2: &[f64],
    w: &mut [f64],
    x: &mut [f64],
    y: &[f64],
    z: &[f64],
) {
    for i in 0..n {
        for j in 0..n {
            a[i][j] = a[i][j] + u1[i] * v1[j] + u2[i] * v2[j];
        }
    }
    for i in 0..n {
        for j in 0..n {
            x[i] = x[i] + beta * a[j][i] * y[j];
        }
    }
    for i in 0..n {
        x[i] = x[i] + z[i];
    }
    for i in 0..n {
        for j in 0..n {
            w[i] = w[i] + alpha * a[i][j] * x[j];
        }
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
            a: &mut [f64],
            u1: &[f64],
            v1: &[f64],
            u2: &[f64],
            v2: &[f64],
            w: &mut [f64],
            x: &mut [f64],
            y: &[f64],
            z: &[f64],
            threads: usize,
        ) {
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..n {
                for j in 0..n {
                    a[i * n + j] = a[i * n + j] + u1[i] * v1[j] + u2[i] * v2[j];
                }
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..n {
                for j in 0..n {
                    x[i] = x[i] + beta * a[j * n + i] * y[j];
                }
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..n {
                x[i] = x[i] + z[i];
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..n {
                for j in 0..n {
                    w[i] = w[i] + alpha * a[i * n + j] * x[j];
                }
            }
        }

        /// The annotated loops on a nested `A`, on `threads` threads.
        #[parallel]
        pub fn $nested(
            n: usize,
            alpha: f64,
            beta: f64,
            a: &mut [Vec<f64>],
            u1: &[f64],
            v1: &[f64],
            u2: &[f64],
            v2: &[f64],
            w: &mut [f64],
            x: &mut [f64],
            y: &[f64],
            z: &[f64],
            threads: usize,
        ) {
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..n {
                for j in 0..n {
                    a[i][j] = a[i][j] + u1[i] * v1[j] + u2[i] * v2[j];
                }
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..n {
                for j in 0..n {
                    x[i] = x[i] + beta * a[j][i] * y[j];
                }
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..n {
                x[i] = x[i] + z[i];
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..n {
                for j in 0..n {
                    w[i] = w[i] + alpha * a[i][j] * x[j];
                }
            }
        }
    };
}

parallel_versions!(flat, nested, static);
parallel_versions!(flat_dynamic, nested_dynamic, dynamic, 3);
