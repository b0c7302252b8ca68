//! Driving a loop: [`for_range`] splits the iterations into chunks by the
//! schedule, forks the team, hands every chunk its windows, and combines the
//! partial reductions.
//!
//! A top-level loop runs on the resident team of its size (see `resident`):
//! workers that spin between loops, forked with one store, about a
//! microsecond per loop. Nested loops, `schedule(auto)`, `deterministic`
//! and a loop that finds its resident team busy run on the rayon pool of
//! their size, forked with `rayon::join` recursion (stack jobs). Either way
//! the fork/join path allocates nothing and takes no lock: teams and pools
//! come from a `OnceLock` per size, and the work is shared through atomics
//! on the caller's stack.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::resident::{self, Play};
use crate::schedule::{Config, Plan, Schedule};
use crate::seq::Iterations;
#[cfg(test)]
use crate::seq::Seq;
use crate::split::Parts;
use crate::team::{self, Enter, State};
use crate::{env, routines};

/// Loops shorter than this run inline on the calling thread, unless they name
/// `num_threads(n)`: forking a team costs more than they do.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{for_range, num_threads, Config, Seq, INLINE_BELOW};
///
/// let seq = Seq::range(0, INLINE_BELOW - 1);
/// let team = for_range(&Config::DEFAULT, &seq, (), |a: usize, b| a.max(b), |_, _, ()| num_threads());
/// assert_eq!(team, Some(1));
/// ```
pub const INLINE_BELOW: usize = 16;

/// The leaf size of a `deterministic` loop: the iterations are reduced in
/// fixed blocks of this many, whatever the team.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{for_range, Config, Seq, DETERMINISTIC_LEAF};
///
/// // Two leaves, whatever the team size.
/// let cfg = Config { deterministic: true, num_threads: Some(3), ..Config::DEFAULT };
/// let leaves = for_range(&cfg, &Seq::range(0, DETERMINISTIC_LEAF + 1), (), |a: usize, b| a + b, |_, _, ()| 1);
/// assert_eq!(leaves, Some(2));
/// ```
pub const DETERMINISTIC_LEAF: usize = 4096;

/// How many iterations a member of a `schedule(static)` team runs between two
/// looks at the team's stop flag (raised when another member panics).
const STATIC_PIECE: usize = 4096;

/// Runs a loop: `body(lo, hi, windows)` for chunks `lo..hi` of the iteration
/// numbers `0..seq.len()` (iteration `t` has the loop value `seq.get(t)`), on a
/// team of threads, and combines the partial results the body returns.
///
/// - **Team size**: `cfg.num_threads` if given, else the current team's pool
///   size inside a loop, else [`max_threads`](crate::max_threads()).
/// - **Inline**: when `!cfg.if_`, when the team size is 1, or when
///   `num_threads` is not given and the loop has fewer than [`INLINE_BELOW`]
///   iterations, the body runs once, `body(0, len, ..)`, on the calling
///   thread, with `thread_num() == 0` and `num_threads() == 1`.
/// - **Windows**: each chunk gets `parts.windows(lo, hi)` for the smallest and
///   largest loop value of the chunk (as `usize`). Before the loop, the first
///   and last value are checked to be valid indices. Chunks are disjoint and
///   the values strictly monotone, so the windows are disjoint. `parts` is
///   taken by value: a handle serves one loop, so windows that escape through
///   `R` can never alias windows of another loop over the same handle.
/// - **Type inference**: rustc checks `combine` before `body`, so `combine`
///   must not need `R` to be known already: write `|(a0, a1), (b0, b1)| ..`
///   (patterns) or annotate, rather than `|a, b| (a.0 ..)`.
/// - **Reduction**: each member folds its partials in iteration order, then the
///   members' results are combined in a fixed tree, member 0 leftmost.
///   `None` if no chunk ran (an empty loop).
/// - **Panics**: a panic in the body stops the other members at their next
///   chunk and reaches the caller with its payload unchanged; the pool stays
///   usable.
///
/// # Panics
///
/// Besides panics of the body: `num_threads(0)`, a chunk of 0, a loop value
/// that is not a valid index when `parts` is not `()`, a malformed
/// `OMP_SCHEDULE` (for `schedule(runtime)`) or thread-count variable.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{for_range, Config, ElemHandle, Schedule, Seq};
///
/// // for i in (0..1000).rev() { y[i] = x[i] * 2.0; sum += y[i]; }
/// let x: Vec<f64> = (0..1000).map(|i| i as f64).collect();
/// let mut y = vec![0.0; 1000];
/// let seq = Seq::range(0usize, 1000).rev();
/// let cfg = Config { schedule: Schedule::Dynamic, chunk: Some(64), ..Config::DEFAULT };
/// let sum = for_range(&cfg, &seq, (ElemHandle::new(&mut y),), |a, b| a + b,
///     |lo, hi, (mut y,)| {
///         let mut sum = 0.0;
///         for t in lo..hi {
///             let i = seq.get(t);
///             y[i] = x[i] * 2.0;
///             sum += y[i];
///         }
///         sum
///     });
/// assert_eq!(sum, Some(999_000.0));
/// assert_eq!(y[10], 20.0);
/// ```
#[track_caller]
pub fn for_range<S, P, R, C, B>(cfg: &Config, seq: &S, parts: P, combine: C, body: B) -> Option<R>
where
    S: Iterations,
    P: Parts,
    R: Send,
    C: Fn(R, R) -> R + Sync,
    B: Fn(usize, usize, P::Windows) -> R + Sync,
{
    // Each member's accumulator is the fold of its chunks' results.
    for_range_with(
        cfg,
        seq,
        parts,
        || None,
        |a: Option<R>, b: Option<R>| merge(a, b, &combine),
        |lo, hi, windows, acc: Option<R>| fold(acc, body(lo, hi, windows), &combine),
    )
    .flatten()
}

