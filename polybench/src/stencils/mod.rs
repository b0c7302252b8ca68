//! PolyBench's `stencils` category, those with a parallel loop: `seidel-2d`
//! has none as written (a Gauss-Seidel sweep updates its grid in place,
//! reading the neighbours it has just updated), so it is left out; see the
//! crate docs.

pub mod adi;
pub mod fdtd_2d;
pub mod heat_3d;
pub mod jacobi_1d;
pub mod jacobi_2d;
