use parallel::parallel;

async fn fetch() -> u64 {
    1
}

#[parallel]
async fn both() -> u64 {
    let mut a = 1;
    #[taskgroup]
    {
        #[task]
        {
            a += fetch().await;
        }
    }
    a
}

fn main() {
    let _ = both();
}
