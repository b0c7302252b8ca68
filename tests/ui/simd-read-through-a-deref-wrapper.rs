use parallel::parallel;
use std::ops::{Deref, Index};

/// A 1-based vector: its own `Index`, and `Deref` to the `Vec` inside.
struct OneBased(Vec<f64>);

impl Index<usize> for OneBased {
    type Output = f64;
    fn index(&self, i: usize) -> &f64 {
        &self.0[i - 1]
    }
}
impl Deref for OneBased {
    type Target = Vec<f64>;
    fn deref(&self) -> &Vec<f64> {
        &self.0
    }
}

#[parallel]
fn total(x: &OneBased, n: usize) -> f64 {
    let mut s = 0.0;
    #[simd_reduce(+: s)]
    for i in 1..=n {
        s += x[i];
    }
    s
}

fn main() {
    total(&OneBased(vec![1.0; 3]), 3);
}
