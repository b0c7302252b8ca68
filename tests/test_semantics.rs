//! Every accepted update form of every reduction operator, minloc and
//! maxloc with ties, and the private clauses used as they are meant to be:
//! each loop against the same loop run plainly, over every length of
//! `LENGTHS`, every team size of `THREADS` and three schedules; the
//! built-in operators also under `#[simd_reduce]`.

// The update forms are spelled out on purpose: each is one the macro
// must accept as written.
#![allow(clippy::assign_op_pattern, clippy::needless_range_loop)]

mod common;
use common::{LENGTHS, THREADS};
use parallel::{Reducer, parallel};

/// Integers in `-50..50` with many repeats (ties for minloc / maxloc).
fn values(n: usize) -> Vec<i64> {
    common::ints(n, 100, 17)
        .iter()
        .map(|&v| v as i64 - 50)
        .collect()
}

/// Equal, NaN included: compared as printed.
fn same<T: std::fmt::Debug>(a: &T, b: &T) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

/// For each case: a `parallel_for` over three schedules and the plain loop,
/// with the same body.
macro_rules! cases {
    ($(
        $name:ident: [$($clause:tt)*] ($acc:ident: $t:ty = $init:expr)
            for $i:ident in $range:expr; $x:ident $body:block
    )*) => {
        $(
            mod $name {
                use super::*;

                #[parallel]
                pub fn par($x: &[i64], threads: usize, schedule: usize) -> $t {
                    let mut $acc: $t = $init;
                    match schedule {
                        0 => {
                            #[parallel_for(num_threads(threads), $($clause)*)]
                            for $i in $range $body
                        }
                        1 => {
                            #[parallel_for(num_threads(threads), schedule(dynamic, 3), $($clause)*)]
                            for $i in $range $body
                        }
                        _ => {
                            #[parallel_for(num_threads(threads), schedule(guided), $($clause)*)]
                            for $i in $range $body
                        }
                    }
                    $acc
                }

                pub fn seq($x: &[i64]) -> $t {
                    let mut $acc: $t = $init;
                    for $i in $range $body
                    $acc
                }
            }
        )*

        #[test]
        fn every_form_equals_the_plain_loop() {
            for &n in LENGTHS {
                let x = values(n);
                $(
                    let want = $name::seq(&x);
                    for &t in THREADS {
                        for s in 0..3 {
                            let got = $name::par(&x, t, s);
                            assert!(same(&got, &want), "{} n={n} t={t} schedule={s}: {got:?} != {want:?}", stringify!($name));
                        }
                    }
                )*
            }
        }
    };
}

