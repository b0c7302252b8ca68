use parallel::parallel;

#[parallel]
fn copy(x: &[f64], y: &mut [f64]) {
    #[parallel_for]
    for i in 0..y.len() {
        y[i] = x[i];
        // An item binds its name in the whole block, before it too.
        const i: usize = 0;
    }
}

fn main() {
    copy(&[1.0], &mut [0.0]);
}
