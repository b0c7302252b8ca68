//! `deterministic`: float reductions bit-identical whatever the team size,
//! schedule or run.

mod common;
use common::{LENGTHS, close, data};
use parallel::parallel;

macro_rules! deterministic_sums {
    ($($name:ident => ($($sched:tt)*);)*) => {$(
        #[parallel]
        fn $name(x: &[f64], threads: usize) -> (f64, f64, f32) {
            let (mut s, mut p, mut m) = (0.25f64, 1.0f64, 0.0f32);
            #[parallel_for(deterministic, schedule($($sched)*), num_threads(threads), reduction(+: s), reduction(*: p), reduction(+: m))]
            for i in 0..x.len() {
                s += x[i] * x[i] - 0.1;
                p *= 1.0 + x[i] * 1e-4;
                m += x[i] as f32;
            }
            (s, p, m)
        }
    )*
        #[test]
        fn bit_identical_for_every_team_schedule_and_run() {
            for &n in LENGTHS {
                let x = data(n, 99);
                let bits = |r: (f64, f64, f32)| (r.0.to_bits(), r.1.to_bits(), r.2.to_bits());
                let first = bits(static_blocks(&x, 1));
                let want: f64 = 0.25 + x.iter().map(|v| v * v - 0.1).sum::<f64>();
                assert!(close(f64::from_bits(first.0), want, n), "n={n}");
                for threads in 1..=7 {
                    for _ in 0..5 {
                        $(
                            assert_eq!(bits($name(&x, threads)), first, "{} n={n} threads={threads}", stringify!($name));
                        )*
                    }
                }
            }
        }
    };
}

deterministic_sums! {
    static_blocks => (static);
    dynamic => (dynamic);
    guided => (guided, 3);
}
