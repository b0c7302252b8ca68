//! ndarray's arrays as arrays a loop writes (feature `ndarray`).
//!
//! A loop that writes `c[[i, j]]` (or `y[i]` of an `Array1`) owns the
//! elements whose index along one axis is its loop value: axis 0 for
//! `c[[i, j]]` and `a[[i, j, k]]`, axis 1 for `c[[k, j]]` from a loop over
//! `j`. The handle ([`NdHandle`]) borrows the array mutably for the loop;
//! the window of a chunk ([`NdWindow`]) is the slab of the array at the
//! chunk's indices along that axis, an ordinary `ArrayViewMut` that the
//! chunk alone holds. The windows of disjoint chunks are disjoint whatever
//! the layout (transposed, strided, reversed): ndarray never lets two
//! indices of a mutable array name one element, so two slabs at different
//! indices of one axis share none. No layout is rejected.
//!
//! Every access through a window is checked: an index outside the array
//! panics as ndarray's indexing does, one outside the chunk's slab panics
//! naming the slab, before anything is written.
//!
//! Whole-array reductions into `Array1` / `Array2` (any dimension) are
//! element-wise, as for `Vec`s: see the reduction module.

use crate::split::Part;
use core::marker::PhantomData;
use core::ops::{Index, IndexMut};
use ndarray::{
    ArrayBase, ArrayView, ArrayViewMut, Axis, Data, DataMut, Dimension, IntoDimension, Ix1, Ix2,
    RawArrayViewMut, RawData, RemoveAxis, Slice,
};

/// An ndarray array a loop may write through windows along one axis:
/// `ArrayBase<S, D>` with `S: DataMut` (owned arrays, `ArrayViewMut`,
/// `ArcArray`, `CowArray`), and `&mut` of one.
///
/// # Safety
///
/// [`__parallel_raw`](NdSplit::__parallel_raw) must return a raw view whose
/// elements are valid for reads and writes, distinct for distinct indices,
/// and reached by nothing else for as long as `self` stays mutably borrowed.
///
/// # Examples
///
/// ```
/// use parallel_runtime::NdSplit;
///
/// let mut a = ndarray::Array2::<f64>::zeros((2, 3));
/// assert_eq!(a.__parallel_raw().shape(), &[2, 3]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be written element by element from a `parallel_for` loop",
    label = "written as `x[[i, j]]` inside the loop",
    note = "element writes of ndarray arrays need an `Array`, an `ArrayViewMut` (or another array whose data is mutable), owned or behind `&mut`; an `ArrayView` cannot be written"
)]
pub unsafe trait NdSplit {
    /// The element type.
    type Elem;
    /// The dimension.
    type Dim: Dimension;
    /// The raw view of the whole array, its data unshared first (an
    /// `ArcArray` copies it if another array shares it).
    fn __parallel_raw(&mut self) -> RawArrayViewMut<Self::Elem, Self::Dim>;
}

// SAFETY: `raw_view_mut` of a `DataMut` array makes its data unique first
// (an `ArcArray` copies shared data), so the view reaches elements only
// `self` owns, valid while `self` is mutably borrowed; ndarray checks that
// the strides of an array with mutable data never let two indices meet at
// one element (`dim_stride_overlap`).
unsafe impl<A, S: DataMut<Elem = A>, D: Dimension> NdSplit for ArrayBase<S, D> {
    type Elem = A;
    type Dim = D;
    #[inline]
    fn __parallel_raw(&mut self) -> RawArrayViewMut<A, D> {
        self.raw_view_mut()
    }
}

// SAFETY: forwards to `T`, borrowed for as long as the outer `&mut` is.
unsafe impl<T: NdSplit + ?Sized> NdSplit for &mut T {
    type Elem = T::Elem;
    type Dim = T::Dim;
    #[inline]
    fn __parallel_raw(&mut self) -> RawArrayViewMut<T::Elem, T::Dim> {
        (**self).__parallel_raw()
    }
}

