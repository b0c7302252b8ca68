use parallel::parallel;
use std::cell::Cell;

/// A length that moves every time it is asked.
struct Ticker(Cell<usize>);

impl Ticker {
    fn len(&self) -> usize {
        let n = self.0.get();
        self.0.set(n + 1);
        n
    }
}

#[parallel]
fn fill(c: &mut [f64], w: &Ticker, rows: usize) {
    #[parallel_for]
    for i in 0..rows {
        c[i * w.len()] = 1.0;
    }
}

fn main() {
    fill(&mut [0.0; 4], &Ticker(Cell::new(2)), 2);
}
