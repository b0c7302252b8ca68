//! The PolyBench/C 4.2.1 kernels ported with `#[parallel_for]`, as a user
//! porting the OpenMP versions would write them: the C's loop nests, index
//! expressions, temporaries and triangular bounds, one `#[parallel_for]`
//! where an OpenMP port puts its `#pragma omp parallel for`. Issue 12, "Real
//! OpenMP loops as written".
//!
//! Each kernel module has PolyBench's `MINI` and `MEDIUM` sizes, its
//! `init_array` (`init`), the plain loops (`flat_seq`, `nested_seq`) and
//! the annotated ones on `threads` threads, in two versions: the schedule an
//! OpenMP port would write (`flat`, `nested`) and `schedule(dynamic, 3)`
//! (`flat_dynamic`, `nested_dynamic`), for the tests. `flat` functions take
//! row-major slices, `a[i * n + j]`; `nested` ones take `Vec` rows,
//! `a[i][j]`. The tests (`tests/*.rs`) check every annotated version
//! against the plain loops; `benches/polybench.rs` times them against
//! their C OpenMP twins in `benches/c/polybench.c` of the workspace
//! (`benches/compare.sh polybench`).
//!
//! # Where the annotation sits
//!
//! One `#[parallel_for]` per loop nest, on its outermost parallel loop;
//! never two in one nest. Where the outer loop of a nest is sequential
//! (time steps, the `k` of a factorization, trmm's and symm's `i`), the
//! annotation goes on the parallel loop inside it. Scalar sums inside a
//! sequential loop (gramschmidt's norm, durbin's dot product) stay
//! sequential, so that every annotated loop keeps the plain loop's
//! arithmetic and its result bit for bit; atax and bicg, whose work is a
//! sum into a whole array, use `reduction(+: y)` (OpenMP's
//! `reduction(+: y[0:n])`), and agree within a sum's rounding.
//!
//! | kernel | layouts | annotated loops |
//! |---|---|---|
//! | correlation | flat, nested | `j` (means), `j` (deviations), `i` (centring), `i` (the matrix); `schedule(static, 1)` |
//! | covariance | flat, nested | `j` (means), `i` (centring), `i` (the matrix); `schedule(static, 1)` |
//! | gemm | flat, nested | `i` |
//! | gemver | flat, nested | `i` in each of the four nests |
//! | gesummv | flat, nested | `i` |
//! | symm | flat, nested | `j`, inside the sequential `i`; `private(temp2)` |
//! | syr2k, syrk | flat, nested | `i` (rows up to the diagonal); `schedule(static, 1)` |
//! | trmm | flat, nested | `j`, inside the sequential `i` |
//! | 2mm, 3mm | flat, nested | `i` in each product |
//! | atax | flat, nested | `i` (zeroing `y`), `i` with `reduction(+: y)` |
//! | bicg | flat, nested | `i` (zeroing `s`), `i` with `reduction(+: s)` |
//! | doitgen | flat, nested (3-D) | `r`; `private(sum)` |
//! | mvt | flat, nested | `i` in both products |
//! | durbin | 1-D only | `i` (`z`) and `i` (copy back), inside the sequential `k` |
//! | gramschmidt | flat, nested | `i` (column `k` of `Q`) and `j` (the columns right of `k`), inside the sequential `k` |
//! | lu | flat, nested | `j >= i` (the row's `U` part), inside the sequential `i` |
//! | ludcmp | flat, nested | as lu; `private(w)` |
//! | deriche | flat, nested (`f32`) | `i` (rows), `i`, `i`, `j` (columns), `j`, `i` |
//! | floyd-warshall | flat, nested (`i32`) | `i`, inside the sequential `k` |
//! | adi | flat, nested | `i` in both sweeps, inside the time loop |
//! | fdtd-2d | flat, nested | `j` (the boundary row), `i`, `i`, `i`, inside the time loop |
//! | heat-3d | flat, nested (3-D) | `i` in both sweeps, inside the time loop |
//! | jacobi-1d | 1-D only | `i` in both sweeps, inside the time loop |
//! | jacobi-2d | flat, nested | `i` in both sweeps, inside the time loop |
//!
//! durbin and jacobi-1d work on vectors only, so their two layouts are one.
//!
//! Left out, with no parallel loop as written: **cholesky** (PolyBench's
//! row-by-row form: `A[i][j]` reads `A[i][k]`, `k < j`, of the same `j`
//! loop; only its dot products are independent, sums into one element),
//! **trisolv** (`x[i]` reads every `x[j]`, `j < i`; the same), **nussinov**
//! (each cell reads cells of its row and column computed before it: a
//! wavefront, not a loop), **seidel-2d** (Gauss-Seidel updates the grid in
//! place, reading the neighbours it has just updated).
//!
//! # What the macro does not accept as written
//!
//! The loops marked `REWRITE:` are rejected (or panic at run time) as the
//! C writes them, and should be: each comment quotes the loop and the
//! message, and the rewrite the message names follows it:
//!
//! - correlation, covariance (both layouts): the mirror write
//!   `corr[j][i] = corr[i][j]` moved to a plain loop after the parallel
//!   one (the loop writes each element once, but by rows and by columns,
//!   which the macro cannot prove disjoint);
//! - floyd-warshall (both layouts): row `k`, which iteration `k` rewrites
//!   while the others read it, read from a copy made before the loop (it
//!   panics at run time as written: a race in C's memory model too).
//!
//! Every other kernel is the C's loop nest as written, one annotation
//! where OpenMP puts its pragma.
// The kernels keep the C's parameter lists, its index loops, its updates
// (`x = x + ..`) and its copy loops; `init` returns the C's arrays as a tuple.
#![allow(clippy::too_many_arguments)]
#![allow(clippy::needless_range_loop)]
#![allow(clippy::assign_op_pattern)]
#![allow(clippy::manual_memcpy)]
#![allow(clippy::type_complexity)]
#![deny(missing_docs)]

pub mod datamining;
pub mod linear_algebra;
pub mod medley;
pub mod stencils;

/// The rows of a row-major `rows × cols` array, as a `Vec` of rows.
pub fn nested<T: Clone>(flat: &[T], rows: usize, cols: usize) -> Vec<Vec<T>> {
    assert_eq!(flat.len(), rows * cols, "a {rows} x {cols} array");
    (0..rows)
        .map(|i| flat[i * cols..(i + 1) * cols].to_vec())
        .collect()
}
