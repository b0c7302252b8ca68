use parallel::parallel;

#[parallel]
fn histogram(data: &[u8]) -> Vec<u32> {
    let mut bins = vec![0u32; 256];
    #[parallel_for(simd, reduction(+: bins))]
    for i in 0..data.len() {
        bins[data[i] as usize] += 1;
    }
    bins
}

fn main() {
    histogram(&[1, 2]);
}
