//! Misuse of distributed loops, which must fail loudly, never hang or
//! give a rank a wrong answer.
//!
//! A program of its own (`harness = false`). Run plainly (`cargo test`), it
//! checks what one process can: `init()` twice, and a distributed loop
//! inside another parallel loop, each a panic naming the mistake. Under
//! `mpirun` with a mode argument it misbehaves on purpose, and `.ci/run`
//! checks that the job fails with the message, in time:
//!
//! - `panic`: rank 1 panics inside a loop while the others wait for it:
//!   the job aborts (MPI_Abort) with the panic's message;
//! - `bounds`: the ranks disagree on the trip count: every rank panics,
//!   naming the loop and the counts;
//! - `dropped`: `let _ = init();` drops the guard at once: the loop panics,
//!   naming the fix.

use parallel::{distributed, parallel};
use std::panic::{AssertUnwindSafe, catch_unwind};

#[parallel]
fn total(n: usize) -> usize {
    let mut sum = 0;
    #[parallel_for(distributed, reduction(+: sum))]
    for i in 0..n {
        if i == n / 2 + 1 && distributed::rank() == 1 && std::env::args().any(|a| a == "panic") {
            panic!("rank 1 fails at iteration {i}");
        }
        sum += i;
    }
    sum
}

/// A distributed loop (inside `total`) called from a parallel loop's body.
#[parallel]
fn nested() -> usize {
    let mut all = 0;
    #[parallel_for(num_threads(2), reduction(+: all))]
    for i in 0..4 {
        all += total(i);
    }
    all
}

fn message(e: Box<dyn std::any::Any + Send>) -> String {
    e.downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    match mode.as_str() {
        "panic" => {
            let _mpi = distributed::init();
            println!("sum {}", total(1000));
        }
        "bounds" => {
            let _mpi = distributed::init();
            println!("sum {}", total(1000 + distributed::rank()));
        }
        "dropped" => {
            let _ = distributed::init();
            println!("sum {}", total(1000));
        }
        _ => {
            let (mut passed, mut failed) = (0, 0);
            let mut check = |ok: bool, what: &str| {
                if ok {
                    passed += 1;
                } else {
                    failed += 1;
                    eprintln!("FAILED: {what}");
                }
            };
            let _mpi = distributed::init();
            let twice = catch_unwind(distributed::init).map(drop).map_err(message);
            check(
                matches!(&twice, Err(m) if m.contains("init() called twice")),
                &format!("init() twice: {twice:?}"),
            );
            let inner = catch_unwind(AssertUnwindSafe(nested)).map_err(message);
            check(
                matches!(&inner, Err(m) if m.contains("runs inside another parallel loop")),
                &format!("nested: {inner:?}"),
            );
            check(total(100) == 4950, "a loop after the panics");
            println!("distributed misuse: {passed} passed, {failed} failed");
            if failed > 0 {
                std::process::exit(1);
            }
        }
    }
}
