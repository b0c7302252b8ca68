//! Vectorized loop bodies: what `#[simd]`, `#[simd_reduce]` and
//! `#[parallel_for(simd)]` expand to.
//!
//! - **Lanes** ([`LANES`], [`Lane`], [`lanes`], [`fold_lanes`]): a
//!   reduction variable becomes [`LANES`] independent accumulators. Iteration
//!   `t` of a block adds into lane `t % LANES`, so the lanes' chains run side
//!   by side and LLVM keeps them in vector registers; a block's arithmetic
//!   per lane is exactly the scalar arithmetic, so the result does not depend
//!   on the vector width the kernel was compiled for.
//! - **Cuts** ([`span`], [`cut`], [`cut_mut`], [`blocks`], [`blocks_mut`]):
//!   the arrays a body indexes with the loop variable are cut to the loop's
//!   range once, then into blocks of `[T; LANES]`, so the body runs without
//!   bounds checks. When a cut fails (an index past the end), the generated
//!   code runs the plain loop instead, which panics where the plain loop does.
//! - **Dispatch** ([`SimdLevel`], [`simd_level`], [`set_simd_level`],
//!   [`dispatch`]): each kernel is compiled for AVX-512, for AVX2 + FMA and
//!   for the baseline, and the best level the CPU has is chosen once, at the
//!   first vectorized loop.
//!
//! # How a kernel is compiled for a CPU level
//!
//! A kernel is a closure in the user's function. The generated code matches
//! on [`dispatch()`] and hands a fresh closure to [`Avx512::run`] or
//! [`Avx2::run`], generic functions compiled with `#[target_feature]`; each
//! closure has that one caller, so LLVM inlines it there and vectorizes its
//! loops with the caller's features. This is `#[target_feature]` with
//! `is_x86_feature_detected!` rather than the `multiversion` crate, because
//! `multiversion` clones `fn` items, while our bodies are closures over the
//! user's locals.

use core::fmt;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::reduction::{Combine, PrivateOf};
use crate::seq::{LoopIndex, Seq};
use crate::split::{ElemWindow, SliceSource};

/// The number of lanes a vectorized reduction keeps per variable: 32 lanes
/// of `f32` are two AVX-512 registers or four AVX2 ones, enough independent
/// chains to hide the latency of an add while the loads keep up. The lane
/// count is the same at every CPU level, so results are too.
///
/// # Examples
///
/// ```
/// assert_eq!(parallel_runtime::LANES, 32);
/// ```
pub const LANES: usize = 32;

/// The lanes' positions as `f64`, `[0.0, 1.0, ..]`: a vectorized loop
/// computes `i as f64` of its loop variable as the block's first value
/// plus these, exact while the values stay below 2^53 (the loop runs as
/// written otherwise), so no lane converts an integer: AVX2 has no vector
/// conversion from 64-bit integers.
///
/// # Examples
///
/// ```
/// assert_eq!(parallel_runtime::LANE_F64[3], 3.0);
/// ```
pub const LANE_F64: [f64; LANES] = {
    let mut out = [0.0; LANES];
    let mut p = 0;
    while p < LANES {
        out[p] = p as f64;
        p += 1;
    }
    out
};

/// [`LANE_F64`] as `f32`, for `i as f32` (exact below 2^24).
///
/// # Examples
///
/// ```
/// assert_eq!(parallel_runtime::LANE_F32[31], 31.0);
/// ```
pub const LANE_F32: [f32; LANES] = {
    let mut out = [0.0; LANES];
    let mut p = 0;
    while p < LANES {
        out[p] = p as f32;
        p += 1;
    }
    out
};

/// The instruction-set level vectorized loops run at.
///
/// # Examples
///
/// ```
/// use parallel::{SimdLevel, simd_level};
///
/// let level = simd_level();
/// assert!(level >= SimdLevel::Baseline);
/// println!("vectorized loops run with {level}");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SimdLevel {
    /// The target's baseline (SSE2 on x86-64): what a default build assumes.
    Baseline,
    /// x86-64-v3: AVX2, FMA, BMI1/2, F16C, LZCNT, MOVBE.
    Avx2,
    /// x86-64-v4: the AVX2 level plus AVX-512 F, BW, CD, DQ and VL.
    Avx512,
}

impl SimdLevel {
    /// Every level, lowest first.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel::SimdLevel;
    ///
    /// assert_eq!(SimdLevel::ALL[0], SimdLevel::Baseline);
    /// ```
    pub const ALL: [SimdLevel; 3] = [SimdLevel::Baseline, SimdLevel::Avx2, SimdLevel::Avx512];

