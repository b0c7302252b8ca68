use ndarray::Array2;
use parallel::parallel;

#[parallel]
fn smooth(c: &mut Array2<f64>) {
    let (n, m) = c.dim();
    #[parallel_for]
    for i in 0..n - 1 {
        for j in 0..m {
            c[[i, j]] = 0.5 * (c[[i, j]] + c[[i + 1, j]]);
        }
    }
}

fn main() {
    smooth(&mut Array2::zeros((3, 3)));
}