/// An ndarray array borrowed for a loop that owns, in each iteration, the
/// elements at its loop value along one axis: the driver cuts it into an
/// [`NdWindow`] per chunk.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{for_range, Config, NdHandle, Seq};
///
/// let mut c = ndarray::Array2::<usize>::zeros((5, 3));
/// for_range(&Config::DEFAULT, &Seq::range(0usize, 5), (NdHandle::new(&mut c, 0),),
///     |(), ()| (),
///     |lo, hi, (mut c,)| for i in lo..hi {
///         for j in 0..3 { c[[i, j]] = i * 3 + j; }
///     });
/// assert_eq!(c, ndarray::Array2::from_shape_fn((5, 3), |(i, j)| i * 3 + j));
/// ```
pub struct NdHandle<'a, A, D: Dimension> {
    raw: RawArrayViewMut<A, D>,
    axis: usize,
    _borrow: PhantomData<&'a mut A>,
}

// SAFETY: the handle stands for a `&'a mut` of the array's elements, which
// may move to another thread when `A: Send`.
unsafe impl<A: Send, D: Dimension> Send for NdHandle<'_, A, D> {}
// SAFETY: shared, it only hands out windows through the unsafe
// `Part::window`, whose contract keeps them disjoint; each is a mutable view
// of elements no other thread reaches, so `A: Send` suffices.
unsafe impl<A: Send, D: Dimension> Sync for NdHandle<'_, A, D> {}

impl<'a, A, D: Dimension> NdHandle<'a, A, D> {
    /// Borrows `s` mutably for the loop, split along `axis`.
    ///
    /// # Panics
    ///
    /// If the array has no axis `axis` (a 1-D array written as
    /// `y[[k, j]]`, say).
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::NdHandle;
    ///
    /// let mut a = ndarray::Array3::<u8>::zeros((2, 3, 4));
    /// assert_eq!(NdHandle::new(&mut a, 2).elements(), 4);
    /// ```
    #[track_caller]
    pub fn new<S: NdSplit<Elem = A, Dim = D> + ?Sized>(s: &'a mut S, axis: usize) -> Self {
        let raw = s.__parallel_raw();
        let ndim = raw.ndim();
        assert!(
            axis < ndim,
            "a loop writes this {ndim}-dimensional array at its loop value along axis {axis}, which it does not have"
        );
        NdHandle {
            raw,
            axis,
            _borrow: PhantomData,
        }
    }

    /// The length along the split axis: the trip count of
    /// `for row in a.axis_iter_mut(Axis(k))`.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::NdHandle;
    ///
    /// let mut a = ndarray::Array2::<u8>::zeros((2, 3));
    /// assert_eq!(NdHandle::new(&mut a, 0).elements(), 2);
    /// ```
    pub fn elements(&self) -> usize {
        self.raw.len_of(Axis(self.axis))
    }

    /// The reads of the elements whose index along the split axis lies
    /// outside `region` (inclusive), which no iteration of the loop writes:
    /// `name` is the array, for the panic of a read inside it.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::NdHandle;
    ///
    /// let mut c = ndarray::arr2(&[[1, 2], [3, 4]]);
    /// let handle = NdHandle::new(&mut c, 0);
    /// assert_eq!(*handle.outside((1, 1), "c").read([0, 1], "c[[0, 1]]"), 2);
    /// ```
    pub fn outside(&self, region: (usize, usize), name: &'static str) -> NdOutside<'a, A, D> {
        NdOutside {
            raw: self.raw.clone(),
            axis: self.axis,
            region,
            name,
            _borrow: PhantomData,
        }
    }
}

// SAFETY: the window is the slab of the array at indices `lo ..= hi`
// (clamped) along the split axis; slabs at disjoint index intervals of one
// axis share no element (distinct indices are distinct elements, see
// `NdSplit`), and each stays inside the array the handle borrows.
unsafe impl<'a, A: Send, D: Dimension> Part for NdHandle<'a, A, D> {
    type Window = NdWindow<'a, A, D>;

