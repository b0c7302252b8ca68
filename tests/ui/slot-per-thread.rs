use parallel::{parallel, thread_num};

// Partial sums in a slot per thread, added up after the loop.
#[parallel]
fn total(x: &[f64], partial: &mut [f64]) -> f64 {
    #[parallel_for]
    for i in 0..x.len() {
        partial[thread_num()] += x[i];
    }
    partial.iter().sum()
}

fn main() {
    total(&[1.0; 8], &mut [0.0; 64]);
}
