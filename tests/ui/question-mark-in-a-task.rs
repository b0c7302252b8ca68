use parallel::parallel;

#[parallel]
fn parse(a: &str, b: &str) -> Result<u64, std::num::ParseIntError> {
    let (mut x, mut y) = (0, 0);
    #[taskgroup]
    {
        #[task]
        {
            x += a.parse::<u64>()?;
        }
        #[task]
        {
            y += b.parse::<u64>()?;
        }
    }
    Ok(x + y)
}

fn main() {
    let _ = parse("1", "2");
}
