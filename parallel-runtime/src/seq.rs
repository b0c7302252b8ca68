//! Integer loop sequences: what `a..b`, `a..=b`, `.step_by(k)` and `.rev()` yield,
//! as an affine map from the 0-based iteration number `t` to the loop value.

use core::fmt;

use crate::sealed::Sealed;

/// An integer type a `parallel_for` loop can count with.
///
/// Implemented for every primitive integer type (`i8` ..= `i128`, `u8` ..= `u128`,
/// `isize`, `usize`) and sealed: the driver relies on the exact wrapping arithmetic
/// of these types. The `__`-prefixed methods are an implementation detail.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{LoopIndex, Seq};
///
/// fn values<T: LoopIndex>(seq: Seq<T>) -> Vec<T> {
///     (0..seq.len()).map(|t| seq.get(t)).collect()
/// }
/// assert_eq!(values(Seq::range(-2i16, 2)), [-2, -1, 0, 1]);
/// ```
pub trait LoopIndex:
    Copy + Send + Sync + 'static + Ord + fmt::Debug + fmt::Display + Sealed
{
    #[doc(hidden)]
    const __ONE: Self;
    #[doc(hidden)]
    fn __wrapping_add(self, rhs: Self) -> Self;
    #[doc(hidden)]
    fn __wrapping_mul(self, rhs: Self) -> Self;
    #[doc(hidden)]
    fn __wrapping_neg(self) -> Self;
    /// `t` reduced modulo 2^bits (the same bits as `t as Self`).
    #[doc(hidden)]
    fn __from_usize_wrapping(t: usize) -> Self;
    /// `t` reduced modulo 2^bits.
    #[doc(hidden)]
    fn __from_u128_wrapping(t: u128) -> Self;
    /// `hi - lo` for `lo <= hi`, exact.
    #[doc(hidden)]
    fn __distance(lo: Self, hi: Self) -> u128;
    /// The value as a `usize`, if it is one.
    #[doc(hidden)]
    fn __to_usize(self) -> Option<usize>;
    /// `self as usize` (only meaningful after `__to_usize` said it fits).
    #[doc(hidden)]
    fn __as_usize(self) -> usize;
}

macro_rules! impl_loop_index {
    ($($t:ty => $u:ty),* $(,)?) => {$(
        impl LoopIndex for $t {
            const __ONE: Self = 1;
            #[inline(always)]
            fn __wrapping_add(self, rhs: Self) -> Self {
                self.wrapping_add(rhs)
            }
            #[inline(always)]
            fn __wrapping_mul(self, rhs: Self) -> Self {
                self.wrapping_mul(rhs)
            }
            #[inline(always)]
            fn __wrapping_neg(self) -> Self {
                self.wrapping_neg()
            }
            #[inline(always)]
            fn __from_usize_wrapping(t: usize) -> Self {
                t as Self
            }
            #[inline(always)]
            fn __from_u128_wrapping(t: u128) -> Self {
                t as Self
            }
            #[inline(always)]
            fn __distance(lo: Self, hi: Self) -> u128 {
                hi.wrapping_sub(lo) as $u as u128
            }
            #[inline(always)]
            fn __to_usize(self) -> Option<usize> {
                usize::try_from(self).ok()
            }
            #[inline(always)]
            fn __as_usize(self) -> usize {
                self as usize
            }
        }
    )*};
}

impl_loop_index! {
    i8 => u8, i16 => u16, i32 => u32, i64 => u64, i128 => u128, isize => usize,
    u8 => u8, u16 => u16, u32 => u32, u64 => u64, u128 => u128, usize => usize,
}

