use parallel::parallel_for;

// The fn lacks `#[parallel]`: rustc itself meets the attribute on a
// statement, which stable Rust does not allow.
fn fill(y: &mut [u32]) {
    #[parallel_for]
    for i in 0..y.len() {
        y[i] = 1;
    }
}

fn main() {
    fill(&mut [0; 4]);
}
