//! deriche: Deriche's recursive edge-detection filter
//! (`medley/deriche/deriche.c`), on `f32` as the C's `float`; the images
//! are `w × h`.
//!
//! Six loop nests, each under one `#[parallel_for]` on its outer loop: the
//! causal and anticausal passes along the rows (`i`: iteration `i` owns row
//! `i` of `y1`, of `y2`), their sum (`i`), the two passes down the columns
//! (`j`: iteration `j` owns column `j` of `y1`, of `y2`), and the final sum
//! (`i`). The C's function-scope recurrence temporaries (`xm1`, `ym1`, …)
//! are `private`. The C's one function is split in two here (the row
//! passes, the column passes) to keep each under the house limit.

use parallel::parallel;

/// `MINI_DATASET`: `(w, h)`.
pub const MINI: (usize, usize) = (64, 64);
/// `MEDIUM_DATASET`: `(w, h)`.
pub const MEDIUM: (usize, usize) = (720, 480);

/// PolyBench's `init_array`: `(alpha, imgIn)`, row-major.
pub fn init(w: usize, h: usize) -> (f32, Vec<f32>) {
    let mut img_in = vec![0.0; w * h];
    for i in 0..w {
        for j in 0..h {
            img_in[i * h + j] = ((313 * i + 991 * j) % 65536) as f32 / 65535.0;
        }
    }
    (0.25, img_in)
}

/// The filter's coefficients, as the C computes them from `alpha`.
#[derive(Clone, Copy, Debug)]
pub struct Coefficients {
    a1: f32,
    a2: f32,
    a3: f32,
    a4: f32,
    a5: f32,
    a6: f32,
    a7: f32,
    a8: f32,
    b1: f32,
    b2: f32,
    c1: f32,
    c2: f32,
}

impl Coefficients {
    /// The coefficients for `alpha`.
    pub fn new(alpha: f32) -> Self {
        let k = (1.0 - (-alpha).exp()) * (1.0 - (-alpha).exp())
            / (1.0 + 2.0 * alpha * (-alpha).exp() - (2.0 * alpha).exp());
        let a2 = k * (-alpha).exp() * (alpha - 1.0);
        let a3 = k * (-alpha).exp() * (alpha + 1.0);
        let a4 = -k * (-2.0 * alpha).exp();
        Coefficients {
            a1: k,
            a2,
            a3,
            a4,
            a5: k,
            a6: a2,
            a7: a3,
            a8: a4,
            b1: 2.0f32.powf(-alpha),
            b2: -(-2.0 * alpha).exp(),
            c1: 1.0,
            c2: 1.0,
        }
    }
}

/// The plain loops, row-major.
pub fn flat_seq(
    w: usize,
    h: usize,
    alpha: f32,
    img_in: &[f32],
    img_out: &mut [f32],
    y1: &mut [f32],
    y2: &mut [f32],
) {
    let c = Coefficients::new(alpha);
    rows_flat_seq(w, h, &c, img_in, img_out, y1, y2);
    columns_flat_seq(w, h, &c, img_out, y1, y2);
}

/// The passes along the rows, and their sum.
fn rows_flat_seq(
    w: usize,
    h: usize,
    c: &Coefficients,
    img_in: &[f32],
    img_out: &mut [f32],
    y1: &mut [f32],
    y2: &mut [f32],
) {
    let (mut xm1, mut ym1, mut ym2, mut xp1, mut xp2, mut yp1, mut yp2);
    for i in 0..w {
        ym1 = 0.0;
        ym2 = 0.0;
        xm1 = 0.0;
        for j in 0..h {
            y1[i * h + j] = c.a1 * img_in[i * h + j] + c.a2 * xm1 + c.b1 * ym1 + c.b2 * ym2;
            xm1 = img_in[i * h + j];
            ym2 = ym1;
            ym1 = y1[i * h + j];
        }
    }
    for i in 0..w {
        yp1 = 0.0;
        yp2 = 0.0;
        xp1 = 0.0;
        xp2 = 0.0;
        for j in (0..h).rev() {
            y2[i * h + j] = c.a3 * xp1 + c.a4 * xp2 + c.b1 * yp1 + c.b2 * yp2;
            xp2 = xp1;
            xp1 = img_in[i * h + j];
            yp2 = yp1;
            yp1 = y2[i * h + j];
        }
    }
    for i in 0..w {
        for j in 0..h {
            img_out[i * h + j] = c.c1 * (y1[i * h + j] + y2[i * h + j]);
        }
    }
}

