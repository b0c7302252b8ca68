use parallel::parallel;

struct Scratch {
    buf: Vec<f64>,
}

#[parallel]
fn fill(y: &mut [f64], mut s: Scratch) {
    #[parallel_for(private(s))]
    for i in 0..y.len() {
        s.buf[0] = i as f64;
        y[i] = s.buf[0];
    }
}

fn main() {
    fill(&mut [0.0; 4], Scratch { buf: vec![0.0] });
}
