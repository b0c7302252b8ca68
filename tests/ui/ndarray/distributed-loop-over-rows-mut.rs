use ndarray::Array2;
use parallel::parallel;

#[parallel]
fn scale(c: &mut Array2<f64>) {
    #[parallel_for(distributed)]
    for mut row in c.rows_mut() {
        row *= 2.0;
    }
}

fn main() {
    scale(&mut Array2::zeros((3, 3)));
}
