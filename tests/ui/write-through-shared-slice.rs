use parallel::parallel;

#[parallel]
fn clear(y: &[f64]) {
    #[parallel_for]
    for i in 0..y.len() {
        y[i] = 0.0;
    }
}

fn main() {
    clear(&[1.0; 4]);
}
