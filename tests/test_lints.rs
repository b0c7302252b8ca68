//! No lint noise: what the macros generate draws no warning on the user's
//! own code. This file is compiled with every warning an error, and holds
//! each directive and clause with the forms a user writes: parenthesized
//! range bounds, casts and method calls in bounds, `..=`, `.step_by`,
//! `.rev()`. Each function is also run against its plain loop, so none is
//! dead code. (`distributed` needs the feature `mpi`: not here.)

#![deny(warnings)]

use parallel::{Reducer, parallel, scan, thread_num};

/// Parenthesized bounds, casts and method calls in bounds.
#[parallel]
fn bounds(n: u32, y: &mut [u64]) -> u64 {
    let mut s = 0;
    #[parallel_for(reduction(+: s))]
    for i in 0..(n as usize) {
        for j in 0..(i * 3) {
            s += j as u64;
        }
    }
    #[parallel_for]
    for i in (0)..(y.len()) {
        y[i] = (i as u64) * 2;
    }
    #[parallel_for(reduction(+: s))]
    for i in (1..=(n / 2)).rev() {
        s += u64::from(i);
    }
    #[parallel_for(reduction(+: s))]
    for i in (0..y.len()).step_by(3) {
        s += y[i];
    }
    #[parallel_for(reduction(+: s))]
    for i in 0..n as usize {
        s += (i as u64).pow(2);
    }
    s
}

fn bounds_plain(n: u32, y: &mut [u64]) -> u64 {
    let mut s = 0;
    for i in 0..n as usize {
        for j in 0..i * 3 {
            s += j as u64;
        }
    }
    for (i, v) in y.iter_mut().enumerate() {
        *v = i as u64 * 2;
    }
    s += (1..=n / 2).map(u64::from).sum::<u64>();
    s += y.iter().step_by(3).sum::<u64>();
    s += (0..n as u64).map(|i| i * i).sum::<u64>();
    s
}

/// The iterator loop forms.
#[parallel]
fn iterators(x: &[f64], out: &mut [f64], blocks: &mut [f64]) -> f64 {
    let mut s = 0.0;
    #[parallel_for(reduction(+: s))]
    for (a, b) in x.iter().zip(out.iter()) {
        s += a * (b + 1.0);
    }
    #[parallel_for]
    for (i, v) in out.iter_mut().enumerate() {
        *v = (i as f64) * 2.0;
    }
    #[parallel_for]
    for c in blocks.chunks_mut(4) {
        c[0] = (c.len()) as f64;
    }
    #[parallel_for(reduction(+: s))]
    for c in x.chunks(3) {
        s += c[0];
    }
    s
}

/// Every schedule, `num_threads`, `if`, `min_len`, `proc_bind`,
/// `deterministic`, `default(none)` with `shared`.
#[parallel]
fn schedules(x: &[f64], threads: usize) -> [f64; 7] {
    let (mut a, mut b, mut c, mut d, mut e, mut f, mut g) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    #[parallel_for(schedule(static), reduction(+: a))]
    for i in 0..x.len() {
        a += x[i];
    }
    #[parallel_for(schedule(static, 4), num_threads(threads), reduction(+: b))]
    for i in 0..x.len() {
        b += x[i];
    }
    #[parallel_for(schedule(dynamic, (2)), reduction(+: c), min_len(8))]
    for i in 0..x.len() {
        c += x[i];
    }
    #[parallel_for(schedule(guided), reduction(+: d), if(x.len() > 10))]
    for i in 0..x.len() {
        d += x[i];
    }
    #[parallel_for(schedule(auto), reduction(+: e), proc_bind(close))]
    for i in 0..x.len() {
        e += x[i];
    }
    #[parallel_for(schedule(runtime), deterministic, reduction(+: f))]
    for i in 0..x.len() {
        f += x[i];
    }
    #[parallel_for(default(none), shared(x), reduction(+: g))]
    for i in 0..x.len() {
        g += x[i];
    }
    [a, b, c, d, e, f, g]
}

