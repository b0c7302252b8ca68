//! durbin: the Levinson-Durbin recursion, solving a Toeplitz system
//! (`linear-algebra/solvers/durbin/durbin.c`). One-dimensional arrays
//! only, so one layout.
//!
//! The outer loop `k` is sequential. Inside it, one `#[parallel_for]` on
//! the new coefficients `z[i]` (`i`) and one on their copy back into `y`
//! (`i`). The dot product before them, a scalar sum, stays sequential (see
//! the crate docs: the ports keep every loop's arithmetic).

use parallel::parallel;

/// `MINI_DATASET`: `n`.
pub const MINI: usize = 40;
/// `MEDIUM_DATASET`: `n`.
pub const MEDIUM: usize = 400;

/// PolyBench's `init_array`: `r`.
pub fn init(n: usize) -> Vec<f64> {
    (0..n).map(|i| (n + 1 - i) as f64).collect()
}

/// The plain loops. `n` must be at least 1, as in the C.
pub fn seq(n: usize, r: &[f64], y: &mut [f64]) {
    let mut z = vec![0.0; n];
    let (mut alpha, mut beta, mut sum);
    y[0] = -r[0];
    beta = 1.0;
    alpha = -r[0];
    for k in 1..n {
        beta = (1.0 - alpha * alpha) * beta;
        sum = 0.0;
        for i in 0..k {
            sum += r[k - i - 1] * y[i];
        }
        alpha = -(r[k] + sum) / beta;
        for i in 0..k {
            z[i] = y[i] + alpha * y[k - i - 1];
        }
        for i in 0..k {
            y[i] = z[i];
        }
        y[k] = alpha;
    }
}

macro_rules! parallel_version {
    ($name:ident, $($schedule:tt)*) => {
        /// The annotated loops, on `threads` threads.
        #[parallel]
        pub fn $name(n: usize, r: &[f64], y: &mut [f64], threads: usize) {
            let mut z = vec![0.0; n];
            let (mut alpha, mut beta, mut sum);
            y[0] = -r[0];
            beta = 1.0;
            alpha = -r[0];
            for k in 1..n {
                beta = (1.0 - alpha * alpha) * beta;
                sum = 0.0;
                for i in 0..k {
                    sum += r[k - i - 1] * y[i];
                }
                alpha = -(r[k] + sum) / beta;
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 0..k {
                    z[i] = y[i] + alpha * y[k - i - 1];
                }
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 0..k {
                    y[i] = z[i];
                }
                y[k] = alpha;
            }
        }
    };
}

parallel_version!(par, static);
parallel_version!(par_dynamic, dynamic, 3);