/// The values of an integer loop: `lo..hi` or `lo..=hi`, then any chain of
/// `.step_by(k)` and `.rev()`, as the affine map `t -> first + t * step`
/// (wrapping arithmetic) over the iteration numbers `t` in `0..len()`.
///
/// The values are exactly the ones std's iterators yield, in the same order,
/// for every integer type, including ranges that touch `MIN` or `MAX`. The
/// sequence is strictly monotone, which is what lets the driver hand disjoint
/// chunks of iterations disjoint windows of an array.
///
/// # Examples
///
/// ```
/// use parallel_runtime::Seq;
///
/// let seq = Seq::range(0u32, 10).step_by(3).rev();
/// let values: Vec<u32> = (0..seq.len()).map(|t| seq.get(t)).collect();
/// assert_eq!(values, (0u32..10).step_by(3).rev().collect::<Vec<_>>());
/// assert_eq!(values, [9, 6, 3, 0]);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Seq<T: LoopIndex> {
    /// The value at `t == 0`.
    first: T,
    /// The difference between consecutive values, as the bits of a `T` (wrapping,
    /// so a descending sequence of an unsigned type has a "negative" step).
    step: T,
    /// The iteration number of the last value, `len - 1`; `None` when empty.
    /// Kept as `u128` so that `0..=u64::MAX` (2^64 values) can still be stepped
    /// down to a countable length.
    last: Option<u128>,
}

impl<T: LoopIndex> Seq<T> {
    /// The values of `lo..hi`: empty if `hi <= lo`.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::Seq;
    ///
    /// assert_eq!(Seq::range(3i8, 7).len(), 4);
    /// assert_eq!(Seq::range(3i8, 7).get(1), 4);
    /// assert!(Seq::range(7i8, 3).is_empty());
    /// ```
    pub fn range(lo: T, hi: T) -> Self {
        Seq {
            first: lo,
            step: T::__ONE,
            last: (lo < hi).then(|| T::__distance(lo, hi) - 1),
        }
    }

    /// The values of `lo..=hi`: empty if `hi < lo`; exact at `T::MIN` and `T::MAX`.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::Seq;
    ///
    /// let all = Seq::range_inclusive(u8::MIN, u8::MAX);
    /// assert_eq!(all.len(), 256);
    /// assert_eq!(all.get(255), 255);
    /// assert!(Seq::range_inclusive(1u8, 0).is_empty());
    /// ```
    pub fn range_inclusive(lo: T, hi: T) -> Self {
        Seq {
            first: lo,
            step: T::__ONE,
            last: (lo <= hi).then(|| T::__distance(lo, hi)),
        }
    }

    /// Every `k`-th value, starting with the first, like [`Iterator::step_by`].
    ///
    /// # Panics
    ///
    /// If `k == 0`, with std's message for `step_by(0)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::Seq;
    ///
    /// let seq = Seq::range(0i32, 10).step_by(4);
    /// assert_eq!((seq.len(), seq.get(0), seq.get(1), seq.get(2)), (3, 0, 4, 8));
    /// ```
    #[track_caller]
    pub fn step_by(self, k: usize) -> Self {
        assert!(k != 0, "assertion failed: step != 0");
        Seq {
            first: self.first,
            step: self.step.__wrapping_mul(T::__from_usize_wrapping(k)),
            last: self.last.map(|last| last / k as u128),
        }
    }

    /// The same values in reverse order, like [`Iterator::rev`].
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::Seq;
    ///
    /// let seq = Seq::range_inclusive(250u8, 255).rev();
    /// assert_eq!((seq.get(0), seq.get(5)), (255, 250));
    /// ```
    pub fn rev(self) -> Self {
        match self.last {
            None => self,
            Some(last) => Seq {
                first: self
                    .first
                    .__wrapping_add(T::__from_u128_wrapping(last).__wrapping_mul(self.step)),
                step: self.step.__wrapping_neg(),
                last: self.last,
            },
        }
    }

