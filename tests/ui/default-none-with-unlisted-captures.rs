use parallel::parallel;

const SCALE: f64 = 2.0;

#[parallel]
fn scaled_sum(a: f64, x: &[f64], y: &mut [f64]) -> f64 {
    let mut total = 0.0;
    #[parallel_for(default(none), shared(y), reduction(+: total))]
    for i in 0..y.len() {
        y[i] = a * x[i] * SCALE;
        total += y[i];
    }
    total
}

fn main() {
    scaled_sum(1.0, &[1.0], &mut [0.0]);
}