/// Every built-in reduction operator, and `collapse(2)`.
#[parallel]
fn operators(v: &[u64], m: usize) -> (u64, u64, i64, u64, u64, u64, u64, u64, bool, bool) {
    let (mut sum, mut prod, mut diff) = (0u64, 1u64, 0i64);
    let (mut and, mut or, mut xor) = (u64::MAX, 0u64, 0u64);
    let (mut lo, mut hi) = (u64::MAX, 0u64);
    let (mut all, mut any) = (true, false);
    #[parallel_for(reduction(+: sum), reduction(*: prod), reduction(-: diff))]
    for i in 0..v.len() {
        sum += v[i];
        prod = prod.wrapping_mul(v[i] % 3 + 1);
        diff -= v[i] as i64;
    }
    #[parallel_for(reduction(&: and), reduction(|: or), reduction(^: xor), reduction(min: lo), reduction(max: hi))]
    for i in 0..v.len() {
        and &= v[i] | 1;
        or |= v[i];
        xor ^= v[i];
        lo = lo.min(v[i]);
        hi = hi.max(v[i]);
    }
    #[parallel_for(collapse(2), reduction(&&: all), reduction(||: any))]
    for i in 0..(v.len() / m) {
        for j in 0..m {
            all = all && v[i * m + j] < 1000;
            any = any || v[i * m + j] == 7;
        }
    }
    (sum, prod, diff, and, or, xor, lo, hi, all, any)
}

fn operators_plain(v: &[u64]) -> (u64, u64, i64, u64, u64, u64, u64, u64, bool, bool) {
    (
        v.iter().sum(),
        v.iter().fold(1u64, |p, x| p.wrapping_mul(x % 3 + 1)),
        -v.iter().map(|&x| x as i64).sum::<i64>(),
        v.iter().fold(u64::MAX, |a, x| a & (x | 1)),
        v.iter().fold(0, |a, x| a | x),
        v.iter().fold(0, |a, x| a ^ x),
        v.iter().copied().min().unwrap_or(u64::MAX),
        v.iter().copied().max().unwrap_or(0),
        v.iter().all(|&x| x < 1000),
        v.contains(&7),
    )
}

/// A user-defined reducer.
struct Longest;

impl Reducer for Longest {
    type Value = usize;
    fn identity() -> usize {
        0
    }
    fn combine(acc: &mut usize, other: usize) {
        *acc = (*acc).max(other);
    }
}

/// What `clauses` computes: minloc, maxloc, the user reduction, the
/// histogram, the total and the last index.
type Clauses = ((f64, usize), (f64, usize), usize, [u32; 4], f64, usize);

/// `minloc`, `maxloc`, a user reducer, an array reduction, `private`,
/// `firstprivate`, `lastprivate`.
#[parallel]
fn clauses(x: &[f64]) -> Clauses {
    let mut best = (f64::INFINITY, 0);
    let mut worst = (f64::NEG_INFINITY, 0);
    let mut longest = 0;
    let mut bins = [0u32; 4];
    let mut scratch = vec![0.0; 2];
    let offset = 0.5;
    let mut total = 0.0;
    let mut last = 0;
    #[parallel_for(reduction(minloc: best), reduction(maxloc: worst), reduction(Longest: longest))]
    for i in 0..x.len() {
        if x[i] < best.0 {
            best = (x[i], i);
        }
        if x[i] > worst.0 {
            worst = (x[i], i);
        }
        Longest::combine(&mut longest, (x[i] as usize) % 13);
    }
    #[parallel_for(reduction(+: bins), private(scratch), firstprivate(offset), lastprivate(last), reduction(+: total))]
    for i in 0..x.len() {
        bins[(x[i] as usize) % 4] += 1;
        scratch[0] = x[i];
        scratch[1] = offset;
        total += scratch[0] + scratch[1];
        last = i;
    }
    (best, worst, longest, bins, total, last)
}

/// `simd`, `simd_reduce`, `parallel_for(simd)`, with parenthesized bounds.
#[parallel]
fn vectorized(a: f32, x: &[f32], y: &mut [f32]) -> (f32, f32, f32) {
    let (mut sum, mut top, mut s) = (0.0f32, 0.0f32, 0.0f32);
    #[simd_reduce(+: sum, max: top)]
    for i in 0..(x.len()) {
        sum += x[i] * x[i];
        top = top.max(x[i].abs());
    }
    #[simd]
    for i in (0)..(y.len()) {
        y[i] += a * x[i];
    }
    #[parallel_for(simd, reduction(+: s))]
    for i in 0..(y.len() as u64) as usize {
        s += y[i];
    }
    (sum, top, s)
}

