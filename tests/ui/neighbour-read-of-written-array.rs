use parallel::parallel;

#[parallel]
fn smooth(y: &mut [f64]) {
    #[parallel_for]
    for i in 1..y.len() {
        y[i] = 0.5 * (y[i] + y[i - 1]);
    }
}

fn main() {
    smooth(&mut [0.0; 4]);
}
