//! `#[simd_reduce]`, `#[simd]` and `#[parallel_for(simd)]`, checked against
//! the plain loop: integers exactly at every length 0..=67 and at 10^6+1,
//! floats within the documented bound, every other form as the plain loop.

// The update forms are spelled out on purpose: each is one the macro
// must accept as written.
#![allow(clippy::assign_op_pattern)]

mod common;
use common::{THREADS, data, ints};
use parallel::parallel;

/// Every length 0..=67 (all remainders of a 32-lane block, twice) and one
/// large odd one.
fn lengths() -> impl Iterator<Item = usize> {
    (0..=67).chain([1_000_001])
}

/// `|a - b| <= 2 n eps sum|x|`: the bound of the guide's float section.
fn within(a: f64, b: f64, eps: f64, abs_sum: f64, n: usize) -> bool {
    (a - b).abs() <= 2.0 * n as f64 * eps * abs_sum
}

macro_rules! int_ops {
    ($($name:ident: $t:ty, $op:tt, $init:expr, |$acc:ident, $x:ident| $update:expr;)*) => {$(
        #[parallel]
        fn $name(x: &[$t]) -> ($t, $t) {
            let mut $acc: $t = $init;
            for i in 0..x.len() {
                let $x = x[i];
                $acc = $update;
            }
            let want = $acc;
            let mut $acc: $t = $init;
            #[simd_reduce($op: $acc)]
            for i in 0..x.len() {
                let $x = x[i];
                $acc = $update;
            }
            ($acc, want)
        }
    )*

        #[test]
        fn integer_reductions_equal_the_plain_loop() {
            for n in lengths() {
                let raw = ints(n, 1 << 20, 7);
                $(
                    let x: Vec<$t> = raw.iter().map(|&v| v as $t).collect();
                    let (got, want) = $name(&x);
                    assert_eq!(got, want, "{} n={n}", stringify!($name));
                )*
            }
        }
    };
}

int_ops! {
    plus_u64: u64, +, 5, |s, v| s.wrapping_add(v);
    minus_i32: i32, -, 3, |s, v| s.wrapping_sub(v);
    times_u32: u32, *, 1, |s, v| s.wrapping_mul(v | 1);
    and_u16: u16, &, u16::MAX, |s, v| s & (v | 0x8001);
    or_u8: u8, |, 0, |s, v| s | (v & 0x10);
    xor_i64: i64, ^, 9, |s, v| s ^ v;
    min_i16: i16, min, i16::MAX, |s, v| s.min(v);
    max_usize: usize, max, 0, |s, v| s.max(v);
}

#[parallel]
fn logic(x: &[u8]) -> (bool, bool) {
    let (mut all, mut any) = (true, false);
    #[simd_reduce(&&: all, ||: any)]
    for i in 0..x.len() {
        all = all && x[i] < 200;
        any = any || x[i] == 77;
    }
    (all, any)
}

#[test]
fn logical_reductions() {
    for n in lengths() {
        let x: Vec<u8> = ints(n, 256, 3).iter().map(|&v| v as u8).collect();
        let want = (x.iter().all(|&v| v < 200), x.contains(&77));
        assert_eq!(logic(&x), want, "n={n}");
    }
}

#[parallel]
fn float_stats(x: &[f64], y: &[f64]) -> (f64, f64, f64, f64) {
    let (mut dot, mut sq, mut hi, mut lo) = (0.5, 0.0, f64::NEG_INFINITY, f64::INFINITY);
    #[simd_reduce(+: dot, sq, max: hi, min: lo)]
    for i in 0..x.len() {
        dot += x[i] * y[i];
        sq += x[i] * x[i];
        hi = hi.max(x[i].abs());
        lo = lo.min(y[i]);
    }
    (dot, sq, hi, lo)
}

