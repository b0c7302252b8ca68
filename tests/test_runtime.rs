//! Teams, routines, `if`, `num_threads`, panics, nesting, and many small
//! loops in a row.

mod common;
use common::{LENGTHS, THREADS};
use parallel::parallel;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Which team member ran each iteration, and the team size it saw.
#[parallel]
fn who(n: usize, threads: usize, cond: bool) -> (Vec<usize>, Vec<usize>) {
    let mut tid = vec![usize::MAX; n];
    let mut size = vec![0; n];
    #[parallel_for(num_threads(threads), if(cond), schedule(static))]
    for i in 0..n {
        tid[i] = parallel::thread_num();
        size[i] = parallel::num_threads();
    }
    (tid, size)
}

#[test]
fn num_threads_forks_exactly_that_team() {
    for &t in THREADS {
        let n = 1000;
        let (tid, size) = who(n, t, true);
        assert!(size.iter().all(|&s| s == t), "t={t}");
        // Static blocks: member k runs the k-th block, in order.
        let mut seen: Vec<usize> = tid.clone();
        seen.dedup();
        assert_eq!(seen, (0..t).collect::<Vec<_>>(), "t={t}");
    }
    // Even a loop of one iteration forks the team it names.
    let (tid, size) = who(1, 3, true);
    assert_eq!((tid, size), (vec![0], vec![3]));
}

#[test]
fn if_false_runs_sequentially() {
    for &n in LENGTHS {
        let (tid, size) = who(n, 3, false);
        assert!(tid.iter().all(|&k| k == 0));
        assert!(size.iter().all(|&s| s == 1));
    }
}

#[test]
fn routines_outside_a_loop() {
    assert_eq!(parallel::thread_num(), 0);
    assert_eq!(parallel::num_threads(), 1);
    assert!(!parallel::in_parallel());
    assert!(parallel::max_threads() >= 1);
    let t0 = parallel::wtime();
    let t1 = parallel::wtime();
    assert!(t1 >= t0);
}

#[parallel]
fn in_parallel_inside(threads: usize) -> bool {
    let mut inside = vec![false; 64];
    #[parallel_for(num_threads(threads))]
    for i in 0..64 {
        inside[i] = parallel::in_parallel();
    }
    inside.iter().all(|&b| b == (threads > 1))
}

#[test]
fn in_parallel_reports_the_team() {
    for &t in THREADS {
        assert!(in_parallel_inside(t), "t={t}");
    }
}

#[parallel]
fn panics_at(n: usize, bad: usize, threads: usize, ran: &AtomicUsize) {
    #[parallel_for(num_threads(threads), schedule(dynamic))]
    for i in 0..n {
        if i == bad {
            panic!("iteration {i} failed");
        }
        ran.fetch_add(1, Ordering::Relaxed);
    }
}

#[test]
fn a_panic_reaches_the_caller_and_the_pool_stays_usable() {
    for &t in THREADS {
        let ran = AtomicUsize::new(0);
        let r = std::panic::catch_unwind(|| panics_at(100_000, 10, t, &ran));
        let payload = r.expect_err("the loop should panic");
        let msg = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        assert_eq!(msg, "iteration 10 failed");
        // The other tasks stopped early rather than running everything.
        assert!(ran.load(Ordering::Relaxed) < 100_000);
        // The same team runs the next loop normally.
        let ran = AtomicUsize::new(0);
        panics_at(1000, usize::MAX, t, &ran);
        assert_eq!(ran.load(Ordering::Relaxed), 1000);
    }
}

/// An inner parallel loop inside an outer one: a matrix-vector product.
#[parallel]
fn nested(a: &[f64], x: &[f64], rows: usize, outer: usize, inner: usize) -> Vec<f64> {
    let cols = x.len();
    let mut y = vec![0.0; rows];
    #[parallel_for(num_threads(outer), schedule(dynamic))]
    for i in 0..rows {
        let mut s = 0.0;
        #[parallel_for(num_threads(inner), reduction(+: s))]
        for j in 0..cols {
            s += a[i * cols + j] * x[j];
        }
        y[i] = s;
    }
    y
}

#[test]
fn nested_loops_compose() {
    let (rows, cols) = (37, 101);
    let a = common::data(rows * cols, 4);
    let x = common::data(cols, 5);
    let want: Vec<f64> = (0..rows)
        .map(|i| (0..cols).map(|j| a[i * cols + j] * x[j]).sum())
        .collect();
    for (outer, inner) in [(1, 1), (2, 2), (3, 2), (2, 7), (7, 3)] {
        let got = nested(&a, &x, rows, outer, inner);
        for (g, w) in got.iter().zip(&want) {
            assert!(common::close(*g, *w, cols));
        }
    }
}

#[parallel]
fn small(v: &mut [u32], k: u32) -> u32 {
    let mut s = 0;
    #[parallel_for(reduction(+: s))]
    for i in 0..v.len() {
        v[i] += k;
        s += v[i];
    }
    s
}

#[test]
fn twenty_thousand_small_loops() {
    let mut v = vec![0u32; 64];
    let mut total = 0u64;
    for k in 0..20_000u32 {
        total += u64::from(small(&mut v, k % 3));
    }
    // After loop k every element holds the prefix sum of `k % 3`.
    let (mut prefix, mut want) = (0u64, 0u64);
    for k in 0..20_000u64 {
        prefix += k % 3;
        want += 64 * prefix;
    }
    assert!(v.iter().all(|&x| u64::from(x) == prefix));
    assert_eq!(total, want);
}

#[test]
#[should_panic(expected = "num_threads(0)")]
fn zero_threads_is_a_clear_error() {
    who(10, 0, true);
}