    /// The best level this CPU supports (detected once, then cached).
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel::SimdLevel;
    ///
    /// assert!(SimdLevel::detected() >= SimdLevel::Baseline);
    /// ```
    pub fn detected() -> SimdLevel {
        match DETECTED.load(Ordering::Relaxed) {
            0 => {
                let level = detect();
                DETECTED.store(level as u8 + 1, Ordering::Relaxed);
                level
            }
            code => decode(code),
        }
    }

    fn name(self) -> &'static str {
        match self {
            SimdLevel::Baseline => "baseline",
            SimdLevel::Avx2 => "avx2",
            SimdLevel::Avx512 => "avx512",
        }
    }
}

impl fmt::Display for SimdLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The name of the level with code `SimdLevel as u8`, for the report.
pub(crate) fn level_name(code: u8) -> &'static str {
    decode(code + 1).name()
}

/// `SimdLevel as u8 + 1`; 0 = not known yet.
static DETECTED: AtomicU8 = AtomicU8::new(0);
/// The level kernels run at, the same encoding; 0 = the detected one.
static CURRENT: AtomicU8 = AtomicU8::new(0);

fn decode(code: u8) -> SimdLevel {
    match code {
        3 => SimdLevel::Avx512,
        2 => SimdLevel::Avx2,
        _ => SimdLevel::Baseline,
    }
}

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
fn detect() -> SimdLevel {
    use std::arch::is_x86_feature_detected as has;
    let v3 = has!("avx")
        && has!("avx2")
        && has!("fma")
        && has!("bmi1")
        && has!("bmi2")
        && has!("f16c")
        && has!("lzcnt")
        && has!("movbe")
        && has!("popcnt")
        && has!("sse4.2");
    let v4 = has!("avx512f")
        && has!("avx512bw")
        && has!("avx512cd")
        && has!("avx512dq")
        && has!("avx512vl");
    match (v3, v4) {
        (true, true) => SimdLevel::Avx512,
        (true, false) => SimdLevel::Avx2,
        _ => SimdLevel::Baseline,
    }
}

#[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
fn detect() -> SimdLevel {
    SimdLevel::Baseline
}

/// The level vectorized loops run at: the one set by [`set_simd_level`],
/// else the best the CPU supports.
///
/// # Examples
///
/// ```
/// use parallel::{SimdLevel, simd_level};
///
/// assert!(simd_level() <= SimdLevel::detected());
/// ```
pub fn simd_level() -> SimdLevel {
    match CURRENT.load(Ordering::Relaxed) {
        0 => SimdLevel::detected(),
        code => decode(code),
    }
}

/// Makes vectorized loops run at `level` (process-wide), or again at the
/// detected level with `None`: for tests and benchmarks that compare levels.
/// Results do not depend on the level; only the speed does.
///
/// # Panics
///
/// If the CPU does not support `level`: running its instructions would
/// crash the process.
///
/// # Examples
///
/// ```
/// use parallel::{SimdLevel, set_simd_level, simd_level};
///
/// set_simd_level(Some(SimdLevel::Baseline));
/// assert_eq!(simd_level(), SimdLevel::Baseline);
/// set_simd_level(None);
/// assert_eq!(simd_level(), SimdLevel::detected());
/// ```
#[track_caller]
pub fn set_simd_level(level: Option<SimdLevel>) {
    let code = match level {
        None => 0,
        Some(l) if l <= SimdLevel::detected() => l as u8 + 1,
        Some(l) => panic!(
            "set_simd_level({l}): this CPU supports vectorized loops up to {}, not {l}",
            SimdLevel::detected()
        ),
    };
    CURRENT.store(code, Ordering::Relaxed);
}

/// Which compiled copy of a kernel to run: generated code matches on it and
/// calls the token's `run` with that copy. A token exists only when the CPU
/// supports its level.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{dispatch, Dispatch};
///
/// let x = [1.0f32; 100];
/// let total = match dispatch() {
///     Dispatch::Avx512(level) => level.run(|| x.iter().sum::<f32>()),
///     Dispatch::Avx2(level) => level.run(|| x.iter().sum::<f32>()),
///     Dispatch::Baseline => x.iter().sum::<f32>(),
/// };
/// assert_eq!(total, 100.0);
/// ```
#[derive(Clone, Copy, Debug)]
pub enum Dispatch {
    /// Run the AVX-512 copy.
    Avx512(Avx512),
    /// Run the AVX2 + FMA copy.
    Avx2(Avx2),
    /// Run the baseline copy.
    Baseline,
}

