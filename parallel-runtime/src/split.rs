//! Windows for element writes: how a loop writes `y[i]` from many threads at once
//! without a data race.
//!
//! A handle ([`ElemHandle`], [`RowHandle`]) takes the array by `&mut` for the whole
//! loop. The driver asks it, through [`Parts::windows`], for one window per chunk
//! of iterations: the sub-slice of the elements (or rows) that the chunk's loop
//! values can index. The chunks of one loop are disjoint and the loop values are
//! strictly monotone, so the windows are disjoint too, and each is a plain
//! `&mut [T]` the chunk owns.

use core::marker::PhantomData;
use core::ops::{Index, IndexMut};
use core::slice;

/// An array whose elements a `parallel_for` loop can write one by one, from
/// several threads at once, each thread its own elements.
///
/// Implemented for `[T]`, `[T; N]`, `Vec<T>`, `Box<[T]>` and `&mut S` of any of
/// them. A user type may implement it by promising, with `unsafe impl`, that
/// [`split_parts`](SplitIndex::split_parts) describes `len` distinct elements.
///
/// # Safety
///
/// `split_parts` must return a pointer valid for reads and writes of `len`
/// distinct, initialized elements, for as long as `self` stays mutably borrowed,
/// that nothing else accesses during that borrow.
///
/// # Examples
///
/// A type of one's own, written element by element in a loop:
///
/// ```
/// use parallel::{SplitIndex, parallel};
///
/// /// Samples in a buffer of their own.
/// pub struct Samples {
///     data: Box<[f32]>,
/// }
///
/// // SAFETY: the boxed slice's pointer and length: `len` distinct,
/// // initialized elements, which nothing but `self` reaches while it is
/// // mutably borrowed.
/// unsafe impl SplitIndex for Samples {
///     type Elem = f32;
///     fn split_parts(&mut self) -> (*mut f32, usize) {
///         self.data.split_parts()
///     }
/// }
///
/// #[parallel]
/// fn ramp(s: &mut Samples, n: usize) {
///     #[parallel_for]
///     for i in 0..n {
///         s[i] = i as f32 * 0.5;
///     }
/// }
///
/// let mut s = Samples { data: vec![0.0; 1000].into_boxed_slice() };
/// ramp(&mut s, 1000);
/// assert_eq!((s.data[3], s.data[999]), (1.5, 499.5));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be written element by element from a `parallel_for` loop",
    label = "written as `x[i]` inside the loop",
    note = "element writes need a `[T]`, `[T; N]`, `Vec<T>` or `Box<[T]>` owned or behind `&mut`; a shared `&[T]` cannot be written"
)]
pub unsafe trait SplitIndex {
    /// The element type.
    type Elem;

    /// Base pointer and length; contract: valid for reads and writes of `len`
    /// distinct elements while `self` is mutably borrowed.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel::SplitIndex;
    ///
    /// let mut a = [0u8; 4];
    /// assert_eq!(a.split_parts().1, 4);
    /// ```
    fn split_parts(&mut self) -> (*mut Self::Elem, usize);
}

// SAFETY: a `&mut [T]` is valid for reads and writes of its `len` elements, and
// nothing else can reach them while it is mutably borrowed.
unsafe impl<T> SplitIndex for [T] {
    type Elem = T;
    #[inline]
    fn split_parts(&mut self) -> (*mut T, usize) {
        (self.as_mut_ptr(), self.len())
    }
}

// SAFETY: as for `[T]`: the array's `N` elements, exclusively borrowed.
unsafe impl<T, const N: usize> SplitIndex for [T; N] {
    type Elem = T;
    #[inline]
    fn split_parts(&mut self) -> (*mut T, usize) {
        (self.as_mut_ptr(), N)
    }
}

// SAFETY: the vector's `len` initialized elements, exclusively borrowed; the
// vector cannot reallocate while `self` is mutably borrowed.
unsafe impl<T> SplitIndex for Vec<T> {
    type Elem = T;
    #[inline]
    fn split_parts(&mut self) -> (*mut T, usize) {
        (self.as_mut_ptr(), self.len())
    }
}

// SAFETY: the boxed slice's elements, exclusively borrowed through the box.
unsafe impl<T> SplitIndex for Box<[T]> {
    type Elem = T;
    #[inline]
    fn split_parts(&mut self) -> (*mut T, usize) {
        (self.as_mut_ptr(), self.len())
    }
}

// SAFETY: forwards to `S`, which keeps the contract for as long as the outer
// `&mut` (and so the inner one) is mutably borrowed.
unsafe impl<S: SplitIndex + ?Sized> SplitIndex for &mut S {
    type Elem = S::Elem;
    #[inline]
    fn split_parts(&mut self) -> (*mut S::Elem, usize) {
        (**self).split_parts()
    }
}

/// One array of a loop that writes `x[i]`, borrowed for the loop: the driver
/// cuts it into an [`ElemWindow`] per chunk of iterations.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{for_range, Config, ElemHandle, Seq};
///
/// let mut y = vec![0u64; 100];
/// for_range(&Config::DEFAULT, &Seq::range(0usize, 100), (ElemHandle::new(&mut y),),
///     |(), ()| (),
///     |lo, hi, (mut y,)| for i in lo..hi { y[i] = 2 * i as u64; });
/// assert!(y.iter().enumerate().all(|(i, &v)| v == 2 * i as u64));
/// ```
pub struct ElemHandle<'a, T> {
    ptr: *mut T,
    len: usize,
    _borrow: PhantomData<&'a mut [T]>,
}

// SAFETY: the handle stands for a `&'a mut [T]`, which may move to another
// thread when `T: Send`.
unsafe impl<T: Send> Send for ElemHandle<'_, T> {}
// SAFETY: sharing the handle only lets threads obtain windows through the unsafe
// `Part::window`, whose contract keeps them disjoint; each window is a `&mut` to
// elements no other thread touches, so sending elements (`T: Send`) suffices.
unsafe impl<T: Send> Sync for ElemHandle<'_, T> {}

