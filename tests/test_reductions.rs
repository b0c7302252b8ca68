//! Every reduction operator, on integers, floats and bools, with the value
//! before the loop folded in once, against the sequential loop.

mod common;
use common::{LENGTHS, THREADS, close, data, ints};
use parallel::parallel;

#[parallel]
fn int_reductions(v: &[u64], threads: usize) -> (u64, u64, i64, u64, u64, u64, u64, u64) {
    let n = v.len();
    let (mut sum, mut prod, mut diff) = (10u64, 3u64, 5i64);
    let (mut and, mut or, mut xor) = (u64::MAX, 0b1000_0000u64, 1u64);
    let (mut lo, mut hi) = (u64::MAX - 1, 1u64);
    #[parallel_for(num_threads(threads), schedule(dynamic, 4), reduction(+: sum), reduction(*: prod), reduction(-: diff))]
    for i in 0..n {
        sum += v[i];
        prod = prod.wrapping_mul(v[i] % 3 + 1);
        diff -= v[i] as i64;
    }
    #[parallel_for(num_threads(threads), reduction(&: and), reduction(|: or), reduction(^: xor), reduction(min: lo), reduction(max: hi))]
    for i in 0..n {
        and &= v[i] | 1;
        or |= v[i];
        xor ^= v[i];
        lo = lo.min(v[i]);
        hi = hi.max(v[i]);
    }
    (sum, prod, diff, and, or, xor, lo, hi)
}

fn int_sequential(v: &[u64]) -> (u64, u64, i64, u64, u64, u64, u64, u64) {
    let (mut sum, mut prod, mut diff) = (10u64, 3u64, 5i64);
    let (mut and, mut or, mut xor) = (u64::MAX, 0b1000_0000u64, 1u64);
    let (mut lo, mut hi) = (u64::MAX - 1, 1u64);
    for &x in v {
        sum += x;
        prod = prod.wrapping_mul(x % 3 + 1);
        diff -= x as i64;
        and &= x | 1;
        or |= x;
        xor ^= x;
        lo = lo.min(x);
        hi = hi.max(x);
    }
    (sum, prod, diff, and, or, xor, lo, hi)
}

#[test]
fn integer_operators() {
    for &n in LENGTHS {
        let v = ints(n, 1000, n as u64 + 3);
        let want = int_sequential(&v);
        for &t in THREADS {
            assert_eq!(int_reductions(&v, t), want, "n={n} t={t}");
        }
    }
}

#[parallel]
fn float_reductions(x: &[f64], threads: usize) -> (f64, f32, f64, f64) {
    let n = x.len();
    let (mut sum, mut small) = (0.5f64, 0.0f32);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    #[parallel_for(num_threads(threads), schedule(guided, 3), reduction(+: sum, small), reduction(min: lo), reduction(max: hi))]
    for i in 0..n {
        sum += x[i] * x[i];
        small += 1.0;
        lo = lo.min(x[i]);
        if x[i] > hi {
            hi = x[i];
        }
    }
    (sum, small, lo, hi)
}

#[test]
fn float_operators() {
    for &n in LENGTHS {
        let x = data(n, 77);
        let want_sum = 0.5 + x.iter().map(|v| v * v).sum::<f64>();
        let want_lo = x.iter().copied().fold(f64::INFINITY, f64::min);
        let want_hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        for &t in THREADS {
            let (sum, small, lo, hi) = float_reductions(&x, t);
            assert!(close(sum, want_sum, n), "n={n} t={t}: {sum} vs {want_sum}");
            assert_eq!(small, n as f32, "n={n} t={t}");
            assert_eq!((lo, hi), (want_lo, want_hi), "n={n} t={t}");
        }
    }
}

#[test]
fn float_min_max_ignore_nan_like_f64_min() {
    let mut x = data(1009, 5);
    x[17] = f64::NAN;
    x[500] = f64::NAN;
    for &t in THREADS {
        let (_, _, lo, hi) = float_reductions(&x, t);
        let want_lo = x.iter().copied().fold(f64::INFINITY, f64::min);
        let want_hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!((lo, hi), (want_lo, want_hi));
    }
}

#[parallel]
fn bool_reductions(v: &[u64], threads: usize) -> (bool, bool, bool, bool, bool) {
    let n = v.len();
    let (mut all, mut any, mut and, mut or, mut parity) = (true, false, true, false, false);
    #[parallel_for(num_threads(threads), reduction(&&: all), reduction(||: any), reduction(&: and), reduction(|: or), reduction(^: parity))]
    for i in 0..n {
        all = all && v[i] < 900;
        any = any || v[i] == 7;
        and &= v[i] != 3;
        or |= v[i] > 990;
        parity ^= v[i] % 2 == 1;
    }
    (all, any, and, or, parity)
}

#[test]
fn bool_operators() {
    for &n in LENGTHS {
        let v = ints(n, 1000, 11);
        let want = (
            v.iter().all(|&x| x < 900),
            v.contains(&7),
            v.iter().all(|&x| x != 3),
            v.iter().any(|&x| x > 990),
            v.iter().filter(|&&x| x % 2 == 1).count() % 2 == 1,
        );
        for &t in THREADS {
            assert_eq!(bool_reductions(&v, t), want, "n={n} t={t}");
        }
    }
}

/// The value before the loop is folded in once, not once per task.
#[parallel]
fn fold_once(n: usize, threads: usize) -> (i64, i64) {
    let (mut s, mut p) = (100i64, 2i64);
    #[parallel_for(num_threads(threads), schedule(static, 1), reduction(+: s), reduction(*: p))]
    for i in 0..n {
        s += 1;
        if i < 10 {
            p *= 2;
        }
    }
    (s, p)
}

#[test]
fn initial_value_counts_once() {
    for &n in LENGTHS {
        for &t in THREADS {
            assert_eq!(
                fold_once(n, t),
                (100 + n as i64, 2 << n.min(10)),
                "n={n} t={t}"
            );
        }
    }
}

/// First index where a predicate holds: the `break` replacement.
#[parallel]
fn first_match(v: &[u64], threads: usize) -> usize {
    let mut first = usize::MAX;
    #[parallel_for(num_threads(threads), schedule(dynamic, 16), reduction(min: first))]
    for i in 0..v.len() {
        if v[i] == 999 {
            first = first.min(i);
        }
    }
    first
}

#[test]
fn search_by_min_reduction() {
    for &n in LENGTHS {
        let v = ints(n, 1000, 21);
        let want = v.iter().position(|&x| x == 999).unwrap_or(usize::MAX);
        for &t in THREADS {
            assert_eq!(first_match(&v, t), want);
        }
    }
}
