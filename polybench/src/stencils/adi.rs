//! adi: alternating-direction implicit solver of a 2-D heat equation over
//! `tsteps` time steps (`stencils/adi/adi.c`); `u`, `v`, `p`, `q` are
//! `n × n`.
//!
//! The time loop is sequential; inside it, one `#[parallel_for]` on each
//! sweep's outer loop `i`: the column sweep (iteration `i` owns row `i` of
//! `p` and `q` and column `i` of `v`, and reads `u`), then the row sweep
//! (row `i` of `u`, `p` and `q`, reading `v`).

use parallel::parallel;

/// `MINI_DATASET`: `(tsteps, n)`.
pub const MINI: (usize, usize) = (20, 20);
/// `MEDIUM_DATASET`: `(tsteps, n)`.
pub const MEDIUM: (usize, usize) = (100, 200);

/// PolyBench's `init_array`: `u`, row-major.
pub fn init(n: usize) -> Vec<f64> {
    let mut u = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            u[i * n + j] = (i + n - j) as f64 / n as f64;
        }
    }
    u
}

/// The sweeps' coefficients, as the C computes them.
#[derive(Clone, Copy, Debug)]
pub struct Coefficients {
    a: f64,
    b: f64,
    c: f64,
    d: f64,
    e: f64,
    f: f64,
}

impl Coefficients {
    /// The coefficients for `tsteps` steps on an `n × n` grid.
    pub fn new(tsteps: usize, n: usize) -> Self {
        let dx = 1.0 / n as f64;
        let dy = 1.0 / n as f64;
        let dt = 1.0 / tsteps as f64;
        let b1 = 2.0;
        let b2 = 1.0;
        let mul1 = b1 * dt / (dx * dx);
        let mul2 = b2 * dt / (dy * dy);
        let a = -mul1 / 2.0;
        let d = -mul2 / 2.0;
        Coefficients {
            a,
            b: 1.0 + mul1,
            c: a,
            d,
            e: 1.0 + mul2,
            f: d,
        }
    }
}

/// The plain loops, row-major. `n` must be at least 1.
pub fn flat_seq(
    tsteps: usize,
    n: usize,
    u: &mut [f64],
    v: &mut [f64],
    p: &mut [f64],
    q: &mut [f64],
) {
    let Coefficients { a, b, c, d, e, f } = Coefficients::new(tsteps, n);
    for _t in 1..=tsteps {
        for i in 1..n - 1 {
            v[i] = 1.0;
            p[i * n] = 0.0;
            q[i * n] = v[i];
            for j in 1..n - 1 {
                p[i * n + j] = -c / (a * p[i * n + j - 1] + b);
                q[i * n + j] = (-d * u[j * n + i - 1] + (1.0 + 2.0 * d) * u[j * n + i]
                    - f * u[j * n + i + 1]
                    - a * q[i * n + j - 1])
                    / (a * p[i * n + j - 1] + b);
            }
            v[(n - 1) * n + i] = 1.0;
            for j in (1..n - 1).rev() {
                v[j * n + i] = p[i * n + j] * v[(j + 1) * n + i] + q[i * n + j];
            }
        }
        for i in 1..n - 1 {
            u[i * n] = 1.0;
            p[i * n] = 0.0;
            q[i * n] = u[i * n];
            for j in 1..n - 1 {
                p[i * n + j] = -f / (d * p[i * n + j - 1] + e);
                q[i * n + j] = (-a * v[(i - 1) * n + j] + (1.0 + 2.0 * a) * v[i * n + j]
                    - c * v[(i + 1) * n + j]
                    - d * q[i * n + j - 1])
                    / (d * p[i * n + j - 1] + e);
            }
            u[i * n + n - 1] = 1.0;
            for j in (1..n - 1).rev() {
                u[i * n + j] = p[i * n + j] * u[i * n + j + 1] + q[i * n + j];
            }
        }
    }
}

/// The plain loops on nested arrays.
pub fn nested_seq(
    tsteps: usize,
    n: usize,
    u: &mut [Vec<f64>],
    v: &mut [Vec<f64>],
    p: &mut [Vec<f64>],
    q: &mut [Vec<f64>],
) {
    let Coefficients { a, b, c, d, e, f } = Coefficients::new(tsteps, n);
    for _t in 1..=tsteps {
        for i in 1..n - 1 {
            v[0][i] = 1.0;
            p[i][0] = 0.0;
            q[i][0] = v[0][i];
            for j in 1..n - 1 {
                p[i][j] = -c / (a * p[i][j - 1] + b);
                q[i][j] = (-d * u[j][i - 1] + (1.0 + 2.0 * d) * u[j][i]
                    - f * u[j][i + 1]
                    - a * q[i][j - 1])
                    / (a * p[i][j - 1] + b);
            }
            v[n - 1][i] = 1.0;
            for j in (1..n - 1).rev() {
                v[j][i] = p[i][j] * v[j + 1][i] + q[i][j];
            }
        }
        for i in 1..n - 1 {
            u[i][0] = 1.0;
            p[i][0] = 0.0;
            q[i][0] = u[i][0];
            for j in 1..n - 1 {
                p[i][j] = -f / (d * p[i][j - 1] + e);
                q[i][j] = (-a * v[i - 1][j] + (1.0 + 2.0 * a) * v[i][j]
                    - c * v[i + 1][j]
                    - d * q[i][j - 1])
                    / (d * p[i][j - 1] + e);
            }
            u[i][n - 1] = 1.0;
            for j in (1..n - 1).rev() {
                u[i][j] = p[i][j] * u[i][j + 1] + q[i][j];
            }
        }
    }
}

