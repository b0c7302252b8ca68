use parallel::parallel;

#[parallel]
fn show(x: &[u64]) {
    #[taskgroup]
    {
        x.iter().for_each(|v| {
            #[task]
            {
                println!("{v}");
            }
        });
    }
}

fn main() {
    show(&[1, 2]);
}
