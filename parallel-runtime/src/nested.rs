//! Nested containers under `collapse(2)`: `grid[i][j] = ..` where `grid` is
//! a `Vec<Vec<T>>` (or an array of arrays, …). Iterations that share a row
//! run in different tasks, so a row cannot be split as a whole; each task's
//! window reaches exactly the elements `(i, j)` whose row-major position
//! `i * width + j` lies in its chunk.

use core::marker::PhantomData;

use crate::split::{Part, SplitIndex};

/// The rows of a nested container, borrowed for a loop: a pointer and a
/// length per row, taken once before the loop.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{NestedExt, Part};
///
/// let mut grid = vec![vec![0; 3]; 2];
/// let mut rows = grid.__parallel_nested_rows();
/// let handle = rows.handle(3);
/// // SAFETY: the only window alive.
/// let mut w = unsafe { handle.window(0, 5) };
/// *w.at(1, 2) = 7;
/// # drop(w); drop(handle); drop(rows);
/// assert_eq!(grid[1][2], 7);
/// ```
pub struct NestedRows<'a, T> {
    rows: Vec<(*mut T, usize)>,
    _borrow: PhantomData<&'a mut T>,
}

/// `grid.__parallel_nested_rows()`: method-call syntax, so that `grid` may be
/// an owned `Vec<Vec<T>>` or a `&mut` parameter that is not declared `mut`.
pub trait NestedExt: SplitIndex {
    /// Borrows the rows of `self` for a loop.
    ///
    /// # Examples
    ///
    /// See [`NestedRows`].
    fn __parallel_nested_rows(&mut self) -> NestedRows<'_, <Self::Elem as SplitIndex>::Elem>
    where
        Self::Elem: SplitIndex,
    {
        let (ptr, len) = self.split_parts();
        let rows = (0..len)
            .map(|k| {
                // SAFETY: `split_parts` promised `len` valid, distinct
                // elements for as long as `self` is borrowed, which the
                // returned `NestedRows` keeps; one row is borrowed at a time.
                let row = unsafe { &mut *ptr.add(k) };
                row.split_parts()
            })
            .collect();
        NestedRows {
            rows,
            _borrow: PhantomData,
        }
    }
}

impl<S: SplitIndex + ?Sized> NestedExt for S {}

// SAFETY: the rows are only reached through windows, each of which hands out
// `&mut T` for its own disjoint set of elements; so sharing the row table is
// sharing `&mut T` access to disjoint elements, which needs `T: Send`.
unsafe impl<T: Send> Sync for NestedRows<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Send> Send for NestedRows<'_, T> {}

impl<T> NestedRows<'_, T> {
    /// The handle of one loop, whose chunks own row-major positions
    /// `i * width + j`.
    ///
    /// # Examples
    ///
    /// See [`NestedRows`].
    ///
    /// Takes `&mut self`: one handle at a time, so no two loops (or two
    /// parts of one loop) can hand out windows over the same rows.
    pub fn handle(&mut self, width: usize) -> NestedHandle<'_, T> {
        NestedHandle {
            rows: &self.rows,
            width,
        }
    }

    /// The handle of one loop that writes the container by columns,
    /// `a[i][j]` from a loop over `j`: its chunks own their columns in every
    /// row. Takes `&mut self`, as [`handle`](NestedRows::handle) does.
    ///
    /// # Examples
    ///
    /// See [`NestedColumns`](crate::NestedColumns).
    pub fn columns(&mut self) -> crate::NestedColumns<'_, T> {
        crate::NestedColumns { rows: &self.rows }
    }

    /// Element `j` of row `i`, if the container has it: for the exchange
    /// after a distributed loop.
    pub(crate) fn get_mut(&mut self, i: usize, j: usize) -> Option<&mut T> {
        let &(ptr, len) = self.rows.get(i)?;
        // SAFETY: row `i`'s `split_parts` promised `len` valid, distinct
        // elements while the container stays borrowed, which `self` keeps;
        // `&mut self` means no handle (and so no window) is alive, so this
        // is the only reference to the element.
        (j < len).then(|| unsafe { &mut *ptr.add(j) })
    }
}

/// The handle of a nested container for one `collapse(2)` loop.
pub struct NestedHandle<'b, T> {
    /// Borrowed from the `NestedRows` through `&mut`: the only handle
    /// over them while it lives.
    rows: &'b [(*mut T, usize)],
    width: usize,
}

// SAFETY: see `NestedRows`.
unsafe impl<T: Send> Sync for NestedHandle<'_, T> {}
// SAFETY: see `NestedRows`.
unsafe impl<T: Send> Send for NestedHandle<'_, T> {}

/// One chunk's part of a nested container: the elements `(i, j)` with
/// `lo <= i * width + j <= hi` and `j < width`.
pub struct NestedWindow<'b, T> {
    rows: &'b [(*mut T, usize)],
    width: usize,
    lo: usize,
    hi: usize,
}

// SAFETY: see `NestedRows`.
unsafe impl<T: Send> Send for NestedWindow<'_, T> {}

// SAFETY: windows for disjoint `lo ..= hi` reach disjoint elements: an
// element `(i, j)` with `j < width` has the one position `i * width + j`.
// No other handle reaches these rows: `NestedRows::handle` takes `&mut self`,
// so the table is lent to one handle at a time (for as long as it or any of
// its windows lives), and the table holds the only borrow of the container.
unsafe impl<'b, T: Send> Part for NestedHandle<'b, T> {
    type Window = NestedWindow<'b, T>;

