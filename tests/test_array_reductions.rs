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

/// A reducer whose combine is associative but not commutative: the partials
/// of a `deterministic` loop are combined in iteration order; without
/// `deterministic`, in an order that depends on which member ran which
/// chunk (OpenMP asks for commutative reductions), so the text holds the
/// same characters in pieces of another order.
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

#[parallel]
fn digits(n: usize, threads: usize) -> (String, String) {
    let mut text = String::from(">");
    #[parallel_for(num_threads(threads), deterministic, reduction(Concat: text))]
    for i in 0..n {
        text.push(char::from(b'0' + (i % 10) as u8));
    }
    let mut any = String::from(">");
    #[parallel_for(num_threads(threads), reduction(Concat: any))]
    for i in 0..n {
        any.push(char::from(b'0' + (i % 10) as u8));
    }
    (text, any)
}

#[test]
fn deterministic_keeps_partials_in_order() {
    for &n in LENGTHS {
        let want: String = std::iter::once('>')
            .chain((0..n).map(|i| char::from(b'0' + (i % 10) as u8)))
            .collect();
        for &t in THREADS {
            let (text, any) = digits(n, t);
            assert_eq!(text, want, "n={n} t={t}");
            let sorted = |s: &str| {
                let mut c: Vec<char> = s.chars().collect();
                c.sort();
                c
            };
            assert!(any.starts_with('>'), "n={n} t={t}");
            assert_eq!(sorted(&any), sorted(&want), "n={n} t={t}");
        }
    }
}
