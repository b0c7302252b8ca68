//! Columns and reads outside a loop's writes.
//!
//! - [`ColumnHandle`] / [`ColumnWindow`]: a flat row-major array written at
//!   `b[k * n + j]` by a loop over the column `j`: each chunk owns the
//!   columns of its values, in every row.
//! - [`NestedColumns`] / [`NestedColumnWindow`]: the same for a nested
//!   container, `a[i][j]` with the loop over `j`.
//! - [`Outside`] / [`NestedOutside`]: reads of an array that the loop
//!   splits, at elements no iteration of the loop writes (a row or column
//!   before or after the loop's range, as `a[j][k]` in
//!   `for i in j + 1..n`); a read inside the written region panics, naming
//!   the race.
//! - [`snapshot`]: the values of one field of every element, copied before
//!   a loop that writes other fields of the elements.

use core::marker::PhantomData;

use crate::seq::{LoopIndex, Seq};
use crate::split::{Part, SliceSource, SplitIndex};

/// The loop values of `seq` as array indices, smallest and largest: the
/// region of an array (elements, rows or columns) the loop's windows cover.
/// An empty loop covers nothing (`(1, 0)`); values that are not indices
/// cover everything (the loop then panics before it starts).
///
/// # Examples
///
/// ```
/// use parallel_runtime::{index_region, Seq};
///
/// assert_eq!(index_region(&Seq::range(3usize, 8).rev()), (3, 7));
/// assert_eq!(index_region(&Seq::range(5i32, 5)), (1, 0));
/// ```
pub fn index_region<T: LoopIndex>(seq: &Seq<T>) -> (usize, usize) {
    let Some(last) = seq.len().checked_sub(1) else {
        return (1, 0);
    };
    let (a, b) = (seq.get(0), seq.get(last));
    match (a.min(b).__to_usize(), a.max(b).__to_usize()) {
        (Some(lo), Some(hi)) => (lo, hi),
        _ => (0, usize::MAX),
    }
}

/// A flat array written by columns: `b[k * n + j]` from a loop over `j`.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{ColumnHandle, Part};
///
/// let mut b = vec![0; 6]; // 2 rows of 3
/// let handle = ColumnHandle::new(&mut b, 3);
/// // SAFETY: columns 0..=0 and 1..=2 are disjoint.
/// let (mut w0, mut w1) = unsafe { (handle.window(0, 0), handle.window(1, 2)) };
/// *w0.__parallel_col(1, 0) = 3;
/// *w1.__parallel_col(0, 2) = 2;
/// drop((w0, w1));
/// drop(handle);
/// assert_eq!(b, [0, 0, 2, 3, 0, 0]);
/// ```
pub struct ColumnHandle<'a, T> {
    ptr: *mut T,
    len: usize,
    n: usize,
    _borrow: PhantomData<&'a mut [T]>,
}

// SAFETY: the handle stands for a `&'a mut [T]`, which may move to another
// thread when `T: Send`.
unsafe impl<T: Send> Send for ColumnHandle<'_, T> {}
// SAFETY: shared, it only hands out windows through the unsafe
// `Part::window`, whose contract keeps their columns disjoint.
unsafe impl<T: Send> Sync for ColumnHandle<'_, T> {}

impl<'a, T> ColumnHandle<'a, T> {
    /// Borrows `s` mutably for the loop, as rows of `n` columns.
    ///
    /// # Examples
    ///
    /// See [`ColumnHandle`].
    pub fn new<S: SplitIndex<Elem = T> + ?Sized>(s: &'a mut S, n: usize) -> Self {
        let (ptr, len) = s.split_parts();
        ColumnHandle {
            ptr,
            len,
            n,
            _borrow: PhantomData,
        }
    }

    /// Before the loop: every column the loop's values `region` (inclusive)
    /// name must be a column, below the row length. `form` is the write as
    /// written (`r[k * n + j]`), `width` the row length as written (`n`).
    ///
    /// # Panics
    ///
    /// If `region` reaches past the row length: iteration `j >= n` would
    /// write the next row's element, which belongs to another column.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::ColumnHandle;
    ///
    /// let mut b = [0; 6];
    /// let handle = ColumnHandle::new(&mut b, 3);
    /// handle.check_columns((0, 2), "b[k * n + j]", "n");
    /// let past = std::panic::catch_unwind(|| handle.check_columns((1, 3), "b[k * n + j]", "n"));
    /// assert!(past.is_err());
    /// ```
    #[track_caller]
    pub fn check_columns(&self, region: (usize, usize), form: &'static str, width: &'static str) {
        let (lo, hi) = region;
        if lo <= hi && hi >= self.n {
            panic!(
                "`{form}` is written as column {hi} of rows of `{width}` = {}, but a row has only the columns 0..{}: the loop's values must stay below `{width}`, or the write reaches the next row's element, which belongs to another iteration",
                self.n, self.n
            );
        }
    }

