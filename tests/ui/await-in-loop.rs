use parallel::parallel;

async fn fetch(i: usize) -> u32 {
    i as u32
}

#[parallel]
async fn fetch_all(out: &mut [u32]) {
    #[parallel_for]
    for i in 0..out.len() {
        out[i] = fetch(i).await;
    }
}

fn main() {
    let _ = fetch_all(&mut [0; 2]);
}