#[test]
fn float_reductions_within_the_bound() {
    for n in lengths() {
        let (x, y) = (data(n, 1), data(n, 2));
        let (dot, sq, hi, lo) = float_stats(&x, &y);
        let want_dot = 0.5 + x.iter().zip(&y).map(|(a, b)| a * b).sum::<f64>();
        let abs = 0.5 + x.iter().zip(&y).map(|(a, b)| (a * b).abs()).sum::<f64>();
        assert!(within(dot, want_dot, f64::EPSILON, abs, n), "n={n}");
        let want_sq: f64 = x.iter().map(|a| a * a).sum();
        assert!(within(sq, want_sq, f64::EPSILON, want_sq, n), "n={n}");
        let want_hi = x.iter().fold(f64::NEG_INFINITY, |m, v| m.max(v.abs()));
        let want_lo = y.iter().fold(f64::INFINITY, |m, &v| m.min(v));
        assert_eq!((hi, lo), (want_hi, want_lo), "n={n}");
    }
}

#[parallel]
fn sum_f32(x: &[f32]) -> f32 {
    let mut s = 0.0f32;
    #[simd_reduce(+: s)]
    for i in 0..x.len() {
        s += x[i];
    }
    s
}

#[test]
fn f32_sum_within_the_bound() {
    for n in lengths() {
        let x: Vec<f32> = data(n, 5).iter().map(|&v| v as f32).collect();
        let want: f64 = x.iter().map(|&v| f64::from(v)).sum();
        let abs: f64 = x.iter().map(|&v| f64::from(v).abs()).sum();
        let got = f64::from(sum_f32(&x));
        assert!(
            within(got, want, f64::from(f32::EPSILON), abs, n),
            "n={n}: {got} vs {want}"
        );
    }
}

/// π by the midpoint rule: a body that uses the loop variable itself.
#[parallel]
fn pi(lo: u32, hi: u32) -> (f64, f64) {
    let step = 1.0 / f64::from(hi);
    let mut want = 0.0;
    for i in lo..hi {
        let x = (f64::from(i) + 0.5) * step;
        want += 4.0 / (1.0 + x * x);
    }
    let mut sum = 0.0;
    #[simd_reduce(+: sum)]
    for i in lo..hi {
        let x = (f64::from(i) + 0.5) * step;
        sum += 4.0 / (1.0 + x * x);
    }
    (sum, want)
}

#[test]
fn a_loop_variable_of_another_type_and_start() {
    for n in lengths() {
        let n = n as u32;
        for lo in [0, 1, 31, 33] {
            let (got, want) = pi(lo.min(n), n);
            assert!(
                within(got, want, f64::EPSILON, want.abs(), n as usize),
                "n={n} lo={lo}"
            );
        }
    }
}

/// `continue`, labelled or not, ends only the iteration; a loop inside the
/// body keeps its own `break` and `continue`.
#[parallel]
fn skipping(x: &[i64]) -> (i64, i64) {
    let mut want = 0i64;
    for &v in x {
        if v % 3 == 0 {
            continue;
        }
        let mut k = 0;
        while k < 5 {
            k += 1;
            if k == 2 {
                continue;
            }
            if k == 4 {
                break;
            }
            want += v * k;
        }
    }
    let mut got = 0i64;
    #[simd_reduce(+: got)]
    'outer: for i in 0..x.len() {
        if x[i] % 3 == 0 {
            continue 'outer;
        }
        if x[i] == -1 {
            continue;
        }
        let mut k = 0;
        while k < 5 {
            k += 1;
            if k == 2 {
                continue;
            }
            if k == 4 {
                break;
            }
            got += x[i] * k;
        }
    }
    (got, want)
}

#[test]
fn continue_ends_only_the_iteration() {
    for n in lengths() {
        let x: Vec<i64> = ints(n, 1000, 9).iter().map(|&v| v as i64).collect();
        let (got, want) = skipping(&x);
        assert_eq!(got, want, "n={n}");
    }
}