    /// The reads of the elements outside the columns `region` (inclusive),
    /// which no iteration writes, for the loop's whole run.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::ColumnHandle;
    ///
    /// let mut b = [1, 2, 3, 4, 5, 6];
    /// let handle = ColumnHandle::new(&mut b, 3);
    /// let out = handle.outside((1, 2), "b");
    /// assert_eq!(*out.read(3, "b[3]"), 4); // row 1, column 0
    /// ```
    pub fn outside(&self, region: (usize, usize), name: &'static str) -> Outside<'a, T> {
        Outside {
            ptr: self.ptr,
            len: self.len,
            region,
            columns: Some(self.n),
            name,
            _borrow: PhantomData,
        }
    }
}

/// The columns `lo ..= hi` of a flat array, in every row, owned by one
/// chunk of a loop.
pub struct ColumnWindow<'a, T> {
    ptr: *mut T,
    len: usize,
    n: usize,
    /// The full rows, `len / n` (`0` when `n` is), worked out once.
    rows: usize,
    lo: usize,
    hi: usize,
    _borrow: PhantomData<&'a mut [T]>,
}

// SAFETY: the window stands for `&mut` access to its own columns' elements,
// which no other window reaches; sending them needs `T: Send`.
unsafe impl<T: Send> Send for ColumnWindow<'_, T> {}

// SAFETY: windows for disjoint column intervals within `0..n` reach
// disjoint elements: element `q * n + j` with `j < n` lies in column `j`
// alone. Every element a window reaches is checked to be `< len`, inside
// what `split_parts` described, valid for `'a`.
unsafe impl<'a, T: Send> Part for ColumnHandle<'a, T> {
    type Window = ColumnWindow<'a, T>;

    #[inline]
    unsafe fn window(&self, lo: usize, hi: usize) -> ColumnWindow<'a, T> {
        ColumnWindow {
            ptr: self.ptr,
            len: self.len,
            n: self.n,
            rows: self.len.checked_div(self.n).unwrap_or(0),
            lo,
            hi,
            _borrow: PhantomData,
        }
    }
}

