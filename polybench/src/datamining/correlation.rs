//! correlation: the Pearson correlation matrix of `m` columns of `n`
//! samples (`datamining/correlation/correlation.c`).
//!
//! Four loop nests, each under one `#[parallel_for]` on its outer loop:
//! the column means and standard deviations (`j`), the centring of the data
//! (`i`, rows), and the correlation matrix (`i`: row `i` above the diagonal
//! and, mirrored, column `i` below it).

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
            data[i * m + j] = (i * j) as f64 / m as f64 + i as f64;
        }
    }
    (n as f64, data)
}

/// The plain loops, row-major. `m` must be at least 1, as in the C.
pub fn flat_seq(
    m: usize,
    n: usize,
    float_n: f64,
    data: &mut [f64],
    corr: &mut [f64],
    mean: &mut [f64],
    stddev: &mut [f64],
) {
    let eps = 0.1;
    for j in 0..m {
        mean[j] = 0.0;
        for i in 0..n {
            mean[j] += data[i * m + j];
        }
        mean[j] /= float_n;
    }
    for j in 0..m {
        stddev[j] = 0.0;
        for i in 0..n {
            stddev[j] += (data[i * m + j] - mean[j]) * (data[i * m + j] - mean[j]);
        }
        stddev[j] /= float_n;
        stddev[j] = stddev[j].sqrt();
        stddev[j] = if stddev[j] <= eps { 1.0 } else { stddev[j] };
    }
    for i in 0..n {
        for j in 0..m {
            data[i * m + j] -= mean[j];
            data[i * m + j] /= float_n.sqrt() * stddev[j];
        }
    }
    for i in 0..m - 1 {
        corr[i * m + i] = 1.0;
        for j in i + 1..m {
            corr[i * m + j] = 0.0;
            for k in 0..n {
                corr[i * m + j] += data[k * m + i] * data[k * m + j];
            }
            corr[j * m + i] = corr[i * m + j];
        }
    }
    corr[(m - 1) * m + m - 1] = 1.0;
}

