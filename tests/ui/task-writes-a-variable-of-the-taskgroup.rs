use parallel::parallel;

#[parallel]
fn tally(x: &[u64]) {
    #[taskgroup]
    {
        let mut seen = 0;
        #[task]
        {
            seen += x.len();
        }
        println!("{seen}");
    }
}

fn main() {
    tally(&[1, 2]);
}
