use parallel::parallel;

#[parallel]
fn total(x: &[f64]) -> f64 {
    let mut s = 0.0;
    #[parallel_for(reduction(+: s))]
    for i in 0..x.len() {
        s += x[i];
        if i % 1000 == 0 {
            println!("{i}: {s}");
        }
    }
    s
}

fn main() {
    total(&[1.0]);
}
