//! doitgen: a multiresolution analysis kernel, `A[r][q][:] := A[r][q][:]·C4`
//! (`linear-algebra/kernels/doitgen/doitgen.c`); `A` is `nr × nq × np`,
//! `C4` is `np × np`.
//!
//! One `#[parallel_for]`, on the outer loop `r`: iteration `r` owns the
//! plane `A[r]`, and the C's function-scope buffer `sum` is `private`
//! (OpenMP: `private(sum)`, a scratch array per thread).

use parallel::parallel;

/// `MINI_DATASET`: `(nr, nq, np)`.
pub const MINI: (usize, usize, usize) = (10, 8, 12);
/// `MEDIUM_DATASET`: `(nr, nq, np)`.
pub const MEDIUM: (usize, usize, usize) = (50, 40, 60);

/// PolyBench's `init_array`: `(A, C4)`, row-major.
pub fn init(nr: usize, nq: usize, np: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = vec![0.0; nr * nq * np];
    for i in 0..nr {
        for j in 0..nq {
            for k in 0..np {
                a[i * nq * np + j * np + k] = ((i * j + k) % np) as f64 / np as f64;
            }
        }
    }
    let mut c4 = vec![0.0; np * np];
    for i in 0..np {
        for j in 0..np {
            c4[i * np + j] = (i * j % np) as f64 / np as f64;
        }
    }
    (a, c4)
}

/// A flat `nr × nq × np` array as nested `Vec`s.
pub fn planes(flat: &[f64], nr: usize, nq: usize, np: usize) -> Vec<Vec<Vec<f64>>> {
    (0..nr)
        .map(|r| crate::nested(&flat[r * nq * np..(r + 1) * nq * np], nq, np))
        .collect()
}

/// The plain loops, row-major.
pub fn flat_seq(nr: usize, nq: usize, np: usize, a: &mut [f64], c4: &[f64], sum: &mut [f64]) {
    for r in 0..nr {
        for q in 0..nq {
            for p in 0..np {
                sum[p] = 0.0;
                for s in 0..np {
                    sum[p] += a[r * nq * np + q * np + s] * c4[s * np + p];
                }
            }
            for p in 0..np {
                a[r * nq * np + q * np + p] = sum[p];
            }
        }
    }
}

/// The plain loops on nested arrays.
pub fn nested_seq(
    nr: usize,
    nq: usize,
    np: usize,
    a: &mut [Vec<Vec<f64>>],
    c4: &[Vec<f64>],
    sum: &mut [f64],
) {
    for r in 0..nr {
        for q in 0..nq {
            for p in 0..np {
                sum[p] = 0.0;
                for s in 0..np {
                    sum[p] += a[r][q][s] * c4[s][p];
                }
            }
            for p in 0..np {
                a[r][q][p] = sum[p];
            }
        }
    }
}

macro_rules! parallel_versions {
    ($flat:ident, $nested:ident, $($schedule:tt)*) => {
        /// The annotated loops, row-major, on `threads` threads.
        #[parallel]
        pub fn $flat(
            nr: usize,
            nq: usize,
            np: usize,
            a: &mut [f64],
            c4: &[f64],
            sum: &mut [f64],
            threads: usize,
        ) {
            #[parallel_for(num_threads(threads), schedule($($schedule)*), private(sum))]
            for r in 0..nr {
                for q in 0..nq {
                    for p in 0..np {
                        sum[p] = 0.0;
                        for s in 0..np {
                            sum[p] += a[r * nq * np + q * np + s] * c4[s * np + p];
                        }
                    }
                    for p in 0..np {
                        a[r * nq * np + q * np + p] = sum[p];
                    }
                }
            }
        }

        /// The annotated loops on nested arrays, on `threads` threads.
        #[parallel]
        pub fn $nested(
            nr: usize,
            nq: usize,
            np: usize,
            a: &mut [Vec<Vec<f64>>],
            c4: &[Vec<f64>],
            sum: &mut [f64],
            threads: usize,
        ) {
            #[parallel_for(num_threads(threads), schedule($($schedule)*), private(sum))]
            for r in 0..nr {
                for q in 0..nq {
                    for p in 0..np {
                        sum[p] = 0.0;
                        for s in 0..np {
                            sum[p] += a[r][q][s] * c4[s][p];
                        }
                    }
                    for p in 0..np {
                        a[r][q][p] = sum[p];
                    }
                }
            }
        }
    };
}

parallel_versions!(flat, nested, static);
parallel_versions!(flat_dynamic, nested_dynamic, dynamic, 3);