macro_rules! parallel_versions {
    ($flat:ident, $nested:ident, $($schedule:tt)*) => {
        /// The annotated loops, row-major, on `threads` threads.
        #[parallel]
        pub fn $flat(tsteps: usize, n: usize, u: &mut [f64], v: &mut [f64], p: &mut [f64], q: &mut [f64], threads: usize) {
            let Coefficients { a, b, c, d, e, f } = Coefficients::new(tsteps, n);
            for _t in 1..=tsteps {
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 1..n - 1 {
                    v[i] = 1.0;
                    p[i * n] = 0.0;
                    q[i * n] = v[i];
                    for j in 1..n - 1 {
                        p[i * n + j] = -c / (a * p[i * n + j - 1] + b);
                        q[i * n + j] = (-d * u[j * n + i - 1] + (1.0 + 2.0 * d) * u[j * n + i] - f * u[j * n + i + 1]
                            - a * q[i * n + j - 1])
                            / (a * p[i * n + j - 1] + b);
                    }
                    v[(n - 1) * n + i] = 1.0;
                    for j in (1..n - 1).rev() {
                        v[j * n + i] = p[i * n + j] * v[(j + 1) * n + i] + q[i * n + j];
                    }
                }
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 1..n - 1 {
                    u[i * n] = 1.0;
                    p[i * n] = 0.0;
                    q[i * n] = u[i * n];
                    for j in 1..n - 1 {
                        p[i * n + j] = -f / (d * p[i * n + j - 1] + e);
                        q[i * n + j] = (-a * v[(i - 1) * n + j] + (1.0 + 2.0 * a) * v[i * n + j] - c * v[(i + 1) * n + j]
                            - d * q[i * n + j - 1])
                            / (d * p[i * n + j - 1] + e);
                    }
                    u[i * n + n - 1] = 1.0;
                    for j in (1..n - 1).rev() {
                        u[i * n + j] = p[i * n + j] * u[i * n + j + 1] + q[i * n + j];
                    }
                }
            }
        }

        /// The annotated loops on nested arrays, on `threads` threads.
        #[parallel]
        pub fn $nested(
            tsteps: usize,
            n: usize,
            u: &mut [Vec<f64>],
            v: &mut [Vec<f64>],
            p: &mut [Vec<f64>],
            q: &mut [Vec<f64>],
            threads: usize,
        ) {
            let Coefficients { a, b, c, d, e, f } = Coefficients::new(tsteps, n);
            for _t in 1..=tsteps {
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 1..n - 1 {
                    v[0][i] = 1.0;
                    p[i][0] = 0.0;
                    q[i][0] = v[0][i];
                    for j in 1..n - 1 {
                        p[i][j] = -c / (a * p[i][j - 1] + b);
                        q[i][j] = (-d * u[j][i - 1] + (1.0 + 2.0 * d) * u[j][i] - f * u[j][i + 1] - a * q[i][j - 1])
                            / (a * p[i][j - 1] + b);
                    }
                    v[n - 1][i] = 1.0;
                    for j in (1..n - 1).rev() {
                        v[j][i] = p[i][j] * v[j + 1][i] + q[i][j];
                    }
                }
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 1..n - 1 {
                    u[i][0] = 1.0;
                    p[i][0] = 0.0;
                    q[i][0] = u[i][0];
                    for j in 1..n - 1 {
                        p[i][j] = -f / (d * p[i][j - 1] + e);
                        q[i][j] = (-a * v[i - 1][j] + (1.0 + 2.0 * a) * v[i][j] - c * v[i + 1][j] - d * q[i][j - 1])
                            / (d * p[i][j - 1] + e);
                    }
                    u[i][n - 1] = 1.0;
                    for j in (1..n - 1).rev() {
                        u[i][j] = p[i][j] * u[i][j + 1] + q[i][j];
                    }
                }
            }
        }
    };
}

parallel_versions!(flat, nested, static);
parallel_versions!(flat_dynamic, nested_dynamic, dynamic, 3);
