use parallel::parallel;

#[parallel]
fn odd(x: &[u64], out: &mut [u64]) {
    #[taskgroup]
    {
        for (v, o) in x.iter().zip(out.iter_mut()) {
            #[task]
            {
                if *v % 2 == 0 {
                    continue;
                }
                *o = *v;
            }
        }
    }
}

fn main() {
    odd(&[1, 2], &mut [0; 2]);
}
