//! What the PolyBench tests share: team sizes, and comparisons that say
//! where two results differ.
#![allow(dead_code)]

pub use parallel_polybench::nested;

/// Team sizes every kernel runs at (the machine has 2 cores; 3 and 7
/// oversubscribe on purpose).
pub const THREADS: &[usize] = &[1, 2, 3, 7];

/// A float type compared by its bits, so that NaN equals NaN and `-0.0`
/// does not equal `0.0`.
pub trait Bits: Copy {
    /// The bits.
    fn bits(self) -> u64;
}

impl Bits for f64 {
    fn bits(self) -> u64 {
        self.to_bits()
    }
}

impl Bits for f32 {
    fn bits(self) -> u64 {
        u64::from(self.to_bits())
    }
}

/// `got` is `want`, bit for bit: the parallel loop did exactly what the
/// plain loop does.
#[track_caller]
pub fn same<T: Bits + std::fmt::Debug>(got: &[T], want: &[T], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    if let Some(k) = (0..got.len()).find(|&k| got[k].bits() != want[k].bits()) {
        panic!(
            "{what}: element {k} is {:?}, the plain loop gives {:?}",
            got[k], want[k]
        );
    }
}

/// `same` for nested arrays, row by row.
#[track_caller]
pub fn same_rows<T: Bits + std::fmt::Debug>(got: &[Vec<T>], want: &[Vec<T>], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: row counts differ");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        same(g, w, &format!("{what}, row {i}"));
    }
}

/// `got` agrees with `want` to a relative tolerance scaled by the number of
/// terms summed into each element, as for any float reduction.
#[track_caller]
pub fn close(got: &[f64], want: &[f64], terms: usize, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let tol = 1e-13 * (terms as f64 + 1.0) * (1.0 + scale);
    for k in 0..got.len() {
        assert!(
            (got[k] - want[k]).abs() <= tol,
            "{what}: element {k} is {}, the plain loop gives {} (tolerance {tol})",
            got[k],
            want[k]
        );
    }
}

/// The plain loop changed something: a test whose input is its output
/// could not tell a loop that did nothing from one that worked.
#[track_caller]
pub fn changed<T: Bits>(before: &[T], after: &[T], what: &str) {
    assert!(
        before.len() != after.len() || before.iter().zip(after).any(|(a, b)| a.bits() != b.bits()),
        "{what}: the plain loop left its output as it was; the test would prove nothing"
    );
}

/// `x` plus deterministic pseudo-random values in `[-0.5, 0.5]`: PolyBench's
/// inputs are mostly zeros at tiny sizes (`(i * j + 1) % 1`), where a test
/// could not tell a loop that did nothing from one that worked.
pub fn jitter(mut x: Vec<f64>, seed: u64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for v in &mut x {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        *v += (s % 1001) as f64 / 1000.0 - 0.5;
    }
    x
}

/// The runs of a kernel's two annotated versions (its own schedule, and a
/// second one): the first at every team size of [`THREADS`], the second at
/// 2 and 3 threads. At MINI size (`mini`, the first case of each test) the
/// second runs at 2 threads only: a team larger than the machine costs
/// milliseconds per loop on a loaded host, and some kernels fork a team a
/// hundred times per call.
pub fn runs<F: Copy>(
    mini: bool,
    versions: [(&'static str, F); 2],
) -> Vec<(usize, (&'static str, F))> {
    let [first, second] = versions;
    let mut runs: Vec<_> = THREADS.iter().map(|&t| (t, first)).collect();
    let teams: &[usize] = if mini { &[2] } else { &[2, 3] };
    runs.extend(teams.iter().map(|&t| (t, second)));
    runs
}
