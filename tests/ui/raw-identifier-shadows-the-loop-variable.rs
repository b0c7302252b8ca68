use parallel::parallel;

#[parallel]
fn copy(x: &[f64], y: &mut [f64]) {
    #[parallel_for]
    for i in 0..y.len() {
        let r#i = 0;
        y[i] = x[i];
    }
}

fn main() {
    copy(&[1.0], &mut [0.0]);
}
