//! Whole-array reductions (`[T; N]`, `Vec<T>`, `&mut [T]`) and user-defined
//! reducers, against the sequential loop.

mod common;
use common::{LENGTHS, THREADS, ints};
use parallel::{Reducer, parallel};

#[parallel]
fn histograms(data: &[u64], bins: &mut [u32], threads: usize) -> (Vec<u64>, [u16; 8]) {
    let mut wide = vec![0u64; 16];
    let mut small = [0u16; 8];
    #[parallel_for(num_threads(threads), schedule(dynamic, 7), reduction(+: bins, wide, small))]
    for i in 0..data.len() {
        bins[data[i] as usize] += 1;
        wide[(data[i] % 16) as usize] += data[i];
        if data[i] < 8 {
            small[data[i] as usize] += 1;
        }
    }
    (wide, small)
}

#[test]
fn histograms_match_the_sequential_loop() {
    for &n in LENGTHS {
        let data = ints(n, 64, 3);
        let mut want_bins = vec![5u32; 64];
        let mut want_wide = vec![0u64; 16];
        let mut want_small = [0u16; 8];
        for &d in &data {
            want_bins[d as usize] += 1;
            want_wide[(d % 16) as usize] += d;
            if d < 8 {
                want_small[d as usize] += 1;
            }
        }
        for &t in THREADS {
            let mut bins = vec![5u32; 64];
            let (wide, small) = histograms(&data, &mut bins, t);
            assert_eq!(bins, want_bins, "n={n} t={t}");
            assert_eq!(wide, want_wide, "n={n} t={t}");
            assert_eq!(small, want_small, "n={n} t={t}");
        }
    }
}

#[parallel]
fn column_extremes(m: &[i64], cols: usize, threads: usize) -> (Vec<i64>, Vec<i64>) {
    let rows = m.len() / cols;
    let mut lo = vec![i64::MAX; cols];
    let mut hi = vec![i64::MIN; cols];
    #[parallel_for(num_threads(threads), reduction(min: lo), reduction(max: hi))]
    for i in 0..rows {
        for j in 0..cols {
            lo[j] = lo[j].min(m[i * cols + j]);
            hi[j] = hi[j].max(m[i * cols + j]);
        }
    }
    (lo, hi)
}

#[test]
fn element_wise_min_and_max() {
    for &rows in &[0, 1, 3, 17, 1009] {
        let cols = 5;
        let m: Vec<i64> = ints(rows * cols, 1000, 8)
            .iter()
            .map(|&x| x as i64 - 500)
            .collect();
        let mut want = (vec![i64::MAX; cols], vec![i64::MIN; cols]);
        for i in 0..rows {
            for j in 0..cols {
                want.0[j] = want.0[j].min(m[i * cols + j]);
                want.1[j] = want.1[j].max(m[i * cols + j]);
            }
        }
        for &t in THREADS {
            assert_eq!(column_extremes(&m, cols, t), want, "rows={rows} t={t}");
        }
    }
}

/// Count, sum, min and max in one pass: a user-defined reduction.
#[derive(Clone, Debug, PartialEq)]
struct Stats {
    count: u64,
    sum: u64,
    min: u64,
    max: u64,
}

struct Merge;

impl Reducer for Merge {
    type Value = Stats;
    fn identity() -> Stats {
        Stats {
            count: 0,
            sum: 0,
            min: u64::MAX,
            max: 0,
        }
    }
    fn combine(acc: &mut Stats, other: Stats) {
        acc.count += other.count;
        acc.sum += other.sum;
        acc.min = acc.min.min(other.min);
        acc.max = acc.max.max(other.max);
    }
}

#[parallel]
fn stats(data: &[u64], threads: usize) -> Stats {
    let mut s = Merge::identity();
    #[parallel_for(num_threads(threads), schedule(guided), reduction(Merge: s))]
    for i in 0..data.len() {
        Merge::combine(
            &mut s,
            Stats {
                count: 1,
                sum: data[i],
                min: data[i],
                max: data[i],
            },
        );
    }
    s
}

#[test]
fn user_defined_reducer() {
    for &n in LENGTHS {
        let data = ints(n, 1_000_000, 5);
        let mut want = Merge::identity();
        for &d in &data {
            Merge::combine(
                &mut want,
                Stats {
                    count: 1,
                    sum: d,
                    min: d,
                    max: d,
                },
            );
        }
        for &t in THREADS {
            assert_eq!(stats(&data, t), want, "n={n} t={t}");
        }
    }
}

/// A reducer whose combine is associative but not commutative: its
/// partials are combined in the loop's order under every schedule, so the
/// text is the plain loop's.
struct Concat;

impl Reducer for Concat {
    type Value = String;
    fn identity() -> String {
        String::new()
    }
    fn combine(acc: &mut String, other: String) {
        acc.push_str(&other);
    }
}

fn digit(i: usize) -> String {
    char::from(b'0' + (i % 10) as u8).to_string()
}

#[parallel]
fn digits(n: usize, threads: usize) -> [String; 4] {
    let (mut a, mut b, mut c, mut d) = (
        ">".to_owned(),
        ">".to_owned(),
        ">".to_owned(),
        ">".to_owned(),
    );
    #[parallel_for(num_threads(threads), deterministic, reduction(Concat: a))]
    for i in 0..n {
        Concat::combine(&mut a, digit(i));
    }
    #[parallel_for(num_threads(threads), reduction(Concat: b))]
    for i in 0..n {
        Concat::combine(&mut b, digit(i));
    }
    #[parallel_for(num_threads(threads), schedule(dynamic, 3), reduction(Concat: c))]
    for i in 0..n {
        Concat::combine(&mut c, digit(i));
    }
    #[parallel_for(num_threads(threads), schedule(guided), reduction(Concat: d))]
    for i in (0..n).rev() {
        Concat::combine(&mut d, digit(i));
    }
    [a, b, c, d]
}

#[test]
fn partials_combine_in_the_loop_order() {
    for &n in LENGTHS {
        let want: String = std::iter::once(">".to_owned())
            .chain((0..n).map(digit))
            .collect();
        let back: String = std::iter::once(">".to_owned())
            .chain((0..n).rev().map(digit))
            .collect();
        for &t in THREADS {
            let [a, b, c, d] = digits(n, t);
            assert_eq!(
                [a, b, c],
                [want.clone(), want.clone(), want.clone()],
                "n={n} t={t}"
            );
            assert_eq!(d, back, "n={n} t={t}");
        }
    }
}