/// [`for_range`] with one accumulator per team member: each member starts
/// from `init()` before its first chunk, and every chunk `body(lo, hi,
/// windows, acc)` takes the member's accumulator and returns it updated. The
/// members' accumulators are then combined as in [`for_range`].
///
/// This is what the macro uses: reduction variables, private copies and
/// whole-array reductions live in the accumulator, so a histogram's private
/// bins are made once per member, not once per chunk.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{for_range_with, Config, Schedule, Seq};
///
/// // A 4-bin histogram of i % 4 over 0..1000, with private bins per member.
/// let seq = Seq::range(0usize, 1000);
/// let cfg = Config { schedule: Schedule::Dynamic, num_threads: Some(2), ..Config::DEFAULT };
/// let bins = for_range_with(&cfg, &seq, (), || [0u32; 4],
///     |mut a, b| { for k in 0..4 { a[k] += b[k]; } a },
///     |lo, hi, (), mut bins| {
///         for t in lo..hi { bins[seq.get(t) % 4] += 1; }
///         bins
///     });
/// assert_eq!(bins, Some([250; 4]));
/// ```
#[track_caller]
pub fn for_range_with<S, P, R, I, C, B>(
    cfg: &Config,
    seq: &S,
    parts: P,
    init: I,
    combine: C,
    body: B,
) -> Option<R>
where
    S: Iterations,
    P: Parts,
    R: Send,
    I: Fn() -> R + Sync,
    C: Fn(R, R) -> R + Sync,
    B: Fn(usize, usize, P::Windows, R) -> R + Sync,
{
    let plan = Plan::new(cfg, env::runtime_schedule);
    let len = seq.len();
    if len == 0 {
        return None;
    }
    if !P::IS_EMPTY {
        seq.check_indices();
    }
    let caller = team::current();
    // `if(false)` decides before anything else: it must not touch the pool
    // (nor read the environment for a team size).
    let team = match cfg.num_threads {
        // Inside a `#[critical]` section the loop runs inline: see `in_critical`.
        _ if !cfg.if_ || crate::sync::in_critical() => 1,
        Some(n) => n,
        None if len < INLINE_BELOW => 1,
        None => routines::max_threads(),
    };
    let job = Job {
        seq,
        parts: &parts,
        init: &init,
        combine: &combine,
        body: &body,
        len,
        team,
        plan,
        caller,
        stop: AtomicBool::new(false),
        next: AtomicUsize::new(0),
    };
    if team == 1 {
        let _member = Enter::new(State::inline(caller), None);
        // `deterministic` walks its fixed tree here too, so that one thread
        // associates the reduction as a team does.
        if let Some(leaf) = plan.leaf {
            return job.fixed_tree(0, len.div_ceil(leaf), leaf, false);
        }
        // SAFETY: the only window of this loop.
        return Some(body(
            0,
            len,
            unsafe { windows(&parts, seq, 0, len) },
            init(),
        ));
    }
    // A top-level loop runs on the resident team of its size when it is
    // free: its workers spin between loops, so forking costs about a
    // microsecond. Nested loops, `auto` and `deterministic` (work stealing)
    // and a loop that finds the team busy go to rayon.
    if caller.level == 0
        && plan.leaf.is_none()
        && plan.kind != Schedule::Auto
        && let Some(claim) = resident::team(team).and_then(|t| t.try_claim())
    {
        return claim.run(&job);
    }
    let pool = team::pool(team);
    if pool.current_thread_index().is_some() {
        job.run()
    } else {
        pool.install(|| job.run())
    }
}

/// The windows of the chunk `t0..t1` (`t0 < t1 <= seq.len()`): for the loop
/// values between `seq.get(t0)` and `seq.get(t1 - 1)`.
///
/// # Safety
///
/// Windows of chunks alive at the same time must be for disjoint `t0..t1`
/// (all chunks of one loop are), and the first and last value of the loop
/// must have passed `check_index`.
#[inline(always)]
unsafe fn windows<S: Iterations, P: Parts>(parts: &P, seq: &S, t0: usize, t1: usize) -> P::Windows {
    if P::IS_EMPTY {
        // SAFETY: a `Parts` with `IS_EMPTY` hands out no windows.
        return unsafe { parts.windows(0, 0) };
    }
    let a = seq.index(t0);
    let b = seq.index(t1 - 1);
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    // SAFETY: `Iterations` promises indices strictly monotone in `t` once
    // `check_indices` returned, so disjoint chunks have disjoint index
    // intervals `lo ..= hi`; our caller keeps chunks of live windows disjoint.
    unsafe { parts.windows(lo, hi) }
}

/// `acc` combined with `r`, `acc` first.
#[inline(always)]
fn fold<R>(acc: Option<R>, r: R, combine: &impl Fn(R, R) -> R) -> Option<R> {
    Some(match acc {
        None => r,
        Some(a) => combine(a, r),
    })
}

