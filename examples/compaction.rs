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
//! compaction is written in steps that it can check, over blocks of
//! [`BLOCK`] elements:
//!
//! 1. each block counts the elements it keeps, `kept[b] = ..` (every
//!    iteration writes its own element);
//! 2. a scan turns the counts into each block's first position,
//!    `starts[b] = count` (`scan!(exclusive(count))`: the reads before the
//!    marker see the count of the blocks before);
//! 3. the output is cut at those positions into one piece per block
//!    (`split_at_mut`, from the front), and a task per block copies
//!    its kept elements into its own piece: each kept element lands at
//!    its scanned position, `starts[b]` plus the kept elements before it
//!    in the block. The pieces are disjoint `&mut` slices, so the tasks
//!    cannot write each other's: the borrow checker proves what OpenMP
//!    takes on faith, and a position outside its piece would panic at the
//!    index check rather than race.
//!
//! A scan of every element (`pos[i] = count`, then `out[pos[i]] = x[i]` in
//! the tasks) computes the same, but writes and reads again an array of
//! positions twice the size of the input: on a machine bound by memory,
//! slower than the plain loop. Over blocks, the input is read twice (to
//! count, to copy) and the output written once.
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
    v.is_multiple_of(3)
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

/// Counts per block, a scan of the counts, then a task per block.
#[parallel]
pub fn compact_par(x: &[u32]) -> Vec<u32> {
    let n = x.len();
    let blocks = n.div_ceil(BLOCK);
    let mut kept = vec![0usize; blocks];
    #[parallel_for]
    for b in 0..blocks {
        let block = &x[b * BLOCK..(b * BLOCK + BLOCK).min(n)];
        kept[b] = block.iter().filter(|&&v| keep(v)).count();
    }
    // starts[b]: how many kept elements precede block b; starts[blocks]:
    // how many in all.
    let mut starts = vec![0usize; blocks + 1];
    let mut count = 0usize;
    #[parallel_for(reduction(inscan, +: count))]
    for b in 0..blocks {
        starts[b] = count;
        scan!(exclusive(count));
        count += kept[b];
    }
    starts[blocks] = count;
    let mut out = vec![0u32; count];
    let mut rest: &mut [u32] = &mut out;
    #[taskgroup]
    {
        for (b, block) in x.chunks(BLOCK).enumerate() {
            // out[starts[b]..starts[b + 1]], cut off the front of the rest.
            let (piece, tail) = std::mem::take(&mut rest).split_at_mut(starts[b + 1] - starts[b]);
            rest = tail;
            #[task]
            {
                let mut at = 0;
                for &v in block {
                    if keep(v) {
                        piece[at] = v;
                        at += 1;
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