/// `#[atomic]`, `#[critical]`, `#[critical(name)]`, `thread_num()`.
#[parallel]
fn synchronized(x: &[u32]) -> (u64, Vec<u32>, u64) {
    let mut total = 0u64;
    let mut big = Vec::new();
    let mut members = 0u64;
    #[parallel_for(num_threads(2))]
    for i in 0..(x.len()) {
        #[atomic]
        total += u64::from(x[i]);
        if x[i] > 90 {
            #[critical]
            {
                big.push(x[i]);
            }
        }
        #[critical(team)]
        {
            members |= 1 << thread_num();
        }
    }
    big.sort();
    (total, big, members)
}

/// Both scans.
#[parallel]
fn scans(x: &[u64], inclusive: &mut [u64], exclusive: &mut [u64]) -> (u64, u64) {
    let (mut a, mut b) = (0, 0);
    #[parallel_for(reduction(inscan, +: a))]
    for i in 0..(x.len()) {
        a += x[i];
        scan!(inclusive(a));
        inclusive[i] = a;
    }
    #[parallel_for(reduction(inscan, +: b))]
    for i in 0..x.len() {
        exclusive[i] = b;
        scan!(exclusive(b));
        b += x[i];
    }
    (a, b)
}

/// Task groups and sections.
#[parallel]
fn fib(n: u64) -> u64 {
    if n < 12 {
        return if n < 2 { n } else { fib(n - 1) + fib(n - 2) };
    }
    let (mut a, mut b) = (0, 0);
    #[taskgroup]
    {
        #[task]
        {
            a = fib(n - 1);
        }
        #[task]
        {
            b = fib(n - 2);
        }
    }
    a + b
}

#[parallel]
fn halves(v: &mut [u64]) -> (u64, u64) {
    let (left, right) = v.split_at_mut(v.len() / 2);
    let (mut l, mut r) = (0, 0);
    #[sections(num_threads((1 + 1)))]
    {
        #[section]
        {
            l = left.iter().sum();
        }
        #[section]
        {
            r = right.iter().sum();
        }
    }
    (l, r)
}

#[test]
fn each_function_computes_what_its_plain_loop_computes() {
    let mut y = vec![0; 37];
    let mut y_plain = vec![0; 37];
    assert_eq!(bounds(21, &mut y), bounds_plain(21, &mut y_plain));
    assert_eq!(y, y_plain);

    let x: Vec<f64> = (0..200).map(|i| f64::from(i % 17)).collect();
    let (mut out, mut blocks) = (vec![1.0; 150], vec![0.0; 10]);
    let s = iterators(&x, &mut out, &mut blocks);
    let dot: f64 = x
        .iter()
        .zip(&vec![1.0; 150])
        .map(|(a, b)| a * (b + 1.0))
        .sum();
    let firsts: f64 = x.chunks(3).map(|c| c[0]).sum();
    assert_eq!(s, dot + firsts);
    assert_eq!(
        (out[149], blocks[0], blocks[4], blocks[8]),
        (298.0, 4.0, 4.0, 2.0)
    );

    let want: f64 = x.iter().sum();
    assert!(schedules(&x, 3).iter().all(|&s| s == want));

    let v: Vec<u64> = (0..120).map(|i| (i * 7) % 101).collect();
    assert_eq!(operators(&v, 6), operators_plain(&v));

    let (best, worst, longest, bins, total, last) = clauses(&x);
    assert_eq!(
        (best, worst, longest, last),
        ((0.0, 0), (16.0, 16), 12, 199)
    );
    assert_eq!(bins.iter().sum::<u32>(), 200);
    assert_eq!(total, want + 100.0);

    let xf: Vec<f32> = (0..100).map(|i| (i % 7) as f32 - 3.0).collect();
    let mut yf = vec![1.0; 100];
    let (sum, top, s) = vectorized(2.0, &xf, &mut yf);
    assert_eq!((top, yf[3]), (3.0, 1.0));
    assert_eq!(sum, xf.iter().map(|v| v * v).sum::<f32>());
    assert_eq!(s, yf.iter().sum::<f32>());

    let xu: Vec<u32> = (0..100).collect();
    let (total, big, members) = synchronized(&xu);
    assert_eq!((total, big.len()), (4950, 9));
    assert!(members == 1 || members == 3);

    let xs: Vec<u64> = (1..=10).collect();
    let (mut inc, mut exc) = (vec![0; 10], vec![0; 10]);
    assert_eq!(scans(&xs, &mut inc, &mut exc), (55, 55));
    assert_eq!((inc[9], exc[9]), (55, 45));

    assert_eq!(fib(20), 6765);
    let mut h: Vec<u64> = (0..10).collect();
    assert_eq!(halves(&mut h), (10, 35));
}
