//! PolyBench's `linear-algebra` category: `blas`, `kernels` and `solvers`.

pub mod blas;
pub mod kernels;
pub mod solvers;
