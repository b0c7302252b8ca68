use parallel::parallel;
use std::ops::{Deref, DerefMut, Index, IndexMut};

/// A 1-based vector: its own `Index`, and `Deref` to the `Vec` inside.
struct OneBased(Vec<f64>);

impl Index<usize> for OneBased {
    type Output = f64;
    fn index(&self, i: usize) -> &f64 {
        &self.0[i - 1]
    }
}
impl IndexMut<usize> for OneBased {
    fn index_mut(&mut self, i: usize) -> &mut f64 {
        &mut self.0[i - 1]
    }
}
impl Deref for OneBased {
    type Target = Vec<f64>;
    fn deref(&self) -> &Vec<f64> {
        &self.0
    }
}
impl DerefMut for OneBased {
    fn deref_mut(&mut self) -> &mut Vec<f64> {
        &mut self.0
    }
}

#[parallel]
fn fill(y: &mut OneBased, n: usize) {
    #[simd]
    for i in 1..=n {
        y[i] = i as f64;
    }
}

fn main() {
    fill(&mut OneBased(vec![0.0; 3]), 3);
}
