//! # Histogram: a reduction over a whole array
//!
//! Counts how often each byte value occurs in a buffer. `bins[b] += 1` writes
//! a bin that any other iteration may write too, so the bins cannot be split
//! among the threads like `y[i]`: they are a reduction, element by element.
//!
//! OpenMP (4.5 and later, with an array section):
//!
//! ```c
//! #pragma omp parallel for reduction(+:bins[0:256])
//! for (long i = 0; i < n; i++) bins[data[i]]++;
//! ```
//!
//! `reduction(+: bins)` on the whole array gives every thread its own 256
//! bins, all zero, and adds them element-wise when the loop ends. That costs
//! a copy of the array per thread and one element-wise sum per thread: cheap
//! for 256 bins, not for millions. Every iteration costs the same, so the
//! default `schedule(static)` applies. The counts are integers: the check is
//! exact. The data (16 MiB) fits in this machine's cache; each timing covers
//! [`SWEEPS`] calls.
//!
//! `cargo run --release --example histogram [-- --quick] [-- --threads N]`

#[allow(dead_code)] // `crate::common` when run alone; unused in the tour, which has its own
#[path = "common/mod.rs"]
mod common;
use crate::common::{Check, Pattern, Row, compare, repeat};
use parallel::parallel;

/// The plain loop.
pub fn histogram_seq(data: &[u8]) -> [u64; 256] {
    let mut bins = [0u64; 256];
    for i in 0..data.len() {
        bins[data[i] as usize] += 1;
    }
    bins
}

/// The same loop, annotated.
#[parallel]
pub fn histogram_par(data: &[u8]) -> [u64; 256] {
    let mut bins = [0u64; 256];
    #[parallel_for(reduction(+: bins))]
    for i in 0..data.len() {
        bins[data[i] as usize] += 1;
    }
    bins
}

/// Calls per timing.
pub const SWEEPS: usize = 25;

/// `n` bytes from a fixed pseudo-random sequence, skewed towards small values.
pub fn bytes(n: usize) -> Vec<u8> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 56) as u8 & (state >> 48) as u8
        })
        .collect()
}

pub fn run(n: usize, reps: usize) -> Row {
    let data = bytes(n);
    let sweeps = |histogram: fn(&[u8]) -> [u64; 256]| {
        let data = &data;
        move |()| repeat(SWEEPS, || histogram(data))
    };
    let size = format!("n = 2^{}, 256 bins, {SWEEPS} sweeps", n.ilog2());
    compare(
        &PATTERN,
        size,
        reps,
        || (),
        sweeps(histogram_seq),
        sweeps(histogram_par),
        Check::exact,
    )
    .0
}

pub const PATTERN: Pattern = Pattern {
    name: "histogram",
    directive: "parallel_for(reduction(+: bins))",
    full: 1 << 24,
    quick: 1 << 12,
    run,
};

/// The histogram as a bar chart: the 256 bins in 16 groups of 16 values.
pub fn bar_chart(bins: &[u64; 256]) -> String {
    let groups: Vec<u64> = bins.chunks(16).map(|g| g.iter().sum()).collect();
    let top = groups.iter().copied().max().unwrap_or(0).max(1);
    let mut out = String::new();
    for (k, &count) in groups.iter().enumerate() {
        let width = (count * 50).div_ceil(top) as usize;
        out += &format!(
            "{:>3}..{:<3} {:>9} {}\n",
            k * 16,
            k * 16 + 15,
            count,
            "█".repeat(width)
        );
    }
    out
}

fn main() {
    let bins = histogram_par(&bytes(1 << 20));
    println!(
        "byte values of 2^20 samples, by groups of 16:\n{}",
        bar_chart(&bins)
    );
    crate::common::main(&[PATTERN]);
}
