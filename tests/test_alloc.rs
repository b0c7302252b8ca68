//! The fork/join path allocates nothing: after a warm-up (which starts the
//! crew and fills the tables), loops of every schedule, top-level and
//! nested, `deterministic` included, run without a single allocation in
//! the whole process. Alone in its test binary, so that no other test's
//! allocations count.

use parallel::__private::{Config, ElemHandle, Schedule, Seq, for_range};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

struct Counting;

// SAFETY: forwards every call to `System` unchanged; counting touches only
// two atomics, which do not allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: our caller keeps `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const SCHEDULES: [(Schedule, Option<usize>); 9] = [
    (Schedule::Static, None),
    (Schedule::Static, Some(1)),
    (Schedule::Static, Some(7)),
    (Schedule::Dynamic, None),
    (Schedule::Dynamic, Some(5)),
    (Schedule::Guided, None),
    (Schedule::Guided, Some(3)),
    (Schedule::Auto, None),
    (Schedule::Runtime, None),
];

fn run(schedule: Schedule, chunk: Option<usize>, deterministic: bool) {
    let c = Config {
        schedule,
        chunk,
        deterministic,
        num_threads: Some(5),
        ..Config::DEFAULT
    };
    let mut y = [0u32; 1000];
    let sum = for_range(
        &c,
        &Seq::range(0usize, 1000),
        (ElemHandle::new(&mut y),),
        |a, b| a + b,
        |lo, hi, (mut y,)| {
            for i in lo..hi {
                y[i] = i as u32;
            }
            (lo..hi).sum::<usize>()
        },
    );
    assert_eq!(sum, Some(499_500));
    assert_eq!(y[999], 999);
}

fn all() {
    for (schedule, chunk) in SCHEDULES {
        run(schedule, chunk, false);
    }
    run(Schedule::Static, None, true);
}

/// Top-level loops, and the same loops nested in a loop's chunks.
fn round() {
    all();
    for_range(
        &Config {
            schedule: Schedule::Dynamic,
            num_threads: Some(2),
            ..Config::DEFAULT
        },
        &Seq::range(0, 4),
        (),
        |(), ()| (),
        |_, _, ()| all(),
    );
}

#[test]
fn fork_join_path_does_not_allocate() {
    // Warm up long enough that, on a loaded machine too, every worker has
    // run chunks of every kind (a worker the caller outran in a short
    // warm-up would fill its tables during the count).
    for _ in 0..30 {
        round();
    }
    COUNTING.store(true, Ordering::Relaxed);
    for _ in 0..50 {
        round();
    }
    COUNTING.store(false, Ordering::Relaxed);
    assert_eq!(ALLOCS.load(Ordering::Relaxed), 0);
}