/// Forms that do not count up by one run as the plain loop.
#[parallel]
fn other_forms(x: &[i32]) -> [i32; 3] {
    let n = x.len();
    let (mut a, mut b, mut c) = (0i32, 0i32, 0i32);
    #[simd_reduce(+: a)]
    for i in (0..n).rev() {
        a = a.wrapping_add(x[i].wrapping_mul(i as i32 + 1));
    }
    #[simd_reduce(+: b)]
    for i in (0..n).step_by(3) {
        b = b.wrapping_add(x[i]);
    }
    #[simd_reduce(max: c)]
    for i in 1..=n {
        c = c.max(x[i - 1]);
    }
    [a, b, c]
}

#[test]
fn stepped_reversed_and_inclusive_ranges() {
    for n in lengths() {
        let x: Vec<i32> = ints(n, 100, 4).iter().map(|&v| v as i32).collect();
        let mut a = 0i32;
        for i in (0..n).rev() {
            a = a.wrapping_add(x[i].wrapping_mul(i as i32 + 1));
        }
        let b = x.iter().step_by(3).fold(0i32, |s, &v| s.wrapping_add(v));
        let c = x.iter().copied().max().unwrap_or(0).max(0);
        assert_eq!(other_forms(&x), [a, b, c], "n={n}");
    }
}

#[parallel]
fn saxpy(a: f32, x: &[f32], y: &mut [f32]) {
    #[simd]
    for i in 0..y.len() {
        y[i] += a * x[i];
    }
}

/// Writes of several kinds: own elements of a `Vec` and an array, one
/// array read at a neighbour (left as it is), a field of the own element.
#[parallel]
fn writes(x: &[f64], out: &mut Vec<f64>, pts: &mut [(f64, f64)], prefix: &mut [f64]) {
    let mut fixed = [0.0f64; 40];
    #[simd]
    for i in 1..x.len() {
        out[i] = x[i] * 2.0 - x[i - 1];
        pts[i].1 = pts[i].0 + x[i];
        prefix[i] = prefix[i - 1] + x[i];
        if i < fixed.len() {
            fixed[i] = x[i];
        }
    }
    if let Some(v) = out.first_mut() {
        *v = fixed.iter().sum();
    }
}

#[test]
fn simd_writes_equal_the_plain_loop() {
    for n in lengths() {
        let x = data(n, 11);
        let mut y: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let want: Vec<f32> = y
            .iter()
            .zip(&x)
            .map(|(&y, &x)| y + 1.5 * x as f32)
            .collect();
        let xs: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        saxpy(1.5, &xs, &mut y);
        assert_eq!(y, want, "n={n}");

        let mut out = vec![0.0; n];
        let mut pts: Vec<(f64, f64)> = x.iter().map(|&v| (v, 0.0)).collect();
        let mut prefix = vec![1.0; n];
        writes(&x, &mut out, &mut pts, &mut prefix);
        let mut want_out = vec![0.0; n];
        let mut want_prefix = vec![1.0; n];
        for i in 1..n {
            want_out[i] = x[i] * 2.0 - x[i - 1];
            want_prefix[i] = want_prefix[i - 1] + x[i];
        }
        if n > 0 {
            want_out[0] = x.iter().take(40).skip(1).sum();
        }
        assert_eq!(out, want_out, "n={n}");
        assert_eq!(prefix, want_prefix, "n={n}");
        for i in 1..n {
            assert_eq!(pts[i].1, x[i] + x[i], "n={n}");
        }
    }
}

/// An array shorter than the loop: the plain loop runs and panics where
/// the sequential loop does, after the same iterations.
#[parallel]
fn too_short(x: &[u32], n: usize, seen: &mut Vec<usize>) -> u32 {
    let mut s = 0;
    #[simd_reduce(+: s)]
    for i in 0..n {
        seen.push(i);
        s += x[i];
    }
    s
}

