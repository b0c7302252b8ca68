use parallel::parallel;

#[parallel]
fn fill(y: &mut [u32]) {
    #[parallel_for]
    let n = y.len();
    for i in 0..n {
        y[i] = 1;
    }
}

fn main() {
    fill(&mut [0; 4]);
}
