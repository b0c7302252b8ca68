//! Driving a loop: [`for_range`] splits the iterations into chunks by the
//! schedule, offers them to a team, hands every chunk its windows, and
//! combines the partial reductions.
//!
//! # Claimable chunks
//!
//! A loop's team is its caller (member 0) and the helpers it could reserve
//! from the crew (see `crew`). Every chunk of every schedule is claimed
//! with an atomic operation by whichever member gets to it first, so no
//! member ever waits for a chunk that nobody has started: a helper that the
//! scheduler does not run (the machine is shared), or that never arrives,
//! costs at most the chunk it is running, never the loop.
//!
//! - `static`: member `k`'s block (or, with a chunk, its dealt chunks) is
//!   cut into units claimed through a counter of `k`'s own. A member runs
//!   its own units first, in order, then claims the units of the others
//!   that nobody has started. A unit always runs as the member the
//!   schedule gave it to: `thread_num()` inside it is that member, whoever
//!   runs it, so the mapping of iterations to `thread_num()` is the one
//!   OpenMP prescribes.
//! - `dynamic`, `guided`, `auto`: one shared counter, as before; `auto` is
//!   `dynamic` with chunks of about `n / (4 · team)`.
//! - `deterministic`: the fixed tree of leaves is cut at a fixed depth into
//!   subtrees, claimed like dynamic chunks; each subtree's value lands in a
//!   slot of its own, and the caller combines the slots in the same tree.
//!   Neither the leaves nor the tree depend on who ran what, so the result
//!   is bit-identical for any team, schedule and run.
//!
//! Each member folds the chunks it ran into one accumulator (`init()`
//! once per member), and the caller combines the members' accumulators in
//! member order. A member may run chunks of several owners, so a reduction
//! is combined in an order that depends on the run: the built-in operators
//! are commutative, and the macro keeps a user reducer's partials with the
//! iterations they cover (`UserReduction::push`) and combines them in
//! iteration order at the end.
//!
//! # Solo runs
//!
//! A loop whose last runs showed that helpers do not make it faster (a
//! short loop, or a machine too busy to run them in time) runs *solo*: the
//! caller runs every chunk, as the member it belongs to, and posts nothing
//! (see `site`). The fork/join path allocates nothing and takes no lock:
//! the work is shared through atomics on the caller's stack.

use std::cell::UnsafeCell;
use std::mem::MaybeUninit;
use std::panic::{AssertUnwindSafe, Location, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::affinity::{self, ProcBind};
use crate::crew::{self, Erased, Mailbox, Tally};
use crate::report::{self, Current};
use crate::schedule::{Config, Plan, Schedule};
use crate::seq::Iterations;
#[cfg(test)]
use crate::seq::Seq;
use crate::site::{self, Call, CallKind, Site};
use crate::split::Parts;
use crate::team::{self, Enter, State};
use crate::{env, routines, trace};

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
/// looks at the team's stop flag (raised when another member panics), at
/// most: the unit of work a member claims, and so what a member that
/// arrives late leaves to the others. Loops whose iterations take longer
/// than a few nanoseconds get shorter units (see `Site::static_piece`).
pub(crate) const STATIC_PIECE: usize = 4096;

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
    for_range_info(cfg, &LoopInfo::DEFAULT, seq, parts, init, combine, body)
}

/// What the macro knows of a loop beyond its [`Config`]: the directive as
/// written, for `PARALLEL_REPORT`, and its `proc_bind(..)` clause.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{LoopInfo, ProcBind};
///
/// static INFO: LoopInfo = LoopInfo {
///     directive: "parallel_for(proc_bind(spread))",
///     proc_bind: Some(ProcBind::Spread),
/// };
/// assert_eq!(LoopInfo::DEFAULT.proc_bind, None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoopInfo {
    /// The directive as written, e.g. `"parallel_for(schedule(dynamic))"`;
    /// empty: the report says `parallel_for`.
    pub directive: &'static str,
    /// `proc_bind(primary | close | spread)`: how the team's members are
    /// placed on `OMP_PLACES` (one place per core when unset). `None`: as
    /// `OMP_PROC_BIND` says. With `OMP_PROC_BIND=false` the clause is
    /// ignored, as OpenMP specifies.
    pub proc_bind: Option<ProcBind>,
}

impl LoopInfo {
    /// No directive text, no `proc_bind`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parallel_runtime::LoopInfo::DEFAULT.directive, "");
    /// ```
    pub const DEFAULT: LoopInfo = LoopInfo {
        directive: "",
        proc_bind: None,
    };
}

