//! OpenMP-style data parallelism for Rust (guide to come).

pub use parallel_macros::{parallel, parallel_for};
pub use parallel_runtime::{in_parallel, max_threads, num_threads, set_num_threads, thread_num, wtime};

/// What the macro expansions call. Not a public API: it changes without notice.
#[doc(hidden)]
pub mod __private {
    pub use parallel_runtime::*;

    /// Method-call syntax for taking a split handle, so that `y` may be a
    /// `Vec` (`let mut y`), an array, or a `&mut [T]` parameter that is not
    /// itself declared `mut` (autoref reborrows it).
    pub trait HandleExt: SplitIndex {
        /// A handle that splits `self` by element.
        fn __parallel_elem_handle(&mut self) -> ElemHandle<'_, Self::Elem> {
            ElemHandle::new(self)
        }
        /// A handle that splits `self` into rows of `n` elements.
        fn __parallel_row_handle(&mut self, n: usize) -> RowHandle<'_, Self::Elem> {
            RowHandle::new(self, n)
        }
    }
    impl<S: SplitIndex + ?Sized> HandleExt for S {}
}
