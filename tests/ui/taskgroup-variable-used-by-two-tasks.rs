use parallel::parallel;

#[parallel]
fn lengths() -> (usize, usize) {
    let (mut a, mut b) = (0, 0);
    #[taskgroup]
    {
        let words = vec!["a", "bb"];
        #[task]
        {
            a = words.len();
        }
        #[task]
        {
            b = words.iter().map(|w| w.len()).sum();
        }
    }
    (a, b)
}

fn main() {
    lengths();
}