cases! {
    add_compound: [reduction(+: s)] (s: i64 = 7) for i in 0..x.len(); x { s += x[i]; }
    add_spelled: [reduction(+: s)] (s: i64 = 7) for i in 0..x.len(); x { s = s + x[i] * 2; }
    add_on_the_right: [reduction(+: s)] (s: i64 = 7) for i in 0..x.len(); x { s = x[i] + s; }
    add_chain: [reduction(+: s)] (s: i64 = 7) for i in 0..x.len(); x { s = s + x[i] - 3 + (i as i64); }
    sub_compound: [reduction(+: s)] (s: i64 = 7) for i in 0..x.len(); x { s -= x[i]; }
    sub_spelled: [reduction(-: s)] (s: i64 = 7) for i in 0..x.len(); x { s = s - x[i] - 1; }
    add_wrapping: [reduction(+: s)] (s: u32 = 3) for i in 0..x.len(); x { s = s.wrapping_add(x[i] as u32); }
    sub_wrapping: [reduction(-: s)] (s: u32 = 3) for i in 0..x.len(); x { s = s.wrapping_sub(x[i] as u32); }
    add_several: [reduction(+: s)] (s: i64 = 0) for i in 0..x.len(); x {
        s += 1;
        if x[i] > 0 {
            s += x[i];
        } else {
            s -= 2 * x[i];
        }
    }
    mul_compound: [reduction(*: p)] (p: i64 = 3) for i in 0..x.len(); x { if i % 20_000 == 3 { p *= x[i]; } }
    mul_spelled: [reduction(*: p)] (p: u64 = 1) for i in 0..x.len(); x { if i % 10_000 == 1 { p = (x[i].unsigned_abs() % 3 + 1) * p; } }
    mul_wrapping: [reduction(*: p)] (p: u32 = 1) for i in 0..x.len(); x { p = p.wrapping_mul(x[i] as u32 | 1); }
    and_bits: [reduction(&: b)] (b: u64 = u64::MAX) for i in 0..x.len(); x { b &= !(1u64 << (x[i].unsigned_abs() % 64)); }
    and_spelled: [reduction(&: b)] (b: u64 = u64::MAX) for i in 0..x.len(); x { b = (x[i] as u64 | 0xF0) & b; }
    or_bits: [reduction(|: b)] (b: u64 = 1) for i in 0..x.len(); x { b |= 1u64 << (x[i].unsigned_abs() % 64); }
    or_spelled: [reduction(|: b)] (b: u64 = 0) for i in 0..x.len(); x { b = b | (x[i] as u64 & 0x0F); }
    xor_bits: [reduction(^: b)] (b: i64 = 5) for i in 0..x.len(); x { b ^= x[i]; }
    xor_spelled: [reduction(^: b)] (b: i64 = 5) for i in 0..x.len(); x { b = (x[i] * 3) ^ b; }
    all_left: [reduction(&&: b)] (b: bool = true) for i in 0..x.len(); x { b = b && x[i] < 45; }
    all_right: [reduction(&&: b)] (b: bool = true) for i in 0..x.len(); x { b = (x[i] > -48) && b; }
    all_bitand: [reduction(&&: b)] (b: bool = true) for i in 0..x.len(); x { b &= x[i] != 13; }
    any_left: [reduction(||: b)] (b: bool = false) for i in 0..x.len(); x { b = b || x[i] == 42; }
    any_right: [reduction(||: b)] (b: bool = false) for i in 0..x.len(); x { b = (x[i] == -50) || b; }
    min_method: [reduction(min: m)] (m: i64 = 1000) for i in 0..x.len(); x { m = m.min(x[i]); }
    min_receiver_right: [reduction(min: m)] (m: i64 = 1000) for i in 0..x.len(); x { m = (x[i] * 2).min(m); }
    min_function: [reduction(min: m)] (m: i64 = 1000) for i in 0..x.len(); x { m = std::cmp::min(m, x[i] + 1); }
    min_guarded: [reduction(min: m)] (m: f64 = f64::INFINITY) for i in 0..x.len(); x { if (x[i] as f64) < m { m = x[i] as f64; } }
    min_selected: [reduction(min: m)] (m: f64 = 7.5) for i in 0..x.len(); x { m = if m > x[i] as f64 { x[i] as f64 } else { m }; }
    min_nan_first: [reduction(min: m)] (m: f64 = f64::NAN) for i in 0..x.len(); x { if (x[i] as f64) < m { m = x[i] as f64; } }
    min_nan_method: [reduction(min: m)] (m: f64 = f64::NAN) for i in 0..x.len(); x { m = m.min(x[i] as f64); }
    max_method: [reduction(max: m)] (m: i64 = -1000) for i in 0..x.len(); x { m = m.max(x[i]); }
    max_function: [reduction(max: m)] (m: f64 = -1.0) for i in 0..x.len(); x { m = f64::max(x[i] as f64 * 0.5, m); }
    max_guarded: [reduction(max: m)] (m: i64 = i64::MIN) for i in 0..x.len(); x { if x[i] * 3 > m { m = x[i] * 3; } }
    max_selected: [reduction(max: m)] (m: i64 = 0) for i in 0..x.len(); x { m = if x[i] > m { x[i] } else { m }; }
    max_nan_first: [reduction(max: m)] (m: f64 = f64::NAN) for i in 0..x.len(); x { m = if x[i] as f64 > m { x[i] as f64 } else { m }; }
    minloc_first: [reduction(minloc: best)] (best: (i64, usize) = (i64::MAX, usize::MAX)) for i in 0..x.len(); x {
        if x[i] < best.0 {
            best = (x[i], i);
        }
    }
    minloc_last: [reduction(minloc: best)] (best: (i64, usize) = (i64::MAX, usize::MAX)) for i in 0..x.len(); x {
        if x[i] <= best.0 {
            best = (x[i], i);
        }
    }
    minloc_before_wins_ties: [reduction(minloc: best)] (best: (i64, usize) = (-45, 999_999)) for i in 0..x.len(); x {
        if x[i] < best.0 {
            best = (x[i], i);
        }
    }
    minloc_selected: [reduction(minloc: best)] (best: (f64, usize) = (f64::INFINITY, 0)) for i in 0..x.len(); x {
        best = if (x[i] as f64) < best.0 { (x[i] as f64, i) } else { best };
    }
    maxloc_first: [reduction(maxloc: best)] (best: (i64, usize) = (i64::MIN, 0)) for i in 0..x.len(); x {
        if x[i] > best.0 {
            best = (x[i], i);
        }
    }
    maxloc_last: [reduction(maxloc: best)] (best: (i64, usize) = (i64::MIN, 0)) for i in 0..x.len(); x {
        if best.0 <= x[i] {
            best = (x[i], i);
        }
    }
    maxloc_reversed: [reduction(maxloc: best)] (best: (i64, usize) = (i64::MIN, 0)) for i in (0..x.len()).rev(); x {
        if x[i] > best.0 {
            best = (x[i], i);
        }
    }
    minloc_reversed_last: [reduction(minloc: best)] (best: (i64, usize) = (i64::MAX, 0)) for i in (0..x.len()).rev(); x {
        if x[i] <= best.0 {
            best = (x[i], i);
        }
    }
    user_reducer: [reduction(Span: r)] (r: (i64, i64, u32) = (i64::MAX, i64::MIN, 0)) for i in 0..x.len(); x {
        Span::combine(&mut r, (x[i], x[i], 1));
    }
    array_histogram: [reduction(+: h)] (h: [u32; 10] = [1; 10]) for i in 0..x.len(); x {
        h[x[i].unsigned_abs() as usize % 10] += 1;
    }
    array_extremes: [reduction(max: h)] (h: Vec<i64> = vec![-100; 4]) for i in 0..x.len(); x {
        let k = i % 4;
        h[k] = h[k].max(x[i]);
    }
}

