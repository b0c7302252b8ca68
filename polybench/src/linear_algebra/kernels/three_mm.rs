//! 3mm: `G := (A·B)·(C·D)` (`linear-algebra/kernels/3mm/3mm.c`); `A` is
//! `ni × nk`, `B` is `nk × nj`, `C` is `nj × nm`, `D` is `nm × nl`, and the
//! products `E := A·B` (`ni × nj`), `F := C·D` (`nj × nl`), `G := E·F`
//! (`ni × nl`).
//!
//! Three loop nests, each under one `#[parallel_for]` on its outer loop
//! `i`: row `i` of `E`, of `F`, of `G`.

use parallel::parallel;

/// `MINI_DATASET`: `(ni, nj, nk, nl, nm)`.
pub const MINI: (usize, usize, usize, usize, usize) = (16, 18, 20, 22, 24);
/// `MEDIUM_DATASET`: `(ni, nj, nk, nl, nm)`.
pub const MEDIUM: (usize, usize, usize, usize, usize) = (180, 190, 200, 210, 220);

/// The input matrices of 3mm, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Inputs {
    /// `A`, `ni × nk`.
    pub a: Vec<f64>,
    /// `B`, `nk × nj`.
    pub b: Vec<f64>,
    /// `C`, `nj × nm`.
    pub c: Vec<f64>,
    /// `D`, `nm × nl`.
    pub d: Vec<f64>,
}

/// PolyBench's `init_array`.
pub fn init(ni: usize, nj: usize, nk: usize, nl: usize, nm: usize) -> Inputs {
    let fill = |rows: usize, cols: usize, f: &dyn Fn(usize, usize) -> f64| {
        let mut m = vec![0.0; rows * cols];
        for i in 0..rows {
            for j in 0..cols {
                m[i * cols + j] = f(i, j);
            }
        }
        m
    };
    Inputs {
        a: fill(ni, nk, &|i, j| ((i * j + 1) % ni) as f64 / (5 * ni) as f64),
        b: fill(nk, nj, &|i, j| {
            ((i * (j + 1) + 2) % nj) as f64 / (5 * nj) as f64
        }),
        c: fill(nj, nm, &|i, j| (i * (j + 3) % nl) as f64 / (5 * nl) as f64),
        d: fill(nm, nl, &|i, j| {
            ((i * (j + 2) + 2) % nk) as f64 / (5 * nk) as f64
        }),
    }
}

/// The plain loops, row-major.
pub fn flat_seq(
    ni: usize,
    nj: usize,
    nk: usize,
    nl: usize,
    nm: usize,
    e: &mut [f64],
    a: &[f64],
    b: &[f64],
    c: &[f64],
    d: &[f64],
    f: &mut [f64],
    g: &mut [f64],
) {
    for i in 0..ni {
        for j in 0..nj {
            e[i * nj + j] = 0.0;
            for k in 0..nk {
                e[i * nj + j] += a[i * nk + k] * b[k * nj + j];
            }
        }
    }
    for i in 0..nj {
        for j in 0..nl {
            f[i * nl + j] = 0.0;
            for k in 0..nm {
                f[i * nl + j] += c[i * nm + k] * d[k * nl + j];
            }
        }
    }
    for i in 0..ni {
        for j in 0..nl {
            g[i * nl + j] = 0.0;
            for k in 0..nj {
                g[i * nl + j] += e[i * nj + k] * f[k * nl + j];
            }
        }
    }
}

/// The plain loops on nested arrays.
pub fn nested_seq(
    ni: usize,
    nj: usize,
    nk: usize,
    nl: usize,
    nm: usize,
    e: &mut [Vec<f64>],
    a: &[Vec<f64>],
    b: &[Vec<f64>],
    c: &[Vec<f64>],
    d: &[Vec<f64>],
    f: &mut [Vec<f64>],
    g: &mut [Vec<f64>],
) {
    for i in 0..ni {
        for j in 0..nj {
            e[i][j] = 0.0;
            for k in 0..nk {
                e[i][j] += a[i][k] * b[k][j];
            }
        }
    }
    for i in 0..nj {
        for j in 0..nl {
            f[i][j] = 0.0;
            for k in 0..nm {
                f[i][j] += c[i][k] * d[k][j];
            }
        }
    }
    for i in 0..ni {
        for j in 0..nl {
            g[i][j] = 0.0;
            for k in 0..nj {
                g[i][j] += e[i][k] * f[k][j];
            }
        }
    }
}

macro_rules! parallel_versions {
    ($flat:ident, $nested:ident, $($schedule:tt)*) => {
        /// The annotated loops, row-major, on `threads` threads.
        #[parallel]
        pub fn $flat(
            ni: usize,
            nj: usize,
            nk: usize,
            nl: usize,
            nm: usize,
            e: &mut [f64],
            a: &[f64],
            b: &[f64],
            c: &[f64],
            d: &[f64],
            f: &mut [f64],
            g: &mut [f64],
            threads: usize,
        ) {
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..ni {
                for j in 0..nj {
                    e[i * nj + j] = 0.0;
                    for k in 0..nk {
                        e[i * nj + j] += a[i * nk + k] * b[k * nj + j];
                    }
                }
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..nj {
                for j in 0..nl {
                    f[i * nl + j] = 0.0;
                    for k in 0..nm {
                        f[i * nl + j] += c[i * nm + k] * d[k * nl + j];
                    }
                }
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..ni {
                for j in 0..nl {
                    g[i * nl + j] = 0.0;
                    for k in 0..nj {
                        g[i * nl + j] += e[i * nj + k] * f[k * nl + j];
                    }
                }
            }
        }

        /// The annotated loops on nested arrays, on `threads` threads.
        #[parallel]
        pub fn $nested(
            ni: usize,
            nj: usize,
            nk: usize,
            nl: usize,
            nm: usize,
            e: &mut [Vec<f64>],
            a: &[Vec<f64>],
            b: &[Vec<f64>],
            c: &[Vec<f64>],
            d: &[Vec<f64>],
            f: &mut [Vec<f64>],
            g: &mut [Vec<f64>],
            threads: usize,
        ) {
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..ni {
                for j in 0..nj {
                    e[i][j] = 0.0;
                    for k in 0..nk {
                        e[i][j] += a[i][k] * b[k][j];
                    }
                }
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..nj {
                for j in 0..nl {
                    f[i][j] = 0.0;
                    for k in 0..nm {
                        f[i][j] += c[i][k] * d[k][j];
                    }
                }
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..ni {
                for j in 0..nl {
                    g[i][j] = 0.0;
                    for k in 0..nj {
                        g[i][j] += e[i][k] * f[k][j];
                    }
                }
            }
        }
    };
}

parallel_versions!(flat, nested, static);
parallel_versions!(flat_dynamic, nested_dynamic, dynamic, 3);