impl<'a, T> ElemHandle<'a, T> {
    /// Borrows `s` mutably for the loop.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::ElemHandle;
    ///
    /// let mut a = [1.0f32; 8];
    /// let handle = ElemHandle::new(&mut a);
    /// # drop(handle);
    /// ```
    pub fn new<S: SplitIndex<Elem = T> + ?Sized>(s: &'a mut S) -> Self {
        let (ptr, len) = s.split_parts();
        ElemHandle {
            ptr,
            len,
            _borrow: PhantomData,
        }
    }

    /// The reads of the elements outside `region` (inclusive), which no
    /// iteration of the loop writes: `name` is the array, for the panic of
    /// a read inside it.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::ElemHandle;
    ///
    /// let mut y = [1, 2, 3];
    /// let handle = ElemHandle::new(&mut y);
    /// assert_eq!(*handle.outside((1, 2), "y").read(0, "y[0]"), 1);
    /// ```
    pub fn outside(&self, region: (usize, usize), name: &'static str) -> crate::Outside<'a, T> {
        // SAFETY: `ptr` is valid for `len` elements for `'a` (`split_parts`);
        // the windows of a loop over `region` stay inside it, so nothing
        // writes the elements the view reads.
        unsafe { crate::Outside::new(self.ptr, self.len, region, None, name) }
    }

    /// The number of elements: the trip count of `for x in y.iter_mut()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::ElemHandle;
    ///
    /// let mut a = [1.0f32; 8];
    /// assert_eq!(ElemHandle::new(&mut a).elements(), 8);
    /// ```
    pub fn elements(&self) -> usize {
        self.len
    }
}

/// The elements `lo ..= hi` of an array (clamped to its length), owned by one
/// chunk of a loop, indexed with absolute indices.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{ElemHandle, Part};
///
/// let mut y = [0, 1, 2, 3, 4, 5];
/// let handle = ElemHandle::new(&mut y);
/// // SAFETY: the only window alive.
/// let mut w = unsafe { handle.window(2, 3) };
/// w[3] += w[2];
/// assert_eq!(w.len(), 6);
/// drop(w);
/// drop(handle);
/// assert_eq!(y, [0, 1, 2, 5, 4, 5]);
/// ```
pub struct ElemWindow<'a, T> {
    /// Elements `lo .. lo + elems.len()`.
    elems: &'a mut [T],
    lo: usize,
    len: usize,
}

impl<T> ElemWindow<'_, T> {
    /// The length of the FULL array (not of the window), so that `y.len()` in
    /// the loop body means what it means in the sequential loop.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{ElemHandle, Part};
    ///
    /// let mut y = vec![0; 10];
    /// let handle = ElemHandle::new(&mut y);
    /// // SAFETY: the only window alive.
    /// assert_eq!(unsafe { handle.window(4, 4) }.len(), 10);
    /// ```
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the FULL array is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{ElemHandle, Part};
    ///
    /// let mut y: Vec<u8> = Vec::new();
    /// let handle = ElemHandle::new(&mut y);
    /// // SAFETY: the only window alive.
    /// assert!(unsafe { handle.window(0, 0) }.is_empty());
    /// ```
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The elements `a..b` (absolute indices), if this window owns them all:
    /// a vectorized chunk's writes, cut once.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{ElemHandle, Part};
    ///
    /// let mut y = [0; 6];
    /// let handle = ElemHandle::new(&mut y);
    /// // SAFETY: the only window alive.
    /// let mut w = unsafe { handle.window(2, 4) };
    /// w.cut(2, 5).unwrap().fill(7);
    /// assert!(w.cut(1, 3).is_none());
    /// # drop(w);
    /// # drop(handle);
    /// assert_eq!(y, [0, 0, 7, 7, 7, 0]);
    /// ```
    #[inline(always)]
    pub fn cut(&mut self, a: usize, b: usize) -> Option<&mut [T]> {
        let start = a.checked_sub(self.lo)?;
        self.elems.get_mut(start..b.checked_sub(self.lo)?)
    }

    /// The panic of an index outside the window. It takes the window's fields
    /// by value: taking `&self` would make the window's address escape, and
    /// LLVM would then reload its fields from memory in every iteration.
    #[cold]
    #[inline(never)]
    #[track_caller]
    fn out_of_window(i: usize, lo: usize, owned: usize, len: usize) -> ! {
        if i >= len {
            panic!("index out of bounds: the len is {len} but the index is {i}");
        }
        panic!(
            "index {i} is outside the elements {lo}..{} this chunk of the loop owns (the len is {len})",
            lo + owned
        );
    }
}

impl<T> Index<usize> for ElemWindow<'_, T> {
    type Output = T;
    #[inline(always)]
    #[track_caller]
    fn index(&self, i: usize) -> &T {
        // `i < lo` wraps to an offset past the window, so one comparison suffices.
        match self.elems.get(i.wrapping_sub(self.lo)) {
            Some(x) => x,
            None => Self::out_of_window(i, self.lo, self.elems.len(), self.len),
        }
    }
}

impl<T> IndexMut<usize> for ElemWindow<'_, T> {
    #[inline(always)]
    #[track_caller]
    fn index_mut(&mut self, i: usize) -> &mut T {
        let (lo, owned, len) = (self.lo, self.elems.len(), self.len);
        match self.elems.get_mut(i.wrapping_sub(lo)) {
            Some(x) => x,
            None => Self::out_of_window(i, lo, owned, len),
        }
    }
}

