//! jacobi-1d: a three-point Jacobi stencil over `tsteps` time steps
//! (`stencils/jacobi-1d/jacobi-1d.c`). One-dimensional arrays only, so one
//! layout.
//!
//! The time loop is sequential; inside it, one `#[parallel_for]` on each
//! sweep (`i`): `B` from `A`, then `A` from `B`.

use parallel::parallel;

/// `MINI_DATASET`: `(tsteps, n)`.
pub const MINI: (usize, usize) = (20, 30);
/// `MEDIUM_DATASET`: `(tsteps, n)`.
pub const MEDIUM: (usize, usize) = (100, 400);

/// PolyBench's `init_array`: `(A, B)`.
pub fn init(n: usize) -> (Vec<f64>, Vec<f64>) {
    let a = (0..n).map(|i| (i as f64 + 2.0) / n as f64).collect();
    let b = (0..n).map(|i| (i as f64 + 3.0) / n as f64).collect();
    (a, b)
}

/// The plain loops. `n` must be at least 1.
pub fn seq(tsteps: usize, n: usize, a: &mut [f64], b: &mut [f64]) {
    for _t in 0..tsteps {
        for i in 1..n - 1 {
            b[i] = 0.33333 * (a[i - 1] + a[i] + a[i + 1]);
        }
        for i in 1..n - 1 {
            a[i] = 0.33333 * (b[i - 1] + b[i] + b[i + 1]);
        }
    }
}

macro_rules! parallel_version {
    ($name:ident, $($schedule:tt)*) => {
        /// The annotated loops, on `threads` threads.
        #[parallel]
        pub fn $name(tsteps: usize, n: usize, a: &mut [f64], b: &mut [f64], threads: usize) {
            for _t in 0..tsteps {
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 1..n - 1 {
                    b[i] = 0.33333 * (a[i - 1] + a[i] + a[i + 1]);
                }
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 1..n - 1 {
                    a[i] = 0.33333 * (b[i - 1] + b[i] + b[i + 1]);
                }
            }
        }
    };
}

parallel_version!(par, static);
parallel_version!(par_dynamic, dynamic, 3);