    /// The trip count: how many values the loop takes.
    ///
    /// # Panics
    ///
    /// If the loop has more than `usize::MAX` iterations (only possible for
    /// 64- and 128-bit types, e.g. `0..=u64::MAX` on a 64-bit target).
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::Seq;
    ///
    /// assert_eq!(Seq::range(-128i8, 127).len(), 255);
    /// assert_eq!(Seq::range_inclusive(0u64, u64::MAX).step_by(2).len(), 1 << 63);
    /// ```
    #[track_caller]
    #[inline]
    pub fn len(&self) -> usize {
        match self.last {
            None => 0,
            Some(last) if last < usize::MAX as u128 => last as usize + 1,
            Some(last) => too_many_iterations(last),
        }
    }

    /// Whether the loop runs no iteration at all.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::Seq;
    ///
    /// assert!(Seq::range(5usize, 5).is_empty());
    /// assert!(!Seq::range_inclusive(5usize, 5).is_empty());
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.last.is_none()
    }

    /// The value of iteration `t` (for `t < len()`): `first + t * step` in
    /// wrapping arithmetic, an affine induction variable LLVM can vectorize.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::Seq;
    ///
    /// let seq = Seq::range_inclusive(i8::MIN, i8::MAX).step_by(100).rev();
    /// assert_eq!((seq.get(0), seq.get(1), seq.get(2)), (72, -28, -128));
    /// ```
    #[inline(always)]
    pub fn get(&self, t: usize) -> T {
        self.first
            .__wrapping_add(T::__from_usize_wrapping(t).__wrapping_mul(self.step))
    }

    /// The values of iterations `lo..hi` as a plain `Range<T>`, when the
    /// sequence counts up by one and the range's end does not overflow `T`;
    /// `None` otherwise (and for an empty chunk).
    ///
    /// A loop over a `Range` is what LLVM vectorizes best, so the generated
    /// code runs a chunk this way whenever it can and falls back to
    /// [`Seq::get`] for stepped, reversed or `MAX`-touching sequences.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::Seq;
    ///
    /// assert_eq!(Seq::range(10usize, 20).unit_range(2, 5), Some(12..15));
    /// assert_eq!(Seq::range(0u8, 10).rev().unit_range(0, 3), None);
    /// assert_eq!(Seq::range_inclusive(250u8, 255).unit_range(0, 6), None);
    /// assert_eq!(Seq::range_inclusive(250u8, 255).unit_range(0, 5), Some(250..255));
    /// ```
    #[inline(always)]
    pub fn unit_range(&self, lo: usize, hi: usize) -> Option<core::ops::Range<T>> {
        if self.step != T::__ONE || hi <= lo {
            return None;
        }
        let (start, last) = (self.get(lo), self.get(hi - 1));
        let end = last.__wrapping_add(T::__ONE);
        (end > last).then_some(start..end)
    }
}

/// The iterations of a loop as the driver sees them: how many there are,
/// and the array index that each one owns when the loop splits arrays.
///
/// # Safety
///
/// Once `check_indices` has returned, `index` must be strictly monotone in
/// `t` over `0..len()`: the driver gives disjoint chunks of iterations the
/// windows `index(first) ..= index(last)`, and relies on them being disjoint.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{Iterations, Seq};
///
/// let seq = Seq::range(2u8, 9).step_by(3);
/// seq.check_indices();
/// assert_eq!((seq.len(), seq.index(1)), (3, 5));
/// ```
pub unsafe trait Iterations: Sync {
    /// The trip count.
    fn len(&self) -> usize;
    /// Whether there is no iteration.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Panics, naming the problem, unless every iteration's index is a
    /// valid `usize`. Called once before a loop that splits arrays.
    fn check_indices(&self);
    /// The index iteration `t` owns (meaningful after `check_indices`).
    fn index(&self, t: usize) -> usize;
}

