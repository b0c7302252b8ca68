//! PolyBench's `linear-algebra/kernels`.

pub mod atax;
pub mod bicg;
pub mod doitgen;
pub mod mvt;
pub mod three_mm;
pub mod two_mm;
