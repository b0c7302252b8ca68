//! fdtd-2d: a two-dimensional finite-difference time-domain kernel
//! (`stencils/fdtd-2d/fdtd-2d.c`); `ex`, `ey` and `hz` are `nx × ny`.
//!
//! The time loop is sequential; inside it, one `#[parallel_for]` on each
//! of its four loop nests: the boundary row `ey[0][j]` (`j`), then the rows
//! of `ey`, of `ex` and of `hz` (`i`).

use parallel::parallel;

/// `MINI_DATASET`: `(tmax, nx, ny)`.
pub const MINI: (usize, usize, usize) = (20, 20, 30);
/// `MEDIUM_DATASET`: `(tmax, nx, ny)`.
pub const MEDIUM: (usize, usize, usize) = (100, 200, 240);

/// The fields, row-major, and the source term `_fict_`.
#[derive(Clone, Debug, PartialEq)]
pub struct Fields {
    /// `ex`.
    pub ex: Vec<f64>,
    /// `ey`.
    pub ey: Vec<f64>,
    /// `hz`.
    pub hz: Vec<f64>,
    /// `_fict_`, one value per time step.
    pub fict: Vec<f64>,
}

/// PolyBench's `init_array`.
pub fn init(tmax: usize, nx: usize, ny: usize) -> Fields {
    let mut f = Fields {
        ex: vec![0.0; nx * ny],
        ey: vec![0.0; nx * ny],
        hz: vec![0.0; nx * ny],
        fict: (0..tmax).map(|i| i as f64).collect(),
    };
    for i in 0..nx {
        for j in 0..ny {
            f.ex[i * ny + j] = (i as f64 * (j + 1) as f64) / nx as f64;
            f.ey[i * ny + j] = (i as f64 * (j + 2) as f64) / ny as f64;
            f.hz[i * ny + j] = (i as f64 * (j + 3) as f64) / nx as f64;
        }
    }
    f
}

/// The plain loops, row-major. `nx` and `ny` must be at least 1.
pub fn flat_seq(
    tmax: usize,
    nx: usize,
    ny: usize,
    ex: &mut [f64],
    ey: &mut [f64],
    hz: &mut [f64],
    fict: &[f64],
) {
    for t in 0..tmax {
        for j in 0..ny {
            ey[j] = fict[t]; // ey[0][j]
        }
        for i in 1..nx {
            for j in 0..ny {
                ey[i * ny + j] = ey[i * ny + j] - 0.5 * (hz[i * ny + j] - hz[(i - 1) * ny + j]);
            }
        }
        for i in 0..nx {
            for j in 1..ny {
                ex[i * ny + j] = ex[i * ny + j] - 0.5 * (hz[i * ny + j] - hz[i * ny + j - 1]);
            }
        }
        for i in 0..nx - 1 {
            for j in 0..ny - 1 {
                hz[i * ny + j] = hz[i * ny + j]
                    - 0.7
                        * (ex[i * ny + j + 1] - ex[i * ny + j] + ey[(i + 1) * ny + j]
                            - ey[i * ny + j]);
            }
        }
    }
}

/// The plain loops on nested arrays.
pub fn nested_seq(
    tmax: usize,
    nx: usize,
    ny: usize,
    ex: &mut [Vec<f64>],
    ey: &mut [Vec<f64>],
    hz: &mut [Vec<f64>],
    fict: &[f64],
) {
    for t in 0..tmax {
        for j in 0..ny {
            ey[0][j] = fict[t];
        }
        for i in 1..nx {
            for j in 0..ny {
                ey[i][j] = ey[i][j] - 0.5 * (hz[i][j] - hz[i - 1][j]);
            }
        }
        for i in 0..nx {
            for j in 1..ny {
                ex[i][j] = ex[i][j] - 0.5 * (hz[i][j] - hz[i][j - 1]);
            }
        }
        for i in 0..nx - 1 {
            for j in 0..ny - 1 {
                hz[i][j] = hz[i][j] - 0.7 * (ex[i][j + 1] - ex[i][j] + ey[i + 1][j] - ey[i][j]);
            }
        }
    }
}

macro_rules! parallel_versions {
    ($flat:ident, $nested:ident, $($schedule:tt)*) => {
        /// The annotated loops, row-major, on `threads` threads.
        #[parallel]
        pub fn $flat(
            tmax: usize,
            nx: usize,
            ny: usize,
            ex: &mut [f64],
            ey: &mut [f64],
            hz: &mut [f64],
            fict: &[f64],
            threads: usize,
        ) {
            for t in 0..tmax {
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for j in 0..ny {
                    ey[j] = fict[t]; // ey[0][j]
                }
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 1..nx {
                    for j in 0..ny {
                        ey[i * ny + j] = ey[i * ny + j] - 0.5 * (hz[i * ny + j] - hz[(i - 1) * ny + j]);
                    }
                }
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 0..nx {
                    for j in 1..ny {
                        ex[i * ny + j] = ex[i * ny + j] - 0.5 * (hz[i * ny + j] - hz[i * ny + j - 1]);
                    }
                }
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 0..nx - 1 {
                    for j in 0..ny - 1 {
                        hz[i * ny + j] = hz[i * ny + j]
                            - 0.7 * (ex[i * ny + j + 1] - ex[i * ny + j] + ey[(i + 1) * ny + j] - ey[i * ny + j]);
                    }
                }
            }
        }

        /// The annotated loops on nested arrays, on `threads` threads.
        #[parallel]
        pub fn $nested(
            tmax: usize,
            nx: usize,
            ny: usize,
            ex: &mut [Vec<f64>],
            ey: &mut [Vec<f64>],
            hz: &mut [Vec<f64>],
            fict: &[f64],
            threads: usize,
        ) {
            for t in 0..tmax {
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for j in 0..ny {
                    ey[0][j] = fict[t];
                }
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 1..nx {
                    for j in 0..ny {
                        ey[i][j] = ey[i][j] - 0.5 * (hz[i][j] - hz[i - 1][j]);
                    }
                }
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 0..nx {
                    for j in 1..ny {
                        ex[i][j] = ex[i][j] - 0.5 * (hz[i][j] - hz[i][j - 1]);
                    }
                }
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 0..nx - 1 {
                    for j in 0..ny - 1 {
                        hz[i][j] = hz[i][j] - 0.7 * (ex[i][j + 1] - ex[i][j] + ey[i + 1][j] - ey[i][j]);
                    }
                }
            }
        }
    };
}

parallel_versions!(flat, nested, static);
parallel_versions!(flat_dynamic, nested_dynamic, dynamic, 3);
