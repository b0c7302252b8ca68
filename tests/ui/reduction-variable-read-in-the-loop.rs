use parallel::parallel;

#[parallel]
fn running(x: &[f64], y: &mut [f64]) -> f64 {
    let mut s = 0.0;
    #[parallel_for(reduction(+: s))]
    for i in 0..x.len() {
        s += x[i];
        y[i] = s;
    }
    s
}

fn main() {
    running(&[1.0], &mut [0.0]);
}