/// The passes down the columns, and their sum.
fn columns_flat_seq(
    w: usize,
    h: usize,
    c: &Coefficients,
    img_out: &mut [f32],
    y1: &mut [f32],
    y2: &mut [f32],
) {
    let (mut tm1, mut ym1, mut ym2, mut tp1, mut tp2, mut yp1, mut yp2);
    for j in 0..h {
        tm1 = 0.0;
        ym1 = 0.0;
        ym2 = 0.0;
        for i in 0..w {
            y1[i * h + j] = c.a5 * img_out[i * h + j] + c.a6 * tm1 + c.b1 * ym1 + c.b2 * ym2;
            tm1 = img_out[i * h + j];
            ym2 = ym1;
            ym1 = y1[i * h + j];
        }
    }
    for j in 0..h {
        tp1 = 0.0;
        tp2 = 0.0;
        yp1 = 0.0;
        yp2 = 0.0;
        for i in (0..w).rev() {
            y2[i * h + j] = c.a7 * tp1 + c.a8 * tp2 + c.b1 * yp1 + c.b2 * yp2;
            tp2 = tp1;
            tp1 = img_out[i * h + j];
            yp2 = yp1;
            yp1 = y2[i * h + j];
        }
    }
    for i in 0..w {
        for j in 0..h {
            img_out[i * h + j] = c.c2 * (y1[i * h + j] + y2[i * h + j]);
        }
    }
}

/// The plain loops on nested arrays.
pub fn nested_seq(
    w: usize,
    h: usize,
    alpha: f32,
    img_in: &[Vec<f32>],
    img_out: &mut [Vec<f32>],
    y1: &mut [Vec<f32>],
    y2: &mut [Vec<f32>],
) {
    let c = Coefficients::new(alpha);
    rows_nested_seq(w, h, &c, img_in, img_out, y1, y2);
    columns_nested_seq(w, h, &c, img_out, y1, y2);
}

/// The passes along the rows, and their sum.
fn rows_nested_seq(
    w: usize,
    h: usize,
    c: &Coefficients,
    img_in: &[Vec<f32>],
    img_out: &mut [Vec<f32>],
    y1: &mut [Vec<f32>],
    y2: &mut [Vec<f32>],
) {
    let (mut xm1, mut ym1, mut ym2, mut xp1, mut xp2, mut yp1, mut yp2);
    for i in 0..w {
        ym1 = 0.0;
        ym2 = 0.0;
        xm1 = 0.0;
        for j in 0..h {
            y1[i][j] = c.a1 * img_in[i][j] + c.a2 * xm1 + c.b1 * ym1 + c.b2 * ym2;
            xm1 = img_in[i][j];
            ym2 = ym1;
            ym1 = y1[i][j];
        }
    }
    for i in 0..w {
        yp1 = 0.0;
        yp2 = 0.0;
        xp1 = 0.0;
        xp2 = 0.0;
        for j in (0..h).rev() {
            y2[i][j] = c.a3 * xp1 + c.a4 * xp2 + c.b1 * yp1 + c.b2 * yp2;
            xp2 = xp1;
            xp1 = img_in[i][j];
            yp2 = yp1;
            yp1 = y2[i][j];
        }
    }
    for i in 0..w {
        for j in 0..h {
            img_out[i][j] = c.c1 * (y1[i][j] + y2[i][j]);
        }
    }
}

/// The passes down the columns, and their sum.
fn columns_nested_seq(
    w: usize,
    h: usize,
    c: &Coefficients,
    img_out: &mut [Vec<f32>],
    y1: &mut [Vec<f32>],
    y2: &mut [Vec<f32>],
) {
    let (mut tm1, mut ym1, mut ym2, mut tp1, mut tp2, mut yp1, mut yp2);
    for j in 0..h {
        tm1 = 0.0;
        ym1 = 0.0;
        ym2 = 0.0;
        for i in 0..w {
            y1[i][j] = c.a5 * img_out[i][j] + c.a6 * tm1 + c.b1 * ym1 + c.b2 * ym2;
            tm1 = img_out[i][j];
            ym2 = ym1;
            ym1 = y1[i][j];
        }
    }
    for j in 0..h {
        tp1 = 0.0;
        tp2 = 0.0;
        yp1 = 0.0;
        yp2 = 0.0;
        for i in (0..w).rev() {
            y2[i][j] = c.a7 * tp1 + c.a8 * tp2 + c.b1 * yp1 + c.b2 * yp2;
            tp2 = tp1;
            tp1 = img_out[i][j];
            yp2 = yp1;
            yp1 = y2[i][j];
        }
    }
    for i in 0..w {
        for j in 0..h {
            img_out[i][j] = c.c2 * (y1[i][j] + y2[i][j]);
        }
    }
}

