use parallel::parallel;

#[parallel]
fn first_seven(x: &[u64], hits: &mut [bool]) {
    #[taskgroup]
    {
        for (v, hit) in x.iter().zip(hits.iter_mut()) {
            #[task]
            {
                if *v == 7 {
                    break;
                }
                *hit = true;
            }
        }
    }
}

fn main() {
    first_seven(&[1, 7], &mut [false; 2]);
}