/// One array of a loop that writes `x[i * n + j]`, borrowed for the loop and
/// seen as rows of `n` elements: the driver cuts it into a [`RowWindow`] per
/// chunk of iterations.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{for_range, Config, RowHandle, Seq};
///
/// let (rows, n) = (4, 3);
/// let mut c = vec![0usize; rows * n];
/// for_range(&Config::DEFAULT, &Seq::range(0usize, rows), (RowHandle::new(&mut c, n),),
///     |(), ()| (),
///     |lo, hi, (mut c,)| for i in lo..hi {
///         for j in 0..n { c.row(i)[j] = i * n + j; }
///     });
/// assert_eq!(c, (0..12).collect::<Vec<_>>());
/// ```
pub struct RowHandle<'a, T> {
    ptr: *mut T,
    len: usize,
    n: usize,
    _borrow: PhantomData<&'a mut [T]>,
}

// SAFETY: as for `ElemHandle`: the handle stands for a `&'a mut [T]`.
unsafe impl<T: Send> Send for RowHandle<'_, T> {}
// SAFETY: as for `ElemHandle`: shared, it only hands out disjoint windows
// through the unsafe `Part::window`.
unsafe impl<T: Send> Sync for RowHandle<'_, T> {}

impl<'a, T> RowHandle<'a, T> {
    /// Borrows `s` mutably for the loop, as rows of `n` elements (the last row
    /// may be shorter). `n == 0` is only an error once a chunk asks for a window.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::RowHandle;
    ///
    /// let mut grid = vec![0.0f64; 6 * 5];
    /// let handle = RowHandle::new(&mut grid, 5);
    /// # drop(handle);
    /// ```
    pub fn new<S: SplitIndex<Elem = T> + ?Sized>(s: &'a mut S, n: usize) -> Self {
        let (ptr, len) = s.split_parts();
        RowHandle {
            ptr,
            len,
            n,
            _borrow: PhantomData,
        }
    }

    /// The reads of the elements outside the rows `region` (inclusive),
    /// which no iteration of the loop writes.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::RowHandle;
    ///
    /// let mut c = [1, 2, 3, 4, 5, 6];
    /// let handle = RowHandle::new(&mut c, 2);
    /// assert_eq!(*handle.outside((1, 2), "c").read(1, "c[1]"), 2);
    /// ```
    pub fn outside(&self, region: (usize, usize), name: &'static str) -> crate::Outside<'a, T> {
        let (lo, hi) = region;
        let elements = match (
            lo.checked_mul(self.n),
            hi.checked_add(1).and_then(|h| h.checked_mul(self.n)),
        ) {
            (Some(a), Some(b)) if lo <= hi && b > a => (a, b - 1),
            _ if lo > hi => (1, 0),
            _ => (0, usize::MAX),
        };
        // SAFETY: as for `ElemHandle::outside`: the rows' windows stay inside
        // `region`, the elements `lo * n ..= (hi + 1) * n - 1`.
        unsafe { crate::Outside::new(self.ptr, self.len, elements, None, name) }
    }

    /// The number of rows, the last one possibly shorter: the trip count of
    /// `for row in c.chunks_mut(n)`. Panics like std's `chunks_mut(0)` when
    /// `n == 0`.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::RowHandle;
    ///
    /// let mut grid = vec![0u8; 11];
    /// assert_eq!(RowHandle::new(&mut grid, 5).rows(), 3);
    /// ```
    #[track_caller]
    pub fn rows(&self) -> usize {
        crate::chunk_count(self.len, self.n)
    }
}

/// The rows `lo ..= hi` of an array (elements `lo * n .. (hi + 1) * n`, clamped
/// to its length), owned by one chunk of a loop, indexed with absolute row
/// numbers.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{Part, RowHandle};
///
/// let mut c = [0u8; 7];
/// let handle = RowHandle::new(&mut c, 3);
/// // SAFETY: the only window alive.
/// let mut w = unsafe { handle.window(1, 2) };
/// w.row(1).fill(1);
/// w.row(2).fill(2); // the last row is short
/// assert_eq!(w.row_ref(2), &[2]);
/// drop(w);
/// drop(handle);
/// assert_eq!(c, [0, 0, 0, 1, 1, 1, 2]);
/// ```
pub struct RowWindow<'a, T> {
    /// Elements `lo * n .. lo * n + elems.len()`.
    elems: &'a mut [T],
    lo: usize,
    hi: usize,
    n: usize,
    len: usize,
}

