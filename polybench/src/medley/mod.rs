//! PolyBench's `medley` category, those with a parallel loop: `nussinov`
//! has none as written (each cell reads cells of its own row and column
//! computed before it), so it is left out; see the crate docs.

pub mod deriche;
pub mod floyd_warshall;
