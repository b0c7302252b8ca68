use parallel::parallel;

#[parallel]
fn parse_all(text: &[&str], out: &mut [u32]) -> Result<(), std::num::ParseIntError> {
    #[parallel_for]
    for i in 0..text.len() {
        out[i] = text[i].parse::<u32>()?;
    }
    Ok(())
}

fn main() {
    let _ = parse_all(&["1", "2"], &mut [0; 2]);
}