/// The level to run kernels at now.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{dispatch, simd_level, Dispatch, SimdLevel};
///
/// let level = match dispatch() {
///     Dispatch::Avx512(_) => SimdLevel::Avx512,
///     Dispatch::Avx2(_) => SimdLevel::Avx2,
///     Dispatch::Baseline => SimdLevel::Baseline,
/// };
/// assert_eq!(level, simd_level());
/// ```
#[inline]
pub fn dispatch() -> Dispatch {
    let level = simd_level();
    if crate::report::noting() {
        crate::report::note_vector(level as u8);
    }
    match level {
        SimdLevel::Avx512 => Dispatch::Avx512(Avx512(())),
        SimdLevel::Avx2 => Dispatch::Avx2(Avx2(())),
        SimdLevel::Baseline => Dispatch::Baseline,
    }
}

/// Proof that the CPU supports the AVX-512 level: made only by [`dispatch`].
///
/// # Examples
///
/// ```
/// use parallel_runtime::{dispatch, Dispatch};
///
/// if let Dispatch::Avx512(level) = dispatch() {
///     assert_eq!(level.run(|| 6 * 7), 42);
/// }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Avx512(());

/// Proof that the CPU supports the AVX2 level: made only by [`dispatch`].
///
/// # Examples
///
/// ```
/// use parallel_runtime::{dispatch, Dispatch};
///
/// if let Dispatch::Avx2(level) = dispatch() {
///     assert_eq!(level.run(|| 6 * 7), 42);
/// }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Avx2(());

impl Avx512 {
    /// Runs `kernel` compiled with the AVX-512 level's features (when it is
    /// inlined here, which a closure with this one caller is).
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{dispatch, Dispatch};
    ///
    /// if let Dispatch::Avx512(level) = dispatch() {
    ///     let x = [2u32; 64];
    ///     assert_eq!(level.run(|| x.iter().sum::<u32>()), 128);
    /// }
    /// ```
    #[inline(always)]
    pub fn run<R>(self, kernel: impl FnOnce() -> R) -> R {
        // SAFETY: an `Avx512` is made only by `dispatch`, when `simd_level()`
        // is `Avx512`, which `detect` or `set_simd_level` allow only on a CPU
        // with every feature `x86_64_v4` enables.
        unsafe { x86_64_v4(kernel) }
    }
}

impl Avx2 {
    /// Runs `kernel` compiled with the AVX2 level's features (when it is
    /// inlined here, which a closure with this one caller is).
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{dispatch, Dispatch};
    ///
    /// if let Dispatch::Avx2(level) = dispatch() {
    ///     let x = [2u32; 64];
    ///     assert_eq!(level.run(|| x.iter().sum::<u32>()), 128);
    /// }
    /// ```
    #[inline(always)]
    pub fn run<R>(self, kernel: impl FnOnce() -> R) -> R {
        // SAFETY: an `Avx2` is made only by `dispatch`, when `simd_level()` is
        // `Avx2`, which `detect` or `set_simd_level` allow only on a CPU with
        // every feature `x86_64_v3` enables.
        unsafe { x86_64_v3(kernel) }
    }
}

/// # Safety
///
/// The CPU must support every feature enabled here.
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[target_feature(
    enable = "avx,avx2,bmi1,bmi2,f16c,fma,lzcnt,movbe,popcnt,sse3,ssse3,sse4.1,sse4.2,avx512f,avx512bw,avx512cd,avx512dq,avx512vl"
)]
#[inline]
unsafe fn x86_64_v4<R>(kernel: impl FnOnce() -> R) -> R {
    kernel()
}

/// # Safety
///
/// The CPU must support every feature enabled here.
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[target_feature(
    enable = "avx,avx2,bmi1,bmi2,f16c,fma,lzcnt,movbe,popcnt,sse3,ssse3,sse4.1,sse4.2"
)]
#[inline]
unsafe fn x86_64_v3<R>(kernel: impl FnOnce() -> R) -> R {
    kernel()
}

/// Elsewhere the tokens are never made; the kernel runs as compiled.
///
/// # Safety
///
/// None needed: no feature is enabled.
#[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
#[inline(always)]
unsafe fn x86_64_v4<R>(kernel: impl FnOnce() -> R) -> R {
    kernel()
}

