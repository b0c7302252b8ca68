//! covariance: the covariance matrix of `m` columns of `n` samples
//! (`datamining/covariance/covariance.c`).
//!
//! Three loop nests, each under one `#[parallel_for]` on its outer loop:
//! the column means (`j`), the centring of the data (`i`, rows), and the
//! covariance matrix (`i`: row `i` from the diagonal and, mirrored, column
//! `i` below it).

use parallel::parallel;

/// `MINI_DATASET`: `(m, n)`.
pub const MINI: (usize, usize) = (28, 32);
/// `MEDIUM_DATASET`: `(m, n)`.
pub const MEDIUM: (usize, usize) = (240, 260);

/// PolyBench's `init_array`: `float_n` and the `n × m` data, row-major.
pub fn init(m: usize, n: usize) -> (f64, Vec<f64>) {
    let mut data = vec![0.0; n * m];
    for i in 0..n {
        for j in 0..m {
            data[i * m + j] = (i as f64 * j as f64) / m as f64;
        }
    }
    (n as f64, data)
}

/// The plain loops, row-major.
pub fn flat_seq(
    m: usize,
    n: usize,
    float_n: f64,
    data: &mut [f64],
    cov: &mut [f64],
    mean: &mut [f64],
) {
    for j in 0..m {
        mean[j] = 0.0;
        for i in 0..n {
            mean[j] += data[i * m + j];
        }
        mean[j] /= float_n;
    }
    for i in 0..n {
        for j in 0..m {
            data[i * m + j] -= mean[j];
        }
    }
    for i in 0..m {
        for j in i..m {
            cov[i * m + j] = 0.0;
            for k in 0..n {
                cov[i * m + j] += data[k * m + i] * data[k * m + j];
            }
            cov[i * m + j] /= float_n - 1.0;
            cov[j * m + i] = cov[i * m + j];
        }
    }
}

/// The plain loops on nested arrays.
pub fn nested_seq(
    m: usize,
    n: usize,
    float_n: f64,
    data: &mut [Vec<f64>],
    cov: &mut [Vec<f64>],
    mean: &mut [f64],
) {
    for j in 0..m {
        mean[j] = 0.0;
        for i in 0..n {
            mean[j] += data[i][j];
        }
        mean[j] /= float_n;
    }
    for i in 0..n {
        for j in 0..m {
            data[i][j] -= mean[j];
        }
    }
    for i in 0..m {
        for j in i..m {
            cov[i][j] = 0.0;
            for k in 0..n {
                cov[i][j] += data[k][i] * data[k][j];
            }
            cov[i][j] /= float_n - 1.0;
            cov[j][i] = cov[i][j];
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
            float_n: f64,
            data: &mut [f64],
            cov: &mut [f64],
            mean: &mut [f64],
            threads: usize,
        ) {
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for j in 0..m {
                mean[j] = 0.0;
                for i in 0..n {
                    mean[j] += data[i * m + j];
                }
                mean[j] /= float_n;
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..n {
                for j in 0..m {
                    data[i * m + j] -= mean[j];
                }
            }
            // REWRITE: the C's loop, as first ported, was rejected:
            //     for i in 0..m {
            //         for j in i..m {
            //             cov[i * m + j] = 0.0;
            //             for k in 0..n {
            //                 cov[i * m + j] += data[k * m + i] * data[k * m + j];
            //             }
            //             cov[i * m + j] /= float_n - 1.0;
            //             cov[j * m + i] = cov[i * m + j];
            //         }
            //     }
            // ("`cov[j * m + i]` is the mirror image of `cov[i * m + j]`, which this loop also
            // writes: .. Compute one triangle in this loop and mirror it after
            // the loop: move `cov[j * m + i] = cov[i * m + j]` into a plain loop nest of its own
            // after this one, over the same indices"). Done as it says.
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..m {
                for j in i..m {
                    cov[i * m + j] = 0.0;
                    for k in 0..n {
                        cov[i * m + j] += data[k * m + i] * data[k * m + j];
                    }
                    cov[i * m + j] /= float_n - 1.0;
                }
            }
            for i in 0..m {
                for j in i..m {
                    cov[j * m + i] = cov[i * m + j];
                }
            }
        }

        /// The annotated loops on nested arrays, on `threads` threads.
        #[parallel]
        pub fn $nested(
            m: usize,
            n: usize,
            float_n: f64,
            data: &mut [Vec<f64>],
            cov: &mut [Vec<f64>],
            mean: &mut [f64],
            threads: usize,
        ) {
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for j in 0..m {
                mean[j] = 0.0;
                for i in 0..n {
                    mean[j] += data[i][j];
                }
                mean[j] /= float_n;
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..n {
                for j in 0..m {
                    data[i][j] -= mean[j];
                }
            }
            // REWRITE: the C's loop, as first ported, was rejected:
            //     for i in 0..m {
            //         for j in i..m {
            //             cov[i][j] = 0.0;
            //             for k in 0..n {
            //                 cov[i][j] += data[k][i] * data[k][j];
            //             }
            //             cov[i][j] /= float_n - 1.0;
            //             cov[j][i] = cov[i][j];
            //         }
            //     }
            // ("`cov[j][i]` is the mirror image of `cov[i][j]`, which this loop also
            // writes: .. Compute one triangle in this loop and mirror it after
            // the loop: move `cov[j][i] = cov[i][j]` into a plain loop nest of its own
            // after this one, over the same indices"). Done as it says.
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..m {
                for j in i..m {
                    cov[i][j] = 0.0;
                    for k in 0..n {
                        cov[i][j] += data[k][i] * data[k][j];
                    }
                    cov[i][j] /= float_n - 1.0;
                }
            }
            for i in 0..m {
                for j in i..m {
                    cov[j][i] = cov[i][j];
                }
            }
        }
    };
}

parallel_versions!(flat, nested, static, 1);
parallel_versions!(flat_dynamic, nested_dynamic, dynamic, 3);
