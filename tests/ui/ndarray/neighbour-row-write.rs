use ndarray::Array2;
use parallel::parallel;

#[parallel]
fn shift_down(c: &mut Array2<f64>) {
    let (n, m) = c.dim();
    #[parallel_for]
    for i in 0..n - 1 {
        for j in 0..m {
            c[[i + 1, j]] = 1.0;
        }
    }
}

fn main() {
    shift_down(&mut Array2::zeros((3, 3)));
}
