//! # π by numerical integration: a sum reduction
//!
//! π = ∫₀¹ 4 / (1 + x²) dx, by the midpoint rule over `steps` intervals. Every
//! iteration adds into one accumulator, so the loop is a reduction.
//!
//! OpenMP:
//!
//! ```c
//! #pragma omp parallel for reduction(+:sum)
//! for (long i = 0; i < steps; i++) { double x = (i + 0.5) * step; sum += 4.0 / (1.0 + x * x); }
//! ```
//!
//! `reduction(+: sum)` gives every task its own `sum` starting at 0.0 and adds
//! the partial sums at the end; without it the macro rejects `sum += ..` as a
//! data race and names this clause. Every iteration costs the same, so the
//! default `schedule(static)` (one contiguous block per thread) is the right
//! split. The partial sums are added in another order than the sequential
//! loop adds its terms, so the two results may differ in the last bits: the
//! check allows the rounding-error bound of two sums of `steps` positive
//! terms, `2·steps·ε·π` (see the crate guide on float reductions).
//!
//! `cargo run --release --example pi [-- --quick] [-- --threads N]`

#[allow(dead_code)] // `crate::common` when run alone; unused in the tour, which has its own
#[path = "common/mod.rs"]
mod common;
use crate::common::{Check, Pattern, Row, compare};
use parallel::parallel;

/// The plain loop.
pub fn pi_seq(steps: usize) -> f64 {
    let step = 1.0 / steps as f64;
    let mut sum = 0.0;
    for i in 0..steps {
        let x = (i as f64 + 0.5) * step;
        sum += 4.0 / (1.0 + x * x);
    }
    sum * step
}

/// The same loop, annotated.
#[parallel]
pub fn pi_par(steps: usize) -> f64 {
    let step = 1.0 / steps as f64;
    let mut sum = 0.0;
    #[parallel_for(reduction(+: sum))]
    for i in 0..steps {
        let x = (i as f64 + 0.5) * step;
        sum += 4.0 / (1.0 + x * x);
    }
    sum * step
}

pub fn run(steps: usize, reps: usize) -> Row {
    let size = format!("steps = {steps:e}");
    compare(
        &PATTERN,
        size,
        reps,
        || steps,
        pi_seq,
        pi_par,
        // Every term is positive, so Σ|term|·step is the result itself.
        |s, p| Check::sums(*s, *p, steps, s.abs()),
    )
    .0
}

pub const PATTERN: Pattern = Pattern {
    name: "pi",
    directive: "parallel_for(reduction(+: sum))",
    full: 200_000_000,
    quick: 10_000,
    run,
};

fn main() {
    crate::common::main(&[PATTERN]);
}
