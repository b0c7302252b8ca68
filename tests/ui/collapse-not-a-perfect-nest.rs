use parallel::parallel;

#[parallel]
fn fill(c: &mut [f64], rows: usize, cols: usize) {
    #[parallel_for(collapse(2))]
    for i in 0..rows {
        let scale = i as f64;
        for j in 0..cols {
            c[i * cols + j] = scale;
        }
    }
}

fn main() {
    fill(&mut [0.0; 6], 2, 3);
}