    #[inline]
    unsafe fn window(&self, lo: usize, hi: usize) -> NestedWindow<'b, T> {
        NestedWindow {
            rows: self.rows,
            width: self.width,
            lo,
            hi,
        }
    }
}

impl<T> NestedWindow<'_, T> {
    /// The number of rows, for `grid.len()` in the loop body.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{NestedExt, Part};
    ///
    /// let mut grid = vec![vec![0u8; 2]; 3];
    /// let mut rows = grid.__parallel_nested_rows();
    /// let handle = rows.handle(2);
    /// // SAFETY: the only window alive.
    /// assert_eq!(unsafe { handle.window(0, 5) }.len(), 3);
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
    /// let mut grid: Vec<Vec<u8>> = Vec::new();
    /// let mut rows = grid.__parallel_nested_rows();
    /// let handle = rows.handle(2);
    /// // SAFETY: the only window alive.
    /// assert!(unsafe { handle.window(0, 0) }.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// `grid[i][j]`, if this chunk owns it.
    #[inline(always)]
    #[track_caller]
    fn locate(&self, i: usize, j: usize) -> *mut T {
        let pos = i.checked_mul(self.width).and_then(|p| p.checked_add(j));
        match (self.rows.get(i), pos) {
            (Some(&(row, len)), Some(pos))
                if j < len && j < self.width && self.lo <= pos && pos <= self.hi =>
            {
                // SAFETY: `j < len`, inside the row `split_parts` described.
                unsafe { row.add(j) }
            }
            _ => Self::outside(i, j, self.rows.get(i).map(|r| r.1), self.rows.len()),
        }
    }

    #[cold]
    #[inline(never)]
    #[track_caller]
    fn outside(i: usize, j: usize, row_len: Option<usize>, rows: usize) -> ! {
        match row_len {
            None => panic!("index out of bounds: the len is {rows} but the index is {i}"),
            Some(len) if j >= len => {
                panic!("index out of bounds: the len is {len} but the index is {j}")
            }
            Some(_) => panic!("`[{i}][{j}]` belongs to another iteration of this collapse(2) loop"),
        }
    }

    /// `&mut grid[i][j]`.
    ///
    /// # Examples
    ///
    /// See [`NestedRows`].
    #[inline(always)]
    #[track_caller]
    pub fn at(&mut self, i: usize, j: usize) -> &mut T {
        let p = self.locate(i, j);
        // SAFETY: the element is this window's alone (see `Part`), and the
        // borrow of `self` keeps it the only reference while it lives.
        unsafe { &mut *p }
    }

    /// `&grid[i][j]`.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{NestedExt, Part};
    ///
    /// let mut grid = [[1, 2], [3, 4]];
    /// let mut rows = grid.__parallel_nested_rows();
    /// let handle = rows.handle(2);
    /// // SAFETY: the only window alive.
    /// let w = unsafe { handle.window(2, 3) };
    /// assert_eq!(*w.at_ref(1, 1), 4);
    /// ```
    #[inline(always)]
    #[track_caller]
    pub fn at_ref(&self, i: usize, j: usize) -> &T {
        let p = self.locate(i, j);
        // SAFETY: as in `at`, shared.
        unsafe { &*p }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::{AssertUnwindSafe, catch_unwind};

    /// `get_mut` (an `unsafe` block): the element, or `None` outside the
    /// container, rows of different lengths included.
    #[test]
    fn get_mut_reaches_each_element_once() {
        let mut grid = vec![vec![0u8; 3], vec![0u8; 1]];
        let mut rows = grid.__parallel_nested_rows();
        *rows.get_mut(0, 2).unwrap() = 7;
        *rows.get_mut(1, 0).unwrap() = 9;
        assert!(rows.get_mut(1, 1).is_none());
        assert!(rows.get_mut(2, 0).is_none());
        drop(rows);
        assert_eq!(grid, [vec![0, 0, 7], vec![9]]);
    }

    #[test]
    fn disjoint_windows_write_from_threads() {
        let mut grid = vec![vec![0u32; 5]; 4];
        {
            let mut rows = grid.__parallel_nested_rows();
            let handle = rows.handle(5);
            // SAFETY: 0..=7 and 8..=19 are disjoint.
            let (mut a, mut b) = unsafe { (handle.window(0, 7), handle.window(8, 19)) };
            std::thread::scope(|s| {
                s.spawn(move || (0..8).for_each(|p| *a.at(p / 5, p % 5) = p as u32 + 1));
                s.spawn(move || (8..20).for_each(|p| *b.at(p / 5, p % 5) = p as u32 + 1));
            });
        }
        let flat: Vec<u32> = grid.concat();
        assert_eq!(flat, (1..=20).collect::<Vec<_>>());
    }

    #[test]
    fn outside_the_window_or_the_rows_panics() {
        let mut grid = vec![vec![0u8; 2]; 2];
        let mut rows = grid.__parallel_nested_rows();
        let handle = rows.handle(3);
        // SAFETY: the only window alive.
        let mut w = unsafe { handle.window(0, 2) };
        assert!(catch_unwind(AssertUnwindSafe(|| *w.at(1, 0) = 1)).is_err());
        assert!(catch_unwind(AssertUnwindSafe(|| *w.at(0, 2) = 1)).is_err());
        assert!(catch_unwind(AssertUnwindSafe(|| *w.at(5, 0) = 1)).is_err());
        *w.at(0, 1) = 9;
    }
}