/// [`for_range_with`] with the loop's [`LoopInfo`]: what the macro calls
/// for a loop with a `proc_bind` clause (and, to name the loop in the
/// report, for every loop). The loop is reported at the place of this
/// call (`#[track_caller]`).
///
/// # Examples
///
/// ```
/// use parallel_runtime::{for_range_info, Config, LoopInfo, ProcBind, Seq};
///
/// let info = LoopInfo { directive: "parallel_for(proc_bind(close))", proc_bind: Some(ProcBind::Close) };
/// let cfg = Config { num_threads: Some(2), ..Config::DEFAULT };
/// let n = for_range_info(&cfg, &info, &Seq::range(0u64, 100), (), || 0u64,
///     |a, b| a + b, |lo, hi, (), acc| acc + (hi - lo) as u64);
/// assert_eq!(n, Some(100));
/// ```
#[track_caller]
pub fn for_range_info<S, P, R, I, C, B>(
    cfg: &Config,
    info: &LoopInfo,
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
    report::startup();
    let len = seq.len();
    if len == 0 {
        return None;
    }
    if !P::IS_EMPTY {
        seq.check_indices();
    }
    let caller = team::current();
    // `if(false)` decides before anything else: it must not touch the crew
    // (nor read the environment for a team size).
    let team = match cfg.num_threads {
        // Inside a `#[critical]` section the loop runs inline: see `in_critical`.
        _ if !cfg.if_ || crate::sync::in_critical() => 1,
        Some(n) => clamp_team(n),
        None if len < INLINE_BELOW => 1,
        None => clamp_team(routines::max_threads()),
    };
    let site = site::lookup(Location::caller());
    if !info.directive.is_empty() {
        site.set_directive(info.directive);
    }
    let mut room: Counters = [const { MaybeUninit::uninit() }; MAX_GROUPS];
    // The job sees the loop's own types only through these two: what
    // schedules the chunks is compiled once per accumulator type `R`, not
    // once per loop (it was most of what each annotated loop cost the
    // user's build).
    let chunk = |t0: usize, t1: usize, acc: Option<R>| -> R {
        // SAFETY: the job calls `chunk` only through `Job::chunk`, for the
        // chunks of a partition of `0..len` (see `Work`), which are
        // distinct; `check_indices` checked the first and last value.
        unsafe { run_chunk(seq, &parts, &init, &body, t0, t1, acc) }
    };
    let mut job = Job {
        chunk: &chunk,
        combine: &combine,
        len,
        team,
        plan,
        caller,
        site,
        trace: trace::on(),
        call: 0,
        stop: AtomicBool::new(false),
        panic: AtomicPtr::new(core::ptr::null_mut()),
        work: Work::new(len, team, plan, site.static_piece(), &mut room),
        tasks: &[],
        slots: &[],
        bind: None,
    };
    if let Some(leaf) = plan.leaf {
        return job.deterministic(leaf, info.proc_bind);
    }
    job.run(info.proc_bind)
}

/// `n` within the thread limit, with a warning the first time it is not.
#[inline]
fn clamp_team(n: usize) -> usize {
    let limit = env::thread_limit();
    if n <= limit {
        return n;
    }
    warn_clamped(n, limit);
    limit
}

