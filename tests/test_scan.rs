//! Scans (`reduction(inscan, op: v)` with `scan!`): every operator, both
//! kinds, several variables, user reducers, loops that step and count
//! down, `continue`, `if(false)`, `min_len` and `deterministic`: each loop
//! against the same loop run plainly (where `scan!` does nothing), over
//! every length of `LENGTHS` and every team size of `THREADS`.

#![allow(clippy::assign_op_pattern, clippy::needless_range_loop)]

mod common;
use common::{LENGTHS, THREADS, close};
use parallel::{Reducer, parallel, scan};

/// The plain loops' `scan!`: nothing.
mod plain {
    macro_rules! scan {
        ($($t:tt)*) => {};
    }
    pub(crate) use scan;
}

/// Integers in `-50..50`.
fn values(n: usize) -> Vec<i64> {
    common::ints(n, 100, 23)
        .iter()
        .map(|&v| v as i64 - 50)
        .collect()
}

/// For each case: the annotated loop, which records what the read phase
/// sees in `out[i]`, and the plain loop with the same body.
macro_rules! cases {
    ($(
        $name:ident: [$($clause:tt)*] ($acc:ident: $t:ty = $init:expr)
            for $i:ident in $range:expr; $x:ident, $out:ident $body:block
    )*) => {
        $(
            mod $name {
                use super::*;

                #[parallel]
                pub fn par($x: &[i64], $out: &mut [$t], threads: usize) -> $t {
                    let mut $acc: $t = $init;
                    #[parallel_for(num_threads(threads), $($clause)*)]
                    for $i in $range $body
                    $acc
                }

                pub fn seq($x: &[i64], $out: &mut [$t]) -> $t {
                    // `scan!` is a marker: the plain loop ignores it.
                    use crate::plain::scan;
                    let mut $acc: $t = $init;
                    for $i in $range $body
                    $acc
                }

                #[test]
                fn against_the_plain_loop() {
                    for &n in LENGTHS {
                        let x = values(n);
                        let mut want_out = vec![$init; n];
                        let want = seq(&x, &mut want_out);
                        for &t in THREADS {
                            let mut out = vec![$init; n];
                            let got = par(&x, &mut out, t);
                            assert_eq!((got, &out), (want, &want_out), "n={n} t={t}");
                        }
                    }
                }
            }
        )*
    };
}

cases! {
    sum_inclusive: [reduction(inscan, +: s)] (s: i64 = 3) for i in 0..x.len(); x, out {
        s += x[i];
        scan!(inclusive(s));
        out[i] = s;
    }
    sum_exclusive: [reduction(inscan, +: s)] (s: i64 = 3) for i in 0..x.len(); x, out {
        out[i] = s;
        scan!(exclusive(s));
        s += x[i];
    }
    sum_of_two_updates: [reduction(inscan, +: s)] (s: i64 = 0) for i in 0..x.len(); x, out {
        s = s + x[i];
        if x[i] > 0 {
            s += 1;
        }
        scan!(inclusive(s));
        out[i] = 2 * s;
    }
    difference: [reduction(inscan, -: s)] (s: i64 = 100) for i in 0..x.len(); x, out {
        s -= x[i];
        scan!(inclusive(s));
        out[i] = s;
    }
    product_wrapping: [reduction(inscan, *: p)] (p: i64 = 1) for i in 0..x.len(); x, out {
        p = p.wrapping_mul(x[i] | 1);
        scan!(inclusive(p));
        out[i] = p;
    }
    bitwise_or: [reduction(inscan, |: b)] (b: i64 = 0) for i in 0..x.len(); x, out {
        b |= 1 << (x[i].rem_euclid(60));
        scan!(inclusive(b));
        out[i] = b;
    }
    bitwise_and: [reduction(inscan, &: b)] (b: i64 = -1) for i in 0..x.len(); x, out {
        out[i] = b;
        scan!(exclusive(b));
        b &= !(1 << (x[i].rem_euclid(60)));
    }
    bitwise_xor: [reduction(inscan, ^: b)] (b: i64 = 5) for i in 0..x.len(); x, out {
        b ^= x[i];
        scan!(inclusive(b));
        out[i] = b;
    }
    running_max: [reduction(inscan, max: m)] (m: i64 = i64::MIN) for i in 0..x.len(); x, out {
        m = m.max(x[i]);
        scan!(inclusive(m));
        out[i] = m;
    }
    running_min_if_form: [reduction(inscan, min: m)] (m: i64 = 7) for i in 0..x.len(); x, out {
        out[i] = m;
        scan!(exclusive(m));
        if x[i] < m {
            m = x[i];
        }
    }
    counting_down: [reduction(inscan, +: s)] (s: i64 = 0) for i in (0..x.len()).rev(); x, out {
        s += x[i];
        scan!(inclusive(s));
        out[i] = s;
    }
    stepping: [reduction(inscan, +: s)] (s: i64 = 0) for i in (1..x.len()).step_by(3); x, out {
        s += x[i] * x[i - 1];
        scan!(inclusive(s));
        out[i] = s;
    }
    continue_after_the_updates: [reduction(inscan, +: s)] (s: i64 = 0) for i in 0..x.len(); x, out {
        if x[i] < -40 {
            continue;
        }
        s += x[i];
        scan!(inclusive(s));
        if x[i] > 40 {
            continue;
        }
        out[i] = s;
    }
    locals_of_the_update_read_after: [reduction(inscan, +: s)] (s: i64 = 0) for i in 0..x.len(); x, out {
        let v = x[i] * 3;
        s += v;
        scan!(inclusive(s));
        out[i] = s - v;
    }
    under_if_false: [reduction(inscan, +: s), if(x.len().is_multiple_of(2))] (s: i64 = 0) for i in 0..x.len(); x, out {
        s += x[i];
        scan!(inclusive(s));
        out[i] = s;
    }
    with_min_len: [reduction(inscan, +: s), min_len(7)] (s: i64 = 0) for i in 0..x.len(); x, out {
        out[i] = s;
        scan!(exclusive(s));
        s += x[i];
    }
    with_a_schedule: [reduction(inscan, max: m), schedule(dynamic, 5)] (m: i64 = 0) for i in 0..x.len(); x, out {
        m = m.max(x[i]);
        scan!(inclusive(m));
        out[i] = m;
    }
}