/// See [`x86_64_v4`].
///
/// # Safety
///
/// None needed: no feature is enabled.
#[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
#[inline(always)]
unsafe fn x86_64_v3<R>(kernel: impl FnOnce() -> R) -> R {
    kernel()
}

/// A type a vectorized reduction keeps in lanes: the numbers and `bool`.
///
/// # Examples
///
/// ```
/// fn lanes_of<T: parallel_runtime::Lane>(_: T) {}
/// lanes_of(1.5f32);
/// lanes_of(7u8);
/// ```
#[diagnostic::on_unimplemented(
    message = "`simd` splits a reduction variable into lanes of numbers, and `{Self}` is not a number or `bool`",
    label = "reduced in vector lanes here",
    note = "reduce whole arrays, `Vec`s and user types without `simd`; with `simd`, reduce integers, floats or `bool`"
)]
pub trait Lane: Copy + Send {}

macro_rules! lane {
    ($($t:ty)*) => {$(impl Lane for $t {})*};
}

lane!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize f32 f64 bool);

/// [`LANES`] copies of the identity of `op` for the variable `v`.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{lanes, op, LANES};
///
/// assert_eq!(lanes(op::Times, &7.5f64), [1.0; LANES]);
/// ```
#[inline(always)]
pub fn lanes<Op, T: Lane + PrivateOf<Op, Private = T>>(op: Op, v: &T) -> [T; LANES] {
    [v.__parallel_private(op); LANES]
}

/// The lanes combined by `op` in a fixed pairwise tree (lane 0 leftmost),
/// then the tail's accumulator after them: the same association whatever
/// the CPU level.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{fold_lanes, op, LANES};
///
/// let mut lanes = [0u32; LANES];
/// lanes[3] = 5;
/// lanes[31] = 6;
/// assert_eq!(fold_lanes(op::Plus, lanes, 1), 12);
/// ```
#[inline(never)]
pub fn fold_lanes<Op: Copy, T: Default + Combine<Op>>(op: Op, lanes: [T; LANES], tail: T) -> T {
    // `Default`, not `Copy`: a `Vec` reduced with `simd` is reported once,
    // where its lanes are made, not again here.
    let mut acc = lanes;
    let mut width = LANES;
    while width > 1 {
        width /= 2;
        for l in 0..width {
            let (a, b) = (
                core::mem::take(&mut acc[l]),
                core::mem::take(&mut acc[l + width]),
            );
            acc[l] = T::combine(op, a, b);
        }
    }
    T::combine(op, core::mem::take(&mut acc[0]), tail)
}

/// The loop values of iterations `t0..t1` as the array indices `a..b`, when
/// they count up by one and every one of them is a valid `usize`; `None`
/// otherwise (a stepped, reversed or empty range, or negative values).
///
/// # Examples
///
/// ```
/// use parallel_runtime::{span, Seq};
///
/// assert_eq!(span(&Seq::range(10u32, 20), 2, 5), Some((12, 15)));
/// assert_eq!(span(&Seq::range(0u8, 10).rev(), 0, 3), None);
/// assert_eq!(span(&Seq::range(-5i32, 5), 0, 10), None);
/// ```
#[inline(always)]
pub fn span<T: LoopIndex>(seq: &Seq<T>, t0: usize, t1: usize) -> Option<(usize, usize)> {
    let range = seq.unit_range(t0, t1)?;
    let a = range.start.__to_usize()?;
    let b = seq.get(t1 - 1).__to_usize()?.checked_add(1)?;
    Some((a, b))
}

/// The loop value `off` iterations after `first`, in a range that counts up
/// by one: `first + off`, in the loop's integer type.
///
/// # Examples
///
/// ```
/// assert_eq!(parallel_runtime::offset(250u8, 5), 255);
/// ```
#[inline(always)]
pub fn offset<T: LoopIndex>(first: T, off: usize) -> T {
    first.__wrapping_add(T::__from_usize_wrapping(off))
}

/// Elements `a..b` of an array the body reads at the loop variable, or
/// `None` if the array is shorter (the plain loop then runs, and panics
/// where it would).
///
/// # Examples
///
/// ```
/// let x = vec![1, 2, 3, 4];
/// assert_eq!(parallel_runtime::cut(&x, 1, 3), Some(&[2, 3][..]));
/// assert_eq!(parallel_runtime::cut(&x, 1, 5), None);
/// ```
#[inline(always)]
pub fn cut<T, S: SliceSource<Item = T> + ?Sized>(s: &S, a: usize, b: usize) -> Option<&[T]> {
    s.__items().get(a..b)
}