    #[inline]
    unsafe fn window(&self, lo: usize, hi: usize) -> NdWindow<'a, A, D> {
        let axis = Axis(self.axis);
        let len = self.raw.len_of(axis);
        let start = lo.min(len);
        let end = hi.saturating_add(1).min(len).max(start);
        let mut raw = self.raw.clone();
        raw.slice_axis_inplace(axis, Slice::from(start..end));
        // SAFETY: the slab lies inside the array, whose elements are valid
        // and reached by nothing but this loop for `'a` (`NdSplit`); the
        // caller promises no other live window overlaps `lo ..= hi`, so no
        // other window holds any element of this slab.
        let view = unsafe { raw.deref_into_view_mut() };
        NdWindow {
            view,
            axis: self.axis,
            lo: start,
            dim: self.raw.raw_dim(),
        }
    }
}

/// The elements of an ndarray array at the indices `lo ..= hi` along the
/// split axis (clamped to the array), owned by one chunk of a loop, indexed
/// with the array's own indices (`c[[i, j]]`, `y[i]`, `a[(i, j, k)]`).
///
/// # Examples
///
/// ```
/// use parallel_runtime::{NdHandle, Part};
///
/// let mut c = ndarray::Array2::<i32>::zeros((4, 2));
/// let handle = NdHandle::new(&mut c, 0);
/// // SAFETY: the only window alive.
/// let mut w = unsafe { handle.window(1, 2) };
/// w[[2, 1]] = 7;
/// assert_eq!((w[[2, 1]], w.len(), w.dim()), (7, 8, (4, 2)));
/// # drop(w); drop(handle);
/// assert_eq!(c[[2, 1]], 7);
/// ```
pub struct NdWindow<'a, A, D: Dimension> {
    /// The slab, indexed from `lo` along `axis`.
    view: ArrayViewMut<'a, A, D>,
    axis: usize,
    lo: usize,
    /// The whole array's shape.
    dim: D,
}

impl<'a, A, D: Dimension> NdWindow<'a, A, D> {
    /// The index into the slab of the array's index `ix`.
    #[inline(always)]
    fn local(mut ix: D, axis: usize, lo: usize) -> D {
        // Every component visited, the one on `axis` shifted: no index of
        // the components by the run-time `axis`, which would keep them in
        // memory rather than registers. `k < lo` wraps to an index past the
        // slab.
        for (k, x) in ix.slice_mut().iter_mut().enumerate() {
            *x = if k == axis { x.wrapping_sub(lo) } else { *x };
        }
        ix
    }

    /// The panic of an index outside the slab: outside the array (of shape
    /// `dim`), or another chunk's. It takes values, not `&self`: taking
    /// `&self` would make the window's address escape, and LLVM would then
    /// reload its fields from memory at every access.
    #[cold]
    #[inline(never)]
    #[track_caller]
    fn not_owned(dim: D, axis: usize, lo: usize, owned: usize, ix: D) -> ! {
        let (dim, ix) = (dim.slice(), ix.slice());
        if ix.len() != dim.len() || ix.iter().zip(dim).any(|(i, n)| i >= n) {
            panic!("ndarray: index {ix:?} is out of bounds for an array of shape {dim:?}");
        }
        let what = if axis == 0 { "rows" } else { "indices" };
        panic!(
            "index {ix:?}: this iteration owns only the elements at its own loop value along axis {axis}, and this chunk of the loop the {what} {lo}..{} there",
            lo + owned
        );
    }

