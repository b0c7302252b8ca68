use parallel::parallel;

#[parallel]
fn sum(x: &[f64]) -> f64 {
    let mut sum = 0.0;
    #[parallel_for(reduction(+: total))]
    for i in 0..x.len() {
        sum += x[i];
    }
    sum
}

fn main() {
    sum(&[1.0]);
}
