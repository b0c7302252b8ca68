use parallel::parallel;

#[parallel]
fn normalize(y: &mut [f64]) {
    #[parallel_for]
    for i in 0..y.len() {
        y[i] /= y.iter().sum::<f64>();
    }
}

fn main() {
    normalize(&mut [1.0; 4]);
}
