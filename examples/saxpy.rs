//! # SAXPY: an element-wise update, `y = a·x + y`
//!
//! Each iteration reads `x[i]` and `y[i]` and writes `y[i]`, so iterations are
//! independent and the macro splits `y` among the tasks by element.
//!
//! OpenMP:
//!
//! ```c
//! #pragma omp parallel for schedule(static)
//! for (long i = 0; i < n; i++) y[i] += a * x[i];
//! ```
//!
//! `schedule(static)` (also the default) gives each thread one contiguous
//! block: equal work per iteration, sequential memory access, and each chunk's
//! inner loop vectorizes. The loop does two flops per 12 bytes of memory
//! traffic, so it is bound by memory bandwidth, not by cores: expect far less
//! than a 2x speedup. Each timing covers [`SWEEPS`] calls. Each element goes
//! through the same operations in both versions, so the results must be
//! identical, bit for bit.
//!
//! `cargo run --release --example saxpy [-- --quick] [-- --threads N]`

#[allow(dead_code)] // `crate::common` when run alone; unused in the tour, which has its own
#[path = "common/mod.rs"]
mod common;
use crate::common::{Check, Pattern, Row, compare, in_place};
use parallel::parallel;

/// The plain loop.
pub fn saxpy_seq(a: f32, x: &[f32], y: &mut [f32]) {
    for i in 0..y.len() {
        y[i] += a * x[i];
    }
}

/// The same loop, annotated.
#[parallel]
pub fn saxpy_par(a: f32, x: &[f32], y: &mut [f32]) {
    #[parallel_for(schedule(static))]
    for i in 0..y.len() {
        y[i] += a * x[i];
    }
}

/// Calls per timing: one sweep over 2^24 elements takes only a few milliseconds.
pub const SWEEPS: usize = 30;

pub fn run(n: usize, reps: usize) -> Row {
    let a = 2.5f32;
    let x: Vec<f32> = (0..n).map(|i| (i % 1000) as f32 * 0.001).collect();
    let y = || -> Vec<f32> { (0..n).map(|i| (i % 777) as f32 * 0.5).collect() };
    let seq = in_place(|y: &mut Vec<f32>| (0..SWEEPS).for_each(|_| saxpy_seq(a, &x, y)));
    let par = in_place(|y: &mut Vec<f32>| (0..SWEEPS).for_each(|_| saxpy_par(a, &x, y)));
    let size = format!("n = 2^{}, {SWEEPS} sweeps", n.ilog2());
    compare(&PATTERN, size, reps, y, seq, par, Check::exact).0
}

pub const PATTERN: Pattern = Pattern {
    name: "saxpy",
    directive: "parallel_for(schedule(static))",
    full: 1 << 24,
    quick: 1 << 13,
    run,
};

fn main() {
    crate::common::main(&[PATTERN]);
}
