use parallel::parallel_for;

#[parallel_for]
fn fill(y: &mut [u32]) {
    for i in 0..y.len() {
        y[i] = 1;
    }
}

fn main() {
    fill(&mut [0; 4]);
}