impl<T> ColumnWindow<'_, T> {
    /// The index of `[q * n + j]`, if this window owns column `j`.
    #[inline(always)]
    #[track_caller]
    fn locate(&self, q: usize, j: usize) -> usize {
        if j < self.lo || j > self.hi || j >= self.n {
            Self::not_owned(q, j, self.n, self.lo, self.hi);
        }
        // A full row: `q * n + j < (q + 1) * n <= len`, no overflow (the
        // checks on `j` above are the same for every `q` of an inner loop,
        // so this one comparison is all that stays in it).
        if q < self.rows {
            return q * self.n + j;
        }
        match q.checked_mul(self.n).and_then(|r| r.checked_add(j)) {
            Some(idx) if idx < self.len => idx,
            idx => Self::past_the_end(idx, self.len),
        }
    }

    #[cold]
    #[inline(never)]
    #[track_caller]
    fn not_owned(q: usize, j: usize, n: usize, lo: usize, hi: usize) -> ! {
        if j >= n {
            panic!(
                "column-major write `x[k * n + j]`: column {j} is not in 0..n = {n}, so it would write row {q}'s neighbour; the loop over the column `j` must stay in 0..n"
            );
        }
        panic!(
            "column-major write `x[k * n + j]`: column {j} is outside the columns {lo}..={hi} this chunk of the loop owns"
        );
    }

    #[cold]
    #[inline(never)]
    #[track_caller]
    fn past_the_end(idx: Option<usize>, len: usize) -> ! {
        match idx {
            Some(idx) => panic!("index out of bounds: the len is {len} but the index is {idx}"),
            None => panic!("index out of bounds: the len is {len} but the index overflows usize"),
        }
    }

    /// `&mut x[q * n + j]`.
    ///
    /// # Panics
    ///
    /// If column `j` is not this window's, or the element is past the end.
    ///
    /// # Examples
    ///
    /// See [`ColumnHandle`].
    #[inline(always)]
    #[track_caller]
    pub fn __parallel_col(&mut self, q: usize, j: usize) -> &mut T {
        let idx = self.locate(q, j);
        // SAFETY: `idx < len`, inside the array, and in column `j`, which
        // this window alone owns (see `Part`); the borrow of `self` keeps
        // the reference unique while it lives.
        unsafe { &mut *self.ptr.add(idx) }
    }

    /// Column `j` at the rows `pos - neg + a .. pos - neg + b`: what an
    /// inner loop over `v` in `a..b` (`a < b`) reaches as
    /// `x[(v + pos - neg) * n + j]`; `view[q]` is the element of `v = a + q`,
    /// checked only against the view's length. `None` if column `j` is not
    /// this window's or a row lies past the end: the plain loop then runs,
    /// and panics where it would.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{ColumnHandle, Part};
    ///
    /// let mut b = [0; 6]; // 3 rows of 2
    /// let handle = ColumnHandle::new(&mut b, 2);
    /// // SAFETY: the only window alive.
    /// let mut w = unsafe { handle.window(1, 1) };
    /// let mut col = w.__parallel_col_view(1, 0, 0, 1, 3).unwrap();
    /// col[0] = 7;
    /// col[1] = 8;
    /// assert!(w.__parallel_col_view(0, 0, 0, 0, 1).is_none(), "not this window's");
    /// drop(w);
    /// assert_eq!(b, [0, 0, 0, 7, 0, 8]);
    /// ```
    #[inline(always)]
    pub fn __parallel_col_view(
        &mut self,
        j: usize,
        pos: usize,
        neg: usize,
        a: usize,
        b: usize,
    ) -> Option<ColumnView<'_, T>> {
        let (q0, _) = self.view_rows(j, pos, neg, a, b)?;
        Some(ColumnView {
            // SAFETY: `view_rows` checked rows `q0 .. q1` of column `j` to
            // lie inside the array.
            ptr: unsafe { self.ptr.add(q0 * self.n + j) },
            n: self.n,
            count: b - a,
            _borrow: PhantomData,
        })
    }

    /// The rows `q0 .. q1` of `__parallel_col_view`'s view, when column `j`
    /// is this window's and every one of them lies inside the array.
    #[inline(always)]
    fn view_rows(
        &self,
        j: usize,
        pos: usize,
        neg: usize,
        a: usize,
        b: usize,
    ) -> Option<(usize, usize)> {
        if j < self.lo || j > self.hi || j >= self.n || a >= b {
            return None;
        }
        let (q0, q1) = crate::simd::span_of(pos, neg, a, b)?;
        let last = (q1 - 1).checked_mul(self.n)?.checked_add(j)?;
        (last < self.len).then_some((q0, q1))
    }

    /// `&mut x[e * n + j]` beside the view `__parallel_col_view(j, pos,
    /// neg, a, b)` of the same column, when row `e` is not among the view's
    /// rows (trmm's `b[i * n + j] += a[k * m + i] * b[k * n + j]` over
    /// `k` in `i + 1..m`); `None` when it is, or where either would panic:
    /// the plain loop then runs.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{ColumnHandle, Part};
    ///
    /// let mut b = [1, 2, 3, 4, 5, 6]; // 3 rows of 2
    /// let handle = ColumnHandle::new(&mut b, 2);
    /// // SAFETY: the only window alive.
    /// let mut w = unsafe { handle.window(1, 1) };
    /// let (e, view) = w.__parallel_col_split(0, 1, 0, 0, 1, 3).unwrap();
    /// *e += view[0] + view[1];
    /// assert!(w.__parallel_col_split(1, 1, 0, 0, 1, 3).is_none(), "row 1 is in the view");
    /// drop(w);
    /// assert_eq!(b, [1, 12, 3, 4, 5, 6]);
    /// ```
    #[inline(always)]
    pub fn __parallel_col_split(
        &mut self,
        e: usize,
        j: usize,
        pos: usize,
        neg: usize,
        a: usize,
        b: usize,
    ) -> Option<(&mut T, ColumnView<'_, T>)> {
        let (q0, q1) = self.view_rows(j, pos, neg, a, b)?;
        if (q0..q1).contains(&e) {
            return None;
        }
        let idx = self.find(e, j)?;
        // SAFETY: `idx < len` is element `(e, j)`, in column `j`, which this
        // window alone owns; the view reaches rows `q0 .. q1` of that
        // column, inside the array (`view_rows`), and row `e` is not among
        // them, so the two never reach the same element; both borrow the
        // window mutably, so nothing else reaches them while they live.
        unsafe {
            Some((
                &mut *self.ptr.add(idx),
                ColumnView {
                    ptr: self.ptr.add(q0 * self.n + j),
                    n: self.n,
                    count: b - a,
                    _borrow: PhantomData,
                },
            ))
        }
    }

    /// `&mut x[q * n + j]`, or `None` where `__parallel_col` panics: for an
    /// inner loop that reads and writes one element throughout, hoisted
    /// (the plain loop runs instead when it is `None`, and panics where it
    /// would).
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{ColumnHandle, Part};
    ///
    /// let mut b = [1, 2, 3, 4];
    /// let handle = ColumnHandle::new(&mut b, 2);
    /// // SAFETY: the only window alive.
    /// let mut w = unsafe { handle.window(1, 1) };
    /// *w.__parallel_col_try(1, 1).unwrap() += 10;
    /// assert!(w.__parallel_col_try(1, 0).is_none());
    /// assert!(w.__parallel_col_try(2, 1).is_none());
    /// drop(w);
    /// assert_eq!(b, [1, 2, 3, 14]);
    /// ```
    #[inline(always)]
    pub fn __parallel_col_try(&mut self, q: usize, j: usize) -> Option<&mut T> {
        let idx = self.find(q, j)?;
        // SAFETY: as in `__parallel_col`.
        Some(unsafe { &mut *self.ptr.add(idx) })
    }

    /// `&x[q * n + j]`, or `None` where `__parallel_col_ref` panics.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{ColumnHandle, Part};
    ///
    /// let mut b = [1, 2, 3, 4];
    /// let handle = ColumnHandle::new(&mut b, 2);
    /// // SAFETY: the only window alive.
    /// let w = unsafe { handle.window(0, 0) };
    /// assert_eq!(w.__parallel_col_ref_try(1, 0), Some(&3));
    /// ```
    #[inline(always)]
    pub fn __parallel_col_ref_try(&self, q: usize, j: usize) -> Option<&T> {
        let idx = self.find(q, j)?;
        // SAFETY: as in `__parallel_col`, shared.
        Some(unsafe { &*self.ptr.add(idx) })
    }

    /// The index of `[q * n + j]` if this window owns it and it exists.
    #[inline(always)]
    fn find(&self, q: usize, j: usize) -> Option<usize> {
        if j < self.lo || j > self.hi || j >= self.n {
            return None;
        }
        q.checked_mul(self.n)?
            .checked_add(j)
            .filter(|idx| *idx < self.len)
    }

    /// `&x[q * n + j]`, one of this window's elements.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{ColumnHandle, Part};
    ///
    /// let mut b = [1, 2, 3, 4];
    /// let handle = ColumnHandle::new(&mut b, 2);
    /// // SAFETY: the only window alive.
    /// let w = unsafe { handle.window(1, 1) };
    /// assert_eq!(*w.__parallel_col_ref(1, 1), 4);
    /// ```
    #[inline(always)]
    #[track_caller]
    pub fn __parallel_col_ref(&self, q: usize, j: usize) -> &T {
        let idx = self.locate(q, j);
        // SAFETY: as in `__parallel_col`, shared.
        unsafe { &*self.ptr.add(idx) }
    }

    /// The length of the FULL array.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{ColumnHandle, Part};
    ///
    /// let mut b = [0u8; 10];
    /// let handle = ColumnHandle::new(&mut b, 5);
    /// // SAFETY: the only window alive.
    /// assert_eq!(unsafe { handle.window(0, 0) }.len(), 10);
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the FULL array is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{ColumnHandle, Part};
    ///
    /// let mut b: [u8; 0] = [];
    /// let handle = ColumnHandle::new(&mut b, 5);
    /// // SAFETY: the only window alive.
    /// assert!(unsafe { handle.window(0, 0) }.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Reads of a split array at elements outside what the loop writes: the
