//! # Mandelbrot set: uneven work per iteration, `schedule(dynamic)`
//!
//! One iteration of the parallel loop computes one row of the image, written
//! row-major into `img[y * w + x]`: the macro splits `img` into rows of `w`
//! pixels and gives row `y` to iteration `y` alone.
//!
//! OpenMP:
//!
//! ```c
//! #pragma omp parallel for schedule(dynamic)
//! for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img[y * w + x] = escape(...);
//! ```
//!
//! A pixel inside the set costs `MAX_ITER` iterations, one far outside costs
//! one or two, so rows through the middle of the image cost hundreds of times
//! more than rows at its edges. With `schedule(dynamic)` threads claim rows
//! one at a time as they finish the previous one, so no thread sits idle
//! while another still has a block of expensive rows. (This view is symmetric
//! about the real axis, so two static halves happen to balance; with other
//! thread counts or views they do not.) The escape counts are integers: the
//! check is exact.
//!
//! The escape counts are written as `mandelbrot.png` into Cargo's target
//! directory (`target/mandelbrot.png`; not with `--quick`): the set in black,
//! the points outside coloured by how fast they escape.
//!
//! `cargo run --release --example mandelbrot [-- --quick] [-- --threads N]`

#[allow(dead_code)] // `crate::common` when run alone; unused in the tour, which has its own
#[path = "common/mod.rs"]
mod common;
use crate::common::{Check, Image, Pattern, Row, compare, in_place, ramp};
use parallel::parallel;

/// Iterations after which a point counts as inside the set.
pub const MAX_ITER: u32 = 500;

/// The view: [-2, 1] × [-1.5, 1.5] of the complex plane.
const X0: f64 = -2.0;
const Y0: f64 = -1.5;
const SPAN: f64 = 3.0;

/// Iterations of z ← z² + c, from z = 0, before |z| > 2 (at most `MAX_ITER`).
#[inline]
pub fn escape(cx: f64, cy: f64) -> u32 {
    let (mut zx, mut zy) = (0.0f64, 0.0f64);
    let mut k = 0;
    while k < MAX_ITER && zx * zx + zy * zy <= 4.0 {
        let t = zx * zx - zy * zy + cx;
        zy = 2.0 * zx * zy + cy;
        zx = t;
        k += 1;
    }
    k
}

/// The plain loop: escape counts of a `w`-wide image, row-major.
pub fn mandelbrot_seq(w: usize, img: &mut [u32]) {
    let h = img.len() / w;
    let d = SPAN / w as f64;
    for y in 0..h {
        let cy = Y0 + y as f64 * d;
        for x in 0..w {
            img[y * w + x] = escape(X0 + x as f64 * d, cy);
        }
    }
}

/// The same loop, annotated.
#[parallel]
pub fn mandelbrot_par(w: usize, img: &mut [u32]) {
    let h = img.len() / w;
    let d = SPAN / w as f64;
    #[parallel_for(schedule(dynamic))]
    for y in 0..h {
        let cy = Y0 + y as f64 * d;
        for x in 0..w {
            img[y * w + x] = escape(X0 + x as f64 * d, cy);
        }
    }
}

/// The rows under three schedules, on a team of `threads`: what the tour's
/// `--trace` draws for the guide (`schedule-{static,dynamic,guided}.png`).
macro_rules! traced {
    ($($name:ident: $kind:ident;)*) => {$(
        #[parallel]
        pub fn $name(w: usize, img: &mut [u32], threads: usize) {
            let h = img.len() / w;
            let d = SPAN / w as f64;
            #[parallel_for(num_threads(threads), schedule($kind))]
            for y in 0..h {
                let cy = Y0 + y as f64 * d;
                for x in 0..w {
                    img[y * w + x] = escape(X0 + x as f64 * d, cy);
                }
            }
        }
    )*};
}

traced! {
    rows_static: static;
    rows_dynamic: dynamic;
    rows_guided: guided;
}

/// Runs the rows once under each schedule on 4 threads, tracing each run,
/// and draws each trace: a band per thread, its chunks coloured by the
/// rows they hold. Returns the pictures, static first.
pub fn schedule_pictures(side: usize) -> Vec<Image> {
    let mut img = vec![0u32; side * side];
    type Rows = fn(usize, &mut [u32], usize);
    let runs: [(Rows, &'static str); 3] = [
        (rows_static, "schedule-static.png"),
        (rows_dynamic, "schedule-dynamic.png"),
        (rows_guided, "schedule-guided.png"),
    ];
    runs.iter()
        .filter_map(|&(rows, file)| {
            rows(side, &mut img, 4); // warm up: the workers start
            parallel::trace_start();
            rows(side, &mut img, 4);
            crate::common::timeline(&parallel::trace_take(), file, 480)
        })
        .collect()
}

/// A `side` × `side` image.
pub fn run(side: usize, reps: usize) -> Row {
    let image = || vec![0u32; side * side];
    let seq = in_place(|img: &mut Vec<u32>| mandelbrot_seq(side, img));
    let par = in_place(|img: &mut Vec<u32>| mandelbrot_par(side, img));
    let size = format!("{side}×{side}, {MAX_ITER} iter");
    let (row, img) = compare(&PATTERN, size, reps, image, seq, par, |s, p| {
        Check::exact(s, p)
    });
    Row {
        image: Some(picture(side, &img)),
        ..row
    }
}

/// The escape counts as colours: black inside the set; outside, from dark
/// blue (escapes at once) through white and orange (escapes late).
pub fn picture(w: usize, img: &[u32]) -> Image {
    const STOPS: [[u8; 3]; 5] = [
        [0, 7, 100],
        [32, 107, 203],
        [237, 255, 255],
        [255, 170, 0],
        [120, 40, 0],
    ];
    let scale = (MAX_ITER as f64).ln();
    let rgb = img
        .iter()
        .map(|&k| match k {
            MAX_ITER => [0, 0, 0],
            _ => ramp(&STOPS, (k as f64).ln() / scale),
        })
        .collect();
    Image {
        file: "mandelbrot.png",
        width: w,
        height: img.len() / w,
        rgb,
    }
}

pub const PATTERN: Pattern = Pattern {
    name: "mandelbrot",
    directive: "parallel_for(schedule(dynamic))",
    full: 1200,
    quick: 40,
    run,
};

fn main() {
    crate::common::main(&[PATTERN]);
}
