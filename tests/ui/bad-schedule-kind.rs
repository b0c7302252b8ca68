use parallel::parallel;

#[parallel]
fn fill(y: &mut [u32]) {
    #[parallel_for(schedule(fastest))]
    for i in 0..y.len() {
        y[i] = 1;
    }
}

fn main() {
    fill(&mut [0; 4]);
}