// SAFETY: a `Seq` is strictly monotone, and `as usize` of values between
// two valid indices (checked: the first and the last) is exact and monotone.
unsafe impl<T: LoopIndex> Iterations for Seq<T> {
    fn len(&self) -> usize {
        Seq::len(self)
    }
    #[track_caller]
    fn check_indices(&self) {
        if let Some(last) = Seq::len(self).checked_sub(1) {
            check_index(self.get(0));
            check_index(self.get(last));
        }
    }
    #[inline(always)]
    fn index(&self, t: usize) -> usize {
        self.get(t).__as_usize()
    }
}

/// Checks that a loop value is a valid index.
#[inline]
#[track_caller]
fn check_index<T: LoopIndex>(value: T) {
    if value.__to_usize().is_none() {
        bad_index(value);
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn bad_index<T: LoopIndex>(value: T) -> ! {
    panic!(
        "the loop variable takes the value {value}, which is not a valid index \
         (x[i as usize] needs 0 <= i <= usize::MAX)"
    )
}

/// One more than the largest value of `seq` as an index: the row length
/// that holds every `j` of an inner loop (0 for an empty loop or values that
/// are not indices; `Flat2`'s check then names the problem).
///
/// # Examples
///
/// ```
/// use parallel_runtime::{index_span, Seq};
///
/// assert_eq!(index_span(&Seq::range(2usize, 7)), 7);
/// assert_eq!(index_span(&Seq::range(0u8, 10).rev()), 10);
/// assert_eq!(index_span(&Seq::range(0i32, 0)), 0);
/// ```
pub fn index_span<T: LoopIndex>(seq: &Seq<T>) -> usize {
    match Seq::len(seq).checked_sub(1) {
        Some(last) => {
            let top = seq.get(0).max(seq.get(last));
            top.__to_usize().map_or(0, |v| v.saturating_add(1))
        }
        None => 0,
    }
}

/// The iterations of `collapse(2)` over `for i in outer { for j in inner }`,
/// in the nest's order: iteration `t` is `(outer[t / n], inner[t % n])` with
/// `n = inner.len()`, and owns the row-major element `i * width + j`.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{Flat2, Iterations, Seq};
///
/// // for i in 1..3 { for j in 1..4 { c[i * 5 + j] } }
/// let flat = Flat2::new(Seq::range(1usize, 3), Seq::range(1usize, 4), 5);
/// flat.check_indices();
/// assert_eq!(flat.len(), 6);
/// assert_eq!((0..6).map(|t| flat.index(t)).collect::<Vec<_>>(), [6, 7, 8, 11, 12, 13]);
/// assert_eq!(flat.at(4), (2, 2));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Flat2<A: LoopIndex, B: LoopIndex> {
    outer: Seq<A>,
    inner: Seq<B>,
    inner_len: usize,
    len: usize,
    width: usize,
}

impl<A: LoopIndex, B: LoopIndex> Flat2<A, B> {
    /// The nest of `outer` and `inner`, for rows of `width` elements.
    ///
    /// # Panics
    ///
    /// If the nest has more than `usize::MAX` iterations.
    ///
    /// # Examples
    ///
    /// See [`Flat2`].
    #[track_caller]
    pub fn new(outer: Seq<A>, inner: Seq<B>, width: usize) -> Self {
        let (outer_len, inner_len) = (outer.len(), inner.len());
        let len = outer_len.checked_mul(inner_len).unwrap_or_else(|| {
            panic!("collapse(2): the nest has {outer_len} x {inner_len} iterations, more than usize::MAX")
        });
        Flat2 {
            outer,
            inner,
            inner_len,
            len,
            width,
        }
    }

    /// The loop values `(i, j)` of iteration `t`.
    ///
    /// # Examples
    ///
    /// See [`Flat2`].
    #[inline(always)]
    pub fn at(&self, t: usize) -> (A, B) {
        (
            self.outer.get(t / self.inner_len),
            self.inner.get(t % self.inner_len),
        )
    }

    /// The inner loop's trip count.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{Flat2, Seq};
    /// assert_eq!(Flat2::new(Seq::range(0, 2), Seq::range(0, 7), 7).inner_len(), 7);
    /// ```
    #[inline(always)]
    pub fn inner_len(&self) -> usize {
        self.inner_len
    }

    /// The outer and inner sequences.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{Flat2, Seq};
    /// let (outer, _) = Flat2::new(Seq::range(3, 5), Seq::range(0, 2), 2).parts();
    /// assert_eq!(outer.get(0), 3);
    /// ```
    #[inline(always)]
    pub fn parts(&self) -> (Seq<A>, Seq<B>) {
        (self.outer, self.inner)
    }
}

// SAFETY: `check_indices` establishes that both loops count up, `j` stays in
// `0..width` and `i * width + j` does not overflow; then `(i, j) -> i * width
// + j` is strictly increasing in the nest's order: within a row because `j`
// increases, and across rows because `j < width` and `i` increases.
unsafe impl<A: LoopIndex, B: LoopIndex> Iterations for Flat2<A, B> {
    fn len(&self) -> usize {
        self.len
    }
    #[track_caller]
    fn check_indices(&self) {
        let Some(last) = self.len.checked_sub(1) else {
            return;
        };
        let ((i0, j0), (i1, j1)) = (self.at(0), self.at(last));
        let (oi, ii) = (self.outer.len(), self.inner_len);
        let ok = (oi <= 1 || i0 < i1)
            && (ii <= 1 || j0 < j1)
            && [i0.__to_usize(), i1.__to_usize()]
                .iter()
                .all(Option::is_some)
            && [j0.__to_usize(), j1.__to_usize()]
                .iter()
                .all(|j| j.is_some_and(|j| j < self.width))
            && i1
                .__as_usize()
                .checked_mul(self.width)
                .and_then(|r| r.checked_add(j1.__as_usize()))
                .is_some();
        if !ok {
            panic!(
                "collapse(2): the row-major write `c[i * {w} + j]` needs both loops to count up, \
                 i >= 0 and 0 <= j < {w}; here i runs {i0}..={i1} and j runs {j0}..={j1}",
                w = self.width
            );
        }
    }
    #[inline(always)]
    fn index(&self, t: usize) -> usize {
        let (i, j) = self.at(t);
        i.__as_usize() * self.width + j.__as_usize()
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn too_many_iterations(last: u128) -> ! {
    match last.checked_add(1) {
        Some(count) => panic!(
            "the loop runs {count} iterations, more than usize::MAX = {}; split it into smaller loops",
            usize::MAX
        ),
        None => panic!(
            "the loop runs 2^128 iterations, more than usize::MAX = {}; split it into smaller loops",
            usize::MAX
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values<T: LoopIndex>(seq: &Seq<T>) -> Vec<T> {
        (0..seq.len()).map(|t| seq.get(t)).collect()
    }

    #[track_caller]
    fn check<T: LoopIndex>(seq: Seq<T>, expected: impl Iterator<Item = T>) {
        let expected: Vec<T> = expected.collect();
        assert_eq!(seq.len(), expected.len(), "{seq:?}");
        assert_eq!(seq.is_empty(), expected.is_empty(), "{seq:?}");
        assert_eq!(values(&seq), expected, "{seq:?}");
    }

    /// `Flat2` indices are the row-major elements of the nest, strictly
    /// increasing, and nests it cannot split that way are refused.
    #[test]
    fn flat2_indices_follow_the_nest() {
        for (outer, inner, width) in [
            (0..0, 0..3, 3),
            (0..4, 0..3, 3),
            (1..5, 1..4, 5),
            (2..3, 0..1, 1),
        ] {
            let flat = Flat2::new(
                Seq::range(outer.start, outer.end),
                Seq::range(inner.start, inner.end),
                width,
            );
            flat.check_indices();
            let mut want = Vec::new();
            for i in outer.clone() {
                for j in inner.clone() {
                    want.push(i * width + j);
                }
            }
            let got: Vec<usize> = (0..flat.len()).map(|t| flat.index(t)).collect();
            assert_eq!(got, want);
            assert!(got.windows(2).all(|w| w[0] < w[1]));
        }
        for bad in [
            Flat2::new(Seq::range(0usize, 3), Seq::range(0usize, 4), 3),
            Flat2::new(Seq::range(0usize, 3).rev(), Seq::range(0usize, 2), 3),
        ] {
            let r = std::panic::catch_unwind(|| bad.check_indices());
            assert!(r.is_err());
        }
    }

    /// `unit_range` gives the same values as `get`, or declines.
    #[test]
    fn unit_range_agrees_with_get() {
        for lo in i8::MIN..=i8::MAX {
            for hi in [i8::MIN, -1, 0, 1, 50, i8::MAX] {
                for seq in [
                    Seq::range(lo, hi),
                    Seq::range_inclusive(lo, hi),
                    Seq::range(lo, hi).rev(),
                ] {
                    let n = seq.len();
                    for (a, b) in [(0, n), (0, n / 2), (n / 3, n), (1.min(n), n)] {
                        match seq.unit_range(a, b) {
                            Some(r) => assert_eq!(
                                r.collect::<Vec<_>>(),
                                (a..b).map(|t| seq.get(t)).collect::<Vec<_>>()
                            ),
                            None => assert!(a >= b || seq.step != 1 || seq.get(b - 1) == i8::MAX),
                        }
                    }
                }
            }
        }
    }

    /// Every (lo, hi) pair of an 8-bit type, plain ranges, against std.
    macro_rules! exhaustive_plain {
        ($name:ident, $t:ty) => {
            #[test]
            fn $name() {
                for lo in <$t>::MIN..=<$t>::MAX {
                    for hi in <$t>::MIN..=<$t>::MAX {
                        let r = Seq::range(lo, hi);
                        let ri = Seq::range_inclusive(lo, hi);
                        assert_eq!(r.len(), (lo..hi).len());
                        assert_eq!(ri.len(), (lo..=hi).count());
                        if r.len() > 0 {
                            assert_eq!(r.get(0), lo);
                            assert_eq!(r.get(r.len() - 1), hi - 1);
                        }
                        if ri.len() > 0 {
                            assert_eq!(ri.get(0), lo);
                            assert_eq!(ri.get(ri.len() - 1), hi);
                        }
                    }
                }
                // Full value lists for a stride of pairs (all of them is slow unoptimized).
                for lo in (<$t>::MIN..=<$t>::MAX).step_by(5) {
                    for hi in (<$t>::MIN..=<$t>::MAX).step_by(3) {
                        check(Seq::range(lo, hi), lo..hi);
                        check(Seq::range_inclusive(lo, hi), lo..=hi);
                    }
                }
            }
        };
    }
    exhaustive_plain!(exhaustive_plain_u8, u8);
    exhaustive_plain!(exhaustive_plain_i8, i8);

    /// `step_by`/`rev` chains in every order, against std, over boundary-heavy
    /// endpoints of an 8-bit type and steps from 1 past the type's width.
    macro_rules! step_rev_orders {
        ($name:ident, $t:ty) => {
            #[test]
            fn $name() {
                let mut ends: Vec<$t> = (<$t>::MIN..=<$t>::MAX).step_by(17).collect();
                ends.extend([<$t>::MIN, <$t>::MIN + 1, 0, 1, 2, <$t>::MAX - 1, <$t>::MAX]);
                ends.extend([(0 as $t).wrapping_sub(1), (0 as $t).wrapping_sub(2)]);
                let steps = [
                    1usize,
                    2,
                    3,
                    5,
                    7,
                    64,
                    127,
                    128,
                    255,
                    256,
                    257,
                    1000,
                    usize::MAX,
                ];
                for &lo in &ends {
                    for &hi in &ends {
                        check(Seq::range(lo, hi).rev(), (lo..hi).rev());
                        check(Seq::range_inclusive(lo, hi).rev(), (lo..=hi).rev());
                        check(Seq::range(lo, hi).rev().rev(), lo..hi);
                        for &k in &steps {
                            check(Seq::range(lo, hi).step_by(k), (lo..hi).step_by(k));
                            check(
                                Seq::range_inclusive(lo, hi).step_by(k),
                                (lo..=hi).step_by(k),
                            );
                            check(
                                Seq::range(lo, hi).step_by(k).rev(),
                                (lo..hi).step_by(k).rev(),
                            );
                            check(
                                Seq::range_inclusive(lo, hi).step_by(k).rev(),
                                (lo..=hi).step_by(k).rev(),
                            );
                            check(
                                Seq::range(lo, hi).rev().step_by(k),
                                (lo..hi).rev().step_by(k),
                            );
                            check(
                                Seq::range_inclusive(lo, hi).rev().step_by(k),
                                (lo..=hi).rev().step_by(k),
                            );
                            check(
                                Seq::range(lo, hi).rev().step_by(k).rev(),
                                (lo..hi).rev().step_by(k).rev(),
                            );
                            for &k2 in &[1usize, 2, 3, 100] {
                                check(
                                    Seq::range_inclusive(lo, hi).step_by(k).step_by(k2),
                                    (lo..=hi).step_by(k).step_by(k2),
                                );
                                check(
                                    Seq::range(lo, hi).step_by(k).rev().step_by(k2),
                                    (lo..hi).step_by(k).rev().step_by(k2),
                                );
                                check(
                                    Seq::range_inclusive(lo, hi)
                                        .rev()
                                        .step_by(k)
                                        .rev()
                                        .step_by(k2),
                                    (lo..=hi).rev().step_by(k).rev().step_by(k2),
                                );
                            }
                        }
                    }
                }
            }
        };
    }
    step_rev_orders!(step_rev_orders_u8, u8);
    step_rev_orders!(step_rev_orders_i8, i8);

    /// Wider types: ranges at MIN/MAX and around zero, stepped and reversed.
    /// std cannot reverse a `StepBy` over some of these ranges (no
    /// `ExactSizeIterator`), so the reference reverses the collected values.
    macro_rules! wide {
        ($name:ident, $t:ty) => {
            #[test]
            fn $name() {
                fn rev<T>(it: impl Iterator<Item = T>) -> std::vec::IntoIter<T> {
                    let mut v: Vec<T> = it.collect();
                    v.reverse();
                    v.into_iter()
                }
                let min = <$t>::MIN;
                let max = <$t>::MAX;
                let zero: $t = 0;
                let pairs = [
                    (min, min),
                    (min, min + 1),
                    (min, min + 2),
                    (min, min + 3),
                    (min, min + 97),
                    (max - 3, max),
                    (max - 1, max),
                    (max, max),
                    (max - 96, max),
                    (zero, 0),
                    (zero, 1),
                    (zero, 2),
                    (zero, 3),
                    (zero, 97),
                    (max / 2 - 10, max / 2 + 11),
                    ((min / 2).saturating_sub(10), min / 2 + 11),
                    (1, 0),
                    (max, min),
                ];
                for (lo, hi) in pairs {
                    for k in [1usize, 2, 3, 7, 10, 1 << 20] {
                        check(Seq::range(lo, hi).step_by(k), (lo..hi).step_by(k));
                        check(
                            Seq::range_inclusive(lo, hi).step_by(k),
                            (lo..=hi).step_by(k),
                        );
                        check(
                            Seq::range(lo, hi).step_by(k).rev(),
                            rev((lo..hi).step_by(k)),
                        );
                        check(
                            Seq::range_inclusive(lo, hi).step_by(k).rev(),
                            rev((lo..=hi).step_by(k)),
                        );
                        check(
                            Seq::range(lo, hi).rev().step_by(k),
                            (lo..hi).rev().step_by(k),
                        );
                        check(
                            Seq::range_inclusive(lo, hi).rev().step_by(k),
                            (lo..=hi).rev().step_by(k),
                        );
                        check(
                            Seq::range_inclusive(lo, hi).rev().step_by(k).rev(),
                            rev((lo..=hi).rev().step_by(k)),
                        );
                    }
                }
                // Huge strides across the whole type: a few values, exact at the ends.
                let big = usize::MAX / 3;
                if <$t>::BITS <= usize::BITS {
                    check(
                        Seq::range_inclusive(min, max)
                            .rev()
                            .step_by(big)
                            .rev()
                            .step_by(1),
                        {
                            let v: Vec<$t> = (min..=max).rev().step_by(big).collect();
                            v.into_iter().rev()
                        },
                    );
                    check(
                        Seq::range_inclusive(min, max).step_by(usize::MAX),
                        (min..=max).step_by(usize::MAX),
                    );
                }
            }
        };
    }
    wide!(wide_i16, i16);
    wide!(wide_u16, u16);
    wide!(wide_i32, i32);
    wide!(wide_u32, u32);
    wide!(wide_i64, i64);
    wide!(wide_u64, u64);
    wide!(wide_i128, i128);
    wide!(wide_u128, u128);
    wide!(wide_isize, isize);
    wide!(wide_usize, usize);

    #[test]
    fn lengths() {
        for n in [0usize, 1, 2, 3, 97, 10_007, 100_000] {
            check(Seq::range(0, n), 0..n);
            check(Seq::range(0, n).rev(), (0..n).rev());
            check(Seq::range(-5i64, n as i64 - 5), -5..n as i64 - 5);
            check(Seq::range_inclusive(1u32, n as u32), 1..=n as u32);
        }
    }

    #[test]
    fn full_ranges_of_wide_types() {
        // 2^64 values do not fit a usize, but every other one does.
        let all = Seq::range_inclusive(0u64, u64::MAX);
        assert!(!all.is_empty());
        let halves = all.step_by(2);
        assert_eq!(halves.len(), 1 << 63);
        assert_eq!(halves.get(halves.len() - 1), u64::MAX - 1);
        assert_eq!(halves.rev().get(0), u64::MAX - 1);
        let all = Seq::range_inclusive(i128::MIN, i128::MAX);
        let few = all.step_by(usize::MAX).step_by(usize::MAX);
        let stride = (usize::MAX as u128) * (usize::MAX as u128);
        let second = (i128::MIN as u128).wrapping_add(stride) as i128;
        if usize::BITS == 64 {
            assert_eq!(second, i128::MAX - (1 << 65) + 2);
            assert_eq!(values(&few), [i128::MIN, second]);
            assert_eq!(values(&few.rev()), [second, i128::MIN]);
        }
        let almost = Seq::range(0usize, usize::MAX);
        assert_eq!(almost.len(), usize::MAX);
        assert_eq!(almost.rev().get(0), usize::MAX - 1);
    }

    #[test]
    #[should_panic(
        expected = "the loop runs 18446744073709551616 iterations, more than usize::MAX"
    )]
    fn too_long_for_usize() {
        if usize::BITS == 64 {
            let _ = Seq::range_inclusive(0u64, u64::MAX).len();
        } else {
            panic!("the loop runs 18446744073709551616 iterations, more than usize::MAX");
        }
    }

    #[test]
    #[should_panic(expected = "the loop runs 2^128 iterations")]
    fn too_long_for_u128() {
        let _ = Seq::range_inclusive(u128::MIN, u128::MAX).len();
    }

    #[test]
    #[should_panic(expected = "assertion failed: step != 0")]
    fn step_by_zero_panics_like_std() {
        let _ = Seq::range(0u8, 3).step_by(0);
    }
}