#[cold]
fn warn_clamped(n: usize, limit: usize) {
    static WARNED: AtomicBool = AtomicBool::new(false);
    if !WARNED.swap(true, Ordering::Relaxed) {
        eprintln!(
            "parallel: a team of {n} threads is more than the thread limit of {limit} \
             (OMP_THREAD_LIMIT); such teams get {limit} (this warning is shown once)"
        );
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

/// Combines two partial results, left first.
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

/// Static schedules keep one counter per owner up to this many owners;
/// larger teams share them (owner `k` on counter `k % MAX_GROUPS`).
const MAX_GROUPS: usize = 64;

/// A counter on a cache line of its own.
#[repr(align(64))]
struct Padded(AtomicUsize);

/// The claimable chunks of a loop.
struct Work<'a> {
    kind: WorkKind,
    /// Dynamic and auto: the next chunk; guided: the next iteration;
    /// deterministic: the next subtree.
    next: Padded,
    /// Static: per group of owners, the next unit; the first `groups`
    /// initialized.
    /// Each on a line of its own: owners claim their units at the same
    /// time, often. They live in the caller's frame (see [`Counters`]),
    /// of which a loop sets up only the lines it uses.
    counters: &'a [Padded],
    groups: usize,
}

/// Room for a static loop's counters, on the caller's stack, left
/// uninitialized: [`Work::new`] sets up the ones the loop uses.
type Counters = [MaybeUninit<Padded>; MAX_GROUPS];

#[derive(Clone, Copy, Debug)]
enum WorkKind {
    /// `schedule(static)`: owners `0..workers` each a balanced block, cut
    /// into units of `piece` iterations. Precomputed: blocks of `q`
    /// iterations, the first `r` one longer, and their units.
    Blocks {
        workers: usize,
        q: usize,
        r: usize,
        short: Chunks,
        long: Chunks,
    },
    /// `schedule(static, c)`: owner `k` has chunks `k, k + team, ...`,
    /// claimed `batch` at a time.
    Dealt { chunks: Chunks, batch: usize },
    /// `dynamic` and `auto`.
    Dynamic { chunks: Chunks },
    /// `guided` with its smallest chunk.
    Guided { c: usize },
    /// `deterministic`: subtrees.
    Tasks,
}

impl<'a> Work<'a> {
    /// `piece`: the most iterations of a `schedule(static)` unit.
    fn new(len: usize, team: usize, plan: Plan, piece: usize, room: &'a mut Counters) -> Work<'a> {
        let min_len = plan.min_len;
        let kind = match (plan.kind, plan.chunk) {
            _ if plan.leaf.is_some() => WorkKind::Tasks,
            (Schedule::Static, None) => {
                // Balanced blocks for `workers` members (fewer than the team
                // when the blocks would be shorter than `min_len`).
                let workers = if len / team >= min_len {
                    team
                } else {
                    (len / min_len).max(1)
                };
                let piece = piece.clamp(1, STATIC_PIECE).max(min_len);
                let (q, r) = (len / workers, len % workers);
                WorkKind::Blocks {
                    workers,
                    q,
                    r,
                    short: Chunks::new(q, piece, min_len),
                    long: Chunks::new(q + 1, piece, min_len),
                }
            }
            (Schedule::Static, Some(c)) => {
                let c = c.max(min_len);
                WorkKind::Dealt {
                    chunks: Chunks::new(len, c, min_len),
                    batch: if team > MAX_GROUPS {
                        1
                    } else {
                        (256 / c).max(1)
                    },
                }
            }
            (Schedule::Dynamic, c) => WorkKind::Dynamic {
                chunks: Chunks::new(len, c.unwrap_or(1).max(min_len), min_len),
            },
            (Schedule::Auto, c) => {
                let grain = (len / team.saturating_mul(4))
                    .max(min_len)
                    .max(c.unwrap_or(1));
                WorkKind::Dynamic {
                    chunks: Chunks::new(len, grain, min_len),
                }
            }
            (Schedule::Guided, c) => WorkKind::Guided {
                c: c.unwrap_or(1).max(min_len),
            },
            (Schedule::Runtime, _) => unreachable!("runtime is resolved by Plan"),
        };
        let groups = match kind {
            WorkKind::Blocks { .. } | WorkKind::Dealt { .. } => team.min(MAX_GROUPS),
            _ => 0,
        };
        for c in &mut room[..groups] {
            c.write(Padded(AtomicUsize::new(0)));
        }
        // SAFETY: the first `groups` elements were initialized just above,
        // and `MaybeUninit<Padded>` has the layout of `Padded`.
        let counters =
            unsafe { core::slice::from_raw_parts(room.as_ptr().cast::<Padded>(), groups) };
        Work {
            kind,
            next: Padded(AtomicUsize::new(0)),
            counters,
            groups,
        }
    }

    /// The counter of group `g < groups`.
    #[inline]
    fn counter(&self, g: usize) -> &AtomicUsize {
        &self.counters[g].0
    }
}

/// A deterministic subtree's value, written by the member that ran it.
struct Slot<R> {
    full: AtomicBool,
    value: UnsafeCell<MaybeUninit<Option<R>>>,
}

// SAFETY: a slot is written once, by the one member that claimed its
// subtree (a unique index from a counter), then marked `full` (Release);
// it is read only by the caller after the join, which every writer's
// hand-in happens before, or by that member itself.
unsafe impl<R: Send> Sync for Slot<R> {}

impl<R> Slot<R> {
    // A template for array repeats: each copy is a slot of its own.
    #[allow(clippy::declare_interior_mutable_const)]
    const EMPTY: Slot<R> = Slot {
        full: AtomicBool::new(false),
        value: UnsafeCell::new(MaybeUninit::uninit()),
    };

    fn put(&self, r: Option<R>) {
        // SAFETY: see the `Sync` impl: we are the slot's only writer, and
        // nobody reads it before `full`.
        unsafe { (*self.value.get()).write(r) };
        self.full.store(true, Ordering::Release);
    }

    /// The value, if one was written (`None` also after a panic).
    fn take(&self) -> Option<Option<R>> {
        if !self.full.swap(false, Ordering::Acquire) {
            return None;
        }
        // SAFETY: `full` said a value was written, and the swap made us its
        // only reader.
        Some(unsafe { (*self.value.get()).assume_init_read() })
    }
}

impl<R> Drop for Slot<R> {
    fn drop(&mut self) {
        if *self.full.get_mut() {
            // SAFETY: `full`: the value was written and not taken.
            unsafe { self.value.get_mut().assume_init_drop() };
        }
    }
}

/// Runs the chunk `t0..t1` (non-empty) on the member's accumulator (a
/// fresh `init()` for its first chunk). Never inlined: the body's loop is
/// compiled in this small function, where its accumulators stay in
/// registers, rather than in the claim loops around it, where they were
/// seen spilled to the stack on every iteration (4x slower).
///
/// # Safety
///
/// As for [`windows`]: chunks run at the same time are disjoint, and the
/// loop's first and last value passed `check_index`.
#[inline(never)]
unsafe fn run_chunk<S, P, R, I, B>(
    seq: &S,
    parts: &P,
    init: &I,
    body: &B,
    t0: usize,
    t1: usize,
    acc: Option<R>,
) -> R
where
    S: Iterations,
    P: Parts,
    I: Fn() -> R,
    B: Fn(usize, usize, P::Windows, R) -> R,
{
    let acc = acc.unwrap_or_else(init);
    // SAFETY: the function's contract.
    body(t0, t1, unsafe { windows(parts, seq, t0, t1) }, acc)
}

/// One loop in flight: everything the members share, on the caller's stack.
/// Generic over the accumulator type only: the loop's body, arrays and
/// iteration space are behind `chunk`.
struct Job<'a, R> {
    /// [`run_chunk`] for this loop.
    chunk: &'a (dyn Fn(usize, usize, Option<R>) -> R + Sync + 'a),
    combine: &'a (dyn Fn(R, R) -> R + Sync + 'a),
    len: usize,
    team: usize,
    plan: Plan,
    caller: State,
    site: &'static Site,
    /// Whether chunks are traced, and the call's number in the trace.
    trace: bool,
    call: u64,
    /// Raised when a member panics.
    stop: AtomicBool,
    /// The first panic: a leaked `Box<Payload>`.
    panic: AtomicPtr<Payload>,
    work: Work<'a>,
    /// `deterministic`: the subtrees `(first leaf, end leaf)` and their slots.
    tasks: &'a [(usize, usize)],
    slots: &'a [Slot<R>],
    /// The binding of this run: policy and member 0's place.
    bind: Option<(ProcBind, usize)>,
}