impl<T> RowWindow<'_, T> {
    /// Elements `start..end` of the window for absolute row `i`, or `None`.
    #[inline(always)]
    fn bounds(&self, i: usize) -> Option<(usize, usize)> {
        // `i < lo` wraps to a huge offset, past the window.
        let start = i.wrapping_sub(self.lo).checked_mul(self.n)?;
        if start < self.elems.len() {
            Some((start, start.saturating_add(self.n).min(self.elems.len())))
        } else {
            None
        }
    }

    /// Absolute row `i`: the elements `i * n .. min((i + 1) * n, len)`.
    ///
    /// # Panics
    ///
    /// If row `i` starts past the end of the array, or is not one of the rows
    /// this window owns.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{Part, RowHandle};
    ///
    /// let mut c = [0; 6];
    /// let handle = RowHandle::new(&mut c, 2);
    /// // SAFETY: the only window alive.
    /// let mut w = unsafe { handle.window(0, 2) };
    /// w.row(2)[1] = 7;
    /// # drop(w); drop(handle);
    /// assert_eq!(c, [0, 0, 0, 0, 0, 7]);
    /// ```
    #[inline(always)]
    #[track_caller]
    pub fn row(&mut self, i: usize) -> &mut [T] {
        match self.bounds(i) {
            Some((start, end)) => &mut self.elems[start..end],
            None => Self::bad_row(i, self.n, self.len, self.lo, self.hi),
        }
    }

    /// Absolute row `i`, shared; see [`row`](RowWindow::row).
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{Part, RowHandle};
    ///
    /// let mut c = [1, 2, 3, 4];
    /// let handle = RowHandle::new(&mut c, 2);
    /// // SAFETY: the only window alive.
    /// let w = unsafe { handle.window(1, 1) };
    /// assert_eq!(w.row_ref(1), &[3, 4]);
    /// ```
    #[inline(always)]
    #[track_caller]
    pub fn row_ref(&self, i: usize) -> &[T] {
        match self.bounds(i) {
            Some((start, end)) => &self.elems[start..end],
            None => Self::bad_row(i, self.n, self.len, self.lo, self.hi),
        }
    }

    /// Row `i`, as the macro's expansion names it (`c[i * n + j]` becomes
    /// `c.__parallel_row(i)[j]`); see [`row`](RowWindow::row).
    #[doc(hidden)]
    #[inline(always)]
    #[track_caller]
    pub fn __parallel_row(&mut self, i: usize) -> &mut [T] {
        self.row(i)
    }

    /// Row `i`, shared, as the macro's expansion names it.
    #[doc(hidden)]
    #[inline(always)]
    #[track_caller]
    pub fn __parallel_row_ref(&self, i: usize) -> &[T] {
        self.row_ref(i)
    }

    /// Element `idx` (an absolute index) when it lies in row `i`: what
    /// `c[i * n + j]` becomes when its index is not written as a sum with
    /// `i * n` one of its terms.
    ///
    /// # Panics
    ///
    /// If `idx` is not in row `i` (the iteration owns its row only), or is
    /// past the end of the array, or row `i` is not this window's.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{Part, RowHandle};
    ///
    /// let mut c = [0; 6];
    /// let handle = RowHandle::new(&mut c, 3);
    /// // SAFETY: the only window alive.
    /// let mut w = unsafe { handle.window(0, 1) };
    /// *w.__parallel_row_at(1, 4) = 7;
    /// assert_eq!(*w.__parallel_row_ref_at(1, 4), 7);
    /// # drop(w); drop(handle);
    /// assert_eq!(c, [0, 0, 0, 0, 7, 0]);
    /// ```
    #[inline(always)]
    #[track_caller]
    pub fn __parallel_row_at(&mut self, i: usize, idx: usize) -> &mut T {
        let (r, n, len) = (idx.wrapping_sub(i.wrapping_mul(self.n)), self.n, self.len);
        if r >= n {
            Self::not_in_row(i, idx, n);
        }
        match self.row(i).get_mut(r) {
            Some(x) => x,
            None => panic!("index out of bounds: the len is {len} but the index is {idx}"),
        }
    }

    /// Element `idx` of row `i`, shared; see
    /// [`__parallel_row_at`](RowWindow::__parallel_row_at).
    ///
    /// # Examples
    ///
    /// See [`__parallel_row_at`](RowWindow::__parallel_row_at).
    #[inline(always)]
    #[track_caller]
    pub fn __parallel_row_ref_at(&self, i: usize, idx: usize) -> &T {
        let (r, n, len) = (idx.wrapping_sub(i.wrapping_mul(self.n)), self.n, self.len);
        if r >= n {
            Self::not_in_row(i, idx, n);
        }
        match self.row_ref(i).get(r) {
            Some(x) => x,
            None => panic!("index out of bounds: the len is {len} but the index is {idx}"),
        }
    }

    #[cold]
    #[inline(never)]
    #[track_caller]
    fn not_in_row(i: usize, idx: usize, n: usize) -> ! {
        panic!(
            "row-major index `x[i * n + j]`: index {idx} is not in row {i} (elements {}..{} for rows of n = {n}), the only row iteration {i} owns; keep the column `j` in 0..n",
            i.saturating_mul(n),
            i.saturating_add(1).saturating_mul(n)
        );
    }

    /// The length of the FULL array, in elements.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{Part, RowHandle};
    ///
    /// let mut c = [0; 10];
    /// let handle = RowHandle::new(&mut c, 5);
    /// // SAFETY: the only window alive.
    /// assert_eq!(unsafe { handle.window(1, 1) }.len(), 10);
    /// ```
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the FULL array is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{Part, RowHandle};
    ///
    /// let mut c = [0; 10];
    /// let handle = RowHandle::new(&mut c, 5);
    /// // SAFETY: the only window alive.
    /// assert!(!unsafe { handle.window(0, 1) }.is_empty());
    /// ```
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The panic of a row outside the window; takes values, not `&self`, for
    /// the reason given at [`ElemWindow`]'s `out_of_window`.
    #[cold]
    #[inline(never)]
    #[track_caller]
    fn bad_row(i: usize, n: usize, len: usize, lo: usize, hi: usize) -> ! {
        if n == 0 {
            panic!("row-major write `x[i * n + j]`: rows of n = 0 elements, so row {i} has none");
        }
        if i.checked_mul(n).is_none_or(|start| start >= len) {
            panic!(
                "row-major write `x[i * n + j]`: row {i} is past the end of the array \
                 (rows of n = {n} elements, the len is {len})"
            );
        }
        panic!(
            "row-major write `x[i * n + j]`: row {i} is outside the rows {lo}..={hi} this chunk of the loop owns"
        );
    }
}

/// An array whose length cannot change while a loop runs: what a row width
/// or offset may take `.len()` of, since the loop evaluates it once, before
/// it starts. A type of the user's own may have a `len()` that changes
/// (through a `Cell`, say), so only these are taken.
///
/// # Examples
///
/// ```
/// let v = vec![1, 2, 3];
/// parallel_runtime::assert_fixed_len(&v);
/// parallel_runtime::assert_fixed_len(&&v[..]);
/// ```
#[diagnostic::on_unimplemented(
    message = "the loop evaluates `.len()` of a `{Self}` once, before it starts, but a `{Self}` may change its length while the loop runs",
    label = "its `.len()` is used in a row width or an offset",
    note = "bind the length to a local before the loop (`let n = x.len();`) and use `n` in the index"
)]
pub trait FixedLen {}

