use ndarray::ArrayView1;
use parallel::parallel;

#[parallel]
fn fill(y: ArrayView1<f64>) {
    #[parallel_for]
    for i in 0..y.len() {
        y[i] = 1.0;
    }
}

fn main() {
    fill(ndarray::arr1(&[0.0, 0.0]).view());
}
