use parallel::parallel;

#[parallel]
fn fill(y: &mut [f64]) {
    #[parallel_for(proc_bind(near))]
    for i in 0..y.len() {
        y[i] = 1.0;
    }
}

fn main() {
    fill(&mut [0.0; 4]);
}
