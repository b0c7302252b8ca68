// Built without the feature `ndarray` of `parallel` (as `cargo test` is).
use ndarray::Array2;
use parallel::parallel;

#[parallel]
fn row_sums(a: &Array2<f64>, out: &mut [f64]) {
    #[parallel_for]
    for (i, row) in a.rows().into_iter().enumerate() {
        out[i] = row.sum();
    }
}

fn main() {
    row_sums(&Array2::zeros((2, 2)), &mut [0.0; 2]);
}
