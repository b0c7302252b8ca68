use parallel::parallel;

#[parallel]
fn last_square(n: usize, out: &mut [usize]) -> usize {
    let mut last = 0;
    #[parallel_for(lastprivate(last))]
    for i in 0..n {
        out[i] = i * i;
    }
    last
}

fn main() {
    last_square(3, &mut [0; 3]);
}
