//! PolyBench's `linear-algebra/solvers`, those with a parallel loop:
//! `cholesky` and `trisolv` have none as written (their only independent
//! work is dot products summed into one array element), so they are left
//! out; see the crate docs.

pub mod durbin;
pub mod gramschmidt;
pub mod lu;
pub mod ludcmp;