/// Elements `pos - neg + a .. pos - neg + b` of an array an inner loop
/// reads at `v + pos - neg` for `v` in `a..b`, or `None` if the array is
/// shorter (or the bounds overflow): the plain loop then runs, and panics
/// where it would.
///
/// # Examples
///
/// ```
/// let x = vec![1, 2, 3, 4, 5];
/// assert_eq!(parallel_runtime::cut_range(&x, 2, 0, 0, 2), Some(&[3, 4][..]));
/// assert_eq!(parallel_runtime::cut_range(&x, 2, 1, 0, 2), Some(&[2, 3][..]));
/// assert_eq!(parallel_runtime::cut_range(&x, 4, 0, 0, 2), None);
/// assert_eq!(parallel_runtime::cut_range(&x, 0, 1, 0, 2), None);
/// ```
#[inline(always)]
pub fn cut_range<T, S: SliceSource<Item = T> + ?Sized>(
    s: &S,
    pos: usize,
    neg: usize,
    a: usize,
    b: usize,
) -> Option<&[T]> {
    let (lo, hi) = span_of(pos, neg, a, b)?;
    s.__items().get(lo..hi)
}

/// `pos - neg + a .. pos - neg + b`, if no step overflows: the indices an
/// inner loop over `v` in `a..b` reaches at `v + pos - neg`.
#[inline(always)]
pub(crate) fn span_of(pos: usize, neg: usize, a: usize, b: usize) -> Option<(usize, usize)> {
    Some((
        pos.checked_add(a)?.checked_sub(neg)?,
        pos.checked_add(b)?.checked_sub(neg)?,
    ))
}

/// [`cut_range`] of an array an inner loop writes.
///
/// # Examples
///
/// ```
/// let mut x = vec![0; 5];
/// if let Some(c) = parallel_runtime::cut_range_mut(&mut x, 1, 0, 1, 3) {
///     c.fill(7);
/// }
/// assert_eq!(x, [0, 0, 7, 7, 0]);
/// ```
#[inline(always)]
pub fn cut_range_mut<S: CutMut + ?Sized>(
    s: &mut S,
    pos: usize,
    neg: usize,
    a: usize,
    b: usize,
) -> Option<&mut [S::Elem]> {
    let (lo, hi) = span_of(pos, neg, a, b)?;
    s.__cut_mut(lo, hi)
}

/// The elements an inner loop reads at `v * stride + pos - neg` for `v`
/// in `a..b` (`a < b`): `view[q]` is the element of `v = a + q`, checked
/// only against the view's length, which the loop's range is. `None` if
/// an element would lie past the end (or a step overflows): the plain loop
/// then runs, and panics where it would.
///
/// # Examples
///
/// ```
/// let x: Vec<u32> = (0..12).collect();
/// // Column 1 of rows of 4, rows 1..3.
/// let col = parallel_runtime::strided(&x, 1, 0, 4, 1, 3).unwrap();
/// assert_eq!((col[0], col[1], col.len()), (5, 9, 2));
/// assert!(parallel_runtime::strided(&x, 1, 0, 4, 1, 4).is_none());
/// ```
#[inline(always)]
pub fn strided<T, S: SliceSource<Item = T> + ?Sized>(
    s: &S,
    pos: usize,
    neg: usize,
    stride: usize,
    a: usize,
    b: usize,
) -> Option<Strided<'_, T>> {
    let items = s.__items();
    let last_v = b.checked_sub(1)?;
    let first = stride.checked_mul(a)?.checked_add(pos)?.checked_sub(neg)?;
    let last = stride
        .checked_mul(last_v)?
        .checked_add(pos)?
        .checked_sub(neg)?;
    if a > last_v || last >= items.len() {
        return None;
    }
    Some(Strided {
        // SAFETY: `first <= last < len`: inside the slice.
        ptr: unsafe { items.as_ptr().add(first) },
        stride,
        count: b - a,
        _borrow: core::marker::PhantomData,
    })
}

