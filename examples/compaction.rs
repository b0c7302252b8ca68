//! # Stream compaction: a scan, then tasks that write disjoint pieces
//!
//! Keep the elements that pass a test, in order, packed at the front of a
//! new array. The plain loop pushes them one by one; in parallel, each kept
//! element must know where it goes: the number of kept elements before
//! it, an exclusive prefix sum of the "kept" flags.
//!
//! OpenMP:
//!
//! ```c
//! #pragma omp parallel for reduction(inscan, +:count)
//! for (long i = 0; i < n; i++) {
//!     if (keep(x[i])) out[count] = x[i];
//!     #pragma omp scan exclusive(count)
//!     count += keep(x[i]);
//! }
//! ```
//!
//! OpenMP accepts the write `out[count] = x[i]` on faith: the positions
//! happen to be distinct. `#[parallel_for]` rejects a write at an index
//! read from data (it cannot prove that two iterations never meet), so the
//! compaction is written in two steps that it can check:
//!
//! 1. a scan records each element's position, `pos[i] = count`, where
//!    every iteration writes its own element (`scan!(exclusive(count))`:
//!    the reads before the marker see the count of the iterations before);
//! 2. the output is cut into one piece per block of the input, from the
//!    block's first position to the next block's (`split_at_mut`), and a
//!    task per block copies its kept elements into its own piece, each at
//!    its scanned position. The pieces are disjoint `&mut` slices, so the
//!    tasks cannot write each other's: the borrow checker proves what
//!    OpenMP takes on faith, and a position outside its piece would panic
//!    at the index check rather than race.
//!
//! The kept elements are integers: the outputs must be identical.
//!
//! `cargo run --release --example compaction [-- --quick] [-- --threads N]`

#[allow(dead_code)] // `crate::common` when run alone; unused in the tour, which has its own
#[path = "common/mod.rs"]
mod common;
use crate::common::{Check, Pattern, Row, compare};
use parallel::{parallel, scan};

/// Input elements per task of the second step.
pub const BLOCK: usize = 1 << 16;

/// The test: about a third of the values pass.
pub fn keep(v: u32) -> bool {
    v % 3 == 0
}

/// The plain loop.
pub fn compact_seq(x: &[u32]) -> Vec<u32> {
    let mut out = Vec::new();
    for &v in x {
        if keep(v) {
            out.push(v);
        }
    }
    out
}

/// A scan for the positions, then a task per block of the input.
#[parallel]
pub fn compact_par(x: &[u32]) -> Vec<u32> {
    let n = x.len();
    // pos[i]: how many kept elements precede x[i]; pos[n]: how many in all.
    let mut pos = vec![0usize; n + 1];
    let mut count = 0usize;
    #[parallel_for(reduction(inscan, +: count))]
    for i in 0..n {
        pos[i] = count;
        scan!(exclusive(count));
        count += usize::from(keep(x[i]));
    }
    pos[n] = count;
    let mut out = vec![0u32; count];
    let mut rest: &mut [u32] = &mut out;
    #[taskgroup]
    {
        for lo in (0..n).step_by(BLOCK) {
            let hi = (lo + BLOCK).min(n);
            let (piece, tail) = std::mem::take(&mut rest).split_at_mut(pos[hi] - pos[lo]);
            rest = tail;
            #[task]
            {
                for i in lo..hi {
                    if keep(x[i]) {
                        piece[pos[i] - pos[lo]] = x[i];
                    }
                }
            }
        }
    }
    out
}

/// `n` pseudo-random values.
pub fn values(n: usize) -> Vec<u32> {
    (0..n as u64)
        .map(|i| (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 33) as u32)
        .collect()
}

pub fn run(n: usize, reps: usize) -> Row {
    let x = values(n);
    compare(
        &PATTERN,
        format!("n = 2^{}", n.ilog2()),
        reps,
        || (),
        |()| compact_seq(&x),
        |()| compact_par(&x),
        Check::exact,
    )
    .0
}

pub const PATTERN: Pattern = Pattern {
    name: "compaction",
    directive: "parallel_for(reduction(inscan, +: count)) + task per block",
    full: 1 << 24,
    quick: 1 << 17,
    run,
};

fn main() {
    crate::common::main(&[PATTERN]);
}
