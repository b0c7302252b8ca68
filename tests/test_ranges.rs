//! Range loop forms: every integer type, `..` and `..=`, `.step_by(k)` and
//! `.rev()` in any order, empty and reversed ranges, and ranges touching
//! the type's MIN and MAX, against the values std's iterators yield.

mod common;
use common::THREADS;
use parallel::parallel;

/// A fingerprint of a sequence that does not depend on the visiting order:
/// (count, wrapping sum of a hash, xor of a hash, min, max).
type Print = (u64, u128, u128, i128, i128);

fn mix(v: i128) -> u128 {
    let x = (v as u128).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835);
    x ^ (x >> 61)
}

/// One value into a fingerprint.
fn step(p: Print, v: i128) -> Print {
    (
        p.0 + 1,
        p.1.wrapping_add(mix(v)),
        p.2 ^ mix(v),
        p.3.min(v),
        p.4.max(v),
    )
}

fn print_of(values: impl Iterator<Item = i128>) -> Print {
    let mut p: Print = (0, 0, 0, i128::MAX, i128::MIN);
    for v in values {
        p = step(p, v);
    }
    p
}

macro_rules! range_tests {
    ($($t:ident),*) => {$(
        mod $t {
            use super::*;

            #[parallel]
            fn exclusive(a: $t, b: $t, k: usize, threads: usize) -> [Print; 4] {
                let mut out = [(0, 0, 0, 0, 0); 4];
                let (mut c, mut s, mut x, mut lo, mut hi) = (0u64, 0u128, 0u128, i128::MAX, i128::MIN);
                #[parallel_for(num_threads(threads), reduction(+: c, s), reduction(^: x), reduction(min: lo), reduction(max: hi))]
                for i in (a..b).step_by(k) {
                    let (v, h) = (i as i128, mix(i as i128));
                    c += 1;
                    s = s.wrapping_add(h);
                    x ^= h;
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
                out[0] = (c, s, x, lo, hi);
                let (mut c, mut s, mut x, mut lo, mut hi) = (0u64, 0u128, 0u128, i128::MAX, i128::MIN);
                #[parallel_for(schedule(dynamic, 3), num_threads(threads), reduction(+: c, s), reduction(^: x), reduction(min: lo), reduction(max: hi))]
                for i in (a..=b).rev().step_by(k) {
                    let (v, h) = (i as i128, mix(i as i128));
                    c += 1;
                    s = s.wrapping_add(h);
                    x ^= h;
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
                out[1] = (c, s, x, lo, hi);
                let (mut c, mut s, mut x, mut lo, mut hi) = (0u64, 0u128, 0u128, i128::MAX, i128::MIN);
                #[parallel_for(schedule(guided), num_threads(threads), reduction(+: c, s), reduction(^: x), reduction(min: lo), reduction(max: hi))]
                for i in (a..=b).step_by(k).rev() {
                    let (v, h) = (i as i128, mix(i as i128));
                    c += 1;
                    s = s.wrapping_add(h);
                    x ^= h;
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
                out[2] = (c, s, x, lo, hi);
                let (mut c, mut s, mut x, mut lo, mut hi) = (0u64, 0u128, 0u128, i128::MAX, i128::MIN);
                #[parallel_for(schedule(static, 2), num_threads(threads), reduction(+: c, s), reduction(^: x), reduction(min: lo), reduction(max: hi))]
                for i in (a..b).rev() {
                    let (v, h) = (i as i128, mix(i as i128));
                    c += 1;
                    s = s.wrapping_add(h);
                    x ^= h;
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
                out[3] = (c, s, x, lo, hi);
                out
            }

            fn want(a: $t, b: $t, k: usize) -> [Print; 4] {
                [
                    print_of((a..b).step_by(k).map(|v| v as i128)),
                    print_of((a..=b).rev().step_by(k).map(|v| v as i128)),
                    // std has no `.rev()` after `.step_by()` on most inclusive ranges.
                    print_of((a..=b).step_by(k).collect::<Vec<_>>().into_iter().rev().map(|v| v as i128)),
                    print_of((a..b).rev().map(|v| v as i128)),
                ]
            }

            #[test]
            fn forms_match_std() {
                let (min, max) = (<$t>::MIN, <$t>::MAX);
                let spans: Vec<($t, $t)> = vec![
                    (0, 0), (0, 1), (1, 0), (0, 2), (0, 3), (3, 20), (20, 3),
                    (min, min), (max, max), (min, min + 2), (max - 2, max),
                    (max - 100, max), (min, min + 101), (0, 100),
                ];
                for (a, b) in spans {
                    for k in [1, 2, 3, 7] {
                        for &t in THREADS {
                            assert_eq!(exclusive(a, b, k, t), want(a, b, k), "{}: ({a}, {b}) step {k}, {t} threads", stringify!($t));
                        }
                    }
                }
            }
        }
    )*};
}

range_tests!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

/// The whole of a small type, including both ends.
#[parallel]
fn full_u8(threads: usize) -> Vec<u32> {
    let mut seen = vec![0u32; 256];
    #[parallel_for(num_threads(threads), schedule(dynamic, 5))]
    for b in u8::MIN..=u8::MAX {
        seen[b as usize] += 1;
    }
    seen
}

#[parallel]
fn full_i8(threads: usize) -> (u32, i32, i8, i8) {
    let (mut count, mut sum, mut lo, mut hi) = (0u32, 0i32, 0i8, 0i8);
    #[parallel_for(num_threads(threads), reduction(+: count, sum), reduction(min: lo), reduction(max: hi))]
    for v in i8::MIN..=i8::MAX {
        count += 1;
        sum += v as i32;
        lo = lo.min(v);
        hi = hi.max(v);
    }
    (count, sum, lo, hi)
}

#[test]
fn whole_types_are_exact() {
    for &t in THREADS {
        assert_eq!(full_u8(t), vec![1; 256]);
        assert_eq!(full_i8(t), (256, -128, i8::MIN, i8::MAX));
    }
}

/// A large range of a wide type, written through a lossless cast.
#[parallel]
fn cast_index(lo: i64, hi: i64, threads: usize) -> Vec<i64> {
    let mut t = vec![-1i64; hi.max(0) as usize + 1];
    #[parallel_for(num_threads(threads))]
    for b in lo..hi {
        t[b as usize] = b * 3;
    }
    t
}

#[test]
fn cast_indices_write_their_own_element() {
    for &t in THREADS {
        for (lo, hi) in [(0, 0), (0, 1), (5, 9), (0, 100_003)] {
            let got = cast_index(lo, hi, t);
            let mut want = vec![-1i64; hi as usize + 1];
            for b in lo..hi {
                want[b as usize] = b * 3;
            }
            assert_eq!(got, want);
        }
    }
}

#[test]
fn negative_cast_index_is_caught_before_the_loop() {
    let r = std::panic::catch_unwind(|| cast_index(-2, 5, 2));
    let msg = r
        .err()
        .and_then(|p| p.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert!(msg.contains("-2"), "{msg}");
}