/// A cut trimmed to its first `n` elements (`n` at most its length): an
/// inner loop's cuts all have its trip count as their length, and after
/// `fit` LLVM knows that too, so the loop's indexing checks nothing.
///
/// # Examples
///
/// ```
/// use parallel_runtime::Fit;
///
/// let x = [1, 2, 3, 4];
/// assert_eq!(Fit::fit(&x[..], 2), &[1, 2]);
/// let col = parallel_runtime::strided(&x, 0, 0, 2, 0, 2).unwrap();
/// assert_eq!(Fit::fit(col, 1).len(), 1);
/// ```
pub trait Fit: Sized {
    /// The first `n` elements.
    ///
    /// # Panics
    ///
    /// If the cut has fewer than `n`.
    fn fit(self, n: usize) -> Self;
}

impl<T> Fit for &[T] {
    #[inline(always)]
    fn fit(self, n: usize) -> Self {
        &self[..n]
    }
}

impl<T> Fit for &mut [T] {
    #[inline(always)]
    fn fit(self, n: usize) -> Self {
        &mut self[..n]
    }
}

impl<T> Fit for Strided<'_, T> {
    #[inline(always)]
    fn fit(mut self, n: usize) -> Self {
        assert!(n <= self.count, "a cut of {} fitted to {n}", self.count);
        self.count = n;
        self
    }
}

/// The panic of an index past a view's end, as a slice's reads: cold and
/// out of line, taking values, so that the view stays in registers.
#[cold]
#[inline(never)]
#[track_caller]
pub(crate) fn out_of_bounds(len: usize, index: usize) -> ! {
    panic!("index out of bounds: the len is {len} but the index is {index}")
}

/// Every `stride`-th element of a slice, `count` of them: see [`strided`].
pub struct Strided<'a, T> {
    ptr: *const T,
    stride: usize,
    count: usize,
    _borrow: core::marker::PhantomData<&'a [T]>,
}

// SAFETY: a shared view of a slice's elements, as `&[T]` is.
unsafe impl<T: Sync> Send for Strided<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Sync for Strided<'_, T> {}

impl<T> Strided<'_, T> {
    /// How many elements the view has.
    ///
    /// # Examples
    ///
    /// See [`strided`].
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether it has none.
    ///
    /// # Examples
    ///
    /// ```
    /// let x = [1, 2, 3];
    /// assert!(!parallel_runtime::strided(&x, 0, 0, 2, 0, 2).unwrap().is_empty());
    /// ```
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

impl<T> core::ops::Index<usize> for Strided<'_, T> {
    type Output = T;

    #[inline(always)]
    #[track_caller]
    fn index(&self, q: usize) -> &T {
        if q >= self.count {
            crate::simd::out_of_bounds(self.count, q);
        }
        // SAFETY: `q < count`, so `q * stride <= (count - 1) * stride`,
        // which `strided` checked to stay inside the slice from `ptr`.
        unsafe { &*self.ptr.add(q * self.stride) }
    }
}

/// An array the body writes at the loop variable: cut mutably to `a..b`.
///
/// Implemented, with no deref coercion (a wrapper may index differently
/// than what it derefs to), for `[T]`, `[T; N]`, `Vec<T>`, `Box<[T]>`,
/// `&mut` of those, and a `parallel_for` chunk's window of one.
///
/// # Examples
///
/// ```
/// use parallel_runtime::CutMut;
///
/// let mut y = [0; 4];
/// y.__cut_mut(2, 4).unwrap().fill(9);
/// assert_eq!(y, [0, 0, 9, 9]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is written at the loop variable in a vectorized loop, but it is not a slice, array, `Vec` or `Box<[T]>`",
    label = "written here",
    note = "vectorized loops (`#[simd]`, `#[simd_reduce]`, `simd`) cut the arrays they write into slices, with no deref coercion (a type's own `Index` may differ from its slice's); write into a slice, array, `Vec` or `Box<[T]>` itself"
)]
pub trait CutMut {
    /// The element type.
    type Elem;
    /// Elements `a..b`, if the array has them.
    fn __cut_mut(&mut self, a: usize, b: usize) -> Option<&mut [Self::Elem]>;
}

impl<T> CutMut for [T] {
    type Elem = T;
    #[inline(always)]
    fn __cut_mut(&mut self, a: usize, b: usize) -> Option<&mut [T]> {
        self.get_mut(a..b)
    }
}

impl<T, const N: usize> CutMut for [T; N] {
    type Elem = T;
    #[inline(always)]
    fn __cut_mut(&mut self, a: usize, b: usize) -> Option<&mut [T]> {
        self.get_mut(a..b)
    }
}