/// elements (or rows, as elements) outside `region`, or with `columns`,
/// the elements whose column is outside it.
///
/// # Examples
///
/// ```
/// use parallel_runtime::ElemHandle;
///
/// let mut y = [1, 2, 3, 4, 5];
/// let handle = ElemHandle::new(&mut y);
/// let out = handle.outside((1, 3), "y");
/// assert_eq!(*out.read(4, "y[4]"), 5);
/// let inside = std::panic::catch_unwind(|| *out.read(2, "y[k]"));
/// assert!(inside.is_err());
/// ```
pub struct Outside<'a, T> {
    ptr: *const T,
    len: usize,
    region: (usize, usize),
    columns: Option<usize>,
    name: &'static str,
    _borrow: PhantomData<&'a [T]>,
}

impl<T> Clone for Outside<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Outside<'_, T> {}

// SAFETY: it only reads elements that no window of the loop reaches (checked
// on every read), so sharing it shares `&T`, which needs `T: Sync`.
unsafe impl<T: Sync> Sync for Outside<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Send for Outside<'_, T> {}

impl<'a, T> Outside<'a, T> {
    /// A view of the `len` elements at `ptr`, reading outside `region`.
    ///
    /// # Safety
    ///
    /// `ptr` must be valid for reads of `len` elements for `'a`, and for as
    /// long as the view lives nothing may write the elements outside
    /// `region` (for `columns`: outside its columns).
    pub(crate) unsafe fn new(
        ptr: *const T,
        len: usize,
        region: (usize, usize),
        columns: Option<usize>,
        name: &'static str,
    ) -> Self {
        Outside {
            ptr,
            len,
            region,
            columns,
            name,
            _borrow: PhantomData,
        }
    }

    #[cold]
    #[inline(never)]
    #[track_caller]
    fn race(&self, idx: usize, text: &str) -> ! {
        let (lo, hi) = self.region;
        let name = self.name;
        let what = match self.columns {
            Some(n) => format!(
                "its column {} is one of the columns {lo}..={hi} the loop writes in `{name}`",
                idx % n
            ),
            None => format!("the loop writes `{name}[{lo}]` to `{name}[{hi}]`"),
        };
        panic!(
            "this loop reads `{text}` (index {idx}) while another iteration may write it ({what}): a data race. {}",
            copy_fix(text)
        );
    }