    /// The number of elements of the WHOLE array (not of the window), so
    /// that `c.len()` in the loop body means what it means in the plain loop.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.dim.size()
    }

    /// Whether the WHOLE array is empty.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The WHOLE array's shape, as ndarray's `dim()` gives it.
    #[inline(always)]
    pub fn dim(&self) -> D::Pattern {
        self.dim.clone().into_pattern()
    }

    /// The WHOLE array's shape, as ndarray's `shape()` gives it.
    #[inline(always)]
    pub fn shape(&self) -> &[usize] {
        self.dim.slice()
    }

    /// The WHOLE array's length along `axis`.
    #[inline(always)]
    #[track_caller]
    pub fn len_of(&self, axis: Axis) -> usize {
        self.dim[axis.index()]
    }

    /// The WHOLE array's number of rows (its length along axis 0).
    #[inline(always)]
    pub fn nrows(&self) -> usize {
        self.dim.slice().first().copied().unwrap_or(1)
    }

    /// The WHOLE array's number of columns (its length along the last axis).
    #[inline(always)]
    pub fn ncols(&self) -> usize {
        self.dim.slice().last().copied().unwrap_or(1)
    }

    /// The sub-view at index `t` along the split axis, one of this chunk's:
    /// the item of `for row in a.axis_iter_mut(Axis(k))`.
    ///
    /// # Panics
    ///
    /// If `t` is not one of this chunk's indices.
    #[doc(hidden)]
    #[inline(always)]
    #[track_caller]
    pub fn __parallel_sub(&mut self, t: usize) -> ArrayViewMut<'_, A, D::Smaller>
    where
        D: RemoveAxis,
    {
        let (axis, lo) = (self.axis, self.lo);
        let owned = self.view.len_of(Axis(axis));
        if t.wrapping_sub(lo) >= owned {
            let mut ix = self.dim.clone();
            ix.slice_mut().fill(0);
            ix.slice_mut()[axis] = t;
            Self::not_owned(self.dim.clone(), axis, lo, owned, ix);
        }
        let r = t - lo;
        self.view.index_axis_mut(Axis(self.axis), r)
    }
}

impl<A, D: Dimension, I: IntoDimension<Dim = D>> Index<I> for NdWindow<'_, A, D> {
    type Output = A;
    #[inline(always)]
    #[track_caller]
    fn index(&self, i: I) -> &A {
        let ix = i.into_dimension();
        let (axis, lo) = (self.axis, self.lo);
        match self.view.get(Self::local(ix.clone(), axis, lo)) {
            Some(x) => x,
            None => {
                let owned = self.view.len_of(Axis(axis));
                Self::not_owned(self.dim.clone(), axis, lo, owned, ix)
            }
        }
    }
}

impl<A, D: Dimension, I: IntoDimension<Dim = D>> IndexMut<I> for NdWindow<'_, A, D> {
    #[inline(always)]
    #[track_caller]
    fn index_mut(&mut self, i: I) -> &mut A {
        let ix = i.into_dimension();
        let (axis, lo) = (self.axis, self.lo);
        let owned = self.view.len_of(Axis(axis));
        match self.view.get_mut(Self::local(ix.clone(), axis, lo)) {
            Some(x) => x,
            None => Self::not_owned(self.dim.clone(), axis, lo, owned, ix),
        }
    }
}

// A vectorized chunk's writes `y[i]` of a 1-D array: the slab as a slice
// when its elements are contiguous in order, else `None`, and the chunk
// runs its plain loop, element by element.
impl<A> crate::CutMut for NdWindow<'_, A, Ix1> {
    type Elem = A;
    #[inline(always)]
    fn __cut_mut(&mut self, a: usize, b: usize) -> Option<&mut [A]> {
        let (a, b) = (a.checked_sub(self.lo)?, b.checked_sub(self.lo)?);
        self.view.as_slice_mut()?.get_mut(a..b)
    }
}

/// The reads of an ndarray array's elements that no iteration of a loop
/// writes: those whose index along the split axis lies outside the loop's
/// range of values, checked at every read.
///
/// # Examples
///
/// ```
/// use parallel_runtime::NdHandle;
///
/// let mut y = ndarray::arr1(&[1, 2, 3, 4]);
/// let handle = NdHandle::new(&mut y, 0);
/// let out = handle.outside((0, 1), "y");
/// assert_eq!(*out.read(3, "y[3]"), 4);
/// assert!(std::panic::catch_unwind(|| *out.read(1, "y[1]")).is_err());
/// ```
pub struct NdOutside<'a, A, D: Dimension> {
    raw: RawArrayViewMut<A, D>,
    axis: usize,
    region: (usize, usize),
    name: &'static str,
    _borrow: PhantomData<&'a A>,
}

