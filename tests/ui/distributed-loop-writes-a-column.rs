use parallel::parallel;

#[parallel]
fn columns(b: &mut [f64], n: usize, m: usize) {
    #[parallel_for(distributed)]
    for j in 0..n {
        for k in 0..m {
            b[k * n + j] = 1.0;
        }
    }
}

fn main() {
    columns(&mut [0.0; 6], 2, 3);
}
