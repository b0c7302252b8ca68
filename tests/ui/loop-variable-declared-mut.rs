use parallel::parallel;

#[parallel]
fn fill(y: &mut [usize]) {
    #[parallel_for]
    for mut i in 0..y.len() {
        y[i] = i;
        i += 1;
        let _ = i;
    }
}

fn main() {
    fill(&mut [0; 4]);
}