/// Two scan variables, one inclusive scan.
#[parallel]
fn sum_and_count(x: &[i64], sums: &mut [i64], counts: &mut [u32], threads: usize) -> (i64, u32) {
    let (mut s, mut c) = (0i64, 0u32);
    #[parallel_for(num_threads(threads), reduction(inscan, +: s, c))]
    for i in 0..x.len() {
        if x[i] > 0 {
            s += x[i];
            c += 1;
        }
        scan!(inclusive(s, c));
        sums[i] = s;
        counts[i] = c;
    }
    (s, c)
}

#[test]
fn two_variables() {
    for &n in LENGTHS {
        let x = values(n);
        let (mut ws, mut wc) = (vec![0; n], vec![0; n]);
        let (mut s, mut c) = (0, 0);
        for i in 0..n {
            if x[i] > 0 {
                s += x[i];
                c += 1;
            }
            ws[i] = s;
            wc[i] = c;
        }
        for &t in THREADS {
            let (mut gs, mut gc) = (vec![0; n], vec![0; n]);
            assert_eq!(
                sum_and_count(&x, &mut gs, &mut gc, t),
                (s, c),
                "n={n} t={t}"
            );
            assert_eq!((gs, gc), (ws.clone(), wc.clone()), "n={n} t={t}");
        }
    }
}

/// The last value and the longest run of positives so far: a user
/// reducer whose combine is not commutative.
struct Runs;
impl Reducer for Runs {
    /// (length, all positive, run at the end, run at the start, longest).
    type Value = (usize, bool, usize, usize, usize);
    fn identity() -> Self::Value {
        (0, true, 0, 0, 0)
    }
    fn combine(a: &mut Self::Value, b: Self::Value) {
        let end = if b.1 { a.2 + b.0 } else { b.2 };
        let start = if a.1 { a.0 + b.3 } else { a.3 };
        let longest = a.4.max(b.4).max(a.2 + b.3);
        *a = (a.0 + b.0, a.1 && b.1, end, start, longest);
    }
}

fn one(v: i64) -> (usize, bool, usize, usize, usize) {
    let p = usize::from(v > 0);
    (1, v > 0, p, p, p)
}

#[parallel]
fn longest_runs(x: &[i64], out: &mut [usize], threads: usize) -> usize {
    let mut r = Runs::identity();
    #[parallel_for(num_threads(threads), reduction(inscan, Runs: r))]
    for i in 0..x.len() {
        Runs::combine(&mut r, one(x[i]));
        scan!(inclusive(r));
        out[i] = r.4;
    }
    r.4
}

#[test]
fn user_reducer() {
    for &n in LENGTHS {
        let x = values(n);
        let mut want = vec![0; n];
        let mut r = Runs::identity();
        for i in 0..n {
            Runs::combine(&mut r, one(x[i]));
            want[i] = r.4;
        }
        for &t in THREADS {
            let mut out = vec![0; n];
            assert_eq!(longest_runs(&x, &mut out, t), r.4, "n={n} t={t}");
            assert_eq!(out, want, "n={n} t={t}");
        }
    }
}

#[parallel]
fn float_prefix(x: &[f64], out: &mut [f64], threads: usize, deterministic: bool) -> f64 {
    let mut s = 0.0;
    if deterministic {
        #[parallel_for(num_threads(threads), deterministic, reduction(inscan, +: s))]
        for i in 0..x.len() {
            s += x[i];
            scan!(inclusive(s));
            out[i] = s;
        }
    } else {
        #[parallel_for(num_threads(threads), reduction(inscan, +: s))]
        for i in 0..x.len() {
            s += x[i];
            scan!(inclusive(s));
            out[i] = s;
        }
    }
    s
}

#[test]
fn floats_close_and_deterministic_bits() {
    for &n in LENGTHS {
        let x = common::data(n, 31);
        let mut want = vec![0.0; n];
        let mut s = 0.0;
        for i in 0..n {
            s += x[i];
            want[i] = s;
        }
        let mut first: Option<Vec<u64>> = None;
        for &t in THREADS {
            let mut out = vec![0.0; n];
            let got = float_prefix(&x, &mut out, t, false);
            assert!(close(got, s, n), "n={n} t={t}: {got} vs {s}");
            assert!(
                out.iter()
                    .zip(&want)
                    .enumerate()
                    .all(|(k, (a, b))| close(*a, *b, k + 1))
            );
            let mut det = vec![0.0; n];
            let d = float_prefix(&x, &mut det, t, true);
            assert!(close(d, s, n));
            let bits: Vec<u64> = det.iter().map(|v| v.to_bits()).collect();
            match &first {
                None => first = Some(bits),
                Some(b) => assert_eq!(b, &bits, "deterministic differs at t={t}, n={n}"),
            }
        }
    }
}