type Payload = Box<dyn std::any::Any + Send + 'static>;

/// What the helpers of a loop see of it, type-erased by `run_helper`.
trait Member: Sync {
    type Out: Send;
    fn participate(&self, p: usize, tally: &mut Tally) -> Option<Self::Out>;
    fn fail(&self, payload: Payload);
    fn place(&self, p: usize) -> Option<usize>;
}

/// A helper's part: play member `p` of the job at `data`, hand in.
///
/// # Safety
///
/// `data` points to a live `J` that stays alive until the hand-in.
unsafe fn run_helper<J: Member>(data: *const (), p: usize, mb: &'static Mailbox) {
    let out = {
        // SAFETY: see the function's contract; `job` is not used after this
        // block, before the hand-in that lets the caller free it.
        let job = unsafe { &*data.cast::<J>() };
        let place = job.place(p);
        if place.is_some() || affinity::thread_place().is_some() {
            affinity::bind_thread(place, &env::places().0);
        }
        let start = Instant::now();
        let mut tally = Tally::default();
        let out = catch_unwind(AssertUnwindSafe(|| job.participate(p, &mut tally)));
        tally.busy_ns = start.elapsed().as_nanos() as u64;
        match out {
            Ok(out) => (out, tally),
            Err(payload) => {
                job.fail(payload);
                (None, tally)
            }
        }
    };
    mb.hand_in(out.0, out.1);
}

impl<R: Send> Member for Job<'_, R> {
    type Out = R;

    fn participate(&self, p: usize, tally: &mut Tally) -> Option<R> {
        Job::participate(self, p, tally)
    }

    fn fail(&self, payload: Payload) {
        Job::fail(self, payload);
    }

    fn place(&self, p: usize) -> Option<usize> {
        let (policy, primary) = self.bind?;
        let places = env::places().0.len();
        Some(affinity::place_of(policy, p, self.team, primary, places))
    }
}

/// What a run measured, besides its result.
struct Ran {
    kind: CallKind,
    chunks: u64,
    busy_max_ns: u64,
    busy_sum_ns: u64,
    busy_members: u64,
    /// The caller's own part: its time from the posting, its iterations.
    caller_ns: u64,
    caller_iters: u64,
    /// How long the join waited for helpers.
    waited: Duration,
    /// Whether a helper was asleep when the loop was posted.
    woke: bool,
}

