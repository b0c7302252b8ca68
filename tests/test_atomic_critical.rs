//! `#[atomic]` updates and `#[critical]` sections, against the sequential loop.

mod common;
use common::{LENGTHS, THREADS, ints};
use parallel::parallel;

#[parallel]
fn counters(data: &[u64], threads: usize) -> (u64, i32, f64, u64) {
    let mut total = 0u64;
    let mut down = 0i32;
    let mut mass = 0.5f64;
    let mut bits = 0u64;
    #[parallel_for(num_threads(threads), schedule(dynamic, 3))]
    for i in 0..data.len() {
        #[atomic]
        total += data[i];
        if data[i].is_multiple_of(2) {
            #[atomic]
            down -= 1;
        }
        #[atomic]
        mass += 0.25;
        #[atomic]
        bits |= 1 << (data[i] % 64);
    }
    (total, down, mass, bits)
}

#[test]
fn atomic_updates_lose_nothing() {
    for &n in LENGTHS {
        let data = ints(n, 1000, 17);
        let want = (
            data.iter().sum::<u64>(),
            -(data.iter().filter(|&&d| d % 2 == 0).count() as i32),
            0.5 + 0.25 * n as f64,
            data.iter().fold(0u64, |b, d| b | 1 << (d % 64)),
        );
        for &t in THREADS {
            assert_eq!(counters(&data, t), want, "n={n} t={t}");
        }
    }
}

#[parallel]
fn collect_evens(data: &[u64], log: &mut Vec<u64>, threads: usize) -> (usize, u64) {
    let mut count = 0usize;
    let mut last_big = 0u64;
    #[parallel_for(num_threads(threads), schedule(guided))]
    for i in 0..data.len() {
        let d = data[i];
        if d.is_multiple_of(2) {
            #[critical]
            {
                log.push(d);
                count += 1;
            }
        }
        if d > 900 {
            #[critical(big)]
            {
                last_big = last_big.max(d);
            }
        }
    }
    (count, last_big)
}

#[test]
fn critical_sections_exclude_each_other() {
    for &n in LENGTHS {
        let data = ints(n, 1000, 23);
        let mut want_log: Vec<u64> = data.iter().copied().filter(|d| d % 2 == 0).collect();
        let want_big = data.iter().copied().filter(|&d| d > 900).max().unwrap_or(0);
        for &t in THREADS {
            let mut log = vec![1];
            let (count, big) = collect_evens(&data, &mut log, t);
            let mut got = log[1..].to_vec();
            got.sort_unstable();
            want_log.sort_unstable();
            assert_eq!(
                (got, count, big),
                (want_log.clone(), want_log.len(), want_big),
                "n={n} t={t}"
            );
            assert_eq!(log[0], 1);
        }
    }
}

/// A parallel loop inside a critical section runs inline on the thread that
/// holds it, so waiting for its team cannot pick up an outer iteration that
/// would wait for the same section.
#[parallel]
fn loop_in_critical(n: u64, threads: usize) -> u64 {
    let mut total = 0u64;
    #[parallel_for(num_threads(threads), schedule(dynamic))]
    for i in 0..n {
        #[critical]
        {
            let mut s = 0u64;
            #[parallel_for(reduction(+: s), num_threads(3))]
            for k in 0..1000u64 {
                s += k * i;
            }
            total += s;
        }
    }
    total
}

#[test]
fn nested_loops_inside_critical_do_not_deadlock() {
    for &t in THREADS {
        assert_eq!(
            loop_in_critical(64, t),
            (0..64u64).map(|i| i * 999 * 1000 / 2).sum::<u64>()
        );
    }
}

#[parallel]
fn reentered(n: usize) -> usize {
    let mut count = 0;
    #[parallel_for(num_threads(2))]
    for _ in 0..n {
        #[critical]
        {
            let bump = |c: &mut usize| *c += 1;
            bump(&mut count);
        }
    }
    count
}

#[test]
fn critical_counts_through_a_closure() {
    assert_eq!(reentered(100), 100);
}
