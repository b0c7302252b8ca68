use ndarray::Array2;
use parallel::parallel;

#[parallel]
fn fill(c: &mut Array2<f64>) {
    let (n, m) = c.dim();
    #[parallel_for(collapse(2))]
    for i in 0..n {
        for j in 0..m {
            c[[i, j]] = (i * m + j) as f64;
        }
    }
}

fn main() {
    fill(&mut Array2::zeros((3, 3)));
}