#[test]
fn an_array_too_short_panics_like_the_plain_loop() {
    let x = vec![1u32; 40];
    let mut seen = Vec::new();
    assert_eq!(too_short(&x, 40, &mut seen), 40);
    seen.clear();
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        too_short(&x, 41, &mut seen);
    }))
    .unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(
        msg.contains("index out of bounds: the len is 40 but the index is 40"),
        "{msg}"
    );
    assert_eq!(seen, (0..=40).collect::<Vec<_>>());
}

macro_rules! parallel_simd {
    ($($name:ident => ($($sched:tt)*);)*) => {$(
        #[parallel]
        fn $name(x: &[f64], y: &mut [f64], threads: usize) -> (f64, u64, f64) {
            let (mut s, mut c, mut m) = (1.0f64, 0u64, f64::NEG_INFINITY);
            #[parallel_for(simd, schedule($($sched)*), num_threads(threads), reduction(+: s, c), reduction(max: m))]
            for i in 0..x.len() {
                y[i] = 2.0 * x[i];
                s += x[i] * y[i];
                if x[i] > 0.5 {
                    c += 1;
                }
                m = m.max(x[i]);
            }
            (s, c, m)
        }
    )*

        #[test]
        fn parallel_for_simd_equals_the_plain_loop() {
            for n in lengths().chain([100_003]) {
                let x = data(n, 21);
                let want_s = 1.0 + x.iter().map(|v| 2.0 * v * v).sum::<f64>();
                let want_c = x.iter().filter(|&&v| v > 0.5).count() as u64;
                let want_m = x.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                for &threads in THREADS {
                    $(
                        let mut y = vec![0.0; n];
                        let (s, c, m) = $name(&x, &mut y, threads);
                        let what = format!("{} n={n} threads={threads}", stringify!($name));
                        assert!(within(s, want_s, f64::EPSILON, want_s, n), "{what}");
                        assert_eq!((c, m), (want_c, want_m), "{what}");
                        assert!(y.iter().zip(&x).all(|(y, x)| *y == 2.0 * x), "{what}");
                    )*
                }
            }
        }
    };
}

parallel_simd! {
    simd_static => (static);
    simd_static_chunked => (static, 100);
    simd_dynamic => (dynamic, 37);
    simd_guided => (guided);
    simd_auto => (auto);
}

