//! # Quicksort with tasks: divide and conquer on disjoint halves
//!
//! Partition around a pivot, then sort the two sides, each in a task of
//! its own: they are disjoint slices (`split_at_mut`), so the tasks may
//! write them at the same time. Below a cutoff a side is sorted by the
//! plain recursion.
//!
//! OpenMP:
//!
//! ```c
//! void qsort_tasks(long *v, long n) {
//!     if (n <= CUTOFF) { qsort_seq(v, n); return; }
//!     long p = partition(v, n);
//!     #pragma omp taskgroup
//!     {
//!         #pragma omp task
//!         qsort_tasks(v, p);
//!         #pragma omp task
//!         qsort_tasks(v + p, n - p);
//!     }
//! }
//! ```
//!
//! In C the two tasks get pointers into one array, and nothing checks that
//! they stay apart. Here the halves are two `&mut` slices from
//! `split_at_mut`, and each task borrows its own: a task that touched the
//! other half would not compile. With two sections instead of a group of
//! two tasks (`#[sections] { #[section] { .. } #[section] { .. } }`) the
//! code is the same, and so is what runs.
//!
//! The first partition runs on one thread (half of the time at two
//! threads: the speedup of quicksort is bounded by it, about 1.6x at 2
//! threads); the sorted arrays must be identical.
//!
//! `cargo run --release --example quicksort [-- --quick] [-- --threads N]`

#[allow(dead_code)] // `crate::common` when run alone; unused in the tour, which has its own
#[path = "common/mod.rs"]
mod common;
use crate::common::{Check, Pattern, Row, compare, in_place};
use parallel::parallel;

/// Below this many elements, a side is sorted by the plain recursion.
pub const CUTOFF: usize = 1 << 14;

/// Hoare's partition around the middle element: every element of
/// `v[..k]` is at most every element of `v[k..]`, both sides non-empty.
pub fn partition(v: &mut [u64]) -> usize {
    let pivot = v[v.len() / 2];
    let (mut lo, mut hi) = (0, v.len() - 1);
    loop {
        while v[lo] < pivot {
            lo += 1;
        }
        while v[hi] > pivot {
            hi -= 1;
        }
        if lo >= hi {
            return hi + 1;
        }
        v.swap(lo, hi);
        lo += 1;
        hi -= 1;
    }
}

/// The plain recursion.
pub fn quicksort_seq(v: &mut [u64]) {
    if v.len() <= 32 {
        v.sort_unstable();
        return;
    }
    let k = partition(v);
    let (left, right) = v.split_at_mut(k);
    quicksort_seq(left);
    quicksort_seq(right);
}

/// The same recursion, the two sides as tasks above the cutoff.
#[parallel]
pub fn quicksort_par(v: &mut [u64]) {
    if v.len() <= CUTOFF {
        quicksort_seq(v);
        return;
    }
    let k = partition(v);
    let (left, right) = v.split_at_mut(k);
    #[taskgroup]
    {
        #[task]
        {
            quicksort_par(left);
        }
        #[task]
        {
            quicksort_par(right);
        }
    }
}

/// `n` pseudo-random keys.
pub fn keys(n: usize) -> Vec<u64> {
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s % 1_000_000_007
        })
        .collect()
}

pub fn run(n: usize, reps: usize) -> Row {
    let (row, sorted) = compare(
        &PATTERN,
        format!("n = 2^{} keys", n.ilog2()),
        reps,
        || keys(n),
        in_place(|v: &mut Vec<u64>| quicksort_seq(v)),
        in_place(|v: &mut Vec<u64>| quicksort_par(v)),
        Check::exact,
    );
    let mut row = row;
    if !sorted.windows(2).all(|w| w[0] <= w[1]) {
        row.check.ok = false;
        row.check.detail = "not sorted".to_owned();
    }
    row
}

pub const PATTERN: Pattern = Pattern {
    name: "quicksort",
    directive: "taskgroup { task, task }",
    full: 1 << 22,
    // Above the cutoff, so that `--quick` spawns tasks too.
    quick: 1 << 16,
    run,
};

fn main() {
    crate::common::main(&[PATTERN]);
}
