use parallel::parallel;

#[parallel]
fn fill(c: &mut [f64], m: usize) {
    #[parallel_for]
    for i in 0..4 {
        let n = m;
        for j in 0..n {
            c[i * n + j] = 1.0;
        }
    }
}

fn main() {
    fill(&mut [0.0; 16], 4);
}