impl<T> CutMut for Vec<T> {
    type Elem = T;
    #[inline(always)]
    fn __cut_mut(&mut self, a: usize, b: usize) -> Option<&mut [T]> {
        self.get_mut(a..b)
    }
}

impl<T> CutMut for Box<[T]> {
    type Elem = T;
    #[inline(always)]
    fn __cut_mut(&mut self, a: usize, b: usize) -> Option<&mut [T]> {
        self.get_mut(a..b)
    }
}

impl<S: CutMut + ?Sized> CutMut for &mut S {
    type Elem = S::Elem;
    #[inline(always)]
    fn __cut_mut(&mut self, a: usize, b: usize) -> Option<&mut [S::Elem]> {
        (**self).__cut_mut(a, b)
    }
}

impl<T> CutMut for ElemWindow<'_, T> {
    type Elem = T;
    #[inline(always)]
    fn __cut_mut(&mut self, a: usize, b: usize) -> Option<&mut [T]> {
        self.cut(a, b)
    }
}

/// `s.__cut_mut(a, b)`, as a function: generated code calls it with `&mut x`.
///
/// # Examples
///
/// ```
/// let mut y = vec![0; 3];
/// parallel_runtime::cut_mut(&mut y, 0, 3).unwrap()[1] = 5;
/// assert_eq!(y, [0, 5, 0]);
/// ```
#[inline(always)]
pub fn cut_mut<S: CutMut + ?Sized>(s: &mut S, a: usize, b: usize) -> Option<&mut [S::Elem]> {
    s.__cut_mut(a, b)
}

/// Checks, with no deref coercion, that an array a vectorized loop writes
/// is a [`CutMut`] type itself.
///
/// # Examples
///
/// ```
/// let mut y = vec![0.0; 4];
/// parallel_runtime::assert_cut(&y);
/// parallel_runtime::assert_cut(&&mut y[..]);
/// ```
#[inline(always)]
pub fn assert_cut<S: CutMut + ?Sized>(_: &S) {}

/// `kernel(cut)`: hands a mutable cut to the kernel as a parameter, which
/// LLVM knows aliases nothing else the kernel reads.
///
/// # Examples
///
/// ```
/// let mut y = [1.0f32; 4];
/// let a = 2.0;
/// parallel_runtime::with_cut(&mut y[..], |y| y.iter_mut().for_each(|v| *v *= a));
/// assert_eq!(y, [2.0; 4]);
/// ```
#[inline(always)]
pub fn with_cut<T, R>(cut: &mut [T], kernel: impl FnOnce(&mut [T]) -> R) -> R {
    kernel(cut)
}

/// Runs `kernel` on one element an inner loop reads and writes throughout,
/// hoisted out of it: as a closure parameter, LLVM knows nothing else the
/// loop touches is that element, and keeps it in a register.
///
/// # Examples
///
/// ```
/// let mut total = 0.0;
/// parallel_runtime::with_elem(&mut total, |t| (1..=4).for_each(|v| *t += v as f64));
/// assert_eq!(total, 10.0);
/// ```
#[inline(always)]
pub fn with_elem<T, R>(e: &mut T, kernel: impl FnOnce(&mut T) -> R) -> R {
    kernel(e)
}

/// A cut slice as its first `nb` blocks of [`LANES`] elements and the
/// elements after them (`nb` must be `s.len() / LANES`, which the kernel
/// passes so that LLVM sees every block slice of a kernel has `nb` blocks).
///
/// # Examples
///
/// ```
/// let x: Vec<u16> = (0..70).collect();
/// let (full, rest) = parallel_runtime::blocks(&x, 2);
/// assert_eq!((full.len(), rest), (2, &[64, 65, 66, 67, 68, 69][..]));
/// ```
#[inline(always)]
pub fn blocks<T>(s: &[T], nb: usize) -> (&[[T; LANES]], &[T]) {
    let (full, rest) = s.as_chunks();
    (&full[..nb], rest)
}

