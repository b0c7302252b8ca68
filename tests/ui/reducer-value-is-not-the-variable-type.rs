use parallel::{Reducer, parallel};

struct Longest;

impl Reducer for Longest {
    type Value = String;
    fn identity() -> String {
        String::new()
    }
    fn combine(acc: &mut String, other: String) {
        if other.len() > acc.len() {
            *acc = other;
        }
    }
}

#[parallel]
fn longest(words: &[&str]) -> usize {
    let mut best = 0usize;
    #[parallel_for(reduction(Longest: best))]
    for i in 0..words.len() {
        Longest::combine(&mut best, words[i].to_string());
    }
    best
}

fn main() {
    longest(&["a", "bb"]);
}