    /// The elements `pos - neg + a .. pos - neg + b` (`a < b`), for an inner
    /// loop that reads them at `v + pos - neg`: `Some` when none of them is
    /// one the loop writes (checked once, here), else `None`, and the inner
    /// loop reads them one by one, each checked (the one the loop writes
    /// panics, as `read` does).
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::ElemHandle;
    ///
    /// let mut y = [1, 2, 3, 4, 5];
    /// let handle = ElemHandle::new(&mut y);
    /// let out = handle.outside((1, 2), "y");
    /// assert_eq!(out.__parallel_cut(3, 0, 0, 2), Some(&[4, 5][..]));
    /// assert_eq!(out.__parallel_cut(0, 0, 0, 2), None);
    /// ```
    #[inline(always)]
    pub fn __parallel_cut(&self, pos: usize, neg: usize, a: usize, b: usize) -> Option<&'a [T]> {
        let (lo, hi) = crate::simd::span_of(pos, neg, a, b)?;
        if lo >= hi || hi > self.len {
            return None;
        }
        let (rlo, rhi) = self.region;
        let clear = match self.columns {
            // Within one row, the columns `lo % n ..= (hi - 1) % n` must
            // miss the written ones.
            Some(n) if n > 0 => {
                let (c0, c1) = (lo % n, (hi - 1) % n);
                lo / n == (hi - 1) / n && (c1 < rlo || c0 > rhi)
            }
            Some(_) => false,
            None => hi - 1 < rlo || lo > rhi,
        };
        // SAFETY: `lo < hi <= len`: inside the array; none of the elements
        // lies in the region any window reaches, so no thread writes them
        // (see `new`), and the slice lives as long as the view's borrow.
        clear.then(|| unsafe { core::slice::from_raw_parts(self.ptr.add(lo), hi - lo) })
    }

    /// `&a[idx]`, for an element no iteration writes; `text` is the read
    /// as written, for the message.
    ///
    /// # Panics
    ///
    /// If `idx` is out of bounds, or an element the loop writes (a race).
    #[inline(always)]
    #[track_caller]
    pub fn read(&self, idx: usize, text: &'static str) -> &'a T {
        if idx >= self.len {
            panic!(
                "index out of bounds: the len is {} but the index is {idx}",
                self.len
            );
        }
        let at = match self.columns {
            Some(n) if n > 0 => idx % n,
            _ => idx,
        };
        let (lo, hi) = self.region;
        if lo <= at && at <= hi {
            self.race(idx, text);
        }
        // SAFETY: `idx < len`, inside the array; the element is outside the
        // region every window lies in, so no thread writes it (see `new`).
        unsafe { &*self.ptr.add(idx) }
    }
}

/// The fix a read-outside panic names: copy before the loop when the loop
/// does not change what is read; else the iterations depend on each other.
fn copy_fix(text: &str) -> String {
    // `path[k]` (a row of a nested array) copies whole; `path[k * n + j]`
    // is one element of a stretch the copy must hold.
    let copy = match text.split_once('[') {
        Some((_, index)) if index.matches('[').count() == 0 && !index.contains(['+', '*']) => {
            format!("`let copy = {text}.clone();`")
        }
        Some((array, _)) => {
            format!("`let copy = {array}[a..b].to_vec();` for the stretch it reads")
        }
        None => format!("`let copy = {text}.clone();`"),
    };
    format!(
        "If the loop does not change what it reads there, copy it before the loop ({copy}) and read the copy; if it does, each iteration depends on the ones before it, and the loop cannot run in parallel as written"
    )
}

/// The rows of a nested container, lent to one loop that writes it by
/// columns: `a[i][j]` from a loop over `j`.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{NestedExt, Part};
///
/// let mut a = vec![vec![0; 3]; 2];
/// let mut rows = a.__parallel_nested_rows();
/// let handle = rows.columns();
/// // SAFETY: columns 0..=1 and 2..=2 are disjoint.
/// let (mut w, mut v) = unsafe { (handle.window(0, 1), handle.window(2, 2)) };
/// *w.__parallel_at(1, 1) = 5;
/// *v.__parallel_at(0, 2) = 7;
/// # drop((w, v)); drop(handle); drop(rows);
/// assert_eq!(a, [[0, 0, 7], [0, 5, 0]]);
/// ```
pub struct NestedColumns<'b, T> {
    pub(crate) rows: &'b [(*mut T, usize)],
}

// SAFETY: the rows are reached only through windows, each of which hands
// out `&mut T` for its own columns' elements, and outside views, which
// read elements no window reaches; sharing the table needs `T: Send + Sync`.
unsafe impl<T: Send + Sync> Sync for NestedColumns<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync> Send for NestedColumns<'_, T> {}

impl<'b, T> NestedColumns<'b, T> {
    /// The reads outside the columns `region`.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::NestedExt;
    ///
    /// let mut a = vec![vec![1, 2, 3]; 2];
    /// let mut rows = a.__parallel_nested_rows();
    /// let handle = rows.columns();
    /// assert_eq!(*handle.outside((1, 2), "a").at(1, 0, "a[i][0]"), 1);
    /// ```
    pub fn outside(&self, region: (usize, usize), name: &'static str) -> NestedOutside<'b, T> {
        NestedOutside {
            rows: self.rows,
            region,
            name,
        }
    }
}

/// One chunk's columns `lo ..= hi` of a nested container, in every row.
pub struct NestedColumnWindow<'b, T> {
    rows: &'b [(*mut T, usize)],
    lo: usize,
    hi: usize,
}

// SAFETY: see `NestedColumns`.
unsafe impl<T: Send + Sync> Send for NestedColumnWindow<'_, T> {}

