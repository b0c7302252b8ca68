use parallel::parallel;

#[parallel]
fn squares(x: &[u64], out: &mut [u64]) {
    #[taskgroup]
    {
        for i in 0..x.len() {
            #[task]
            {
                out[i] = x[i] * x[i];
            }
        }
    }
}

fn main() {
    squares(&[1, 2], &mut [0, 0]);
}