// SAFETY: it only reads elements no window of the loop reaches (checked on
// every read), so sharing it shares `&A`, which needs `A: Sync`.
unsafe impl<A: Sync, D: Dimension> Sync for NdOutside<'_, A, D> {}
// SAFETY: as above.
unsafe impl<A: Sync, D: Dimension> Send for NdOutside<'_, A, D> {}

impl<'a, A, D: Dimension> NdOutside<'a, A, D> {
    /// `&a[i]`, for an element no iteration writes; `text` is the read as
    /// written, for the message.
    ///
    /// # Panics
    ///
    /// If `i` is out of bounds, or an element the loop writes (a race).
    #[inline(always)]
    #[track_caller]
    pub fn read<I: IntoDimension<Dim = D>>(&self, i: I, text: &'static str) -> &'a A {
        let ix = i.into_dimension();
        let Some(ptr) = self.raw.get_ptr(ix.clone()) else {
            let (shape, at) = (self.raw.shape(), ix.slice());
            panic!("ndarray: index {at:?} is out of bounds for an array of shape {shape:?}");
        };
        let k = ix[self.axis];
        let (lo, hi) = self.region;
        if lo <= k && k <= hi {
            self.race(ix.slice(), text);
        }
        // SAFETY: `get_ptr` checked the index, so `ptr` is an element of the
        // array, valid for `'a`; its index along the split axis lies outside
        // every window's slab (all inside `region`), so no thread writes it.
        unsafe { &*ptr }
    }

    #[cold]
    #[inline(never)]
    #[track_caller]
    fn race(&self, at: &[usize], text: &str) -> ! {
        let (lo, hi) = self.region;
        panic!(
            "this loop reads `{text}` (index {at:?}) while another iteration may write it (the loop writes `{}` at indices {lo}..={hi} along axis {}): a data race. If the loop does not change what it reads there, copy the array before the loop (`let copy = {}.clone();`) and read the copy; if it does, each iteration depends on the ones before it, and the loop cannot run in parallel as written",
            self.name, self.axis, self.name
        );
    }
}

/// An ndarray array a loop walks read-only by its sub-views along an axis
/// (`for row in a.rows()`, `a.axis_iter(Axis(k))`): any `ArrayBase` whose
/// data can be read, and references to one.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{nd_lane, nd_lanes};
///
/// let a = ndarray::arr2(&[[1, 2, 3], [4, 5, 6]]);
/// assert_eq!(nd_lanes(&a, 1), 3);
/// assert_eq!(nd_lane(&&a, 1, 2).to_vec(), [3, 6]);
/// ```
pub trait NdView {
    /// The element type.
    type Elem;
    /// The dimension.
    type Dim: RemoveAxis;
    /// The array as a view.
    fn __parallel_view(&self) -> ArrayView<'_, Self::Elem, Self::Dim>;
}

impl<A, S: Data<Elem = A>, D: RemoveAxis> NdView for ArrayBase<S, D> {
    type Elem = A;
    type Dim = D;
    #[inline(always)]
    fn __parallel_view(&self) -> ArrayView<'_, A, D> {
        self.view()
    }
}

impl<T: NdView + ?Sized> NdView for &T {
    type Elem = T::Elem;
    type Dim = T::Dim;
    #[inline(always)]
    fn __parallel_view(&self) -> ArrayView<'_, T::Elem, T::Dim> {
        (**self).__parallel_view()
    }
}

impl<T: NdView + ?Sized> NdView for &mut T {
    type Elem = T::Elem;
    type Dim = T::Dim;
    #[inline(always)]
    fn __parallel_view(&self) -> ArrayView<'_, T::Elem, T::Dim> {
        (**self).__parallel_view()
    }
}

/// Checks that a read-only ndarray loop form walks an ndarray array.
///
/// # Examples
///
/// ```
/// parallel_runtime::assert_nd_view(&ndarray::arr1(&[1, 2]));
/// ```
#[inline(always)]
pub fn assert_nd_view<V: NdView + ?Sized>(_: &V) {}

