//! bicg: `s := Aᵀ·r`, `q := A·p`, the kernel of BiCGStab
//! (`linear-algebra/kernels/bicg/bicg.c`); `A` is `n × m`.
//!
//! Two loop nests under one `#[parallel_for]` each: the zeroing of `s`
//! (`i`), and the outer loop `i` of the products, where iteration `i` owns
//! `q[i]` and adds its row's contribution into every `s[j]`: a reduction
//! over the whole array `s` (OpenMP: `reduction(+: s[0:m])`), so `s` is
//! summed in another order than the plain loop's.

use parallel::parallel;

/// `MINI_DATASET`: `(m, n)`.
pub const MINI: (usize, usize) = (38, 42);
/// `MEDIUM_DATASET`: `(m, n)`.
pub const MEDIUM: (usize, usize) = (390, 410);

/// PolyBench's `init_array`: `(A, r, p)`, row-major.
pub fn init(m: usize, n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let p = (0..m).map(|i| (i % m) as f64 / m as f64).collect();
    let mut r = vec![0.0; n];
    let mut a = vec![0.0; n * m];
    for i in 0..n {
        r[i] = (i % n) as f64 / n as f64;
        for j in 0..m {
            a[i * m + j] = (i * (j + 1) % n) as f64 / n as f64;
        }
    }
    (a, r, p)
}

/// The plain loops, row-major.
pub fn flat_seq(m: usize, n: usize, a: &[f64], s: &mut [f64], q: &mut [f64], p: &[f64], r: &[f64]) {
    for i in 0..m {
        s[i] = 0.0;
    }
    for i in 0..n {
        q[i] = 0.0;
        for j in 0..m {
            s[j] = s[j] + r[i] * a[i * m + j];
            q[i] = q[i] + a[i * m + j] * p[j];
        }
    }
}

/// The plain loops on a nested `A`.
pub fn nested_seq(
    m: usize,
    n: usize,
    a: &[Vec<f64>],
    s: &mut [f64],
    q: &mut [f64],
    p: &[f64],
    r: &[f64],
) {
    for i in 0..m {
        s[i] = 0.0;
    }
    for i in 0..n {
        q[i] = 0.0;
        for j in 0..m {
            s[j] = s[j] + r[i] * a[i][j];
            q[i] = q[i] + a[i][j] * p[j];
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
            s: &mut [f64],
            q: &mut [f64],
            p: &[f64],
            r: &[f64],
            threads: usize,
        ) {
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..m {
                s[i] = 0.0;
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*), reduction(+: s))]
            for i in 0..n {
                q[i] = 0.0;
                for j in 0..m {
                    s[j] = s[j] + r[i] * a[i * m + j];
                    q[i] = q[i] + a[i * m + j] * p[j];
                }
            }
        }

        /// The annotated loops on a nested `A`, on `threads` threads.
        #[parallel]
        pub fn $nested(
            m: usize,
            n: usize,
            a: &[Vec<f64>],
            s: &mut [f64],
            q: &mut [f64],
            p: &[f64],
            r: &[f64],
            threads: usize,
        ) {
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..m {
                s[i] = 0.0;
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*), reduction(+: s))]
            for i in 0..n {
                q[i] = 0.0;
                for j in 0..m {
                    s[j] = s[j] + r[i] * a[i][j];
                    q[i] = q[i] + a[i][j] * p[j];
                }
            }
        }
    };
}

parallel_versions!(flat, nested, static);
parallel_versions!(flat_dynamic, nested_dynamic, dynamic, 3);
