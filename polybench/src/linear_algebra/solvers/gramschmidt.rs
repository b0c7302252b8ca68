//! gramschmidt: QR decomposition by modified Gram-Schmidt
//! (`linear-algebra/solvers/gramschmidt/gramschmidt.c`); `A` and `Q` are
//! `m × n`, `R` is `n × n`.
//!
//! The outer loop `k` is sequential. Inside it, one `#[parallel_for]` on
//! column `k` of `Q` (`i`), and one on the update of the columns `j > k`
//! (`j`: iteration `j` owns `R[k][j]` and column `j` of `A`). The norm of
//! column `k`, a scalar sum of `m` terms, stays sequential (see the crate
//! docs: the ports keep every loop's arithmetic).

use parallel::parallel;

/// `MINI_DATASET`: `(m, n)`.
pub const MINI: (usize, usize) = (20, 30);
/// `MEDIUM_DATASET`: `(m, n)`.
pub const MEDIUM: (usize, usize) = (200, 240);

/// PolyBench's `init_array`: `(A, R, Q)`, row-major.
pub fn init(m: usize, n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut a = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            a[i * n + j] = (((i * j) % m) as f64 / m as f64) * 100.0 + 10.0;
        }
    }
    (a, vec![0.0; n * n], vec![0.0; m * n])
}

/// The plain loops, row-major.
pub fn flat_seq(m: usize, n: usize, a: &mut [f64], r: &mut [f64], q: &mut [f64]) {
    let mut nrm;
    for k in 0..n {
        nrm = 0.0;
        for i in 0..m {
            nrm += a[i * n + k] * a[i * n + k];
        }
        r[k * n + k] = nrm.sqrt();
        for i in 0..m {
            q[i * n + k] = a[i * n + k] / r[k * n + k];
        }
        for j in k + 1..n {
            r[k * n + j] = 0.0;
            for i in 0..m {
                r[k * n + j] += q[i * n + k] * a[i * n + j];
            }
            for i in 0..m {
                a[i * n + j] = a[i * n + j] - q[i * n + k] * r[k * n + j];
            }
        }
    }
}

/// The plain loops on nested arrays.
pub fn nested_seq(m: usize, n: usize, a: &mut [Vec<f64>], r: &mut [Vec<f64>], q: &mut [Vec<f64>]) {
    let mut nrm;
    for k in 0..n {
        nrm = 0.0;
        for i in 0..m {
            nrm += a[i][k] * a[i][k];
        }
        r[k][k] = nrm.sqrt();
        for i in 0..m {
            q[i][k] = a[i][k] / r[k][k];
        }
        for j in k + 1..n {
            r[k][j] = 0.0;
            for i in 0..m {
                r[k][j] += q[i][k] * a[i][j];
            }
            for i in 0..m {
                a[i][j] = a[i][j] - q[i][k] * r[k][j];
            }
        }
    }
}

macro_rules! parallel_versions {
    ($flat:ident, $nested:ident, $($schedule:tt)*) => {
        /// The annotated loops, row-major, on `threads` threads.
        #[parallel]
        pub fn $flat(m: usize, n: usize, a: &mut [f64], r: &mut [f64], q: &mut [f64], threads: usize) {
            let mut nrm;
            for k in 0..n {
                nrm = 0.0;
                for i in 0..m {
                    nrm += a[i * n + k] * a[i * n + k];
                }
                r[k * n + k] = nrm.sqrt();
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 0..m {
                    q[i * n + k] = a[i * n + k] / r[k * n + k];
                }
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for j in k + 1..n {
                    r[k * n + j] = 0.0;
                    for i in 0..m {
                        r[k * n + j] += q[i * n + k] * a[i * n + j];
                    }
                    for i in 0..m {
                        a[i * n + j] = a[i * n + j] - q[i * n + k] * r[k * n + j];
                    }
                }
            }
        }

        /// The annotated loops on nested arrays, on `threads` threads.
        #[parallel]
        pub fn $nested(
            m: usize,
            n: usize,
            a: &mut [Vec<f64>],
            r: &mut [Vec<f64>],
            q: &mut [Vec<f64>],
            threads: usize,
        ) {
            let mut nrm;
            for k in 0..n {
                nrm = 0.0;
                for i in 0..m {
                    nrm += a[i][k] * a[i][k];
                }
                r[k][k] = nrm.sqrt();
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 0..m {
                    q[i][k] = a[i][k] / r[k][k];
                }
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for j in k + 1..n {
                    r[k][j] = 0.0;
                    for i in 0..m {
                        r[k][j] += q[i][k] * a[i][j];
                    }
                    for i in 0..m {
                        a[i][j] = a[i][j] - q[i][k] * r[k][j];
                    }
                }
            }
        }
    };
}

parallel_versions!(flat, nested, static);
parallel_versions!(flat_dynamic, nested_dynamic, dynamic, 3);