impl<T> FixedLen for [T] {}
impl<T, const N: usize> FixedLen for [T; N] {}
impl<T> FixedLen for Vec<T> {}
impl<T> FixedLen for Box<[T]> {}
impl<T> FixedLen for std::collections::VecDeque<T> {}
impl FixedLen for str {}
impl FixedLen for String {}
impl<T> FixedLen for ElemWindow<'_, T> {}
impl<T> FixedLen for RowWindow<'_, T> {}
#[cfg(feature = "ndarray")]
impl<S: ndarray::RawData, D: ndarray::Dimension> FixedLen for ndarray::ArrayBase<S, D> {}
impl<S: FixedLen + ?Sized> FixedLen for &S {}
impl<S: FixedLen + ?Sized> FixedLen for &mut S {}

/// Checks that `.len()` of `s` cannot change while the loop runs; see
/// [`FixedLen`].
///
/// # Examples
///
/// ```
/// parallel_runtime::assert_fixed_len(&[0u8; 4]);
/// ```
#[inline(always)]
pub fn assert_fixed_len<S: FixedLen + ?Sized>(_: &S) {}

/// Checks, with no deref coercion, that a written array is one of the
/// [`SplitIndex`] types itself: a wrapper that only derefs to a `Vec` may
/// index differently (`Index` of its own) than the `Vec` it derefs to.
///
/// # Examples
///
/// ```
/// let mut y = vec![0.0; 4];
/// parallel_runtime::assert_split(&y);
/// let z: &mut [f64] = &mut y;
/// parallel_runtime::assert_split(&z);
/// ```
#[inline(always)]
pub fn assert_split<S: WrittenArray + ?Sized>(_: &S) {}

/// An array a loop may write element by element: a [`SplitIndex`] type,
/// or (feature `ndarray`) an ndarray array with mutable data, owned or
/// behind `&mut`. What [`assert_split`] asks of a written array.
///
/// # Examples
///
/// ```
/// fn written<S: parallel_runtime::WrittenArray + ?Sized>(_: &S) {}
/// written(&vec![0u8; 3]);
/// written(&[0.0f64; 2]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be written element by element from a `parallel_for` loop",
    label = "written as `x[i]` inside the loop",
    note = "element writes need a `[T]`, `[T; N]`, `Vec<T>` or `Box<[T]>` (with the feature `ndarray`, also an ndarray `Array` or `ArrayViewMut`) owned or behind `&mut`; a shared `&[T]` (or an ndarray `ArrayView`) cannot be written"
)]
pub trait WrittenArray {}

impl<S: SplitIndex + ?Sized> WrittenArray for S {}

#[cfg(feature = "ndarray")]
impl<S: ndarray::DataMut, D: ndarray::Dimension> WrittenArray for ndarray::ArrayBase<S, D> {}

#[cfg(feature = "ndarray")]
impl<S: ndarray::DataMut, D: ndarray::Dimension> WrittenArray for &mut ndarray::ArrayBase<S, D> {}

/// A collection that `iter()`, `&v` and `chunks(k)` loops, and the reads
/// `x[i]` of vectorized loops, can walk as a slice: `[T]`, `[T; N]`, `Vec<T>`, `Box<[T]>` and references to them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a slice, array, `Vec` or `Box<[T]>`, so the loop cannot walk it as a slice",
    label = "walked as a slice here",
    note = "iterator loops (`x.iter()`, `&x`, `x.chunks(k)`) and vectorized loops that read `x[i]` walk a `[T]`, `[T; N]`, `Vec<T>` or `Box<[T]>` itself, or a reference to one, with no deref coercion (a type's own `Index` may differ from its slice's); for another collection, index it in a loop over `0..len` without `simd`"
)]
pub trait SliceSource {
    /// The element type.
    type Item;
    /// The collection as a slice.
    fn __items(&self) -> &[Self::Item];
}

impl<T> SliceSource for [T] {
    type Item = T;
    #[inline(always)]
    fn __items(&self) -> &[T] {
        self
    }
}

impl<T, const N: usize> SliceSource for [T; N] {
    type Item = T;
    #[inline(always)]
    fn __items(&self) -> &[T] {
        self
    }
}

impl<T> SliceSource for Vec<T> {
    type Item = T;
    #[inline(always)]
    fn __items(&self) -> &[T] {
        self
    }
}

impl<T> SliceSource for Box<[T]> {
    type Item = T;
    #[inline(always)]
    fn __items(&self) -> &[T] {
        self
    }
}

impl<S: SliceSource + ?Sized> SliceSource for &S {
    type Item = S::Item;
    #[inline(always)]
    fn __items(&self) -> &[S::Item] {
        (**self).__items()
    }
}

impl<S: SliceSource + ?Sized> SliceSource for &mut S {
    type Item = S::Item;
    #[inline(always)]
    fn __items(&self) -> &[S::Item] {
        (**self).__items()
    }
}

/// Checks, with no deref coercion, that an iterated collection is a
/// [`SliceSource`].
///
/// # Examples
///
/// ```
/// let v = vec![1, 2];
/// parallel_runtime::assert_slice(&v);
/// parallel_runtime::assert_slice(&&v[..]);
/// ```
#[inline(always)]
pub fn assert_slice<S: SliceSource + ?Sized>(_: &S) {}