/// Checks that `for row in a.rows()` walks a 2-D array (the rows of an
/// array of more dimensions are lanes, not sub-views along one axis).
///
/// # Examples
///
/// ```
/// parallel_runtime::assert_nd_rows(&ndarray::arr2(&[[1, 2]]));
/// ```
#[inline(always)]
pub fn assert_nd_rows<V: NdView<Dim = Ix2> + ?Sized>(_: &V) {}

/// The number of sub-views of `v` along `axis`: the trip count of
/// `v.axis_iter(Axis(axis))`.
///
/// # Panics
///
/// If `v` has no axis `axis`, as ndarray's `axis_iter` does.
///
/// # Examples
///
/// See [`NdView`].
#[inline(always)]
#[track_caller]
pub fn nd_lanes<V: NdView + ?Sized>(v: &V, axis: usize) -> usize {
    v.__parallel_view().len_of(Axis(axis))
}

/// Sub-view `t` of `v` along `axis`: the `t`-th item of
/// `v.axis_iter(Axis(axis))`.
///
/// # Examples
///
/// See [`NdView`].
#[inline(always)]
#[track_caller]
pub fn nd_lane<V: NdView + ?Sized>(
    v: &V,
    axis: usize,
    t: usize,
) -> ArrayView<'_, V::Elem, <V::Dim as Dimension>::Smaller> {
    v.__parallel_view().index_axis_move(Axis(axis), t)
}

/// Method-call syntax for an ndarray array's handle, so that `c` may be an
/// owned array (`let mut c`), an `ArrayViewMut` or a `&mut` parameter that
/// is not itself declared `mut`.
///
/// # Examples
///
/// ```
/// use parallel_runtime::NdHandleExt;
///
/// let mut a = ndarray::Array2::<u8>::zeros((3, 2));
/// assert_eq!(a.__parallel_axis_handle(1).elements(), 2);
/// ```
pub trait NdHandleExt {
    /// A handle that splits `self` along axis 0: `y[i]`, `c[[i, j]]`.
    #[track_caller]
    fn __parallel_elem_handle(&mut self) -> HandleOf<'_, Self>
    where
        Self: NdSplit,
    {
        NdHandle::new(self, 0)
    }
    /// A handle that splits `self` along `axis`: `c[[k, j]]` from a loop
    /// over `j` is axis 1.
    #[track_caller]
    fn __parallel_axis_handle(&mut self, axis: usize) -> HandleOf<'_, Self>
    where
        Self: NdSplit,
    {
        NdHandle::new(self, axis)
    }
    /// `y[i * n + j]` on an ndarray array: a compile error (see
    /// [`NdFlatIndex`]).
    fn __parallel_row_handle(&mut self, _n: usize) -> HandleOf<'_, Self>
    where
        Self: NdSplit + NdFlatIndex,
    {
        NdHandle::new(self, 0)
    }
    /// `y[k * n + i]` on an ndarray array: a compile error (see
    /// [`NdFlatIndex`]).
    fn __parallel_col_handle(&mut self, n: usize) -> HandleOf<'_, Self>
    where
        Self: NdSplit + NdFlatIndex,
    {
        self.__parallel_row_handle(n)
    }
    /// The handle of `for row in a.rows_mut()`: the rows of a 2-D array
    /// (those of an array of more dimensions are lanes, not sub-views
    /// along one axis).
    fn __parallel_rows_handle(&mut self) -> NdHandle<'_, <Self as NdSplit>::Elem, Ix2>
    where
        Self: NdSplit<Dim = Ix2>,
    {
        NdHandle::new(self, 0)
    }
}

/// The handle of an [`NdSplit`] array.
type HandleOf<'a, S> = NdHandle<'a, <S as NdSplit>::Elem, <S as NdSplit>::Dim>;

/// What a flat row-major index (`y[i * n + j]`, `y[k * n + i]`) asks of an
/// ndarray array: nothing implements it, so such a write is this error.
#[diagnostic::on_unimplemented(
    message = "an ndarray array is written at a flat row-major index (`x[i * n + j]` or `x[k * n + i]`)",
    label = "written here",
    note = "write a 2-D ndarray array at its own index instead: `x[[i, j]]` (row `i` is iteration `i`'s) or `x[[k, i]]` (column `i`); or reshape it before the loop (`.into_shape_with_order((rows, n))`)"
)]
pub trait NdFlatIndex {}

