use ndarray::Array1;
use parallel::parallel;

#[parallel]
fn fill(c: &mut Array1<f64>, n: usize) {
    #[parallel_for]
    for i in 0..c.len() / n {
        for j in 0..n {
            c[i * n + j] = 1.0;
        }
    }
}

fn main() {
    fill(&mut Array1::zeros(6), 3);
}
