use parallel::{Reducer, parallel};

/// A user type without `parallel::distributed::Wire`.
#[derive(Default)]
struct Stats {
    n: u64,
    total: f64,
}

struct Merge;

impl Reducer for Merge {
    type Value = Stats;
    fn identity() -> Stats {
        Stats::default()
    }
    fn combine(acc: &mut Stats, other: Stats) {
        acc.n += other.n;
        acc.total += other.total;
    }
}

#[parallel]
fn stats(x: &[f64]) -> Stats {
    let mut s = Stats::default();
    #[parallel_for(distributed, reduction(Merge: s))]
    for i in 0..x.len() {
        Merge::combine(&mut s, Stats { n: 1, total: x[i] });
    }
    s
}

fn main() {
    stats(&[1.0, 2.0]);
}
