//! # The tour: every pattern, sequential against parallel, in one run
//!
//! ```text
//! cargo run --release --example tour                  # sizes of 0.1–1 s each, sequentially
//! cargo run --release --example tour -- --quick       # tiny sizes, no images: a smoke test
//! cargo run --release --example tour -- --threads 1   # parallel::set_num_threads(1) first
//! ```
//!
//! Each pattern lives in its own example file, with both versions of its
//! kernel side by side and a note on the directive it uses; this file only
//! lists them. Progress goes to stderr; the table (Markdown) to stdout, then
//! the paths of the images `mandelbrot` and `heat` draw. The exit status is 1
//! if any parallel result differs from the sequential one. Speedups are
//! bounded by the core count, and by memory bandwidth for loops such as
//! `saxpy` that do little arithmetic per byte.
//!
//! `tests/test_tour.rs` includes this file and runs the patterns at the
//! `--quick` sizes.

// Each pattern file also declares `mod common`, so that it runs on its own;
// included here, those copies (and the files' `main`s) go unused, and every
// file's `crate::common` is the one below.
#![allow(clippy::duplicate_mod)]

#[allow(dead_code)]
#[path = "common/mod.rs"]
mod common;

/// Declares each pattern's file as a module and lists its `PATTERN` in
/// [`PATTERNS`]. The paths are relative to this file, also when a test
/// includes it.
macro_rules! patterns {
    ($($name:ident: $file:literal,)*) => {
        $(
            #[allow(dead_code)]
            #[path = $file]
            mod $name;
        )*
        /// Every pattern of the tour, in the order of the table.
        pub const PATTERNS: &[crate::common::Pattern] = &[$($name::PATTERN),*];
    };
}

// One line per pattern: to add one, write `examples/<name>.rs` exposing a
// `PATTERN` (see `dot.rs`) and add its line here.
patterns! {
    pi: "pi.rs",
    saxpy: "saxpy.rs",
    dot: "dot.rs",
    sum: "sum.rs",
    minmax: "minmax.rs",
    mandelbrot: "mandelbrot.rs",
    heat: "heat.rs",
    gemm: "gemm.rs",
    histogram: "histogram.rs",
    stats: "stats.rs",
    matrix_fill: "matrix_fill.rs",
}

fn main() {
    crate::common::main(PATTERNS);
}