/// The plain loops on nested arrays.
pub fn nested_seq(
    m: usize,
    n: usize,
    float_n: f64,
    data: &mut [Vec<f64>],
    corr: &mut [Vec<f64>],
    mean: &mut [f64],
    stddev: &mut [f64],
) {
    let eps = 0.1;
    for j in 0..m {
        mean[j] = 0.0;
        for i in 0..n {
            mean[j] += data[i][j];
        }
        mean[j] /= float_n;
    }
    for j in 0..m {
        stddev[j] = 0.0;
        for i in 0..n {
            stddev[j] += (data[i][j] - mean[j]) * (data[i][j] - mean[j]);
        }
        stddev[j] /= float_n;
        stddev[j] = stddev[j].sqrt();
        stddev[j] = if stddev[j] <= eps { 1.0 } else { stddev[j] };
    }
    for i in 0..n {
        for j in 0..m {
            data[i][j] -= mean[j];
            data[i][j] /= float_n.sqrt() * stddev[j];
        }
    }
    for i in 0..m - 1 {
        corr[i][i] = 1.0;
        for j in i + 1..m {
            corr[i][j] = 0.0;
            for k in 0..n {
                corr[i][j] += data[k][i] * data[k][j];
            }
            corr[j][i] = corr[i][j];
        }
    }
    corr[m - 1][m - 1] = 1.0;
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
            corr: &mut [f64],
            mean: &mut [f64],
            stddev: &mut [f64],
            threads: usize,
        ) {
            let eps = 0.1;
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for j in 0..m {
                mean[j] = 0.0;
                for i in 0..n {
                    mean[j] += data[i * m + j];
                }
                mean[j] /= float_n;
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for j in 0..m {
                stddev[j] = 0.0;
                for i in 0..n {
                    stddev[j] += (data[i * m + j] - mean[j]) * (data[i * m + j] - mean[j]);
                }
                stddev[j] /= float_n;
                stddev[j] = stddev[j].sqrt();
                stddev[j] = if stddev[j] <= eps { 1.0 } else { stddev[j] };
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..n {
                for j in 0..m {
                    data[i * m + j] -= mean[j];
                    data[i * m + j] /= float_n.sqrt() * stddev[j];
                }
            }
            // REWRITE: the C's loop, as first ported, was rejected:
            //     for i in 0..m - 1 {
            //         corr[i * m + i] = 1.0;
            //         for j in i + 1..m {
            //             corr[i * m + j] = 0.0;
            //             for k in 0..n {
            //                 corr[i * m + j] += data[k * m + i] * data[k * m + j];
            //             }
            //             corr[j * m + i] = corr[i * m + j];
            //         }
            //     }
            // ("`corr[i * m + i]` is on the diagonal, an element of its own
            // row of `m`, but a loop splits an array into rows of one length
            // and reads this write as a row of `m + 1`: write the diagonal in
            // a plain loop of its own (before or after this one)", and
            // "`corr[j * m + i]` is the mirror image of `corr[i * m + j]`
            // .. mirror it after the loop"). The diagonal and the mirror
            // image move to a plain loop after it.
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..m - 1 {
                for j in i + 1..m {
                    corr[i * m + j] = 0.0;
                    for k in 0..n {
                        corr[i * m + j] += data[k * m + i] * data[k * m + j];
                    }
                }
            }
            for i in 0..m - 1 {
                corr[i * m + i] = 1.0;
                for j in i + 1..m {
                    corr[j * m + i] = corr[i * m + j];
                }
            }
            corr[(m - 1) * m + m - 1] = 1.0;
        }

        /// The annotated loops on nested arrays, on `threads` threads.
        #[parallel]
        pub fn $nested(
            m: usize,
            n: usize,
            float_n: f64,
            data: &mut [Vec<f64>],
            corr: &mut [Vec<f64>],
            mean: &mut [f64],
            stddev: &mut [f64],
            threads: usize,
        ) {
            let eps = 0.1;
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for j in 0..m {
                mean[j] = 0.0;
                for i in 0..n {
                    mean[j] += data[i][j];
                }
                mean[j] /= float_n;
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for j in 0..m {
                stddev[j] = 0.0;
                for i in 0..n {
                    stddev[j] += (data[i][j] - mean[j]) * (data[i][j] - mean[j]);
                }
                stddev[j] /= float_n;
                stddev[j] = stddev[j].sqrt();
                stddev[j] = if stddev[j] <= eps { 1.0 } else { stddev[j] };
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..n {
                for j in 0..m {
                    data[i][j] -= mean[j];
                    data[i][j] /= float_n.sqrt() * stddev[j];
                }
            }
            // REWRITE: the C's loop, as first ported, was rejected:
            //     for i in 0..m - 1 {
            //         corr[i][i] = 1.0;
            //         for j in i + 1..m {
            //             corr[i][j] = 0.0;
            //             for k in 0..n {
            //                 corr[i][j] += data[k][i] * data[k][j];
            //             }
            //             corr[j][i] = corr[i][j];
            //         }
            //     }
            // ("`corr[j][i]` is the mirror image of `corr[i][j]`, which this
            // loop also writes: .. Compute one triangle in this loop and
            // mirror it after the loop"). The mirror image moves to a plain
            // loop after it.
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..m - 1 {
                corr[i][i] = 1.0;
                for j in i + 1..m {
                    corr[i][j] = 0.0;
                    for k in 0..n {
                        corr[i][j] += data[k][i] * data[k][j];
                    }
                }
            }
            for i in 0..m - 1 {
                for j in i + 1..m {
                    corr[j][i] = corr[i][j];
                }
            }
            corr[m - 1][m - 1] = 1.0;
        }
    };
}

parallel_versions!(flat, nested, static, 1);
parallel_versions!(flat_dynamic, nested_dynamic, dynamic, 3);