/// Combines two results of adjacent parts of the team, left first.
#[inline(always)]
fn merge<R>(a: Option<R>, b: Option<R>, combine: &impl Fn(R, R) -> R) -> Option<R> {
    match (a, b) {
        (Some(a), Some(b)) => Some(combine(a, b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// Chunks of `size` iterations over `0..len`, the last one absorbing a tail
/// shorter than `min_len` (so no chunk is smaller than `min_len` unless the
/// whole range is).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Chunks {
    len: usize,
    size: usize,
    count: usize,
}

impl Chunks {
    /// `size >= min_len >= 1`.
    fn new(len: usize, size: usize, min_len: usize) -> Chunks {
        let (full, tail) = (len / size, len % size);
        let count = if tail == 0 || (tail < min_len && full > 0) {
            full
        } else {
            full + 1
        };
        Chunks { len, size, count }
    }

    /// Chunk `j < count`.
    #[inline]
    fn get(&self, j: usize) -> (usize, usize) {
        let lo = j * self.size;
        let hi = if j + 1 == self.count {
            self.len
        } else {
            lo + self.size
        };
        (lo, hi)
    }
}

impl<S, P, R, I, C, B> Play for Job<'_, S, P, I, C, B>
where
    S: Iterations,
    P: Parts,
    R: Send,
    I: Fn() -> R + Sync,
    C: Fn(R, R) -> R + Sync,
    B: Fn(usize, usize, P::Windows, R) -> R + Sync,
{
    type Out = R;

    fn member(&self, k: usize) -> Option<R> {
        Job::member(self, k)
    }

    fn merge(&self, a: Option<R>, b: Option<R>) -> Option<R> {
        merge(a, b, self.combine)
    }

    fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// One loop in flight: everything the members share, on the caller's stack.
struct Job<'a, S, P, I, C, B> {
    seq: &'a S,
    parts: &'a P,
    init: &'a I,
    combine: &'a C,
    body: &'a B,
    len: usize,
    team: usize,
    plan: Plan,
    caller: State,
    /// Raised when a member panics.
    stop: AtomicBool,
    /// The next chunk (dynamic) or iteration (guided) to claim.
    next: AtomicUsize,
}

impl<S, P, R, I, C, B> Job<'_, S, P, I, C, B>
where
    S: Iterations,
    P: Parts,
    R: Send,
    I: Fn() -> R + Sync,
    C: Fn(R, R) -> R + Sync,
    B: Fn(usize, usize, P::Windows, R) -> R + Sync,
{
    /// Runs the whole loop; called on a worker of the team's pool.
    fn run(&self) -> Option<R> {
        if let Some(leaf) = self.plan.leaf {
            return self.fixed_tree(0, self.len.div_ceil(leaf), leaf, true);
        }
        match self.plan.kind {
            Schedule::Auto => {
                let grain = (self.len / self.team.saturating_mul(4))
                    .max(self.plan.min_len)
                    .max(self.plan.chunk.unwrap_or(1));
                self.auto(0, self.len, grain)
            }
            _ => self.fork(0, self.team),
        }
    }

    /// Forks members `lo..hi` (a balanced binary tree of `rayon::join`s).
    fn fork(&self, lo: usize, hi: usize) -> Option<R> {
        if hi - lo == 1 {
            return self.member(lo);
        }
        let mid = lo + (hi - lo) / 2;
        let (a, b) = rayon::join(|| self.fork(lo, mid), || self.fork(mid, hi));
        merge(a, b, self.combine)
    }

    #[inline(always)]
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Runs the chunk `t0..t1` (non-empty) on the member's accumulator (a
    /// fresh `init()` for its first chunk).
    #[inline(always)]
    fn chunk(&self, t0: usize, t1: usize, acc: Option<R>) -> R {
        let acc = acc.unwrap_or_else(self.init);
        // SAFETY: every chunk of this loop is a distinct `t0..t1` of a
        // partition of `0..len` (see each schedule), and `for_range` checked
        // the first and last value.
        (self.body)(
            t0,
            t1,
            unsafe { windows(self.parts, self.seq, t0, t1) },
            acc,
        )
    }

    /// Runs `chunks.get(j)` for `j` in `js` (offset by `base`), in order.
    #[inline(always)]
    fn chunks(
        &self,
        base: usize,
        chunks: Chunks,
        js: impl Iterator<Item = usize>,
        mut acc: Option<R>,
    ) -> Option<R> {
        for j in js {
            if self.stopped() {
                break;
            }
            let (lo, hi) = chunks.get(j);
            acc = Some(self.chunk(base + lo, base + hi, acc));
        }
        acc
    }

    /// Team member `k`: its share of the iterations by the schedule.
    fn member(&self, k: usize) -> Option<R> {
        let _member = Enter::new(State::member(self.caller, k, self.team), Some(&self.stop));
        let (len, team, min_len) = (self.len, self.team, self.plan.min_len);
        match (self.plan.kind, self.plan.chunk) {
            (Schedule::Static, None) => {
                // Balanced blocks for `workers` members (fewer than the team
                // when the blocks would be shorter than `min_len`), the first
                // `len % workers` one iteration longer.
                let workers = if len / team >= min_len {
                    team
                } else {
                    (len / min_len).max(1)
                };
                if k >= workers {
                    return None;
                }
                let (q, r) = (len / workers, len % workers);
                let lo = k * q + k.min(r);
                let hi = lo + q + usize::from(k < r);
                let pieces = Chunks::new(hi - lo, STATIC_PIECE.max(min_len), min_len);
                self.chunks(lo, pieces, 0..pieces.count, None)
            }
            (Schedule::Static, Some(c)) => {
                let chunks = Chunks::new(len, c.max(min_len), min_len);
                self.chunks(0, chunks, (k..chunks.count).step_by(team), None)
            }
            (Schedule::Dynamic, c) => {
                let chunks = Chunks::new(len, c.unwrap_or(1).max(min_len), min_len);
                // Claims chunk numbers; the counter ends at most `team` past
                // `count <= len`, far from overflowing.
                let claims = core::iter::from_fn(|| {
                    let j = self.next.fetch_add(1, Ordering::Relaxed);
                    (j < chunks.count).then_some(j)
                });
                self.chunks(0, chunks, claims, None)
            }
            (Schedule::Guided, c) => {
                let c = c.unwrap_or(1).max(min_len);
                let mut acc = None;
                let mut cur = self.next.load(Ordering::Relaxed);
                while cur < len && !self.stopped() {
                    let rest = len - cur;
                    let mut size = rest.div_ceil(team).max(c).min(rest);
                    if rest - size < min_len {
                        size = rest;
                    }
                    match self.next.compare_exchange_weak(
                        cur,
                        cur + size,
                        Ordering::Relaxed,
                        Ordering::Relaxed,
                    ) {
                        Ok(_) => {
                            acc = Some(self.chunk(cur, cur + size, acc));
                            cur = self.next.load(Ordering::Relaxed);
                        }
                        Err(now) => cur = now,
                    }
                }
                acc
            }
            (Schedule::Auto | Schedule::Runtime, _) => {
                unreachable!("auto runs without members; runtime is resolved by Plan")
            }
        }
    }

    /// `deterministic`: leaves `a..b` of `leaf` iterations, each from a fresh
    /// accumulator, combined in a binary tree whose shape depends only on the
    /// trip count; with `fork`, the halves run through `rayon::join`.
    fn fixed_tree(&self, a: usize, b: usize, leaf: usize, fork: bool) -> Option<R> {
        if self.stopped() || a >= b {
            return None;
        }
        if b - a == 1 {
            let lo = a * leaf;
            let hi = (lo + leaf).min(self.len);
            if !fork {
                return Some(self.chunk(lo, hi, None));
            }
            let worker = rayon::current_thread_index().unwrap_or(0);
            let _member = Enter::new(
                State::member(self.caller, worker, self.team),
                Some(&self.stop),
            );
            return Some(self.chunk(lo, hi, None));
        }
        let mid = a + (b - a) / 2;
        let (x, y) = if fork {
            rayon::join(
                || self.fixed_tree(a, mid, leaf, true),
                || self.fixed_tree(mid, b, leaf, true),
            )
        } else {
            (
                self.fixed_tree(a, mid, leaf, false),
                self.fixed_tree(mid, b, leaf, false),
            )
        };
        merge(x, y, self.combine)
    }

    /// `schedule(auto)`: halves `lo..hi` with `rayon::join` down to pieces
    /// of `grain..2 * grain` iterations, each run by whichever worker takes it.
    fn auto(&self, lo: usize, hi: usize, grain: usize) -> Option<R> {
        if self.stopped() {
            return None;
        }
        if (hi - lo) / 2 >= grain {
            let mid = lo + (hi - lo) / 2;
            let (a, b) = rayon::join(|| self.auto(lo, mid, grain), || self.auto(mid, hi, grain));
            return merge(a, b, self.combine);
        }
        let worker = rayon::current_thread_index().unwrap_or(0);
        let _member = Enter::new(
            State::member(self.caller, worker, self.team),
            Some(&self.stop),
        );
        Some(self.chunk(lo, hi, None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ElemHandle, RowHandle, num_threads, thread_num};
    use std::panic::{AssertUnwindSafe, catch_unwind};
    use std::sync::Mutex;

    const SCHEDULES: [(Schedule, Option<usize>); 9] = [
        (Schedule::Static, None),
        (Schedule::Static, Some(1)),
        (Schedule::Static, Some(7)),
        (Schedule::Dynamic, None),
        (Schedule::Dynamic, Some(5)),
        (Schedule::Guided, None),
        (Schedule::Guided, Some(3)),
        (Schedule::Auto, None),
        (Schedule::Runtime, None),
    ];
    const TEAMS: [Option<usize>; 5] = [Some(1), Some(2), Some(3), Some(7), None];
    const LENGTHS: [usize; 8] = [0, 1, 2, 3, 17, 97, 10_007, 100_000];

    fn cfg(schedule: Schedule, chunk: Option<usize>, num_threads: Option<usize>) -> Config {
        Config {
            schedule,
            chunk,
            num_threads,
            ..Config::DEFAULT
        }
    }

    fn f(i: i64) -> u64 {
        (i.wrapping_mul(2_654_435_761) as u64) >> 7
    }

    #[test]
    fn deterministic_sums_are_bit_identical_for_any_team_and_schedule() {
        let x: Vec<f64> = (0..100_003)
            .map(|i| ((i * 7919) % 1000) as f64 * 1e-3 - 0.3)
            .collect();
        let sum = |num_threads, schedule| {
            let cfg = Config {
                deterministic: true,
                num_threads,
                schedule,
                ..Config::DEFAULT
            };
            for_range(
                &cfg,
                &Seq::range(0, x.len()),
                (),
                |a: f64, b| a + b,
                |lo, hi, ()| x[lo..hi].iter().sum::<f64>(),
            )
        };
        let first = sum(Some(1), Schedule::Static);
        for (schedule, _) in SCHEDULES {
            for team in TEAMS {
                for _ in 0..3 {
                    assert_eq!(
                        sum(team, schedule).map(f64::to_bits),
                        first.map(f64::to_bits),
                        "{schedule:?} {team:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn chunks_partition_and_respect_min_len() {
        for len in 0..60 {
            for size in 1..9 {
                for min_len in 1..=size {
                    let c = Chunks::new(len, size, min_len);
                    let mut next = 0;
                    for j in 0..c.count {
                        let (lo, hi) = c.get(j);
                        assert_eq!(lo, next);
                        assert!(hi > lo);
                        assert!(hi - lo >= min_len.min(len), "{c:?} {j}");
                        next = hi;
                    }
                    assert_eq!(next, len, "{c:?}");
                }
            }
        }
    }

    /// Sum, element writes and the chunk tiling for every schedule × team ×
    /// length, against the sequential loop.
    #[test]
    fn every_schedule_and_team_matches_sequential() {
        for &len in &LENGTHS {
            let seq = Seq::range(-5i64, len as i64 - 5);
            let expected_sum = (-5i64..len as i64 - 5).fold(0u64, |a, i| a.wrapping_add(f(i)));
            let expected_y: Vec<u64> = (0..len as i64).map(|i| f(i) ^ 1).collect();
            for (schedule, chunk) in SCHEDULES {
                for nt in TEAMS {
                    let big = len >= 10_000;
                    if big
                        && matches!(
                            (schedule, chunk),
                            (Schedule::Static, Some(1)) | (Schedule::Dynamic, None)
                        )
                        && nt != Some(2)
                    {
                        continue; // chunk-1 schedules over 10^5 iterations: once is enough
                    }
                    let c = cfg(schedule, chunk, nt);
                    let calls = Mutex::new(Vec::new());
                    let sum = for_range(
                        &c,
                        &seq,
                        (),
                        |a: u64, b| a.wrapping_add(b),
                        |lo, hi, ()| {
                            calls.lock().unwrap().push((lo, hi));
                            (lo..hi).fold(0u64, |a, t| a.wrapping_add(f(seq.get(t))))
                        },
                    );
                    let what = format!("{schedule:?},{chunk:?} num_threads {nt:?} len {len}");
                    assert_eq!(sum, (len > 0).then_some(expected_sum), "{what}");
                    let mut calls = calls.into_inner().unwrap();
                    calls.sort();
                    let mut next = 0;
                    for &(lo, hi) in &calls {
                        assert_eq!(lo, next, "{what}");
                        assert!(hi > lo, "{what}");
                        next = hi;
                    }
                    assert_eq!(next, len, "{what}");

                    let mut y = vec![0u64; len];
                    let sum = for_range(
                        &c,
                        &Seq::range(0usize, len),
                        (ElemHandle::new(&mut y),),
                        |a: u64, b| a.wrapping_add(b),
                        |lo, hi, (mut y,)| {
                            let mut s = 0u64;
                            for i in lo..hi {
                                y[i] = f(i as i64) ^ 1;
                                s = s.wrapping_add(y[i] ^ 1);
                            }
                            s
                        },
                    );
                    assert_eq!(y, expected_y, "{what}");
                    let expected: u64 = (0..len as i64).fold(0, |a, i| a.wrapping_add(f(i)));
                    assert_eq!(sum, (len > 0).then_some(expected), "{what}");
                }
            }
        }
    }

    /// Stepped and reversed loops write through windows of their values.
    #[test]
    fn stepped_and_reversed_writes() {
        let len = 1000usize;
        let seqs = [
            Seq::range(0usize, len).rev(),
            Seq::range(3usize, len).step_by(7),
            Seq::range(3usize, len).step_by(7).rev(),
            Seq::range_inclusive(0usize, len - 1).rev().step_by(3),
        ];
        for seq in seqs {
            let expected: Vec<u64> = {
                let mut y = vec![0u64; len];
                for t in 0..seq.len() {
                    y[seq.get(t)] = t as u64 + 1;
                }
                y
            };
            for (schedule, chunk) in SCHEDULES {
                for nt in [Some(2), Some(3), None] {
                    let mut y = vec![0u64; len];
                    for_range(
                        &cfg(schedule, chunk, nt),
                        &seq,
                        (ElemHandle::new(&mut y),),
                        |(), ()| (),
                        |lo, hi, (mut y,)| {
                            for t in lo..hi {
                                y[seq.get(t)] = t as u64 + 1;
                            }
                        },
                    );
                    assert_eq!(y, expected, "{seq:?} {schedule:?},{chunk:?} {nt:?}");
                }
            }
        }
    }

    #[test]
    fn row_windows_in_a_loop() {
        let (rows, n) = (37usize, 11usize);
        let mut c = vec![0usize; rows * n + 5]; // a short last row
        let expected: Vec<usize> = (0..c.len()).collect();
        for (schedule, chunk) in SCHEDULES {
            c.fill(0);
            let total = c.len();
            for_range(
                &cfg(schedule, chunk, Some(3)),
                &Seq::range_inclusive(0, rows),
                (RowHandle::new(&mut c, n),),
                |(), ()| (),
                |lo, hi, (mut c,)| {
                    for i in lo..hi {
                        let row = c.row(i);
                        for (j, x) in row.iter_mut().enumerate() {
                            *x = i * n + j;
                        }
                        assert_eq!(c.len(), total);
                    }
                },
            );
            assert_eq!(c, expected, "{schedule:?},{chunk:?}");
        }
    }

    #[test]
    fn min_len_bounds_every_chunk() {
        let len = 1000;
        for (schedule, chunk) in SCHEDULES {
            for nt in [Some(2), Some(7), None] {
                for min_len in [1, 30, 333, 999, 5000, usize::MAX] {
                    let c = Config {
                        min_len: Some(min_len),
                        ..cfg(schedule, chunk, nt)
                    };
                    let calls = Mutex::new(Vec::new());
                    let sum = for_range(
                        &c,
                        &Seq::range(0u32, len),
                        (),
                        |a, b| a + b,
                        |lo, hi, ()| {
                            calls.lock().unwrap().push((lo, hi));
                            (lo..hi).sum::<usize>()
                        },
                    );
                    assert_eq!(sum, Some(499_500));
                    let calls = calls.into_inner().unwrap();
                    for (lo, hi) in calls {
                        assert!(hi - lo >= min_len.min(len as usize), "{c:?}: {lo}..{hi}");
                    }
                }
            }
        }
    }

    #[test]
    fn if_false_runs_inline_once() {
        let caller = std::thread::current().id();
        for nt in [None, Some(3)] {
            let c = Config {
                if_: false,
                num_threads: nt,
                ..Config::DEFAULT
            };
            let calls = Mutex::new(Vec::new());
            let r = for_range(
                &c,
                &Seq::range(10u8, 200),
                (),
                |a: usize, b| a + b,
                |lo, hi, ()| {
                    calls.lock().unwrap().push((
                        lo,
                        hi,
                        std::thread::current().id(),
                        thread_num(),
                        num_threads(),
                    ));
                    hi - lo
                },
            );
            assert_eq!(r, Some(190));
            assert_eq!(calls.into_inner().unwrap(), [(0, 190, caller, 0, 1)]);
        }
        // Short loops without num_threads also run inline.
        let r = for_range(
            &Config::DEFAULT,
            &Seq::range(0, INLINE_BELOW - 1),
            (),
            |a, b| a + b,
            |lo, hi, ()| {
                assert_eq!(std::thread::current().id(), caller);
                hi - lo
            },
        );
        assert_eq!(r, Some(INLINE_BELOW - 1));
        assert_eq!((thread_num(), num_threads()), (0, 1));
    }

    #[test]
    fn empty_loops_return_none_without_calling_the_body() {
        for (schedule, chunk) in SCHEDULES {
            for nt in TEAMS {
                let r: Option<()> = for_range(
                    &cfg(schedule, chunk, nt),
                    &Seq::range(5i32, 5),
                    (),
                    |(), ()| (),
                    |_, _, ()| panic!("body ran"),
                );
                assert!(r.is_none());
            }
        }
    }

    #[test]
    fn team_of_three_sees_its_members() {
        for (schedule, chunk) in SCHEDULES {
            if schedule == Schedule::Auto {
                continue; // members are worker indices there, checked below
            }
            let seen = Mutex::new(Vec::new());
            let c = cfg(schedule, chunk, Some(3));
            let len = if schedule == Schedule::Static { 3 } else { 300 };
            for_range(
                &c,
                &Seq::range(0, len),
                (),
                |(), ()| (),
                |_, _, ()| {
                    let name = std::thread::current().name().map(str::to_owned);
                    seen.lock().unwrap().push((
                        thread_num(),
                        num_threads(),
                        crate::in_parallel(),
                        name,
                    ));
                    if schedule != Schedule::Static {
                        std::thread::sleep(std::time::Duration::from_micros(200));
                    }
                },
            );
            let seen = seen.into_inner().unwrap();
            for (k, n, active, name) in &seen {
                assert!(*k < 3 && *n == 3 && *active);
                // Member 0 of a resident team is the calling thread; the
                // others are the team's (`parallel-team3-k`) or rayon's
                // (`parallel-3-k`).
                let name = name.as_deref().unwrap_or_default();
                assert!(
                    name.starts_with("parallel-3-")
                        || name.starts_with("parallel-team3-")
                        || (*k == 0 && name == std::thread::current().name().unwrap_or_default()),
                    "{name:?}"
                );
            }
            if schedule == Schedule::Static && chunk.is_none_or(|c| c == 1) {
                let mut ks: Vec<usize> = seen.iter().map(|s| s.0).collect();
                ks.sort();
                assert_eq!(ks, [0, 1, 2]);
            }
        }
        let ks = for_range(
            &cfg(Schedule::Auto, None, Some(3)),
            &Seq::range(0, 300),
            (),
            |a: Vec<usize>, b| [a, b].concat(),
            |_, _, ()| {
                assert_eq!(num_threads(), 3);
                vec![thread_num()]
            },
        );
        assert!(ks.unwrap().iter().all(|&k| k < 3));
        assert_eq!(
            (thread_num(), num_threads(), crate::in_parallel()),
            (0, 1, false)
        );
    }

    fn payload_string(p: &(dyn std::any::Any + Send)) -> String {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .expect("string payload")
    }

    #[test]
    fn panics_propagate_with_their_payload_and_the_pool_survives() {
        for (schedule, chunk) in SCHEDULES {
            for nt in [Some(1), Some(2), Some(3), None] {
                let ran = AtomicUsize::new(0);
                let c = cfg(schedule, chunk, nt);
                let r = catch_unwind(AssertUnwindSafe(|| {
                    for_range(
                        &c,
                        &Seq::range(0usize, 50_000),
                        (),
                        |(), ()| (),
                        |lo, hi, ()| {
                            for t in lo..hi {
                                ran.fetch_add(1, Ordering::Relaxed);
                                if t == 777 {
                                    panic!("boom at {t}");
                                }
                            }
                        },
                    )
                }));
                let payload = r.expect_err("the panic must reach the caller");
                assert_eq!(payload_string(&*payload), "boom at 777");
                // The same pool runs the next loop.
                let sum = for_range(
                    &c,
                    &Seq::range(0u64, 1000),
                    (),
                    |a, b| a + b,
                    |lo, hi, ()| (lo as u64..hi as u64).sum::<u64>(),
                );
                assert_eq!(sum, Some(499_500));
                assert_eq!((thread_num(), num_threads()), (0, 1));
            }
        }
    }

    #[test]
    fn panic_payload_is_unchanged_even_if_not_a_string() {
        #[derive(Debug, PartialEq)]
        struct Custom(u32);
        let r = catch_unwind(|| {
            for_range(
                &cfg(Schedule::Dynamic, None, Some(3)),
                &Seq::range(0, 100),
                (),
                |(), ()| (),
                |lo, _, ()| {
                    if lo == 42 {
                        std::panic::panic_any(Custom(42));
                    }
                },
            )
        });
        assert_eq!(r.unwrap_err().downcast_ref::<Custom>(), Some(&Custom(42)));
    }

    #[test]
    fn nested_loops_do_not_deadlock() {
        for outer_nt in [Some(2), Some(3), None] {
            for inner_nt in [Some(2), Some(3), None] {
                for inner_schedule in [Schedule::Static, Schedule::Dynamic, Schedule::Auto] {
                    let outer = cfg(Schedule::Dynamic, None, outer_nt);
                    let inner = cfg(inner_schedule, None, inner_nt);
                    let total = for_range(
                        &outer,
                        &Seq::range(0u64, 20),
                        (),
                        |a, b| a + b,
                        |lo, hi, ()| {
                            let mut s = 0;
                            for i in lo as u64..hi as u64 {
                                let outer_k = thread_num();
                                s += for_range(
                                    &inner,
                                    &Seq::range(0u64, 100),
                                    (),
                                    |a, b| a + b,
                                    |lo, hi, ()| {
                                        if inner_nt.is_some() {
                                            assert_eq!(Some(num_threads()), inner_nt);
                                        }
                                        (lo as u64..hi as u64).map(|j| i * j).sum::<u64>()
                                    },
                                )
                                .unwrap();
                                assert_eq!(thread_num(), outer_k, "restored after the inner loop");
                            }
                            s
                        },
                    );
                    assert_eq!(total, Some(190 * 4950));
                }
            }
        }
    }

    #[test]
    fn nested_default_team_uses_the_pool_size() {
        let sizes = for_range(
            &cfg(Schedule::Static, None, Some(3)),
            &Seq::range(0, 3),
            (),
            |a: Vec<usize>, b| [a, b].concat(),
            |_, _, ()| {
                assert_eq!(crate::max_threads(), 3);
                for_range(
                    &Config::DEFAULT,
                    &Seq::range(0, 100),
                    (),
                    |a: usize, b| a.max(b),
                    |_, _, ()| num_threads(),
                )
                .into_iter()
                .collect()
            },
        );
        assert_eq!(sizes.unwrap(), [3, 3, 3]);
    }

    #[test]
    fn invalid_index_values_panic_before_the_loop() {
        let mut y = vec![0u8; 10];
        let r = catch_unwind(AssertUnwindSafe(|| {
            for_range(
                &Config::DEFAULT,
                &Seq::range(-3i32, 5),
                (ElemHandle::new(&mut y),),
                |(), ()| (),
                |_, _, _| panic!("body ran"),
            )
        }));
        assert_eq!(
            payload_string(&*r.unwrap_err()),
            "the loop variable takes the value -3, which is not a valid index (x[i as usize] needs 0 <= i <= usize::MAX)"
        );
        let r = catch_unwind(AssertUnwindSafe(|| {
            for_range(
                &Config::DEFAULT,
                &Seq::range(-3i32, 5).rev(),
                (ElemHandle::new(&mut y),),
                |(), ()| (),
                |_, _, _| panic!("body ran"),
            )
        }));
        assert!(payload_string(&*r.unwrap_err()).contains("takes the value -3"));
        // Without writes, negative loop values are fine.
        let r = for_range(
            &Config::DEFAULT,
            &Seq::range(-3i32, 5),
            (),
            |a, b| a + b,
            |lo, hi, ()| hi - lo,
        );
        assert_eq!(r, Some(8));
        // Out-of-bounds writes panic like std.
        let r = catch_unwind(AssertUnwindSafe(|| {
            for_range(
                &cfg(Schedule::Static, None, Some(2)),
                &Seq::range(0usize, 11),
                (ElemHandle::new(&mut y),),
                |(), ()| (),
                |lo, hi, (mut y,)| {
                    for i in lo..hi {
                        y[i] = 1;
                    }
                },
            )
        }));
        assert_eq!(
            payload_string(&*r.unwrap_err()),
            "index out of bounds: the len is 10 but the index is 10"
        );
    }

    #[test]
    fn clause_errors_panic_clearly() {
        let r = catch_unwind(|| {
            for_range(
                &cfg(Schedule::Guided, Some(0), None),
                &Seq::range(0, 10),
                (),
                |(), ()| (),
                |_, _, ()| (),
            )
        });
        assert_eq!(
            payload_string(&*r.unwrap_err()),
            "schedule(guided, 0): schedule chunk must be at least 1"
        );
        let r = catch_unwind(|| {
            for_range(
                &cfg(Schedule::Static, None, Some(0)),
                &Seq::range(0, 10),
                (),
                |(), ()| (),
                |_, _, ()| (),
            )
        });
        assert_eq!(
            payload_string(&*r.unwrap_err()),
            "num_threads(0): a team needs at least one thread"
        );
        let mut c = [0u8; 4];
        let r = catch_unwind(AssertUnwindSafe(|| {
            for_range(
                &Config::DEFAULT,
                &Seq::range(0, 2),
                (RowHandle::new(&mut c, 0),),
                |(), ()| (),
                |lo, _, (mut w,)| w.row(lo)[0] = 1,
            )
        }));
        assert!(payload_string(&*r.unwrap_err()).contains("rows of n = 0 elements"));
        // n == 0 with an empty loop is fine.
        for_range(
            &Config::DEFAULT,
            &Seq::range(0, 0),
            (RowHandle::new(&mut c, 0),),
            |(), ()| (),
            |_, _, _| (),
        );
    }

    /// Counts the allocations of threads that opted in, to check that the
    /// fork/join path allocates nothing.
    mod counting {
        use std::alloc::{GlobalAlloc, Layout, System};
        use std::cell::Cell;
        use std::sync::atomic::{AtomicUsize, Ordering};

        thread_local! {
            pub static COUNT_HERE: Cell<bool> = const { Cell::new(false) };
        }
        pub static ALLOCS: AtomicUsize = AtomicUsize::new(0);

        pub struct Counting;

        // SAFETY: forwards every call to `System` unchanged; counting touches
        // only a const-initialized thread-local and an atomic, neither of
        // which allocates.
        unsafe impl GlobalAlloc for Counting {
            unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
                if COUNT_HERE.try_with(Cell::get).unwrap_or(false) {
                    ALLOCS.fetch_add(1, Ordering::Relaxed);
                }
                // SAFETY: our caller keeps `GlobalAlloc::alloc`'s contract.
                unsafe { System.alloc(layout) }
            }

            unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
                // SAFETY: `ptr` came from `System.alloc` with this layout.
                unsafe { System.dealloc(ptr, layout) }
            }
        }

        #[global_allocator]
        static GLOBAL: Counting = Counting;
    }

    #[test]
    fn fork_join_path_does_not_allocate() {
        use counting::{ALLOCS, COUNT_HERE};
        // No other test uses a team of 5, so its threads count only our
        // loops: the rayon pool's, and the resident team's, which flag
        // themselves in the body.
        let pool = team::pool(5);
        pool.broadcast(|_| COUNT_HERE.with(|c| c.set(true)));
        let run = |schedule, chunk| {
            let c = cfg(schedule, chunk, Some(5));
            let mut y = [0u32; 1000];
            let sum = for_range(
                &c,
                &Seq::range(0usize, 1000),
                (ElemHandle::new(&mut y),),
                |a, b| a + b,
                |lo, hi, (mut y,)| {
                    COUNT_HERE.with(|c| c.set(true));
                    for i in lo..hi {
                        y[i] = i as u32;
                    }
                    (lo..hi).sum::<usize>()
                },
            );
            assert_eq!(sum, Some(499_500));
            assert_eq!(y[999], 999);
        };
        let all = || {
            for (schedule, chunk) in SCHEDULES {
                run(schedule, chunk);
            }
        };
        // Top-level loops run on the resident team of 5 (the calling thread
        // is member 0); loops started inside the pool's workers too, or on
        // rayon when the team is busy.
        COUNT_HERE.with(|c| c.set(true));
        (0..5).for_each(|_| all()); // warm up: starts the team
        pool.install(|| (0..5).for_each(|_| all()));
        let before = ALLOCS.load(Ordering::Relaxed);
        (0..50).for_each(|_| all());
        pool.install(|| (0..50).for_each(|_| all()));
        COUNT_HERE.with(|c| c.set(false));
        assert_eq!(ALLOCS.load(Ordering::Relaxed) - before, 0);
    }

    #[test]
    fn set_num_threads_sizes_top_level_teams() {
        let before = crate::max_threads();
        crate::set_num_threads(3);
        let n = for_range(
            &Config::DEFAULT,
            &Seq::range(0, 100),
            (),
            |a: usize, b| a.max(b),
            |_, _, ()| num_threads(),
        );
        crate::set_num_threads(before);
        assert_eq!(n, Some(3));
    }

    #[test]
    fn reductions_with_every_type() {
        use crate::{PrivateOf, combine, op};
        let len = 10_007u32;
        for (schedule, chunk) in SCHEDULES {
            let c = cfg(schedule, chunk, Some(3));
            let seq = Seq::range(0u32, len);
            let x = 0f64;
            let r = for_range(
                &c,
                &seq,
                (),
                |a, b| combine(op::Plus, a, b),
                |lo, hi, ()| {
                    (lo..hi).fold(x.__parallel_private(op::Plus), |a, t| {
                        combine(op::Plus, a, seq.get(t) as f64)
                    })
                },
            );
            assert_eq!(r, Some((0..len).map(f64::from).sum::<f64>()));
            let m = 0i64;
            let r = for_range(
                &c,
                &seq,
                (),
                |a, b| combine(op::Max, a, b),
                |lo, hi, ()| {
                    (lo..hi).fold(m.__parallel_private(op::Max), |a, t| {
                        combine(op::Max, a, f(seq.get(t) as i64) as i64 % 1000)
                    })
                },
            );
            assert_eq!(r, (0..len).map(|t| f(t as i64) as i64 % 1000).max());
            let b = true;
            let r = for_range(
                &c,
                &seq,
                (),
                |a, b| combine(op::And, a, b),
                |lo, hi, ()| {
                    (lo..hi).fold(b.__parallel_private(op::And), |a, t| {
                        combine(op::And, a, seq.get(t) < len)
                    })
                },
            );
            assert_eq!(r, Some(true));
        }
    }
}