macro_rules! deterministic_simd {
    ($($name:ident => ($($sched:tt)*);)*) => {$(
        #[parallel]
        fn $name(x: &[f64], threads: usize) -> (f64, f32) {
            let (mut s, mut t) = (0.25f64, 0.0f32);
            #[parallel_for(simd, deterministic, schedule($($sched)*), num_threads(threads), reduction(+: s, t))]
            for i in 0..x.len() {
                s += x[i] * x[i] - 0.1;
                t += x[i] as f32;
            }
            (s, t)
        }
    )*

        #[test]
        fn deterministic_simd_is_bit_identical_for_every_team_schedule_and_run() {
            for n in [0, 1, 31, 33, 4095, 4097, 100_003] {
                let x = data(n, 99);
                let bits = |r: (f64, f32)| (r.0.to_bits(), r.1.to_bits());
                let first = bits(det_static(&x, 1));
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

deterministic_simd! {
    det_static => (static);
    det_dynamic => (dynamic);
    det_guided => (guided, 5);
}

/// `#[simd]` inner loops inside `parallel_for`: rows of a row-major matrix
/// (`c[i * n + j]`) and reads at offsets (`src[i * n + j - 1]`) are cut
/// per row.
#[parallel]
fn stencil_and_gemm(n: usize, src: &[f64], dst: &mut [f64], c: &mut [f64], threads: usize) {
    #[parallel_for(num_threads(threads))]
    for i in 1..n - 1 {
        #[simd]
        for j in 1..n - 1 {
            dst[i * n + j] = 0.2
                * (src[i * n + j]
                    + src[i * n + j - 1]
                    + src[i * n + j + 1]
                    + src[(i + 1) * n + j]
                    + src[(i - 1) * n + j]);
        }
    }
    #[parallel_for(num_threads(threads), schedule(dynamic))]
    for i in 0..n {
        #[simd]
        for j in 0..n {
            c[i * n + j] = 0.0;
        }
        for k in 0..n {
            let aik = src[i * n + k];
            #[simd]
            for j in 0..n {
                c[i * n + j] += aik * src[k * n + j];
            }
        }
    }
}

#[test]
fn simd_inner_loops_at_offsets_equal_the_plain_loops() {
    for n in [3, 4, 33, 70] {
        let src = data(n * n, 31);
        let mut want_dst = vec![0.0; n * n];
        let mut want_c = vec![0.0; n * n];
        for i in 1..n - 1 {
            for j in 1..n - 1 {
                want_dst[i * n + j] = 0.2
                    * (src[i * n + j]
                        + src[i * n + j - 1]
                        + src[i * n + j + 1]
                        + src[(i + 1) * n + j]
                        + src[(i - 1) * n + j]);
            }
        }
        for i in 0..n {
            for k in 0..n {
                for j in 0..n {
                    want_c[i * n + j] += src[i * n + k] * src[k * n + j];
                }
            }
        }
        for &threads in THREADS {
            let (mut dst, mut c) = (vec![0.0; n * n], vec![7.0; n * n]);
            stencil_and_gemm(n, &src, &mut dst, &mut c, threads);
            assert_eq!(dst, want_dst, "n={n} threads={threads}");
            assert_eq!(c, want_c, "n={n} threads={threads}");
        }
    }
}

/// `i as f64` / `i as f32` of the loop variable in lanes: computed as the
/// block's first value plus the lane's position while that is exact, as
/// written beyond (2^53, 2^24); the results are the plain loop's, bit for
/// bit (sums of integers that stay exact, and maxima, which any order
/// gives alike).
#[parallel]
fn float_of_index(lo: u64, hi: u64, t: usize) -> (f64, f64, f32, f64) {
    let (mut s, mut m, mut m32, mut r) = (0.0f64, f64::MIN, f32::MIN, 0.0f64);
    #[parallel_for(simd, num_threads(t), reduction(+: s), reduction(max: m, m32))]
    for i in lo..hi {
        s += i as f64 - lo as f64;
        m = m.max(i as f64 * 0.75);
        m32 = m32.max(i as f32 + 0.5);
    }
    #[parallel_for(simd, num_threads(t), reduction(+: r))]
    for i in lo..hi {
        // The body's own `i` hides the loop variable: read as written.
        let i = (i - lo) * 2;
        r += i as f64;
    }
    (s, m, m32, r)
}

#[test]
fn float_conversions_of_the_loop_variable() {
    let big = 1u64 << 53;
    let ranges = [
        (0, 0),
        (0, 1),
        (0, 31),
        (0, 33),
        (5, 1000),
        (0, 100_003),
        ((1 << 24) - 500, (1 << 24) + 500),
        (big - 300, big),
        (big - 300, big + 300),
        (big + 7, big + 1000),
    ];
    for (lo, hi) in ranges {
        let (mut s, mut m, mut m32, mut r) = (0.0f64, f64::MIN, f32::MIN, 0.0f64);
        for i in lo..hi {
            s += i as f64 - lo as f64;
            m = m.max(i as f64 * 0.75);
            m32 = m32.max(i as f32 + 0.5);
        }
        for i in lo..hi {
            let i = (i - lo) * 2;
            r += i as f64;
        }
        for &t in THREADS {
            let got = float_of_index(lo, hi, t);
            assert_eq!(got.0.to_bits(), s.to_bits(), "sum {lo}..{hi} t={t}");
            assert_eq!(got.1.to_bits(), m.to_bits(), "max {lo}..{hi} t={t}");
            assert_eq!(got.2.to_bits(), m32.to_bits(), "max f32 {lo}..{hi} t={t}");
            assert_eq!(got.3.to_bits(), r.to_bits(), "rebound {lo}..{hi} t={t}");
        }
    }
}