macro_rules! parallel_versions {
    (
        $flat:ident, $rows_flat:ident, $columns_flat:ident,
        $nested:ident, $rows_nested:ident, $columns_nested:ident,
        $($schedule:tt)*
    ) => {
        /// The annotated loops, row-major, on `threads` threads.
        pub fn $flat(
            w: usize,
            h: usize,
            alpha: f32,
            img_in: &[f32],
            img_out: &mut [f32],
            y1: &mut [f32],
            y2: &mut [f32],
            threads: usize,
        ) {
            let c = Coefficients::new(alpha);
            $rows_flat(w, h, &c, img_in, img_out, y1, y2, threads);
            $columns_flat(w, h, &c, img_out, y1, y2, threads);
        }

        /// The passes along the rows, and their sum.
        #[parallel]
        fn $rows_flat(
            w: usize,
            h: usize,
            c: &Coefficients,
            img_in: &[f32],
            img_out: &mut [f32],
            y1: &mut [f32],
            y2: &mut [f32],
            threads: usize,
        ) {
            let (mut xm1, mut ym1, mut ym2, mut xp1, mut xp2, mut yp1, mut yp2) =
                (0.0f32, 0.0f32, 0.0f32, 0.0f32, 0.0f32, 0.0f32, 0.0f32);
            #[parallel_for(num_threads(threads), schedule($($schedule)*), private(xm1, ym1, ym2))]
            for i in 0..w {
                ym1 = 0.0;
                ym2 = 0.0;
                xm1 = 0.0;
                for j in 0..h {
                    y1[i * h + j] = c.a1 * img_in[i * h + j] + c.a2 * xm1 + c.b1 * ym1 + c.b2 * ym2;
                    xm1 = img_in[i * h + j];
                    ym2 = ym1;
                    ym1 = y1[i * h + j];
                }
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*), private(xp1, xp2, yp1, yp2))]
            for i in 0..w {
                yp1 = 0.0;
                yp2 = 0.0;
                xp1 = 0.0;
                xp2 = 0.0;
                for j in (0..h).rev() {
                    y2[i * h + j] = c.a3 * xp1 + c.a4 * xp2 + c.b1 * yp1 + c.b2 * yp2;
                    xp2 = xp1;
                    xp1 = img_in[i * h + j];
                    yp2 = yp1;
                    yp1 = y2[i * h + j];
                }
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..w {
                for j in 0..h {
                    img_out[i * h + j] = c.c1 * (y1[i * h + j] + y2[i * h + j]);
                }
            }
        }

        /// The passes down the columns, and their sum.
        #[parallel]
        fn $columns_flat(
            w: usize,
            h: usize,
            c: &Coefficients,
            img_out: &mut [f32],
            y1: &mut [f32],
            y2: &mut [f32],
            threads: usize,
        ) {
            let (mut tm1, mut ym1, mut ym2, mut tp1, mut tp2, mut yp1, mut yp2) =
                (0.0f32, 0.0f32, 0.0f32, 0.0f32, 0.0f32, 0.0f32, 0.0f32);
            #[parallel_for(num_threads(threads), schedule($($schedule)*), private(tm1, ym1, ym2))]
            for j in 0..h {
                tm1 = 0.0;
                ym1 = 0.0;
                ym2 = 0.0;
                for i in 0..w {
                    y1[i * h + j] = c.a5 * img_out[i * h + j] + c.a6 * tm1 + c.b1 * ym1 + c.b2 * ym2;
                    tm1 = img_out[i * h + j];
                    ym2 = ym1;
                    ym1 = y1[i * h + j];
                }
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*), private(tp1, tp2, yp1, yp2))]
            for j in 0..h {
                tp1 = 0.0;
                tp2 = 0.0;
                yp1 = 0.0;
                yp2 = 0.0;
                for i in (0..w).rev() {
                    y2[i * h + j] = c.a7 * tp1 + c.a8 * tp2 + c.b1 * yp1 + c.b2 * yp2;
                    tp2 = tp1;
                    tp1 = img_out[i * h + j];
                    yp2 = yp1;
                    yp1 = y2[i * h + j];
                }
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..w {
                for j in 0..h {
                    img_out[i * h + j] = c.c2 * (y1[i * h + j] + y2[i * h + j]);
                }
            }
        }

        /// The annotated loops on nested arrays, on `threads` threads.
        pub fn $nested(
            w: usize,
            h: usize,
            alpha: f32,
            img_in: &[Vec<f32>],
            img_out: &mut [Vec<f32>],
            y1: &mut [Vec<f32>],
            y2: &mut [Vec<f32>],
            threads: usize,
        ) {
            let c = Coefficients::new(alpha);
            $rows_nested(w, h, &c, img_in, img_out, y1, y2, threads);
            $columns_nested(w, h, &c, img_out, y1, y2, threads);
        }

        /// The passes along the rows, and their sum.
        #[parallel]
        fn $rows_nested(
            w: usize,
            h: usize,
            c: &Coefficients,
            img_in: &[Vec<f32>],
            img_out: &mut [Vec<f32>],
            y1: &mut [Vec<f32>],
            y2: &mut [Vec<f32>],
            threads: usize,
        ) {
            let (mut xm1, mut ym1, mut ym2, mut xp1, mut xp2, mut yp1, mut yp2) =
                (0.0f32, 0.0f32, 0.0f32, 0.0f32, 0.0f32, 0.0f32, 0.0f32);
            #[parallel_for(num_threads(threads), schedule($($schedule)*), private(xm1, ym1, ym2))]
            for i in 0..w {
                ym1 = 0.0;
                ym2 = 0.0;
                xm1 = 0.0;
                for j in 0..h {
                    y1[i][j] = c.a1 * img_in[i][j] + c.a2 * xm1 + c.b1 * ym1 + c.b2 * ym2;
                    xm1 = img_in[i][j];
                    ym2 = ym1;
                    ym1 = y1[i][j];
                }
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*), private(xp1, xp2, yp1, yp2))]
            for i in 0..w {
                yp1 = 0.0;
                yp2 = 0.0;
                xp1 = 0.0;
                xp2 = 0.0;
                for j in (0..h).rev() {
                    y2[i][j] = c.a3 * xp1 + c.a4 * xp2 + c.b1 * yp1 + c.b2 * yp2;
                    xp2 = xp1;
                    xp1 = img_in[i][j];
                    yp2 = yp1;
                    yp1 = y2[i][j];
                }
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..w {
                for j in 0..h {
                    img_out[i][j] = c.c1 * (y1[i][j] + y2[i][j]);
                }
            }
        }

        /// The passes down the columns, and their sum.
        #[parallel]
        fn $columns_nested(
            w: usize,
            h: usize,
            c: &Coefficients,
            img_out: &mut [Vec<f32>],
            y1: &mut [Vec<f32>],
            y2: &mut [Vec<f32>],
            threads: usize,
        ) {
            let (mut tm1, mut ym1, mut ym2, mut tp1, mut tp2, mut yp1, mut yp2) =
                (0.0f32, 0.0f32, 0.0f32, 0.0f32, 0.0f32, 0.0f32, 0.0f32);
            #[parallel_for(num_threads(threads), schedule($($schedule)*), private(tm1, ym1, ym2))]
            for j in 0..h {
                tm1 = 0.0;
                ym1 = 0.0;
                ym2 = 0.0;
                for i in 0..w {
                    y1[i][j] = c.a5 * img_out[i][j] + c.a6 * tm1 + c.b1 * ym1 + c.b2 * ym2;
                    tm1 = img_out[i][j];
                    ym2 = ym1;
                    ym1 = y1[i][j];
                }
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*), private(tp1, tp2, yp1, yp2))]
            for j in 0..h {
                tp1 = 0.0;
                tp2 = 0.0;
                yp1 = 0.0;
                yp2 = 0.0;
                for i in (0..w).rev() {
                    y2[i][j] = c.a7 * tp1 + c.a8 * tp2 + c.b1 * yp1 + c.b2 * yp2;
                    tp2 = tp1;
                    tp1 = img_out[i][j];
                    yp2 = yp1;
                    yp1 = y2[i][j];
                }
            }
            #[parallel_for(num_threads(threads), schedule($($schedule)*))]
            for i in 0..w {
                for j in 0..h {
                    img_out[i][j] = c.c2 * (y1[i][j] + y2[i][j]);
                }
            }
        }
    };
}

parallel_versions!(
    flat,
    rows_flat,
    columns_flat,
    nested,
    rows_nested,
    columns_nested,
    static
);
parallel_versions!(
    flat_dynamic,
    rows_flat_dynamic,
    columns_flat_dynamic,
    nested_dynamic,
    rows_nested_dynamic,
    columns_nested_dynamic,
    dynamic,
    3
);
