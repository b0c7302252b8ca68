use parallel::parallel;

#[parallel]
fn shift(y: &mut [f64]) {
    #[parallel_for]
    for i in 0..y.len() - 1 {
        y[i + 1] = 1.0;
    }
}

fn main() {
    shift(&mut [0.0; 4]);
}
