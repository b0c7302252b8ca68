//! PolyBench's `datamining` category.

pub mod correlation;
pub mod covariance;
