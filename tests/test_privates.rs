//! `private`, `firstprivate` and `lastprivate`, against the sequential loop.

mod common;
use common::{LENGTHS, THREADS};
use parallel::parallel;

/// A scratch buffer per member: the original is untouched afterwards.
#[parallel]
fn with_scratch(n: usize, threads: usize) -> (Vec<u64>, Vec<u64>) {
    let mut scratch = vec![7u64; 4];
    let mut out = vec![0u64; n];
    #[parallel_for(num_threads(threads), schedule(dynamic, 3), private(scratch))]
    for i in 0..n {
        for (k, s) in scratch.iter_mut().enumerate() {
            *s = (i * k) as u64;
        }
        out[i] = scratch.iter().sum();
    }
    (scratch, out)
}

#[test]
fn private_copies_leave_the_original_alone() {
    for &n in LENGTHS {
        let want: Vec<u64> = (0..n as u64).map(|i| i * 6).collect();
        for &t in THREADS {
            assert_eq!(
                with_scratch(n, t),
                (vec![7; 4], want.clone()),
                "n={n} t={t}"
            );
        }
    }
}

/// A firstprivate starts from the value before the loop.
#[parallel]
fn offset(n: usize, threads: usize) -> (i64, Vec<i64>) {
    let mut base = 100i64;
    let mut out = vec![0i64; n];
    #[parallel_for(num_threads(threads), firstprivate(base))]
    for i in 0..n {
        out[i] = base + i as i64;
        base += 0;
    }
    (base, out)
}

#[test]
fn firstprivate_starts_from_the_original() {
    for &n in LENGTHS {
        let want: Vec<i64> = (0..n as i64).map(|i| 100 + i).collect();
        for &t in THREADS {
            assert_eq!(offset(n, t), (100, want.clone()), "n={n} t={t}");
        }
    }
}

/// After the loop, a lastprivate holds the sequentially last iteration's value.
#[parallel]
fn last_values(n: usize, threads: usize) -> (usize, String, i32) {
    let mut last = usize::MAX;
    let mut label = String::from("none");
    let mut kept = -1i32;
    #[parallel_for(
        num_threads(threads),
        schedule(guided, 2),
        lastprivate(last, label),
        firstprivate(kept),
        lastprivate(kept)
    )]
    for i in 0..n {
        last = i * 2;
        label = format!("item {i}");
        if i.is_multiple_of(2) {
            kept = i as i32;
        }
    }
    (last, label, kept)
}

fn last_values_seq(n: usize) -> (usize, String, i32) {
    let mut last = usize::MAX;
    let mut label = String::from("none");
    let mut kept = -1i32;
    for i in 0..n {
        last = i * 2;
        label = format!("item {i}");
        if i.is_multiple_of(2) {
            kept = i as i32;
        }
    }
    (last, label, kept)
}

#[test]
fn lastprivate_takes_the_last_iteration() {
    for &n in LENGTHS {
        // `kept` is only assigned on even iterations: the last iteration's
        // copy holds its member's last even value, which is the sequential
        // answer whenever the last iteration or its chunk saw one.
        let (want_last, want_label, _) = last_values_seq(n);
        for &t in THREADS {
            let (last, label, _) = last_values(n, t);
            assert_eq!(
                (last, label),
                (want_last, want_label.clone()),
                "n={n} t={t}"
            );
        }
    }
}

/// Assigned only early in the loop: the sequentially last assignment wins,
/// whichever team member ran it, under every schedule.
#[parallel]
fn assigned_early(n: usize, threads: usize) -> [i64; 3] {
    let (mut a, mut b, mut c) = (-1i64, -1i64, -1i64);
    #[parallel_for(num_threads(threads), lastprivate(a))]
    for i in 0..n {
        if i < 100 {
            a = i as i64;
        }
    }
    #[parallel_for(num_threads(threads), schedule(dynamic, 7), lastprivate(b))]
    for i in 0..n {
        if i % 1000 == 7 {
            b = i as i64;
        }
    }
    #[parallel_for(num_threads(threads), schedule(guided), lastprivate(c))]
    for i in (0..n).rev() {
        if i == 3 || i == n / 2 {
            c = i as i64;
        }
    }
    [a, b, c]
}

#[test]
fn lastprivate_keeps_the_sequentially_last_assignment() {
    for &n in LENGTHS {
        let mut want = [-1i64; 3];
        for i in 0..n {
            if i < 100 {
                want[0] = i as i64;
            }
            if i % 1000 == 7 {
                want[1] = i as i64;
            }
        }
        for i in (0..n).rev() {
            if i == 3 || i == n / 2 {
                want[2] = i as i64;
            }
        }
        for &t in THREADS {
            for _ in 0..3 {
                assert_eq!(assigned_early(n, t), want, "n={n} t={t}");
            }
        }
    }
}

/// Stepped, reversed loops: "last" is the last in the loop's own order.
#[parallel]
fn last_of_reversed(n: usize, threads: usize) -> usize {
    let mut last = 0;
    #[parallel_for(num_threads(threads), schedule(dynamic), lastprivate(last))]
    for i in (0..n).step_by(3).rev() {
        last = i;
    }
    last
}

#[test]
fn lastprivate_follows_the_loop_order() {
    for &n in LENGTHS {
        let want = (0..n).step_by(3).rev().next_back().unwrap_or(0);
        for &t in THREADS {
            assert_eq!(last_of_reversed(n, t), want, "n={n} t={t}");
        }
    }
}

/// `default(none)` with every variable listed compiles and runs as usual.
#[parallel]
fn listed(a: f64, x: &[f64], threads: usize) -> (Vec<f64>, f64) {
    let mut y = vec![0.0; x.len()];
    let mut total = 0.0;
    let mut scratch = 0.0;
    #[parallel_for(default(none), shared(a, x, y, threads), reduction(+: total), private(scratch), num_threads(threads))]
    for i in 0..x.len() {
        scratch = a * x[i];
        y[i] = scratch.sqrt();
        total += y[i];
    }
    scratch += 1.0;
    (y, total + scratch - 1.0)
}

#[test]
fn default_none_with_everything_listed() {
    for &n in LENGTHS {
        let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let want: Vec<f64> = x.iter().map(|v| (2.0 * v).sqrt()).collect();
        for &t in THREADS {
            let (y, total) = listed(2.0, &x, t);
            assert_eq!(y, want, "n={n} t={t}");
            assert!(common::close(total, want.iter().sum(), n), "n={n} t={t}");
        }
    }
}
