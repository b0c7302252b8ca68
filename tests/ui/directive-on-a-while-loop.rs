use parallel::parallel;

#[parallel]
fn fill(y: &mut [u32]) {
    let mut i = 0;
    #[parallel_for]
    while i < y.len() {
        y[i] = 1;
        i += 1;
    }
}

fn main() {
    fill(&mut [0; 4]);
}