/// `(min, max, count)` of a range of values.
struct Span;

impl Reducer for Span {
    type Value = (i64, i64, u32);
    fn identity() -> (i64, i64, u32) {
        (i64::MAX, i64::MIN, 0)
    }
    fn combine(acc: &mut (i64, i64, u32), other: (i64, i64, u32)) {
        acc.0 = acc.0.min(other.0);
        acc.1 = acc.1.max(other.1);
        acc.2 += other.2;
    }
}

/// The private clauses used as they are meant to be: a value assigned
/// before it is read, a scratch buffer, the last value, a starting value.
#[parallel]
fn privates(x: &[i64], threads: usize) -> (Vec<i64>, i64, i64, usize, Vec<i64>) {
    let n = x.len();
    let mut out = vec![0i64; n];
    let mut t = 0i64;
    let mut buf = vec![0i64; 3];
    let mut last = -1i64;
    let mut seen = 0usize;
    let base = 1000i64;
    let mut shifted = vec![0i64; n];
    #[parallel_for(
        num_threads(threads),
        schedule(dynamic, 2),
        private(t, buf),
        lastprivate(last, seen),
        firstprivate(base)
    )]
    for i in 0..n {
        t = x[i] * x[i];
        if i.is_multiple_of(2) {
            t -= 1;
        }
        for (k, b) in buf.iter_mut().enumerate() {
            *b = x[i] + k as i64;
        }
        out[i] = t + buf.iter().sum::<i64>();
        last = t;
        if x[i] > 0 {
            seen = i;
        }
        shifted[i] = base + x[i];
    }
    (out, last, t, seen, shifted)
}

#[test]
fn private_clauses_equal_the_plain_loop() {
    for &n in LENGTHS {
        let x = values(n);
        let mut want_out = vec![0i64; n];
        let mut want_last = -1i64;
        let mut want_seen = 0usize;
        for i in 0..n {
            let t = x[i] * x[i] - i64::from(i.is_multiple_of(2));
            want_out[i] = t + 3 * x[i] + 3;
            want_last = t;
            if x[i] > 0 {
                want_seen = i;
            }
        }
        let shifted: Vec<i64> = x.iter().map(|v| 1000 + v).collect();
        for &t in THREADS {
            // `t` itself is private: after the loop it keeps its value (0).
            assert_eq!(
                privates(&x, t),
                (want_out.clone(), want_last, 0, want_seen, shifted.clone()),
                "n={n} t={t}"
            );
        }
    }
}

/// The built-in operators under `#[simd_reduce]`, with the same forms.
macro_rules! simd_cases {
    ($($name:ident: [$($red:tt)*] ($acc:ident: $t:ty = $init:expr) $x:ident $i:ident $body:block)*) => {
        $(
            #[parallel]
            fn $name($x: &[i64]) -> ($t, $t) {
                let mut $acc: $t = $init;
                for $i in 0..$x.len() $body
                let want = $acc;
                let mut $acc: $t = $init;
                #[simd_reduce($($red)*)]
                for $i in 0..$x.len() $body
                ($acc, want)
            }
        )*

        #[test]
        fn simd_forms_equal_the_plain_loop() {
            for n in (0..=70).chain([1009, 100_003]) {
                let x = values(n);
                $(
                    let (got, want) = $name(&x);
                    assert!(same(&got, &want), "{} n={n}: {got:?} != {want:?}", stringify!($name));
                )*
            }
        }
    };
}

simd_cases! {
    simd_add: [+: s] (s: i64 = 1) x i { s = s + x[i]; s -= 1; }
    simd_mul: [*: p] (p: u32 = 1) x i { p = p.wrapping_mul(x[i] as u32 | 1); }
    simd_xor: [^: b] (b: i64 = 0) x i { b = x[i] ^ b; }
    simd_and: [&&: b] (b: bool = true) x i { b = (x[i] < 49) && b; }
    simd_min: [min: m] (m: i64 = 0) x i { if x[i] < m { m = x[i]; } }
    simd_max_nan: [max: m] (m: f64 = f64::NAN) x i { m = if x[i] as f64 > m { x[i] as f64 } else { m }; }
    simd_max: [max: m] (m: f64 = -1e9) x i { m = m.max(x[i] as f64); }
}
