//! # The tour: every pattern, sequential against parallel, in one run
//!
//! ```text
//! cargo run --release --example tour                  # sizes of 0.1–1 s each, sequentially
//! cargo run --release --example tour -- --quick       # tiny sizes: a smoke test
//! cargo run --release --example tour -- --threads 1   # parallel::set_num_threads(1) first
//! ```
//!
//! Each pattern lives in its own example file, with both versions of its
//! kernel side by side and a note on the directive it uses; this file only
//! includes them. Progress goes to stderr; the table (Markdown) to stdout.
//! The exit status is 1 if any parallel result differs from the sequential
//! one. Speedups are bounded by the core count, and by memory bandwidth for
//! loops such as `saxpy` that do little arithmetic per byte.

// Each pattern file also declares `mod common`, so that it runs on its own;
// included here, those copies (and the files' `main`s) go unused, and every
// file's `crate::common` is the one below.
#![allow(clippy::duplicate_mod)]

#[path = "common/mod.rs"]
mod common;
#[allow(dead_code)]
#[path = "gemm.rs"]
mod gemm;
#[allow(dead_code)]
#[path = "jacobi.rs"]
mod jacobi;
#[allow(dead_code)]
#[path = "mandelbrot.rs"]
mod mandelbrot;
#[allow(dead_code)]
#[path = "pi.rs"]
mod pi;
#[allow(dead_code)]
#[path = "saxpy.rs"]
mod saxpy;

fn main() {
    common::main(&[
        pi::PATTERN,
        saxpy::PATTERN,
        mandelbrot::PATTERN,
        jacobi::PATTERN,
        gemm::PATTERN,
    ]);
}
