use parallel::parallel;

#[parallel]
fn counts(flags: &[bool], out: &mut [u32]) {
    let mut seen = 0u32;
    #[parallel_for(private(seen))]
    for i in 0..flags.len() {
        if flags[i] {
            seen = 1;
        }
        out[i] = seen;
    }
}

fn main() {
    counts(&[true], &mut [0]);
}