// Every ndarray array, so that writing one whose data cannot be written
// (an `ArrayView`) is the unmet `NdSplit` bound, with its message, rather
// than a missing method.
impl<S: RawData, D: Dimension> NdHandleExt for ArrayBase<S, D> {}
impl<T: NdHandleExt + ?Sized> NdHandleExt for &mut T {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::split::tests::panic_message;
    use ndarray::{Array1, Array2, Array3, s};

    /// Fills `a[ix] = f(ix)` through `chunks` windows along `axis`, each on
    /// its own thread.
    fn fill<D: Dimension + RemoveAxis>(
        a: &mut ndarray::ArrayViewMut<'_, usize, D>,
        axis: usize,
        chunks: usize,
        f: fn(&[usize]) -> usize,
    ) {
        let handle = NdHandle::new(a, axis);
        let n = handle.elements();
        let shape: Vec<usize> = handle.raw.shape().to_vec();
        std::thread::scope(|scope| {
            for c in 0..chunks {
                let (lo, hi) = (c * n / chunks, (c + 1) * n / chunks);
                if lo == hi {
                    continue;
                }
                // SAFETY: the intervals lo..=hi-1 of different c are disjoint.
                let mut w = unsafe { handle.window(lo, hi - 1) };
                let shape = shape.clone();
                scope.spawn(move || {
                    for ix in ndarray::indices(shape.clone()) {
                        let at = ix.slice();
                        if (lo..hi).contains(&at[axis]) {
                            let mut d = D::zeros(shape.len());
                            d.slice_mut().copy_from_slice(at);
                            w[d.clone()] = f(at);
                            assert_eq!(w[d], f(at));
                        }
                    }
                });
            }
        });
    }

    fn code(ix: &[usize]) -> usize {
        ix.iter().fold(7, |acc, &i| acc * 31 + i)
    }

    #[test]
    fn windows_of_every_layout_from_threads() {
        for (rows, cols) in [(0, 3), (1, 1), (5, 3), (17, 11)] {
            for axis in 0..2 {
                for chunks in [1, 2, 3, 7] {
                    let expected = Array2::from_shape_fn((rows, cols), |(i, j)| code(&[i, j]));
                    let mut a = Array2::<usize>::zeros((rows, cols));
                    fill(&mut a.view_mut(), axis, chunks, code);
                    assert_eq!(a, expected);
                    // Transposed: the windows split the other axis of `b`.
                    let mut b = Array2::<usize>::zeros((cols, rows));
                    fill(&mut b.view_mut().reversed_axes(), axis, chunks, code);
                    assert_eq!(b.t(), expected);
                    // Strided and reversed.
                    let mut c = Array2::<usize>::zeros((2 * rows, cols));
                    fill(&mut c.slice_mut(s![..;-2, ..]), axis, chunks, code);
                    let back =
                        Array2::from_shape_fn((rows, cols), |(i, j)| c[[2 * rows - 1 - 2 * i, j]]);
                    assert_eq!(back, expected);
                }
            }
        }
        let expected = Array3::from_shape_fn((4, 3, 5), |(i, j, k)| code(&[i, j, k]));
        for axis in 0..3 {
            let mut a = Array3::<usize>::zeros((4, 3, 5));
            fill(&mut a.view_mut(), axis, 3, code);
            assert_eq!(a, expected);
        }
    }

