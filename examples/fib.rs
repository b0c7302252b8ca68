//! # Fibonacci with tasks: recursion, a group per call, and a cutoff
//!
//! `fib(n) = fib(n - 1) + fib(n - 2)`, the textbook task-parallel program:
//! each call above a cutoff opens a group of two tasks, one per half of
//! the recursion, and adds their results once both have run.
//!
//! OpenMP:
//!
//! ```c
//! long fib(int n) {
//!     if (n < CUTOFF) return fib_seq(n);
//!     long a, b;
//!     #pragma omp taskgroup
//!     {
//!         #pragma omp task shared(a)
//!         a = fib(n - 1);
//!         #pragma omp task shared(b)
//!         b = fib(n - 2);
//!     }
//!     return a + b;
//! }
//! ```
//!
//! `#[taskgroup]` waits for every `#[task]` inside it before its block
//! ends; each task borrows what it writes (`a`, `b`), so the two may not
//! write the same variable, and the compiler checks it. A task of the
//! group may spawn tasks too, and a recursive call opens a group of its
//! own, which shares the team of the outermost one: the calling thread and
//! the idle workers it reserved, each running queued tasks, oldest first;
//! a thread waiting for its group runs the group's queued tasks itself,
//! newest first, so the recursion runs depth-first on every thread. Below
//! the cutoff a call is the plain recursion: a task costs a few hundred
//! nanoseconds, a leaf `fib(20)` about ten thousand additions.
//!
//! The results are integers, so they must be identical.
//!
//! `cargo run --release --example fib [-- --quick] [-- --threads N]`

#[allow(dead_code)] // `crate::common` when run alone; unused in the tour, which has its own
#[path = "common/mod.rs"]
mod common;
use crate::common::{Check, Pattern, Row, compare};
use parallel::parallel;

/// Below this, a call is the plain recursion.
pub const CUTOFF: u64 = 20;

/// The plain recursion.
pub fn fib_seq(n: u64) -> u64 {
    if n < 2 {
        n
    } else {
        fib_seq(n - 1) + fib_seq(n - 2)
    }
}

/// The same recursion, two tasks per call above the cutoff.
#[parallel]
pub fn fib_par(n: u64) -> u64 {
    if n < CUTOFF {
        return fib_seq(n);
    }
    let (mut a, mut b) = (0, 0);
    #[taskgroup]
    {
        #[task]
        {
            a = fib_par(n - 1);
        }
        #[task]
        {
            b = fib_par(n - 2);
        }
    }
    a + b
}

pub fn run(n: usize, reps: usize) -> Row {
    let n = n as u64;
    compare(
        &PATTERN,
        format!("fib({n}), cutoff {CUTOFF}"),
        reps,
        || n,
        fib_seq,
        fib_par,
        |s, p| Check::exact(&[*s], &[*p]),
    )
    .0
}

pub const PATTERN: Pattern = Pattern {
    name: "fib",
    directive: "taskgroup { task, task }",
    full: 38,
    quick: 24,
    run,
};

fn main() {
    crate::common::main(&[PATTERN]);
}
