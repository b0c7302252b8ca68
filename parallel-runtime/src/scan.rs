//! Scans (OpenMP's `inscan` reductions) in two passes over fixed blocks.
//!
//! A loop under `reduction(inscan, op: v)` has an update phase, which
//! changes `v`, and a read phase, which sees the prefix of `v` up to its
//! iteration. The iterations are cut into contiguous blocks. The first pass
//! runs the update phase of every block but the last, each block from a
//! fresh copy, and so finds the blocks' totals; a sequential scan of the
//! totals gives each block's starting value; the second pass runs the whole
//! body, every block from its starting value, and its last block leaves the
//! final value. The update phase runs twice; the read phase once.
//!
//! [`scan_blocks`] chooses the blocks and the loop's configuration for the
//! second pass; [`scan_prefixes`] runs the first pass and the scan of the
//! totals; [`Prefixes::at`] hands a block its starting value.

use crate::drive::{DETERMINISTIC_LEAF, INLINE_BELOW, for_range};
use crate::routines::max_threads;
use crate::schedule::{Config, Schedule};
use crate::seq::Seq;

/// Blocks per thread of a scan's team. Either pass takes blocks whole (a
/// block's prefix is known only at its start), so a member the machine
/// does not run holds up the loop by the block it took: with several
/// blocks per thread that is a fraction of the member's share, and the
/// others take the rest. The passes do the same work whatever the number
/// of blocks (the first runs every block but the last).
pub const SCAN_BLOCKS_PER_THREAD: usize = 4;

/// The blocks of a scan over `len` iterations, and the configuration that
/// runs the second pass with one chunk per block. A `deterministic` scan
/// uses blocks of [`DETERMINISTIC_LEAF`] whatever the team (so its floats
/// round the same way on any team); otherwise [`SCAN_BLOCKS_PER_THREAD`]
/// blocks per thread of a team, one block without a team.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{Config, DETERMINISTIC_LEAF, scan_blocks};
///
/// let cfg = Config { num_threads: Some(4), ..Config::DEFAULT };
/// let (pass, block) = scan_blocks(&cfg, 1000);
/// assert_eq!((block, pass.chunk), (63, Some(63)));
/// // With one thread (or a short loop) the whole loop is one block.
/// let one = Config { num_threads: Some(1), ..Config::DEFAULT };
/// assert_eq!(scan_blocks(&one, 1000).1, 1000);
/// let det = Config { deterministic: true, ..Config::DEFAULT };
/// assert_eq!(scan_blocks(&det, 10_000).1, DETERMINISTIC_LEAF);
/// ```
pub fn scan_blocks(cfg: &Config, len: usize) -> (Config, usize) {
    let min_len = cfg.min_len.unwrap_or(1).max(1);
    if cfg.deterministic {
        // The deterministic leaves are the blocks: every leaf a chunk of
        // its own, on any team, one thread and `if(false)` included.
        let block = DETERMINISTIC_LEAF.max(min_len);
        let pass = Config {
            min_len: Some(block),
            ..*cfg
        };
        return (pass, block);
    }
    let team = match cfg.num_threads {
        Some(n) => n.max(1),
        // A short loop runs inline, as one block.
        None if len < INLINE_BELOW => 1,
        None => max_threads().max(1),
    };
    let blocks = match team {
        1 => 1,
        t => t.saturating_mul(SCAN_BLOCKS_PER_THREAD),
    };
    let block = len.div_ceil(blocks).max(min_len).max(1);
    let pass = Config {
        schedule: Schedule::Static,
        chunk: Some(block),
        // Named, so that the team is the one the blocks were cut for.
        num_threads: Some(team),
        if_: cfg.if_,
        min_len: None,
        deterministic: false,
    };
    (pass, block)
}

/// Each block's starting value: `starts[b]` is the initial value combined
/// with the totals of blocks `0..b`, in order.
pub struct Prefixes<T> {
    block: usize,
    starts: Vec<T>,
}

impl<T: Clone> Prefixes<T> {
    /// The starting value of the chunk that begins at iteration `lo`.
    ///
    /// # Panics
    ///
    /// If `lo` is not the start of a block: the second pass gives every
    /// chunk exactly one block (a chunk from `0` is the whole loop run in
    /// order, which starts from the initial value too).
    ///
    /// # Examples
    ///
    /// See [`scan_prefixes`].
    #[track_caller]
    pub fn at(&self, lo: usize) -> T {
        let b = lo / self.block;
        match self.starts.get(b) {
            Some(v) if lo.is_multiple_of(self.block) => v.clone(),
            _ => panic!(
                "internal error: a scan chunk starts at iteration {lo}, not at a block of {}",
                self.block
            ),
        }
    }
}

