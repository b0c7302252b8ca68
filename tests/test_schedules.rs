//! Every schedule, with and without a chunk size, at every team size and
//! length, against the sequential loop.

mod common;
use common::{LENGTHS, THREADS, data};
use parallel::parallel;

macro_rules! schedule_tests {
    ($($name:ident => ($($sched:tt)*);)*) => {$(
        #[parallel]
        fn $name(x: &[f64], threads: usize) -> (Vec<f64>, f64, u64) {
            let n = x.len();
            let mut y = vec![0.0; n];
            let mut sum = 0.0;
            let mut count = 0u64;
            #[parallel_for(schedule($($sched)*), num_threads(threads), reduction(+: sum, count))]
            for i in 0..n {
                y[i] = 2.0 * x[i] + 1.0;
                sum += x[i];
                count += 1;
            }
            (y, sum, count)
        }
    )*
        #[test]
        fn every_schedule_matches_the_sequential_loop() {
            for &n in LENGTHS {
                let x = data(n, n as u64);
                let want_y: Vec<f64> = x.iter().map(|v| 2.0 * v + 1.0).collect();
                let want_sum: f64 = x.iter().sum();
                for &t in THREADS {
                    $(
                        let (y, sum, count) = $name(&x, t);
                        assert_eq!(y, want_y, "{} n={n} threads={t}", stringify!($name));
                        assert!(common::close(sum, want_sum, n), "{} n={n} threads={t}: {sum} vs {want_sum}", stringify!($name));
                        assert_eq!(count, n as u64, "{} n={n} threads={t}", stringify!($name));
                    )*
                }
            }
        }
    };
}

schedule_tests! {
    static_blocks => (static);
    static_chunk_1 => (static, 1);
    static_chunk_7 => (static, 7);
    dynamic_default => (dynamic);
    dynamic_chunk_1 => (dynamic, 1);
    dynamic_chunk_64 => (dynamic, 64);
    guided_default => (guided);
    guided_chunk_5 => (guided, 5);
    auto => (auto);
    runtime => (runtime);
}

/// A bare directive takes every default.
#[parallel]
fn bare(n: usize) -> Vec<usize> {
    let mut y = vec![0; n];
    #[parallel_for]
    for i in 0..n {
        y[i] = i * i;
    }
    y
}

#[test]
fn bare_directive_uses_defaults() {
    for &n in LENGTHS {
        assert_eq!(bare(n), (0..n).map(|i| i * i).collect::<Vec<_>>());
    }
}

/// Every iteration runs exactly once, whatever the schedule: count visits.
#[parallel]
fn visits(n: usize, threads: usize, chunk: usize, min: usize) -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    let mut a = vec![0u32; n];
    #[parallel_for(schedule(dynamic, chunk), num_threads(threads), min_len(min))]
    for i in 0..n {
        a[i] += 1;
    }
    out.push(a);
    let mut b = vec![0u32; n];
    #[parallel_for(schedule(guided, chunk), num_threads(threads), min_len(min))]
    for i in 0..n {
        b[i] += 1;
    }
    out.push(b);
    let mut c = vec![0u32; n];
    #[parallel_for(schedule(static, chunk), num_threads(threads), min_len(min))]
    for i in 0..n {
        c[i] += 1;
    }
    out.push(c);
    let mut d = vec![0u32; n];
    #[parallel_for(schedule(auto), num_threads(threads), min_len(min))]
    for i in 0..n {
        d[i] += 1;
    }
    out.push(d);
    out
}

#[test]
fn every_iteration_runs_once() {
    for &n in LENGTHS {
        for &t in THREADS {
            for (chunk, min) in [(1, 1), (3, 1), (1, 100), (1000, 7)] {
                for v in visits(n, t, chunk, min) {
                    assert!(
                        v.iter().all(|&c| c == 1),
                        "n={n} t={t} chunk={chunk} min_len={min}"
                    );
                }
            }
        }
    }
}
