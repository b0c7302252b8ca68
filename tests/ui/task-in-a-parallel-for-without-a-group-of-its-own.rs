use parallel::parallel;

#[parallel]
fn squares(x: &[u64], out: &mut [u64]) {
    #[taskgroup]
    {
        #[parallel_for]
        for i in 0..x.len() {
            #[task]
            {
                println!("{}", x[i]);
            }
            out[i] = x[i] * x[i];
        }
    }
}

fn main() {
    squares(&[1, 2], &mut [0; 2]);
}
