//! OpenMP-style data parallelism for Rust.
//!
//! Annotate an ordinary `for` loop and it runs as chunked tasks on a thread
//! pool. Loops that would race do not compile: the error points at the line
//! and names the fix. Everything works on stable Rust.
//!
//! ```
//! use parallel::parallel;
//!
//! #[parallel]
//! fn pi(steps: usize) -> f64 {
//!     let step = 1.0 / steps as f64;
//!     let mut sum = 0.0;
//!     #[parallel_for(reduction(+: sum))]
//!     for i in 0..steps {
//!         let x = (i as f64 + 0.5) * step;
//!         sum += 4.0 / (1.0 + x * x);
//!     }
//!     sum * step
//! }
//!
//! #[parallel]
//! fn saxpy(a: f32, x: &[f32], y: &mut [f32]) {
//!     #[parallel_for(schedule(static))]
//!     for i in 0..y.len() {
//!         y[i] += a * x[i];
//!     }
//! }
//!
//! assert!((pi(1_000_000) - std::f64::consts::PI).abs() < 1e-9);
//! let mut y = vec![1.0; 1000];
//! saxpy(2.0, &vec![3.0; 1000], &mut y);
//! assert!(y.iter().all(|&v| v == 7.0));
//! ```
//!
//! Attribute macros cannot sit on statements on stable Rust, so the item
//! attribute [`parallel`] goes on the enclosing `fn` (or `impl` block, or
//! inline `mod`) and rewrites the `#[parallel_for(...)]` loops inside it.
//!
//! # From OpenMP
//!
//! | OpenMP | `parallel` |
//! |---|---|
//! | `#pragma omp parallel for` | `#[parallel_for]` |
//! | `schedule(static)`, `schedule(static, c)` | `schedule(static)`, `schedule(static, c)` (the default) |
//! | `schedule(dynamic[, c])`, `schedule(guided[, c])` | the same |
//! | `schedule(auto)` | `schedule(auto)`: work-stealing splits |
//! | `schedule(runtime)` + `OMP_SCHEDULE` | the same; `OMP_SCHEDULE` is read once |
//! | `reduction(+: sum)` (and `* - & \| ^ && \|\| min max`) | the same; the clause may repeat |
//! | `num_threads(n)` | `num_threads(n)`: a team of exactly `n` |
//! | `if(n > 1000)` | `if(n > 1000)` |
//! | (grain size) | `min_len(n)`: no task smaller than `n` iterations |
//! | `omp_get_thread_num()`, `omp_get_num_threads()` | [`thread_num()`], [`num_threads()`] |
//! | `omp_get_max_threads()`, `omp_set_num_threads(n)` | [`max_threads()`], [`set_num_threads()`] |
//! | `omp_in_parallel()`, `omp_get_wtime()` | [`in_parallel()`], [`wtime()`] |
//! | `OMP_NUM_THREADS` | `OMP_NUM_THREADS`, else `RAYON_NUM_THREADS`, else the core count |
//!
//! # Loop forms
//!
//! Integer ranges of any integer type: `a..b`, `a..=b`, with `.step_by(k)`
//! and `.rev()` in any order. Ranges that touch the type's `MIN` or `MAX` are
//! exact. Each iteration's value is computed from its position, so the loop
//! is split without walking it.
//!
//! # What the body may do
//!
//! Variables declared in the body are private to the iteration. Variables
//! captured from outside are shared and read-only, except:
//!
//! - reduction variables: each task works on its own copy, started at the
//!   operator's identity; the copies and the value before the loop are
//!   combined once the loop ends;
//! - elements indexed by the loop variable: `y[i] = ..`, `y[i] += ..`,
//!   `grid[i][j] = ..`, `pts[i].x = ..`, and `t[b as usize]` (the cast is
//!   checked to be lossless once, before the loop);
//! - row-major elements `c[i * n + j]` (or `n * i + j`): the array is split
//!   into rows of `n`, so `j` is checked against the row and a write can never
//!   reach another iteration's row. `n` is evaluated once, before the loop.
//!
//! Inside the loop, an array that the loop writes may be read only at the
//! iteration's own element (and asked its `len()`); reading a neighbour would
//! see another thread's write in progress. `continue` works; `break`,
//! `return`, `?` and `.await` would leave the loop part-way and are rejected.
//!
//! # The race catalogue
//!
//! | you wrote | why it races | write instead |
//! |---|---|---|
//! | `sum += x[i]` | every iteration updates one `sum` | `reduction(+: sum)` |
//! | `y[i + 1] = ..` | iteration `i + 1` writes the same element | write `y[i]`, or a second array |
//! | `y[i] = y[i - 1] + ..` | reads an element another thread writes | read from a copy, write another array |
//! | `v.push(x)` | one `Vec` changed from every thread | `out[i] = x` into a preallocated array |
//! | `let s: f64 = y.iter().sum()` while writing `y[i]` | reads all of `y` mid-write | sum after the loop |
//! | `break` | there is no "rest of the loop" | `continue`, or `reduction(min: first)` |
//!
//! # Float reductions
//!
//! A parallel `+` or `*` reduction adds the terms in a different grouping
//! than the sequential loop, so a float result may differ from it in the
//! last bits (by at most about `n * ε * Σ|xᵢ|` for `n` terms). Integer
//! reductions wrap like `wrapping_add` / `wrapping_mul`, and are exact.
//! `min`/`max` on floats ignore NaN, like [`f64::min`].
#![deny(missing_docs)]

pub use parallel_macros::{parallel, parallel_for};
pub use parallel_runtime::{
    Reducer, in_parallel, max_threads, num_threads, set_num_threads, thread_num, wtime,
};

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