impl<R: Send> Job<'_, R> {
    /// Runs the loop on its team (`team > 1`) or inline, and rethrows a
    /// member's panic once every member has left.
    fn run(&mut self, proc_bind: Option<ProcBind>) -> Option<R> {
        // The clock is read for team runs, for one solo run in 16, and for
        // the report and the trace: a short loop run inline or solo pays
        // for no clock.
        let solo = if self.team == 1 {
            None
        } else {
            Some(self.site.solo_now(self.len, self.team))
        };
        let noting = report::noting() || self.trace;
        let timed = noting || matches!(solo, Some(None) | Some(Some(0)));
        let start = timed.then(Instant::now);
        if self.trace {
            self.call = trace::next_call();
        }
        let (out, mut ran) = match solo {
            None => self.inline(),
            Some(solo) => {
                self.bind = binding(proc_bind);
                self.share(solo.is_some())
            }
        };
        let Some(start) = start else {
            return self.finish(out);
        };
        let wall_ns = start.elapsed().as_nanos() as u64;
        if ran.kind != CallKind::Team {
            ran.busy_max_ns = wall_ns;
            ran.busy_sum_ns = wall_ns;
        }
        match ran.kind {
            CallKind::Inline => {}
            CallKind::Solo => self.site.learn_solo(self.len, wall_ns),
            // A helper that slept when the loop was posted says nothing
            // of what the team can do: the next call tries again.
            // A team only for its length (the site is solo for shorter
            // calls) leaves the site's decision as it was.
            CallKind::Team if ran.woke && !self.site.solo_pending() => self.site.warm_up(),
            CallKind::Team => self.site.learn_team(
                (self.len, self.team),
                wall_ns,
                ran.caller_iters,
                ran.caller_ns,
                (ran.waited, ran.woke),
            ),
        }
        if self.trace {
            self.record(start, 0, self.len, true);
        }
        if noting {
            self.site.count(Call {
                kind: ran.kind,
                team: self.team,
                schedule: site::schedule_code(self.plan.kind, self.plan.leaf.is_some()),
                chunk: self.plan.chunk,
                chunks: ran.chunks,
                wall_ns,
                busy_max_ns: ran.busy_max_ns,
                busy_mean_ns: ran.busy_sum_ns / ran.busy_members.max(1),
            });
        }
        self.finish(out)
    }

    /// Rethrows a member's panic (every member has left), or returns `out`.
    fn finish(&self, out: Option<R>) -> Option<R> {
        // Every member has left: a load sees any panic they recorded.
        if self.panic.load(Ordering::Acquire).is_null() {
            return out;
        }
        let payload = self.panic.swap(core::ptr::null_mut(), Ordering::Acquire);
        if !payload.is_null() {
            drop_quietly(out);
            // SAFETY: `fail` leaked this box, and the swap took it out.
            let payload = unsafe { Box::from_raw(payload) };
            std::panic::resume_unwind(*payload);
        }
        out
    }

    /// A team of one: the whole loop as one chunk (or the fixed tree).
    fn inline(&self) -> (Option<R>, Ran) {
        let _member = Enter::new(State::inline(self.caller), None);
        let _current = Current::enter(self.site);
        let out = match self.plan.leaf {
            // `deterministic` walks its fixed tree here too, so that one
            // thread associates the reduction as a team does.
            Some(leaf) => self.fixed_tree(0, self.len.div_ceil(leaf), leaf),
            None => Some(self.chunk(0, self.len, None)),
        };
        let ran = Ran {
            kind: CallKind::Inline,
            chunks: 1,
            busy_max_ns: 0,
            busy_sum_ns: 0,
            busy_members: 1,
            caller_ns: 0,
            caller_iters: self.len as u64,
            waited: Duration::ZERO,
            woke: false,
        };
        (out, ran)
    }

    /// A team: solo (the caller alone, nothing posted), or with the
    /// helpers it can reserve.
    fn share(&self, solo: bool) -> (Option<R>, Ran) {
        let picked = if solo {
            crew::Picked::NONE
        } else {
            crew::reserve(self.team - 1, self.caller.level == 0)
        };
        let solo = picked.len() == 0;
        let erased = Erased {
            data: (self as *const Self).cast(),
            run: run_helper::<Self>,
        };
        let woke = !solo && {
            // Unbound helpers move off the caller's CPU (see `crew::work`).
            let poster_cpu = if self.bind.is_none() {
                affinity::current_cpu()
            } else {
                None
            };
            crew::post(&picked, &erased, self.site.linger(), poster_cpu)
        };
        let posted = (!solo).then(Instant::now);
        let mut tally = Tally::default();
        let mine = if solo {
            catch_unwind(AssertUnwindSafe(|| match self.work.kind {
                WorkKind::Blocks { .. } | WorkKind::Dealt { .. } => self.solo_static(&mut tally),
                _ => self.solo(&mut tally),
            }))
        } else {
            catch_unwind(AssertUnwindSafe(|| self.participate(0, &mut tally)))
        };
        let caller_ns = posted.map_or(0, |p| p.elapsed().as_nanos() as u64);
        let mut acc = match mine {
            Ok(out) => out,
            Err(payload) => {
                self.fail(payload);
                None
            }
        };
        let mut ran = Ran {
            kind: if solo { CallKind::Solo } else { CallKind::Team },
            chunks: tally.chunks,
            busy_max_ns: caller_ns,
            busy_sum_ns: caller_ns,
            busy_members: 1,
            caller_ns,
            caller_iters: tally.iters,
            waited: Duration::ZERO,
            woke,
        };
        if solo {
            return (acc, ran);
        }
        // SAFETY: every reserved worker was posted this job, whose members
        // hand in `Option<R>`.
        ran.waited = unsafe {
            crew::join::<R>(&picked, self.site.spin(self.len), |_, theirs, t| {
                ran.chunks += t.chunks;
                if t.chunks > 0 {
                    ran.busy_max_ns = ran.busy_max_ns.max(t.busy_ns);
                    ran.busy_sum_ns += t.busy_ns;
                    ran.busy_members += 1;
                }
                if self.stopped() {
                    drop_quietly(theirs);
                    return;
                }
                let mine = acc.take();
                match catch_unwind(AssertUnwindSafe(|| merge(mine, theirs, &self.combine))) {
                    Ok(r) => acc = r,
                    Err(payload) => self.fail(payload),
                }
            })
        };
        (acc, ran)
    }

    /// The caller alone, for schedules without owners: the whole loop as
    /// one chunk of member 0.
    fn solo(&self, tally: &mut Tally) -> Option<R> {
        let _member = Enter::new(State::member(self.caller, 0, self.team), Some(&self.stop));
        let _current = Current::enter(self.site);
        tally.chunks = 1;
        tally.iters = self.len as u64;
        match self.plan.leaf {
            Some(leaf) => self.fixed_tree(0, self.len.div_ceil(leaf), leaf),
            None => Some(self.chunk(0, self.len, None)),
        }
    }

    /// The caller alone on a static loop: every owner's units in the order
    /// `participate(0)` claims them when nobody else does (group by group,
    /// owners `g, g + groups, ..`, units in order), each as its owner, and
    /// each owner's accumulator folded in as `participate` folds it, so the
    /// grouping (and a reduction's bits) is a team run's; without the
    /// claim counters, which nobody else reads.
    fn solo_static(&self, tally: &mut Tally) -> Option<R> {
        let _member = Enter::new(State::member(self.caller, 0, self.team), Some(&self.stop));
        let _current = Current::enter(self.site);
        let groups = self.work.groups;
        let mut acc = None;
        for g in 0..groups {
            for k in (g..self.team).step_by(groups) {
                let units = self.units(k);
                if units == 0 {
                    continue;
                }
                team::set_thread_num(k);
                let mut mine = None;
                for u in 0..units {
                    if self.stopped() {
                        break;
                    }
                    let (lo, hi) = self.unit(k, u);
                    tally.chunks += 1;
                    tally.iters += (hi - lo) as u64;
                    mine = Some(self.chunk(lo, hi, mine));
                }
                acc = merge(acc, mine, &self.combine);
            }
        }
        team::set_thread_num(0);
        acc
    }

    #[inline(always)]
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Records the first panic of the loop and stops the others.
    fn fail(&self, payload: Payload) {
        self.stop.store(true, Ordering::Relaxed);
        let boxed = Box::into_raw(Box::new(payload));
        if self
            .panic
            .compare_exchange(
                core::ptr::null_mut(),
                boxed,
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_err()
        {
            // SAFETY: `boxed` came from `Box::into_raw` just above and was
            // not published.
            drop_quietly(unsafe { Box::from_raw(boxed) });
        }
    }

    /// Runs the chunk `t0..t1` (non-empty) on the member's accumulator (a
    /// fresh `init()` for its first chunk): [`run_chunk`]. Every chunk of
    /// this loop that runs is a distinct `t0..t1` of a partition of
    /// `0..len` (see `Work`).
    fn chunk(&self, t0: usize, t1: usize, acc: Option<R>) -> R {
        let start = self.trace.then(Instant::now);
        let out = (self.chunk)(t0, t1, acc);
        if let Some(start) = start {
            self.record(start, t0, t1, false);
        }
        out
    }

    /// Records a slice from `start` to now on this thread's track.
    #[cold]
    fn record(&self, start: Instant, lo: usize, hi: usize, whole: bool) {
        let end = trace::now_ns();
        let dur = start.elapsed().as_nanos() as u64;
        trace::record(trace::Event {
            start_ns: end.saturating_sub(dur),
            end_ns: end,
            site: self.site,
            call: self.call,
            lo,
            hi,
            member: team::current().thread_num,
            whole,
        });
    }

    /// Member `p`'s part: claims and runs chunks until none is left.
    fn participate(&self, p: usize, tally: &mut Tally) -> Option<R> {
        let _member = Enter::new(State::member(self.caller, p, self.team), Some(&self.stop));
        let _current = Current::enter(self.site);
        let mut acc = None;
        let mut run = |lo: usize, hi: usize, acc: &mut Option<R>| {
            tally.chunks += 1;
            tally.iters += (hi - lo) as u64;
            *acc = Some(self.chunk(lo, hi, acc.take()));
        };
        match self.work.kind {
            WorkKind::Blocks { .. } | WorkKind::Dealt { .. } => {
                // One accumulator per owner, folded into the member's in
                // the order met: a member that runs only its own share
                // (every member, on an idle machine) and a caller that
                // runs every share alone, owner after owner, group a
                // reduction as the team's join does, so a static loop's
                // sum has the same bits solo and as a team.
                let (groups, mut owner, mut mine) = (self.work.groups, None, None);
                for d in 0..groups {
                    let g = (p + d) % groups;
                    while let Some((k, u0, u1)) = self.claim(g) {
                        if owner != Some(k) {
                            if owner.is_some() {
                                acc = merge(acc, mine.take(), &self.combine);
                            }
                            owner = Some(k);
                            team::set_thread_num(k);
                        }
                        for u in u0..u1 {
                            if self.stopped() {
                                break;
                            }
                            let (lo, hi) = self.unit(k, u);
                            run(lo, hi, &mut mine);
                        }
                    }
                }
                acc = merge(acc, mine, &self.combine);
                team::set_thread_num(p);
            }
            WorkKind::Dynamic { chunks } => {
                // The counter ends at most `team` past `count <= len`.
                while !self.stopped() {
                    let j = self.work.next.0.fetch_add(1, Ordering::Relaxed);
                    if j >= chunks.count {
                        break;
                    }
                    let (lo, hi) = chunks.get(j);
                    run(lo, hi, &mut acc);
                }
            }
            WorkKind::Guided { c } => {
                let (len, team, min_len) = (self.len, self.team, self.plan.min_len);
                let next = &self.work.next.0;
                let mut cur = next.load(Ordering::Relaxed);
                while cur < len && !self.stopped() {
                    let rest = len - cur;
                    let mut size = rest.div_ceil(team).max(c).min(rest);
                    if rest - size < min_len {
                        size = rest;
                    }
                    match next.compare_exchange_weak(
                        cur,
                        cur + size,
                        Ordering::Relaxed,
                        Ordering::Relaxed,
                    ) {
                        Ok(_) => {
                            run(cur, cur + size, &mut acc);
                            cur = next.load(Ordering::Relaxed);
                        }
                        Err(now) => cur = now,
                    }
                }
            }
            WorkKind::Tasks => {
                let leaf = self.plan.leaf.expect("tasks are deterministic");
                while !self.stopped() {
                    let i = self.work.next.0.fetch_add(1, Ordering::Relaxed);
                    let Some(&(a, b)) = self.tasks.get(i) else {
                        break;
                    };
                    tally.chunks += (b - a) as u64;
                    tally.iters += ((b * leaf).min(self.len) - a * leaf) as u64;
                    self.slots[i].put(self.fixed_tree(a, b, leaf));
                }
            }
        }
        acc
    }

    /// Claims units of group `g`: `(owner, first unit, end unit)`.
    #[inline]
    fn claim(&self, g: usize) -> Option<(usize, usize, usize)> {
        let counter = self.work.counter(g);
        let (team, groups) = (self.team, self.work.groups);
        let batch = match self.work.kind {
            WorkKind::Dealt { batch, .. } => batch,
            _ => 1,
        };
        // Skip an exhausted group without writing its line.
        let mut x = counter.load(Ordering::Relaxed);
        let mut k = g;
        while k < team {
            let units = self.units(k);
            if x < units {
                break;
            }
            x -= units;
            k += groups;
        }
        if k >= team {
            return None;
        }
        let x = counter.fetch_add(batch, Ordering::Relaxed);
        let (mut k, mut x) = (g, x);
        while k < team {
            let units = self.units(k);
            if x < units {
                return Some((k, x, (x + batch).min(units)));
            }
            x -= units;
            k += groups;
        }
        None
    }

    /// How many units owner `k` has.
    #[inline]
    fn units(&self, k: usize) -> usize {
        match self.work.kind {
            WorkKind::Blocks {
                workers,
                r,
                short,
                long,
                ..
            } if k < workers => {
                if k < r {
                    long.count
                } else {
                    short.count
                }
            }
            WorkKind::Dealt { chunks, .. } if k < chunks.count => {
                (chunks.count - k).div_ceil(self.team)
            }
            _ => 0,
        }
    }

    /// The iterations of owner `k`'s unit `u`.
    #[inline]
    fn unit(&self, k: usize, u: usize) -> (usize, usize) {
        match self.work.kind {
            WorkKind::Blocks {
                q, r, short, long, ..
            } => {
                let lo = k * q + k.min(r);
                let (a, b) = if k < r { long.get(u) } else { short.get(u) };
                (lo + a, lo + b)
            }
            WorkKind::Dealt { chunks, .. } => chunks.get(k + u * self.team),
            _ => unreachable!("only static schedules have owners"),
        }
    }

    /// `deterministic`: cuts the fixed tree into subtrees, with slots for
    /// their values on this frame, sized so that the slots take at most
    /// 64 KiB.
    fn deterministic(self, leaf: usize, proc_bind: Option<ProcBind>) -> Option<R> {
        let size = size_of::<Slot<R>>();
        if self.team == 1 || size > 16 << 10 {
            // One subtree: the whole tree on one member.
            return self.tree::<1>(leaf, proc_bind);
        }
        if size <= 1 << 10 {
            self.tree::<64>(leaf, proc_bind)
        } else if size <= 4 << 10 {
            self.tree::<16>(leaf, proc_bind)
        } else {
            self.tree::<4>(leaf, proc_bind)
        }
    }

    /// [`Job::deterministic`] with `N` slots.
    #[inline(never)]
    fn tree<const N: usize>(self, leaf: usize, proc_bind: Option<ProcBind>) -> Option<R> {
        let leaves = self.len.div_ceil(leaf);
        // Deep enough for about four subtrees per member, at most N of them.
        let want = self.team.saturating_mul(4).min(N);
        let depth = want.next_power_of_two().trailing_zeros() as usize;
        let mut tasks = [(0usize, 0usize); N];
        let mut count = 0;
        cut(0, leaves, depth, &mut tasks, &mut count);
        let slots = [Slot::<R>::EMPTY; N];
        let combine = self.combine;
        let mut job = Job {
            tasks: &tasks[..count],
            slots: &slots[..count],
            ..self
        };
        let out = job.run(proc_bind);
        if out.is_some() {
            // Inline or solo: the whole tree, already combined.
            return out;
        }
        let mut i = 0;
        gather(0, leaves, depth, &slots, &mut i, &combine)
    }

    /// `deterministic`: leaves `a..b` of `leaf` iterations, each from a fresh
    /// accumulator, combined in a binary tree whose shape depends only on the
    /// trip count.
    fn fixed_tree(&self, a: usize, b: usize, leaf: usize) -> Option<R> {
        if self.stopped() || a >= b {
            return None;
        }
        if b - a == 1 {
            let lo = a * leaf;
            let hi = (lo + leaf).min(self.len);
            return Some(self.chunk(lo, hi, None));
        }
        let mid = a + (b - a) / 2;
        let x = self.fixed_tree(a, mid, leaf);
        let y = self.fixed_tree(mid, b, leaf);
        merge(x, y, &self.combine)
    }
}