    #[test]
    fn indexing_outside_the_slab_panics_clearly() {
        let mut a = Array2::<u8>::zeros((4, 3));
        let handle = NdHandle::new(&mut a, 0);
        // SAFETY: the only window alive.
        let mut w = unsafe { handle.window(1, 2) };
        w[[2, 2]] = 1;
        w[(1, 0)] = 2;
        let msg = panic_message(|| w[[3, 0]] = 1);
        assert!(
            msg.contains("index [3, 0]") && msg.contains("rows 1..3"),
            "{msg}"
        );
        let msg = panic_message(|| _ = w[[0, 0]]);
        assert!(msg.contains("rows 1..3"), "{msg}");
        let msg = panic_message(|| w[[1, 3]] = 1);
        assert!(
            msg.contains("out of bounds for an array of shape [4, 3]"),
            "{msg}"
        );
        let msg = panic_message(|| _ = w.__parallel_sub(0));
        assert!(msg.contains("rows 1..3"), "{msg}");
        assert_eq!(
            (w.len(), w.nrows(), w.ncols(), w.shape()),
            (12, 4, 3, &[4, 3][..])
        );
        assert_eq!(w.len_of(Axis(1)), 3);
        assert!(!w.is_empty());
        w.__parallel_sub(2).fill(9);
        let columns = NdHandle::new(&mut a, 1);
        // SAFETY: the only window alive.
        let w = unsafe { columns.window(2, 9) };
        let msg = panic_message(|| _ = w[[0, 1]]);
        assert!(
            msg.contains("axis 1") && msg.contains("indices 2..3"),
            "{msg}"
        );
        assert_eq!(a.row(2).to_vec(), [9, 9, 9]);
        assert_eq!(a[[1, 0]], 2);
        let msg = panic_message(|| _ = NdHandle::new(&mut Array1::<u8>::zeros(3), 1));
        assert!(msg.contains("along axis 1"), "{msg}");
    }

    #[test]
    fn outside_reads_check_the_region() {
        let mut a = Array2::from_shape_fn((4, 2), |(i, j)| i * 2 + j);
        let handle = NdHandle::new(&mut a, 0);
        let out = handle.outside((1, 2), "a");
        assert_eq!(*out.read([3, 1], "a[[3, 1]]"), 7);
        assert_eq!(*out.read((0, 1), "a[[0, 1]]"), 1);
        let msg = panic_message(|| _ = out.read([2, 0], "a[[k, 0]]"));
        assert!(
            msg.contains("reads `a[[k, 0]]` (index [2, 0])") && msg.contains("indices 1..=2"),
            "{msg}"
        );
        let msg = panic_message(|| _ = out.read([4, 0], "a[[k, 0]]"));
        assert!(msg.contains("out of bounds"), "{msg}");
        // Read from other threads while windows write.
        std::thread::scope(|s| {
            // SAFETY: the only window alive.
            let mut w = unsafe { handle.window(1, 2) };
            s.spawn(move || w[[1, 0]] = 100);
            s.spawn(move || assert_eq!(*out.read([0, 0], "a[[0, 0]]"), 0));
        });
        assert_eq!(a[[1, 0]], 100);
    }

    #[test]
    fn contiguous_slabs_cut_to_slices() {
        use crate::CutMut;
        let mut y = Array1::<u8>::zeros(6);
        let handle = NdHandle::new(&mut y, 0);
        // SAFETY: the only window alive.
        let mut w = unsafe { handle.window(2, 4) };
        w.__cut_mut(2, 5).expect("contiguous").fill(3);
        assert!(w.__cut_mut(1, 3).is_none());
        assert_eq!(y.to_vec(), [0, 0, 3, 3, 3, 0]);
        let mut z = Array1::<u8>::zeros(6);
        let mut reversed = z.slice_mut(s![..;-1]);
        let handle = NdHandle::new(&mut reversed, 0);
        // SAFETY: the only window alive.
        let mut w = unsafe { handle.window(0, 5) };
        assert!(w.__cut_mut(0, 2).is_none());
    }

    #[test]
    fn shared_arc_arrays_are_unshared_first() {
        let mut a = ndarray::ArcArray2::<u8>::zeros((2, 2));
        let b = a.clone();
        {
            let handle = NdHandle::new(&mut a, 0);
            // SAFETY: the only window alive.
            let mut w = unsafe { handle.window(0, 1) };
            w[[1, 1]] = 5;
        }
        assert_eq!((a[[1, 1]], b[[1, 1]]), (5, 0));
    }
}
