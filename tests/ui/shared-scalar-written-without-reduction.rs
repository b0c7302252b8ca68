use parallel::parallel;

#[parallel]
fn sum(x: &[f64]) -> f64 {
    let mut total = 0.0;
    #[parallel_for]
    for i in 0..x.len() {
        total += x[i];
    }
    total
}

fn main() {
    println!("{}", sum(&[1.0, 2.0]));
}