/// The binding of a run with clause `clause`: the policy, and member 0's
/// place, binding the calling thread there if it is not bound yet.
fn binding(clause: Option<ProcBind>) -> Option<(ProcBind, usize)> {
    let bind_var = env::bind_var();
    if bind_var == affinity::BindVar::False
        || (bind_var == affinity::BindVar::Unset && clause.is_none() && !env::places_given())
    {
        return None; // the common case, without reading the topology
    }
    let (places, places_set) = env::places();
    let policy = bind_var.policy(clause, *places_set)?;
    let primary = match affinity::thread_place() {
        Some(p) => p,
        None => {
            let p = affinity::current_cpu()
                .and_then(|c| places.of_cpu(c))
                .unwrap_or(0);
            affinity::bind_thread(Some(p), places);
            p
        }
    };
    Some((policy, primary))
}

/// The subtrees of the fixed tree over leaves `a..b` at `depth` below it
/// (or leaves, where the tree ends sooner), in order.
fn cut(a: usize, b: usize, depth: usize, out: &mut [(usize, usize)], count: &mut usize) {
    if depth == 0 || b - a <= 1 {
        out[*count] = (a, b);
        *count += 1;
        return;
    }
    let mid = a + (b - a) / 2;
    cut(a, mid, depth - 1, out, count);
    cut(mid, b, depth - 1, out, count);
}