/// One handle of a loop: hands out the window of one chunk.
///
/// Implemented by [`ElemHandle`] and [`RowHandle`]; tuples of parts are
/// [`Parts`].
///
/// # Safety
///
/// Windows alive at the same time for disjoint `lo ..= hi` intervals must not
/// overlap, and each must only reach elements of the borrowed array.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{ElemHandle, Part};
///
/// let mut y = [0; 4];
/// let handle = ElemHandle::new(&mut y);
/// // SAFETY: the intervals 0..=1 and 2..=3 are disjoint.
/// let (mut a, mut b) = unsafe { (handle.window(0, 1), handle.window(2, 3)) };
/// std::thread::scope(|s| {
///     s.spawn(move || a[1] = 1);
///     s.spawn(move || b[2] = 2);
/// });
/// drop(handle);
/// assert_eq!(y, [0, 1, 2, 0]);
/// ```
pub unsafe trait Part: Sync {
    /// The window one chunk owns.
    type Window: Send;

    /// The window for the loop values (array indices, or rows) `lo ..= hi`.
    ///
    /// # Safety
    ///
    /// Windows handed out and alive at the same time must be for disjoint
    /// `lo ..= hi` intervals.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{ElemHandle, Part};
    ///
    /// let mut y = [5; 3];
    /// let handle = ElemHandle::new(&mut y);
    /// // SAFETY: the only window alive.
    /// let w = unsafe { handle.window(0, 2) };
    /// assert_eq!(w[2], 5);
    /// ```
    unsafe fn window(&self, lo: usize, hi: usize) -> Self::Window;
}

// SAFETY: the window is the sub-slice `lo ..= hi` (clamped) of the array the
// handle borrows; disjoint intervals give disjoint sub-slices.
unsafe impl<'a, T: Send> Part for ElemHandle<'a, T> {
    type Window = ElemWindow<'a, T>;

    #[inline]
    unsafe fn window(&self, lo: usize, hi: usize) -> ElemWindow<'a, T> {
        let start = lo.min(self.len);
        let end = hi.saturating_add(1).min(self.len).max(start);
        // SAFETY: `start <= end <= len`, so the range is inside the `len`
        // elements `split_parts` promised valid for the borrow `'a`; the caller
        // promises no other live window overlaps `lo ..= hi`, so this is the
        // only reference to these elements.
        let elems = unsafe { slice::from_raw_parts_mut(self.ptr.add(start), end - start) };
        ElemWindow {
            elems,
            lo: start,
            len: self.len,
        }
    }
}

// SAFETY: the window is the elements of rows `lo ..= hi` (clamped) of the array
// the handle borrows; disjoint row intervals give disjoint element ranges
// (saturating multiplication is monotone).
unsafe impl<'a, T: Send> Part for RowHandle<'a, T> {
    type Window = RowWindow<'a, T>;

    #[inline]
    #[track_caller]
    unsafe fn window(&self, lo: usize, hi: usize) -> RowWindow<'a, T> {
        // Rows of 0 elements own nothing: any access then panics, as a write
        // `x[i * 0 + j]` would reach every iteration's `x[j]`.
        let n = self.n;
        let start = lo.saturating_mul(n).min(self.len);
        let end = hi
            .saturating_add(1)
            .saturating_mul(n)
            .min(self.len)
            .max(start);
        // SAFETY: `start <= end <= len`, inside the elements `split_parts`
        // promised valid for `'a`; rows `lo ..= hi` do not overlap any other
        // live window's rows (the caller's promise), so neither do the elements.
        let elems = unsafe { slice::from_raw_parts_mut(self.ptr.add(start), end - start) };
        RowWindow {
            elems,
            lo,
            hi,
            n,
            len: self.len,
        }
    }
}

/// A tuple of handles ([`Part`]s), one per array the loop writes.
/// `windows(lo, hi)` hands out the windows for the loop values `lo ..= hi`.
///
/// Implemented for `()` and for tuples of up to 12 parts.
///
/// # Safety
///
/// Windows alive at the same time for disjoint `lo ..= hi` intervals must not
/// overlap.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{ElemHandle, Parts, RowHandle};
///
/// let (mut x, mut m) = ([0; 3], [0; 6]);
/// let parts = (ElemHandle::new(&mut x), RowHandle::new(&mut m, 2));
/// // SAFETY: the only windows alive.
/// let (mut xw, mut mw) = unsafe { parts.windows(1, 1) };
/// xw[1] = 1;
/// mw.row(1)[0] = 1;
/// drop((xw, mw));
/// drop(parts);
/// assert_eq!((x, m), ([0, 1, 0], [0, 0, 1, 0, 0, 0]));
/// assert!(<() as Parts>::IS_EMPTY);
/// ```
pub unsafe trait Parts: Sync {
    /// The tuple of the windows, same arity and order.
    type Windows: Send;

    /// The windows of every part for the loop values `lo ..= hi`.
    ///
    /// # Safety
    ///
    /// Windows handed out and alive at the same time must be for disjoint
    /// `lo ..= hi` intervals.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{ElemHandle, Parts};
    ///
    /// let mut y = [0; 2];
    /// let parts = (ElemHandle::new(&mut y),);
    /// // SAFETY: the only window alive.
    /// let (mut w,) = unsafe { parts.windows(0, 1) };
    /// w[0] = 9;
    /// # drop(w); drop(parts);
    /// assert_eq!(y, [9, 0]);
    /// ```
    unsafe fn windows(&self, lo: usize, hi: usize) -> Self::Windows;

    /// `true` for `()`: the loop writes no array, so the driver neither checks
    /// the loop values as indices nor computes windows.
    const IS_EMPTY: bool;
}

// SAFETY: `()` hands out no window at all.
unsafe impl Parts for () {
    type Windows = ();
    #[inline(always)]
    unsafe fn windows(&self, _lo: usize, _hi: usize) {}
    const IS_EMPTY: bool = true;
}