// SAFETY: windows for disjoint column intervals reach disjoint elements:
// element `(i, j)` is in column `j` alone; each element is checked to lie
// in its row (`j < len`), inside what `split_parts` described.
unsafe impl<'b, T: Send + Sync> Part for NestedColumns<'b, T> {
    type Window = NestedColumnWindow<'b, T>;

    #[inline]
    unsafe fn window(&self, lo: usize, hi: usize) -> NestedColumnWindow<'b, T> {
        NestedColumnWindow {
            rows: self.rows,
            lo,
            hi,
        }
    }
}

impl<T> NestedColumnWindow<'_, T> {
    #[inline(always)]
    #[track_caller]
    fn locate(&self, i: usize, j: usize) -> *mut T {
        match self.rows.get(i) {
            Some(&(row, len)) if j < len && self.lo <= j && j <= self.hi => {
                // SAFETY: `j < len`, inside the row `split_parts` described.
                unsafe { row.add(j) }
            }
            Some(&(_, len)) if j >= len => {
                panic!("index out of bounds: the len is {len} but the index is {j}")
            }
            Some(_) => panic!(
                "`[{i}][{j}]`: column {j} is outside the columns {}..={} this chunk of the loop owns",
                self.lo, self.hi
            ),
            None => panic!(
                "index out of bounds: the len is {} but the index is {i}",
                self.rows.len()
            ),
        }
    }

    /// `&mut a[i][j]`, when this chunk owns column `j`.
    ///
    /// # Examples
    ///
    /// See [`NestedColumns`].
    #[inline(always)]
    #[track_caller]
    pub fn __parallel_at(&mut self, i: usize, j: usize) -> &mut T {
        let p = self.locate(i, j);
        // SAFETY: the element is in a column this window alone owns; the
        // borrow of `self` keeps the reference unique while it lives.
        unsafe { &mut *p }
    }

    /// `&a[i][j]`, one of this chunk's elements.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{NestedExt, Part};
    ///
    /// let mut a = vec![vec![1, 2], vec![3, 4]];
    /// let mut rows = a.__parallel_nested_rows();
    /// let handle = rows.columns();
    /// // SAFETY: the only window alive.
    /// let w = unsafe { handle.window(1, 1) };
    /// assert_eq!(*w.__parallel_at_ref(1, 1), 4);
    /// ```
    #[inline(always)]
    #[track_caller]
    pub fn __parallel_at_ref(&self, i: usize, j: usize) -> &T {
        let p = self.locate(i, j);
        // SAFETY: as in `__parallel_at`, shared.
        unsafe { &*p }
    }

    /// The element `(i, j)` if this window owns it and it exists.
    #[inline(always)]
    fn find(&self, i: usize, j: usize) -> Option<*mut T> {
        match self.rows.get(i) {
            // SAFETY: `j < len`, inside the row `split_parts` described.
            Some(&(row, len)) if j < len && self.lo <= j && j <= self.hi => {
                Some(unsafe { row.add(j) })
            }
            _ => None,
        }
    }

    /// `&mut a[i][j]`, or `None` where `__parallel_at` panics: an element
    /// an inner loop reads and writes throughout, hoisted (the plain loop
    /// runs instead when it is `None`, and panics where it would).
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{NestedExt, Part};
    ///
    /// let mut a = vec![vec![1, 2], vec![3]];
    /// let mut rows = a.__parallel_nested_rows();
    /// let handle = rows.columns();
    /// // SAFETY: the only window alive.
    /// let mut w = unsafe { handle.window(1, 1) };
    /// *w.__parallel_col_try(0, 1).unwrap() += 10;
    /// assert!(w.__parallel_col_try(1, 1).is_none(), "row 1 has no column 1");
    /// assert!(w.__parallel_col_try(0, 0).is_none(), "not this window's");
    /// ```
    #[inline(always)]
    pub fn __parallel_col_try(&mut self, i: usize, j: usize) -> Option<&mut T> {
        // SAFETY: as in `__parallel_at`.
        self.find(i, j).map(|p| unsafe { &mut *p })
    }

    /// `&a[i][j]`, or `None` where `__parallel_at_ref` panics.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{NestedExt, Part};
    ///
    /// let mut a = vec![vec![1, 2], vec![3, 4]];
    /// let mut rows = a.__parallel_nested_rows();
    /// let handle = rows.columns();
    /// // SAFETY: the only window alive.
    /// let w = unsafe { handle.window(0, 0) };
    /// assert_eq!(w.__parallel_col_ref_try(1, 0), Some(&3));
    /// ```
    #[inline(always)]
    pub fn __parallel_col_ref_try(&self, i: usize, j: usize) -> Option<&T> {
        // SAFETY: as in `__parallel_at`, shared.
        self.find(i, j).map(|p| unsafe { &*p })
    }

    /// The rows `q0 .. q1` of a view of column `j` for an inner loop over
    /// `v` in `a..b` reaching `a[v + pos - neg][j]`, when column `j` is this
    /// window's and every one of those rows has it (checked here, once).
    #[inline(always)]
    fn view_rows(
        &self,
        j: usize,
        pos: usize,
        neg: usize,
        a: usize,
        b: usize,
    ) -> Option<(usize, usize)> {
        if j < self.lo || j > self.hi || a >= b {
            return None;
        }
        let (q0, q1) = crate::simd::span_of(pos, neg, a, b)?;
        let rows = self.rows.get(q0..q1)?;
        rows.iter().all(|&(_, len)| j < len).then_some((q0, q1))
    }

    /// Column `j` at the rows `pos - neg + a .. pos - neg + b`, checked
    /// once: `view[q]` is `a[a + q + pos - neg][j]`. `None` if column `j` is
    /// not this window's or a row is missing or too short: the plain loop
    /// then runs, and panics where it would.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{NestedExt, Part};
    ///
    /// let mut a = vec![vec![1, 2], vec![3, 4], vec![5]];
    /// let mut rows = a.__parallel_nested_rows();
    /// let handle = rows.columns();
    /// // SAFETY: the only window alive.
    /// let mut w = unsafe { handle.window(0, 0) };
    /// let mut col = w.__parallel_col_view(0, 0, 0, 1, 3).unwrap();
    /// col[1] += col[0];
    /// drop(col);
    /// assert!(w.__parallel_col_view(1, 0, 0, 1, 3).is_none(), "row 2 has no column 1");
    /// drop(w);
    /// assert_eq!(a[2], [8]);
    /// ```
    #[inline(always)]
    pub fn __parallel_col_view(
        &mut self,
        j: usize,
        pos: usize,
        neg: usize,
        a: usize,
        b: usize,
    ) -> Option<NestedColumnView<'_, T>> {
        let (q0, q1) = self.view_rows(j, pos, neg, a, b)?;
        Some(NestedColumnView {
            rows: &self.rows[q0..q1],
            j,
            count: q1 - q0,
            _borrow: PhantomData,
        })
    }

    /// `&mut a[e][j]` beside the view `__parallel_col_view(j, pos, neg, a,
    /// b)` of the same column, when row `e` is not among the view's rows;
    /// `None` when it is, or where either would panic.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{NestedExt, Part};
    ///
    /// let mut a = vec![vec![1, 2], vec![3, 4], vec![5, 6]];
    /// let mut rows = a.__parallel_nested_rows();
    /// let handle = rows.columns();
    /// // SAFETY: the only window alive.
    /// let mut w = unsafe { handle.window(1, 1) };
    /// let (e, view) = w.__parallel_col_split(0, 1, 0, 0, 1, 3).unwrap();
    /// *e += view[0] + view[1];
    /// assert!(w.__parallel_col_split(2, 1, 0, 0, 1, 3).is_none(), "row 2 is in the view");
    /// drop(w);
    /// assert_eq!(a[0], [1, 12]);
    /// ```
    #[inline(always)]
    pub fn __parallel_col_split(
        &mut self,
        e: usize,
        j: usize,
        pos: usize,
        neg: usize,
        a: usize,
        b: usize,
    ) -> Option<(&mut T, NestedColumnView<'_, T>)> {
        let (q0, q1) = self.view_rows(j, pos, neg, a, b)?;
        if (q0..q1).contains(&e) {
            return None;
        }
        let p = self.find(e, j)?;
        // SAFETY: `p` is element `(e, j)` of a column this window alone
        // owns; the view reaches column `j` of the rows `q0 .. q1`, which
        // do not include row `e` (rows are distinct allocations of the
        // nested container, `split_parts`), so the two never reach the
        // same element; both borrow the window mutably.
        Some((
            unsafe { &mut *p },
            NestedColumnView {
                rows: &self.rows[q0..q1],
                j,
                count: q1 - q0,
                _borrow: PhantomData,
            },
        ))
    }

    /// The number of rows, for `a.len()` in the loop body.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{NestedExt, Part};
    ///
    /// let mut a = vec![vec![0u8; 2]; 3];
    /// let mut rows = a.__parallel_nested_rows();
    /// let handle = rows.columns();
    /// // SAFETY: the only window alive.
    /// assert_eq!(unsafe { handle.window(0, 1) }.len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the container has no rows.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{NestedExt, Part};
    ///
    /// let mut a: Vec<Vec<u8>> = Vec::new();
    /// let mut rows = a.__parallel_nested_rows();
    /// let handle = rows.columns();
    /// // SAFETY: the only window alive.
    /// assert!(unsafe { handle.window(0, 0) }.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// One column of a window at consecutive rows: see