/// The first pass of a scan over `0..len` in blocks of `block`: `pass(lo,
/// hi, start())` runs the update phase of iterations `lo..hi` from a fresh
/// copy and returns the block's total; the totals are combined in order
/// onto `init` (the variable's value before the loop).
///
/// # Examples
///
/// ```
/// use parallel_runtime::{Config, scan_blocks, scan_prefixes};
///
/// let x: Vec<u64> = (1..=30).collect();
/// let cfg = Config { num_threads: Some(2), ..Config::DEFAULT };
/// let (pass, block) = scan_blocks(&cfg, x.len());
/// let starts = scan_prefixes(&pass, block, x.len(), 100, || 0, |a, b| a + b, |lo, hi, mut s| {
///     for t in lo..hi {
///         s += x[t];
///     }
///     s
/// });
/// assert_eq!(block, 4); // 8 blocks: 4 per thread
/// assert_eq!([starts.at(0), starts.at(4), starts.at(8), starts.at(28)], [100, 110, 136, 506]);
/// ```
pub fn scan_prefixes<T, S, C, P>(
    cfg: &Config,
    block: usize,
    len: usize,
    init: T,
    start: S,
    combine: C,
    pass: P,
) -> Prefixes<T>
where
    T: Clone + Send,
    S: Fn() -> T + Sync,
    C: Fn(T, T) -> T,
    P: Fn(usize, usize, T) -> T + Sync,
{
    let block = block.max(1);
    // The last block's total is not needed: the second pass leaves it.
    let blocks = len.div_ceil(block);
    let mut totals: Vec<(usize, T)> = if cfg.if_ && blocks > 1 {
        let per_block = Config {
            // A block at a time, to whichever member is running.
            schedule: Schedule::Dynamic,
            chunk: Some(1),
            min_len: None,
            deterministic: false,
            // Every block is long: fork the team even for a few of them.
            num_threads: Some(cfg.num_threads.unwrap_or_else(max_threads)),
            ..*cfg
        };
        for_range(
            &per_block,
            &Seq::range(0, blocks - 1),
            (),
            |mut a: Vec<(usize, T)>, mut b| {
                a.append(&mut b);
                a
            },
            |b0, b1, ()| {
                (b0..b1)
                    .map(|b| (b, pass(b * block, ((b + 1) * block).min(len), start())))
                    .collect()
            },
        )
        .unwrap_or_default()
    } else {
        Vec::new()
    };
    totals.sort_unstable_by_key(|(b, _)| *b);
    let mut starts = Vec::with_capacity(totals.len() + 1);
    let mut acc = init;
    for (_, total) in totals {
        starts.push(acc.clone());
        acc = combine(acc, total);
    }
    starts.push(acc);
    Prefixes { block, starts }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::for_range_with;
    use crate::later;

    /// The runtime half of a scan, as the macro drives it: an inclusive
    /// prefix sum written through the second pass's chunks.
    fn prefix_sums(x: &[u64], cfg: &Config) -> (Vec<u64>, u64) {
        let (pass, block) = scan_blocks(cfg, x.len());
        let starts = scan_prefixes(
            &pass,
            block,
            x.len(),
            7,
            || 0,
            |a, b| a + b,
            |lo, hi, s| s + x[lo..hi].iter().sum::<u64>(),
        );
        let mut y = vec![0; x.len()];
        let out = crate::ElemHandle::new(&mut y);
        let last = for_range_with(
            &pass,
            &Seq::range(0, x.len()),
            (out,),
            || (0, None),
            later,
            |lo, hi, (mut w,), _| {
                let mut s = starts.at(lo);
                for t in lo..hi {
                    s += x[t];
                    w[t] = s;
                }
                (s, Some(hi))
            },
        );
        (y, last.map_or(7, |(s, _)| s))
    }

    #[test]
    fn second_pass_chunks_start_at_blocks() {
        for len in [0, 1, 2, 3, 15, 16, 17, 100, 4097, 10_000] {
            let x: Vec<u64> = (0..len as u64).map(|v| v * 3 + 1).collect();
            let mut want = Vec::new();
            let mut s = 7;
            for v in &x {
                s += v;
                want.push(s);
            }
            for threads in [1, 2, 3, 7] {
                for (deterministic, min_len) in [(false, None), (true, None), (false, Some(5))] {
                    let cfg = Config {
                        num_threads: Some(threads),
                        deterministic,
                        min_len,
                        ..Config::DEFAULT
                    };
                    assert_eq!(
                        prefix_sums(&x, &cfg),
                        (want.clone(), s),
                        "len={len} t={threads}"
                    );
                }
            }
            let off = Config {
                if_: false,
                ..Config::DEFAULT
            };
            assert_eq!(prefix_sums(&x, &off), (want.clone(), s), "if(false)");
        }
    }

    #[test]
    fn a_chunk_off_a_block_is_an_internal_error() {
        let p = Prefixes {
            block: 4,
            starts: vec![0, 1],
        };
        assert_eq!(p.at(4), 1);
        assert!(std::panic::catch_unwind(|| p.at(2)).is_err());
        assert!(std::panic::catch_unwind(|| p.at(8)).is_err());
    }
}