/// [`blocks`] of a mutable cut.
///
/// # Examples
///
/// ```
/// let mut y = vec![0u8; 33];
/// let (full, rest) = parallel_runtime::blocks_mut(&mut y, 1);
/// full[0][31] = 1;
/// rest[0] = 2;
/// assert_eq!((y[31], y[32]), (1, 2));
/// ```
#[inline(always)]
pub fn blocks_mut<T>(s: &mut [T], nb: usize) -> (&mut [[T; LANES]], &mut [T]) {
    let (full, rest) = s.as_chunks_mut();
    (&mut full[..nb], rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ElemHandle, Part, op};

    #[test]
    fn levels_are_ordered_and_named() {
        assert!(SimdLevel::Baseline < SimdLevel::Avx2 && SimdLevel::Avx2 < SimdLevel::Avx512);
        let names: Vec<String> = SimdLevel::ALL.iter().map(|l| l.to_string()).collect();
        assert_eq!(names, ["baseline", "avx2", "avx512"]);
        for l in SimdLevel::ALL {
            assert_eq!(decode(l as u8 + 1), l);
        }
    }

    /// Every level the CPU has runs a kernel through its token (the unsafe
    /// `x86_64_v3` / `x86_64_v4` calls), with the same result; a level it
    /// lacks is refused.
    #[test]
    fn every_supported_level_runs_the_same_kernel() {
        let x: Vec<f32> = (0..1000).map(|i| i as f32 * 0.5).collect();
        let kernel = |x: &[f32]| {
            let mut l = [0.0f32; LANES];
            let (full, rest) = blocks(x, x.len() / LANES);
            for b in full {
                for k in 0..LANES {
                    l[k] += b[k];
                }
            }
            fold_lanes(op::Plus, l, rest.iter().sum())
        };
        let want = kernel(&x);
        // The test binary runs tests on several threads; this one is the only
        // one here that changes the level.
        for level in SimdLevel::ALL {
            if level > SimdLevel::detected() {
                let refused = std::panic::catch_unwind(|| set_simd_level(Some(level)));
                assert!(refused.is_err(), "{level} is not supported here");
                continue;
            }
            set_simd_level(Some(level));
            assert_eq!(simd_level(), level);
            let got = match dispatch() {
                Dispatch::Avx512(t) => t.run(|| kernel(&x)),
                Dispatch::Avx2(t) => t.run(|| kernel(&x)),
                Dispatch::Baseline => kernel(&x),
            };
            assert_eq!(got.to_bits(), want.to_bits(), "{level}");
        }
        set_simd_level(None);
        assert_eq!(simd_level(), SimdLevel::detected());
    }

    #[test]
    fn lanes_fold_in_a_fixed_tree() {
        let mut l = lanes(op::Plus, &0.0f64);
        assert!(l.iter().all(|v| v.to_bits() == (-0.0f64).to_bits()));
        for (k, v) in l.iter_mut().enumerate() {
            *v = k as f64;
        }
        assert_eq!(fold_lanes(op::Plus, l, 0.5), 496.5);
        // Min and max lanes start as the variable itself.
        assert_eq!(fold_lanes(op::Min, lanes(op::Min, &1u8), u8::MAX), 1);
        let mut m = lanes(op::Max, &0i32);
        m[17] = 9;
        assert_eq!(fold_lanes(op::Max, m, -3), 9);
    }

    #[test]
    fn spans_and_cuts() {
        assert_eq!(span(&Seq::range(0usize, 0), 0, 0), None);
        assert_eq!(span(&Seq::range(3usize, 10).step_by(2), 0, 2), None);
        assert_eq!(
            span(&Seq::range_inclusive(0u128, u128::MAX), 0, 4),
            Some((0, 4))
        );
        assert_eq!(span(&Seq::range(5i64, 9), 1, 4), Some((6, 9)));
        assert_eq!(offset(-3i8, 5), 2);
        let x = [1u8, 2, 3];
        assert_eq!(cut(&&x[..], 0, 3), Some(&x[..]));
        assert_eq!(cut(&x, 2, 4), None);
        let mut v = vec![0u8; 5];
        assert!(cut_mut(&mut &mut v, 4, 6).is_none());
        let mut b: Box<[u8]> = vec![0; 4].into_boxed_slice();
        cut_mut(&mut b, 1, 2).unwrap()[0] = 1;
        assert_eq!(&*b, [0, 1, 0, 0]);
    }

    #[test]
    fn a_window_cuts_only_what_it_owns() {
        let mut y = [0u32; 10];
        {
            let handle = ElemHandle::new(&mut y);
            // SAFETY: the only window alive.
            let mut w = unsafe { handle.window(3, 6) };
            cut_mut(&mut w, 3, 7).unwrap().fill(1);
            assert!(cut_mut(&mut w, 2, 5).is_none());
            assert!(cut_mut(&mut w, 4, 8).is_none());
        }
        assert_eq!(y, [0, 0, 0, 1, 1, 1, 1, 0, 0, 0]);
    }
}