/// [`ColumnWindow::__parallel_col_view`].
pub struct ColumnView<'w, T> {
    ptr: *mut T,
    n: usize,
    count: usize,
    _borrow: PhantomData<&'w mut T>,
}

impl<T> crate::simd::Fit for ColumnView<'_, T> {
    #[inline(always)]
    fn fit(mut self, n: usize) -> Self {
        assert!(n <= self.count, "a cut of {} fitted to {n}", self.count);
        self.count = n;
        self
    }
}

impl<T> core::ops::Index<usize> for ColumnView<'_, T> {
    type Output = T;

    #[inline(always)]
    #[track_caller]
    fn index(&self, q: usize) -> &T {
        if q >= self.count {
            crate::simd::out_of_bounds(self.count, q);
        }
        // SAFETY: `q < count`: the element `(q0 + q) * n + j`, which
        // `__parallel_col_view` checked to lie inside the array, in column
        // `j`, this window's alone; `&self` borrows the window.
        unsafe { &*self.ptr.add(q * self.n) }
    }
}

impl<T> core::ops::IndexMut<usize> for ColumnView<'_, T> {
    #[inline(always)]
    #[track_caller]
    fn index_mut(&mut self, q: usize) -> &mut T {
        if q >= self.count {
            crate::simd::out_of_bounds(self.count, q);
        }
        // SAFETY: as in `index`; the view borrows the window mutably, so
        // this reference is the only one.
        unsafe { &mut *self.ptr.add(q * self.n) }
    }
}

