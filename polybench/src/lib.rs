//! PolyBench/C 4.2.1 ported with `#[parallel_for]`.
#![allow(clippy::too_many_arguments)]
#![allow(clippy::needless_range_loop)]
#![allow(clippy::assign_op_pattern)]

pub mod datamining;
pub mod linear_algebra;
pub mod medley;
pub mod stencils;

/// The rows of a row-major `rows × cols` array, as a `Vec` of rows.
pub fn nested<T: Clone>(flat: &[T], rows: usize, cols: usize) -> Vec<Vec<T>> {
    assert_eq!(flat.len(), rows * cols, "a {rows} x {cols} array");
    (0..rows).map(|i| flat[i * cols..(i + 1) * cols].to_vec()).collect()
}
