use parallel::parallel;

#[parallel]
fn scaled(x: &[u64]) -> (u64, u64) {
    let mut scale = 2;
    let mut total = 0;
    #[taskgroup]
    {
        #[task]
        {
            total += x.iter().map(|v| v * scale).sum::<u64>();
        }
        scale += 1;
    }
    (total, scale)
}

fn main() {
    scaled(&[1, 2]);
}