/// One column of a nested window at consecutive rows: see
/// [`NestedColumnWindow::__parallel_col_view`].
pub struct NestedColumnView<'w, T> {
    rows: &'w [(*mut T, usize)],
    j: usize,
    count: usize,
    _borrow: PhantomData<&'w mut T>,
}

impl<T> crate::simd::Fit for NestedColumnView<'_, T> {
    #[inline(always)]
    fn fit(mut self, n: usize) -> Self {
        assert!(n <= self.count, "a cut of {} fitted to {n}", self.count);
        self.count = n;
        self
    }
}

impl<T> NestedColumnView<'_, T> {
    #[inline(always)]
    #[track_caller]
    fn at(&self, q: usize) -> *mut T {
        if q >= self.count || q >= self.rows.len() {
            crate::simd::out_of_bounds(self.count, q);
        }
        // SAFETY: `q < rows.len()`; `__parallel_col_view` checked that
        // every one of these rows has column `j`.
        unsafe { self.rows.get_unchecked(q).0.add(self.j) }
    }
}

impl<T> core::ops::Index<usize> for NestedColumnView<'_, T> {
    type Output = T;

    #[inline(always)]
    #[track_caller]
    fn index(&self, q: usize) -> &T {
        // SAFETY: `at` gives an element of column `j`, this window's alone;
        // `&self` borrows the window.
        unsafe { &*self.at(q) }
    }
}

impl<T> core::ops::IndexMut<usize> for NestedColumnView<'_, T> {
    #[inline(always)]
    #[track_caller]
    fn index_mut(&mut self, q: usize) -> &mut T {
        // SAFETY: as in `index`; the view borrows the window mutably, so
        // this reference is the only one.
        unsafe { &mut *self.at(q) }
    }
}

/// Reads of a nested container at the columns outside what the loop
/// writes.
pub struct NestedOutside<'b, T> {
    rows: &'b [(*mut T, usize)],
    region: (usize, usize),
    name: &'static str,
}

impl<T> Clone for NestedOutside<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for NestedOutside<'_, T> {}

// SAFETY: it only reads elements of columns no window reaches.
unsafe impl<T: Sync> Sync for NestedOutside<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Send for NestedOutside<'_, T> {}

impl<T> NestedOutside<'_, T> {
    /// `&a[i][j]` for a column `j` the loop does not write.
    ///
    /// # Panics
    ///
    /// If column `j` is one the loop writes (a race), or out of bounds.
    ///
    /// # Examples
    ///
    /// See [`NestedColumns::outside`].
    #[inline(always)]
    #[track_caller]
    pub fn at(&self, i: usize, j: usize, text: &'static str) -> &T {
        let (lo, hi) = self.region;
        match self.rows.get(i) {
            Some(&(row, len)) if j < len && !(lo <= j && j <= hi) => {
                // SAFETY: `j < len`, inside the row; column `j` is outside
                // every window, so no thread writes it.
                unsafe { &*row.add(j) }
            }
            Some(&(_, len)) if j >= len => {
                panic!("index out of bounds: the len is {len} but the index is {j}")
            }
            Some(_) => panic!(
                "this loop reads `{text}` (`{}[{i}][{j}]`) while another iteration may write it (the loop writes the columns {lo}..={hi} of `{}`): a data race. {}",
                self.name,
                self.name,
                copy_fix(text)
            ),
            None => panic!(
                "index out of bounds: the len is {} but the index is {i}",
                self.rows.len()
            ),
        }
    }
}

/// One field (or any value) of every element of `s`, cloned: what a loop
/// that writes other fields of the elements reads of the others
/// (`p[j].x` while iteration `i` writes `p[i].vx`). The loop never writes
/// these values, so the copy equals them for its whole run.
///
/// # Examples
///
/// ```
/// struct P { x: f64, vx: f64 }
/// let ps = vec![P { x: 1.0, vx: 0.0 }, P { x: 2.0, vx: 0.0 }];
/// let xs = parallel_runtime::snapshot(&ps, |p| p.x);
/// assert_eq!(xs, [1.0, 2.0]);
/// # let _ = ps[0].vx;
/// ```
pub fn snapshot<S: SliceSource + ?Sized, U>(s: &S, f: impl Fn(&S::Item) -> U) -> Vec<U> {
    s.__items().iter().map(f).collect()
}
