use parallel::parallel;

#[parallel]
fn row_sums(m: &[f64], cols: usize, sums: &mut [f64]) {
    #[parallel_for(collapse(2))]
    for i in 0..sums.len() {
        for j in 0..cols {
            sums[i] += m[i * cols + j];
        }
    }
}

fn main() {
    row_sums(&[1.0; 6], 3, &mut [0.0; 2]);
}