macro_rules! impl_parts {
    ($(($($p:ident $i:tt),+))*) => {$(
        // SAFETY: each part's window is disjoint from that part's other live
        // windows by `Part`'s contract, which we forward unchanged; and parts
        // never overlap each other, because each holds an exclusive borrow of
        // its array (`ElemHandle`/`RowHandle` a `&mut`, `NestedHandle` the
        // `&mut`-lent row table), so two parts over one array cannot exist.
        unsafe impl<$($p: Part),+> Parts for ($($p,)+) {
            type Windows = ($($p::Window,)+);
            #[inline(always)]
            unsafe fn windows(&self, lo: usize, hi: usize) -> Self::Windows {
                // SAFETY: our caller's promise (disjoint live intervals) is
                // exactly what each part needs.
                unsafe { ($(self.$i.window(lo, hi),)+) }
            }
            const IS_EMPTY: bool = false;
        }
    )*};
}

impl_parts! {
    (A 0)
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
    (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, F 5)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::panic::{AssertUnwindSafe, catch_unwind};

    fn assert_send_sync<X: Send + Sync>() {}
    fn assert_send<X: Send>() {}

    #[test]
    fn handles_are_send_and_sync_windows_send() {
        assert_send_sync::<ElemHandle<'_, f64>>();
        assert_send_sync::<RowHandle<'_, String>>();
        // `Cell` is Send but not Sync: the handle is still Sync, since every
        // element is reached by exactly one thread.
        assert_send_sync::<ElemHandle<'_, std::cell::Cell<u8>>>();
        assert_send::<ElemWindow<'_, std::cell::Cell<u8>>>();
        assert_send::<RowWindow<'_, u8>>();
    }

    /// Writes `f(i)` into every element through `chunks` windows of `lo..=hi`
    /// intervals cut from `0..len`, each filled on its own thread.
    fn fill_from_threads<S: SplitIndex<Elem = u64> + ?Sized>(s: &mut S, chunks: usize) {
        let handle = ElemHandle::new(s);
        let len = handle.len;
        std::thread::scope(|scope| {
            for c in 0..chunks {
                let (lo, hi) = (c * len / chunks, (c + 1) * len / chunks);
                if lo == hi {
                    continue;
                }
                // SAFETY: the intervals lo..=hi-1 of different c are disjoint.
                let mut w = unsafe { handle.window(lo, hi - 1) };
                scope.spawn(move || {
                    for i in lo..hi {
                        w[i] = i as u64 * 3 + 1;
                        assert_eq!(w[i], i as u64 * 3 + 1);
                    }
                    assert_eq!(w.len(), len);
                });
            }
        });
    }

    fn expected(len: usize) -> Vec<u64> {
        (0..len as u64).map(|i| i * 3 + 1).collect()
    }

    #[test]
    fn vec_windows_from_threads() {
        for len in [0, 1, 2, 3, 97, 1000] {
            for chunks in [1, 2, 3, 7] {
                let mut v = vec![0u64; len];
                fill_from_threads(&mut v, chunks);
                assert_eq!(v, expected(len));
            }
        }
    }

    #[test]
    fn array_windows_from_threads() {
        let mut a = [0u64; 37];
        fill_from_threads(&mut a, 4);
        assert_eq!(a.to_vec(), expected(37));
    }

    #[test]
    fn slice_windows_from_threads() {
        let mut v = vec![0u64; 50];
        fill_from_threads(&mut v[..], 3);
        assert_eq!(v, expected(50));
    }

    #[test]
    fn mut_ref_windows_from_threads() {
        let mut v = vec![0u64; 50];
        let mut r: &mut [u64] = &mut v;
        fill_from_threads(&mut r, 5);
        assert_eq!(v, expected(50));
        let mut v = vec![0u64; 20];
        let mut rv = &mut v;
        fill_from_threads(&mut rv, 2);
        assert_eq!(v, expected(20));
    }

    #[test]
    fn boxed_slice_windows_from_threads() {
        let mut b: Box<[u64]> = vec![0u64; 64].into_boxed_slice();
        fill_from_threads(&mut b, 6);
        assert_eq!(b.to_vec(), expected(64));
    }

    #[test]
    fn windows_clamp_to_len_and_keep_full_len() {
        let mut v = vec![0u8; 5];
        let handle = ElemHandle::new(&mut v);
        // SAFETY: one window at a time.
        let w = unsafe { handle.window(3, usize::MAX) };
        assert_eq!((w.lo, w.elems.len(), w.len()), (3, 2, 5));
        // SAFETY: one window at a time.
        let w = unsafe { handle.window(7, 9) };
        assert_eq!((w.elems.len(), w.len(), w.is_empty()), (0, 5, false));
    }

    /// The message of the panic `f` must raise.
    pub(crate) fn panic_message(f: impl FnOnce()) -> String {
        let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
        if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else if let Some(s) = payload.downcast_ref::<&str>() {
            s.to_string()
        } else {
            panic!("non-string panic payload")
        }
    }

    #[test]
    fn out_of_bounds_panics_like_std() {
        let mut v = vec![0u8; 5];
        let handle = ElemHandle::new(&mut v);
        // SAFETY: one window at a time.
        let mut w = unsafe { handle.window(3, 6) };
        let std_msg = panic_message(|| {
            let s = [0u8; 5];
            let i = std::hint::black_box(6);
            let _ = s[i];
        });
        assert_eq!(
            panic_message(|| w[6] = 1),
            "index out of bounds: the len is 5 but the index is 6"
        );
        assert_eq!(panic_message(|| _ = w[6]), std_msg);
        let msg = panic_message(|| w[1] = 1);
        assert!(
            msg.contains("index 1 is outside the elements 3..5"),
            "{msg}"
        );
        let msg = panic_message(|| _ = w[2]);
        assert!(msg.contains("index 2 is outside"), "{msg}");
    }

    #[test]
    fn rows_from_threads() {
        for (len, n, chunks) in [
            (12usize, 3usize, 2usize),
            (13, 3, 3),
            (100, 7, 4),
            (5, 10, 2),
            (0, 4, 2),
        ] {
            let rows = len.div_ceil(n);
            let mut v = vec![0usize; len];
            let handle = RowHandle::new(&mut v, n);
            std::thread::scope(|scope| {
                for c in 0..chunks {
                    let (lo, hi) = (c * rows / chunks, (c + 1) * rows / chunks);
                    if lo == hi {
                        continue;
                    }
                    // SAFETY: the row intervals of different c are disjoint.
                    let mut w = unsafe { handle.window(lo, hi - 1) };
                    scope.spawn(move || {
                        for i in lo..hi {
                            let row = w.row(i);
                            assert_eq!(row.len(), n.min(len - i * n));
                            for (j, x) in row.iter_mut().enumerate() {
                                *x = i * n + j;
                            }
                            assert_eq!(w.row_ref(i)[0], i * n);
                        }
                        assert_eq!(w.len(), len);
                        assert_eq!(w.is_empty(), len == 0);
                    });
                }
            });
            assert_eq!(v, (0..len).collect::<Vec<_>>());
        }
    }

    #[test]
    fn bad_rows_panic_clearly() {
        let mut v = vec![0u8; 10];
        let handle = RowHandle::new(&mut v, 4);
        // SAFETY: one window at a time.
        let mut w = unsafe { handle.window(1, 5) };
        assert_eq!(w.row(2).len(), 2);
        let msg = panic_message(|| _ = w.row(3));
        assert!(msg.contains("row 3 is past the end of the array"), "{msg}");
        assert!(
            msg.contains("n = 4") && msg.contains("the len is 10"),
            "{msg}"
        );
        let msg = panic_message(|| _ = w.row_ref(0));
        assert!(msg.contains("row 0 is outside the rows 1..=5"), "{msg}");
        let msg = panic_message(|| _ = w.row(usize::MAX));
        assert!(msg.contains("past the end"), "{msg}");
        // Rows of no elements: the window owns nothing, and any row panics.
        let zero = RowHandle::new(&mut v, 0);
        // SAFETY: one window at a time.
        let mut w = unsafe { zero.window(0, 0) };
        let msg = panic_message(|| _ = w.row(0));
        assert!(msg.contains("rows of n = 0 elements"), "{msg}");
    }

    #[test]
    fn parts_tuples_up_to_twelve() {
        let mut arrays = [[0u32; 8]; 12];
        let [a, b, c, d, e, f, g, h, i, j, k, l] = &mut arrays;
        let parts = (
            ElemHandle::new(a),
            ElemHandle::new(b),
            ElemHandle::new(c),
            ElemHandle::new(d),
            ElemHandle::new(e),
            ElemHandle::new(f),
            ElemHandle::new(g),
            ElemHandle::new(h),
            ElemHandle::new(i),
            ElemHandle::new(j),
            ElemHandle::new(k),
            RowHandle::new(l, 2),
        );
        const { assert!(!<(ElemHandle<'_, u32>,) as Parts>::IS_EMPTY) };
        std::thread::scope(|scope| {
            for (lo, hi) in [(0, 1), (2, 3)] {
                // SAFETY: 0..=1 and 2..=3 are disjoint.
                let mut w = unsafe { parts.windows(lo, hi) };
                scope.spawn(move || {
                    for x in lo..=hi {
                        w.0[x] = 1;
                        w.1[x] = 2;
                        w.2[x] = 3;
                        w.3[x] = 4;
                        w.4[x] = 5;
                        w.5[x] = 6;
                        w.6[x] = 7;
                        w.7[x] = 8;
                        w.8[x] = 9;
                        w.9[x] = 10;
                        w.10[x] = 11;
                        w.11.row(x).fill(12);
                    }
                });
            }
        });
        for (k, arr) in arrays.iter().enumerate() {
            let v = k as u32 + 1;
            if k < 11 {
                assert_eq!(arr, &[v, v, v, v, 0, 0, 0, 0]);
            } else {
                assert_eq!(arr, &[v; 8]);
            }
        }
        // SAFETY: `()` hands out nothing.
        unsafe { ().windows(0, 0) };
        const { assert!(<() as Parts>::IS_EMPTY) };
    }

    #[test]
    fn handles_move_to_and_are_shared_between_threads() {
        let mut v = vec![0i32; 10];
        let mut m = vec![0i32; 10];
        let elems = ElemHandle::new(&mut v);
        let rows = RowHandle::new(&mut m, 5);
        // Moved to another thread (Send), then shared by two more (Sync).
        std::thread::scope(|outer| {
            outer.spawn(move || {
                let (elems, rows) = (&elems, &rows);
                std::thread::scope(|s| {
                    for half in 0..2 {
                        s.spawn(move || {
                            // SAFETY: half 0 gets elements 0..=4 and row 0, half 1
                            // elements 5..=9 and row 1: disjoint.
                            let (mut w, mut r) = unsafe {
                                (
                                    elems.window(5 * half, 5 * half + 4),
                                    rows.window(half, half),
                                )
                            };
                            for i in 5 * half..5 * half + 5 {
                                w[i] = i as i32;
                            }
                            r.row(half).fill(half as i32 + 1);
                        });
                    }
                });
            });
        });
        assert_eq!(v, (0..10).collect::<Vec<_>>());
        assert_eq!(m, [1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
    }

    #[test]
    fn zero_sized_elements() {
        let mut v = vec![(); 1000];
        let handle = ElemHandle::new(&mut v);
        // SAFETY: one window at a time.
        let mut w = unsafe { handle.window(10, 19) };
        w[15] = ();
        assert_eq!(w.elems.len(), 10);
    }
}
