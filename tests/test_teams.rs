//! Bounded teams: every team size draws on one crew of workers, capped by
//! `OMP_THREAD_LIMIT` (by default four per CPU, at least 64), so a thousand
//! team sizes do not pile up threads, and an absurd `num_threads` is
//! clamped rather than started.
//!
//! One test per concern, each checking the thread count of this process;
//! they share the process's crew, so the bound holds whatever runs first.

use parallel::{num_threads, parallel, thread_num};
use std::time::{Duration, Instant};

/// The `Threads:` line of /proc/self/status (Linux), else `None`.
fn threads_now() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
}

/// The default thread limit.
fn limit() -> usize {
    std::env::var("OMP_THREAD_LIMIT")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| {
            (std::thread::available_parallelism().map_or(1, |n| n.get()) * 4).max(64)
        })
}

/// Sums `i` over `0..len` on a team of `n`, checking the team's view of
/// itself in every iteration.
#[parallel]
fn team_sum(n: usize, len: u64) -> (u64, usize) {
    let mut sum = 0;
    let mut seen = 0;
    #[parallel_for(num_threads(n), reduction(+: sum), reduction(max: seen))]
    for i in 0..len {
        assert!(thread_num() < num_threads());
        seen = seen.max(num_threads());
        sum += i;
    }
    (sum, seen)
}

#[test]
fn a_thousand_team_sizes_leave_a_bounded_thread_count() {
    let before = threads_now();
    for n in 1..=1000 {
        let (sum, team) = team_sum(n, 50);
        assert_eq!(sum, 49 * 50 / 2, "num_threads({n})");
        assert_eq!(team, n.min(limit()), "num_threads({n})");
    }
    if let (Some(before), Some(after)) = (before, threads_now()) {
        println!(
            "threads: {before} before, {after} after 1000 team sizes (limit {})",
            limit()
        );
        // The crew (limit - 1 workers at most), plus the test harness's
        // threads, which come and go.
        assert!(
            after <= limit() + 16,
            "{after} threads after 1000 team sizes"
        );
    }
}

#[test]
fn a_huge_team_on_a_tiny_loop_returns_at_once() {
    let start = Instant::now();
    let (sum, team) = team_sum(100_000, 10);
    let took = start.elapsed();
    assert_eq!(sum, 45);
    assert_eq!(team, limit());
    println!("num_threads(100_000) on 10 iterations: {took:?}");
    assert!(took < Duration::from_secs(1), "took {took:?}");
    if let Some(n) = threads_now() {
        assert!(n <= limit() + 16, "{n} threads");
    }
}

/// Loops inside loops take only idle workers: no thread is started for a
/// nested team, and the results are those of the plain loops.
#[test]
fn nested_teams_start_no_threads() {
    let _ = team_sum(3, 1000); // the crew has its workers for a team of 3
    let before = threads_now();
    #[parallel]
    fn outer() -> u64 {
        let mut total = 0;
        #[parallel_for(num_threads(3), schedule(dynamic), reduction(+: total))]
        for i in 0..12u64 {
            total += i * team_sum(7, 100).0;
        }
        total
    }
    assert_eq!(outer(), 66 * 4950);
    if let (Some(before), Some(after)) = (before, threads_now()) {
        assert!(after <= before.max(limit()) + 16, "{before} -> {after}");
    }
}