/// The values of the subtrees [`cut`] made, combined in the fixed tree.
fn gather<R>(
    a: usize,
    b: usize,
    depth: usize,
    slots: &[Slot<R>],
    i: &mut usize,
    combine: &impl Fn(R, R) -> R,
) -> Option<R> {
    if depth == 0 || b - a <= 1 {
        let r = slots[*i].take();
        *i += 1;
        return r.flatten();
    }
    let mid = a + (b - a) / 2;
    let x = gather(a, mid, depth - 1, slots, i, combine);
    let y = gather(mid, b, depth - 1, slots, i, combine);
    merge(x, y, combine)
}

/// Drops `value`, swallowing a panic of its `Drop`: the loop already
/// reports a panic, and nothing may unwind before every member has left.
fn drop_quietly<T>(value: T) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| drop(value))) {
        // Dropping this payload could panic again.
        std::mem::forget(payload);
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

    /// The caller alone on a static loop runs and folds exactly what
    /// `participate(0)` does when no helper claims anything: the same
    /// chunks, as the same owners, grouped in the same order (a result
    /// that lists them, combined by concatenation, shows all three).
    #[test]
    fn a_solo_static_run_groups_as_participate_does() {
        type Trail = Vec<(usize, usize, usize)>;
        let site = site::lookup(Location::caller());
        for (schedule, chunk) in [
            (Schedule::Static, None),
            (Schedule::Static, Some(1)),
            (Schedule::Static, Some(7)),
            (Schedule::Static, Some(300)),
        ] {
            for team in [2, 3, 7, 70] {
                for len in [1, 2, 17, 97, 10_007, 100_000] {
                    for piece in [256, 4096] {
                        let plan = Plan::new(&cfg(schedule, chunk, Some(team)), || {
                            unreachable!("no runtime schedule here")
                        });
                        let chunk_fn = |lo: usize, hi: usize, acc: Option<Trail>| {
                            let mut acc = acc.unwrap_or_default();
                            acc.push((thread_num(), lo, hi));
                            acc
                        };
                        let combine = |mut a: Trail, b: Trail| {
                            a.extend(b);
                            a
                        };
                        let run = |solo: bool| {
                            let mut room: Counters = [const { MaybeUninit::uninit() }; MAX_GROUPS];
                            let job = Job {
                                chunk: &chunk_fn,
                                combine: &combine,
                                len,
                                team,
                                plan,
                                caller: team::current(),
                                site,
                                trace: false,
                                call: 0,
                                stop: AtomicBool::new(false),
                                panic: AtomicPtr::new(core::ptr::null_mut()),
                                work: Work::new(len, team, plan, piece, &mut room),
                                tasks: &[],
                                slots: &[],
                                bind: None,
                            };
                            let mut tally = Tally::default();
                            let out = if solo {
                                job.solo_static(&mut tally)
                            } else {
                                job.participate(0, &mut tally)
                            };
                            (out, tally.chunks, tally.iters)
                        };
                        let (solo, claimed) = (run(true), run(false));
                        assert_eq!(
                            solo, claimed,
                            "{schedule:?} {chunk:?} team {team} len {len}"
                        );
                        assert_eq!(solo.2, len as u64);
                        assert_eq!(thread_num(), 0);
                    }
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
                // Member 0 is the calling thread; helpers are the crew's
                // (`parallel-worker-w`). A static unit runs as its owner,
                // on whichever of them claimed it.
                let name = name.as_deref().unwrap_or_default();
                assert!(
                    name.starts_with("parallel-worker-")
                        || name == std::thread::current().name().unwrap_or_default(),
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
