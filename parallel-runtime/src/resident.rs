//! Resident teams: the low-latency fork/join path for top-level loops.
//!
//! Handing a loop to a rayon pool from a thread outside it costs some 10 to
//! 30 µs on this kind of machine: the job is queued, sleeping workers are
//! woken, and the caller blocks until a worker reports back. OpenMP runtimes
//! keep their team resident instead: the workers spin for a while after each
//! loop, so the next loop starts with one store and ends with a few loads.
//!
//! A resident team of `n` is `n - 1` threads of its own plus the calling
//! thread, which runs member 0. Between loops a worker spins on the team's
//! generation counter for the wait policy's time (`OMP_WAIT_POLICY`: 3 ms
//! by default, none when `passive`, a second when `active`), then parks.
//!
//! - **Fork**: the caller publishes the loop (a type-erased pointer to the
//!   driver's job on its stack), bumps the generation, and unparks the
//!   workers that went to sleep. No allocation, no lock.
//! - **Join**: the members' results are combined in the same balanced tree
//!   as on the rayon path (`fork(lo, hi)` splits at the middle, member `lo`
//!   leftmost), so a loop gives the same bits on either path. Member `k` runs
//!   its share, then takes the results of its children in the tree (the
//!   members at the midpoints of its left spine), and hands its own to its
//!   parent: a result of up to 48 bytes is copied into the member's hand-off
//!   cache line, next to the flag that says it is there, so the parent reads
//!   one line; a larger one stays on the member's stack until the parent has
//!   moved it out. Every wait spins, then parks; a waker looks at the parked
//!   flags only when the team's count of sleepers says someone sleeps.
//! - **Panics**: a member that panics records its payload, stops the loop,
//!   and still takes its children's results, so that every member leaves
//!   the loop before the caller, whose stack holds the job, rethrows.
//!
//! Only top-level loops (not inside another loop) use a resident team, and
//! only one loop at a time per team size: a loop that finds the team busy,
//! a nested loop, `schedule(auto)` and `deterministic` run on rayon as
//! before. So nested loops and dynamic work still go to rayon's work
//! stealing, and resident workers never wait on rayon.

use std::any::Any;
use std::cell::UnsafeCell;
use std::mem::MaybeUninit;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};
use std::thread::Thread;
use std::time::Instant;

use crate::env;

/// The largest team kept resident; larger teams run on rayon.
const MAX_RESIDENT: usize = 64;

/// How many times a waiter checks its flag before it looks at the clock.
const FAST_SPINS: u32 = 2048;

/// The bytes of a result that travel inside a hand-off line.
type Inline = [MaybeUninit<u128>; 3];

/// Whether an `Option<R>` fits a hand-off line's buffer.
const fn fits<R>() -> bool {
    size_of::<Option<R>>() <= size_of::<Inline>() && align_of::<Option<R>>() <= align_of::<Inline>()
}

/// A member's result on its way to its parent: one cache line.
#[repr(C, align(64))]
struct Handoff {
    /// Null: nothing yet. [`Handoff::INLINE`]: the result is in `buf`.
    /// Otherwise a `*mut Option<R>` into the member's stack.
    ready: AtomicPtr<()>,
    buf: UnsafeCell<Inline>,
}

impl Handoff {
    /// The mark of a result in `buf` (never a real slot's address).
    const INLINE: *mut () = core::ptr::dangling_mut::<u8>().cast();
}

/// One member's flags: its hand-off line and its waiting flags, apart.
#[repr(C, align(128))]
struct Member {
    handoff: Handoff,
    /// Set by the parent once it has moved a stack result out.
    taken: AtomicBool,
    /// The member is parked (or about to park) waiting for a flag.
    parked: AtomicBool,
}

// SAFETY: `buf` is written only by the member that owns it, before it
// publishes `ready` (Release), and read only by its parent after seeing
// `ready` (Acquire), once per loop; loops on a team do not overlap.
unsafe impl Sync for Member {}

impl Member {
    fn new() -> Member {
        Member {
            handoff: Handoff {
                ready: AtomicPtr::new(core::ptr::null_mut()),
                buf: UnsafeCell::new([MaybeUninit::uninit(); 3]),
            },
            taken: AtomicBool::new(false),
            parked: AtomicBool::new(false),
        }
    }
}

/// A loop as a resident worker sees it: `run(data, k)` runs member `k`'s
/// part of the job at `data`.
struct ErasedJob {
    data: *const (),
    run: unsafe fn(*const (), usize),
}

/// What a member waits for: the next loop (it may sleep), or another
/// member of the loop it is in (which is running).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wait {
    NextLoop,
    Member,
}

/// What the workers watch between loops, written by each fork: one line.
#[repr(C, align(128))]
struct Signal {
    /// Bumped by each fork.
    generation: AtomicUsize,
    /// The current loop: a `*const ErasedJob` on the caller's stack.
    job: AtomicPtr<ErasedJob>,
    /// How many members are parked (or about to park).
    sleepers: AtomicUsize,
}

/// A team of `size` members, of which `size - 1` are threads of its own.
pub(crate) struct Resident {
    signal: Signal,
    size: usize,
    /// How long a waiting member spins: `OMP_WAIT_POLICY`, read when the
    /// team starts (a malformed value panics there, before any fork).
    spin: std::time::Duration,
    /// Held by the loop running on the team.
    busy: AtomicBool,
    members: Box<[Member]>,
    /// The workers' threads, by member number (index 0 unused: the caller).
    threads: Box<[Option<Thread>]>,
    /// The first panic of the current loop: a leaked `Box<Payload>`.
    panic: AtomicPtr<Payload>,
}

type Payload = Box<dyn Any + Send + 'static>;

/// The resident team of `size` (2 ..= 64), started on first use; `None` for
/// other sizes, or if its threads cannot be started.
pub(crate) fn team(size: usize) -> Option<&'static Resident> {
    static TEAMS: [OnceLock<Option<&'static Resident>>; MAX_RESIDENT + 1] =
        [const { OnceLock::new() }; MAX_RESIDENT + 1];
    if size < 2 {
        return None;
    }
    *TEAMS.get(size)?.get_or_init(|| start(size))
}

#[cold]
fn start(size: usize) -> Option<&'static Resident> {
    // The threads wait for `team` to be published before they read it.
    let slot: &'static OnceLock<&'static Resident> = Box::leak(Box::new(OnceLock::new()));
    let mut threads = vec![None];
    for k in 1..size {
        let spawned = std::thread::Builder::new()
            .name(format!("parallel-team{size}-{k}"))
            .spawn(move || {
                let team = loop {
                    match slot.get() {
                        Some(team) => break *team,
                        None => std::thread::park(),
                    }
                };
                team.work(k);
            });
        // A thread that cannot be started leaves the others parked for
        // good, waiting for a team that never comes; rayon runs the loops.
        threads.push(Some(spawned.ok()?.thread().clone()));
    }
    let spin = env::wait_policy();
    let team: &'static Resident = Box::leak(Box::new(Resident {
        signal: Signal {
            generation: AtomicUsize::new(0),
            job: AtomicPtr::new(core::ptr::null_mut()),
            sleepers: AtomicUsize::new(0),
        },
        size,
        spin,
        busy: AtomicBool::new(false),
        members: (0..size).map(|_| Member::new()).collect(),
        threads: threads.into_boxed_slice(),
        panic: AtomicPtr::new(core::ptr::null_mut()),
    }));
    let _ = slot.set(team);
    for t in team.threads.iter().flatten() {
        t.unpark();
    }
    Some(team)
}

impl Resident {
    /// Waits until `done()`: checks it [`FAST_SPINS`] times, spins for the
    /// wait policy's time, then parks (`me` is the waiting member's flags;
    /// whoever makes `done()` true calls [`Resident::wake`] afterwards).
    ///
    /// Inside a loop (`Wait::Member`) a member waits for others that are
    /// running, so past the spin it yields instead of parking, unless the
    /// policy is `passive`: on a virtual machine a parked thread can take a
    /// millisecond to wake, and a member that parks while it waits for
    /// another can lock the team into waking each other every loop.
    #[inline]
    fn wait(&self, me: &Member, kind: Wait, done: impl Fn() -> bool) {
        for _ in 0..FAST_SPINS {
            if done() {
                return;
            }
            core::hint::spin_loop();
        }
        let start = Instant::now();
        let budget = self.spin;
        while start.elapsed() < budget {
            for _ in 0..64 {
                if done() {
                    return;
                }
                core::hint::spin_loop();
            }
        }
        if kind == Wait::Member && !budget.is_zero() {
            while !done() {
                std::thread::yield_now();
            }
            return;
        }
        // Paired with `wake`: either the waker sees this member counted and
        // parked, or we see its change of `done()` (all SeqCst).
        self.signal.sleepers.fetch_add(1, Ordering::SeqCst);
        me.parked.store(true, Ordering::SeqCst);
        while !done() {
            std::thread::park();
        }
        me.parked.store(false, Ordering::Relaxed);
        self.signal.sleepers.fetch_sub(1, Ordering::SeqCst);
    }

    /// After making `member`'s awaited flag true (SeqCst): unparks it if it
    /// went to sleep. The count of sleepers shares the line the fork wrote,
    /// so while everyone spins this costs no cache miss.
    #[inline]
    fn wake(&self, member: &Member, thread: &Thread) {
        if self.signal.sleepers.load(Ordering::SeqCst) != 0 && member.parked.load(Ordering::SeqCst)
        {
            thread.unpark();
        }
    }

    /// Claims the team for one loop, if no other loop holds it.
    pub(crate) fn try_claim(&'static self) -> Option<Claim> {
        self.busy
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
            // `then`, not `then_some`: a `Claim` made and dropped on failure
            // would release the loop that holds the team.
            .then(|| Claim { team: self })
    }

    /// A worker's life: wait for a loop, run its member, again.
    fn work(&'static self, k: usize) {
        let mut seen = 0;
        loop {
            let me = &self.members[k];
            self.wait(me, Wait::NextLoop, || {
                self.signal.generation.load(Ordering::SeqCst) != seen
            });
            let now = self.signal.generation.load(Ordering::Acquire);
            debug_assert_eq!(now, seen.wrapping_add(1), "member {k} skipped a loop");
            seen = now;
            let job = self.signal.job.load(Ordering::Acquire);
            // SAFETY: a fork publishes `job` before bumping the generation
            // (Release/Acquire through `generation`), and the job stays alive
            // on the caller's stack until every member has handed in its
            // result, which this member does inside `run`.
            unsafe {
                let job = &*job;
                (job.run)(job.data, k);
            }
        }
    }

    /// Member `k`'s thread (the caller's for member 0).
    fn thread<'t>(&'t self, k: usize, caller: &'t Thread) -> &'t Thread {
        match self.threads.get(k) {
            Some(Some(t)) => t,
            _ => caller,
        }
    }

    /// Records the first panic of the loop.
    fn record(&self, payload: Payload) {
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
}

/// Drops `value`, swallowing a panic of its `Drop` (a payload whose own
/// drop panics, say): nothing may unwind out of a member's part before
/// every member has handed in, and the loop already reports a panic.
fn drop_quietly<T>(value: T) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| drop(value))) {
        // Dropping this payload could panic again.
        std::mem::forget(payload);
    }
}

/// The part of a loop each member plays, implemented by the driver's job.
pub(crate) trait Play: Sync {
    /// The result of one member (or of a subtree of the team).
    type Out: Send;
    /// Runs member `k`'s share of the loop.
    fn member(&self, k: usize) -> Option<Self::Out>;
    /// Combines the results of two adjacent subtrees, left first.
    fn merge(&self, a: Option<Self::Out>, b: Option<Self::Out>) -> Option<Self::Out>;
    /// Stops the other members at their next chunk.
    fn stop(&self);
}

/// A loop in flight on a resident team, on the caller's stack.
struct Loop<'a, J: Play> {
    team: &'static Resident,
    job: &'a J,
    /// Member 0's thread: the caller's.
    caller: Thread,
}

/// The team, claimed by one loop; released on drop.
pub(crate) struct Claim {
    team: &'static Resident,
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.team.busy.store(false, Ordering::Release);
    }
}

impl Claim {
    /// Runs `job` on the team, the calling thread as member 0, and returns
    /// the combined result; a member's panic is rethrown here, after every
    /// member has left the loop.
    pub(crate) fn run<J: Play>(self, job: &J) -> Option<J::Out> {
        let team = self.team;
        let lp = Loop {
            team,
            job,
            caller: std::thread::current(),
        };
        let erased = ErasedJob {
            data: (&raw const lp).cast(),
            run: run_member::<J>,
        };
        team.signal
            .job
            .store((&raw const erased).cast_mut(), Ordering::Release);
        team.signal.generation.fetch_add(1, Ordering::SeqCst);
        if team.signal.sleepers.load(Ordering::SeqCst) != 0 {
            for (member, thread) in team.members.iter().zip(team.threads.iter()).skip(1) {
                if let Some(thread) = thread {
                    team.wake(member, thread);
                }
            }
        }
        let out = lp.play(0);
        // Every member has handed in its result: none touches `lp` any more.
        let payload = team.panic.swap(core::ptr::null_mut(), Ordering::Acquire);
        drop(self);
        if !payload.is_null() {
            // SAFETY: `record` leaked this box, and the swap took it out.
            let payload = unsafe { Box::from_raw(payload) };
            std::panic::resume_unwind(*payload);
        }
        out
    }
}

/// # Safety
///
/// `data` points to a live `Loop<J>`, which stays alive until this call has
/// handed in member `k`'s result.
unsafe fn run_member<J: Play>(data: *const (), k: usize) {
    let (team, parent, out, thread) = {
        // SAFETY: see the function's contract; `lp` is not used after this
        // block, before the hand-in that lets the caller free it.
        let lp = unsafe { &*data.cast::<Loop<'_, J>>() };
        let parent = lp.parent(k);
        let out = lp.play(k);
        let thread = lp.team.thread(parent, &lp.caller).clone();
        (lp.team, parent, out, thread)
    };
    hand_in(team, k, parent, &thread, out);
}

impl<J: Play> Loop<'_, J> {
    /// Member `k`'s node of the team tree: `(k, hi)`, and its children, the
    /// members at the midpoints of its left spine, innermost first.
    fn children(&self, k: usize) -> impl Iterator<Item = usize> {
        let (mut lo, mut hi) = (0, self.team.size);
        while lo != k {
            let mid = lo + (hi - lo) / 2;
            if k >= mid {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        // The spine of (k, hi): mids of (k, hi), (k, mid), ... down to size 1.
        let mut mids = [0usize; usize::BITS as usize];
        let mut count = 0;
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            mids[count] = mid;
            count += 1;
            hi = mid;
        }
        (0..count).rev().map(move |c| mids[c])
    }

    /// The parent of member `k >= 1`: the member whose spine has `k`.
    fn parent(&self, k: usize) -> usize {
        let (mut lo, mut hi) = (0, self.team.size);
        loop {
            let mid = lo + (hi - lo) / 2;
            if k == mid {
                return lo;
            }
            if k > mid {
                lo = mid;
            } else {
                hi = mid;
            }
        }
    }

    /// Member `k`'s share, merged with its children's results in order. A
    /// panic in user code is recorded; the children are still taken.
    fn play(&self, k: usize) -> Option<J::Out> {
        let mut acc = catch_unwind(AssertUnwindSafe(|| self.job.member(k)));
        for child in self.children(k) {
            let theirs = self.take(k, child);
            acc = match acc {
                Ok(mine) => catch_unwind(AssertUnwindSafe(|| self.job.merge(mine, theirs))),
                // A result's own `Drop` may panic too; the loop goes on.
                Err(p) => {
                    drop_quietly(theirs);
                    Err(p)
                }
            };
        }
        match acc {
            Ok(out) => out,
            Err(payload) => {
                self.job.stop();
                self.team.record(payload);
                None
            }
        }
    }

    /// Member `me` takes member `child`'s result.
    fn take(&self, me: usize, child: usize) -> Option<J::Out> {
        let team = self.team;
        let member = &team.members[child];
        let ready = &member.handoff.ready;
        team.wait(&team.members[me], Wait::Member, || {
            !ready.load(Ordering::SeqCst).is_null()
        });
        if fits::<J::Out>() {
            // SAFETY: `child` wrote an `Option<J::Out>` into its buffer
            // before publishing `ready` (seen above, Acquire through SeqCst),
            // and writes it again only in a later loop, after this one has
            // ended; `fits` checked size and alignment.
            let out = unsafe { member.handoff.buf.get().cast::<Option<J::Out>>().read() };
            ready.store(core::ptr::null_mut(), Ordering::Relaxed);
            return out;
        }
        let ptr = ready
            .swap(core::ptr::null_mut(), Ordering::Acquire)
            .cast::<Option<J::Out>>();
        // SAFETY: `child` published a pointer to its `Option<J::Out>` slot
        // and keeps it alive, untouched, until `taken` is set below.
        let out = unsafe { (*ptr).take() };
        member.taken.store(true, Ordering::SeqCst);
        team.wake(member, team.thread(child, &self.caller));
        out
    }
}

/// Worker `k` hands its result to its parent: in its hand-off line when it
/// fits (and goes on at once), else from its stack, waiting until the
/// parent has moved it out. It takes no reference to the loop (on the
/// caller's stack, freed once the parent has the result): the parent's
/// thread comes cloned.
fn hand_in<R>(team: &'static Resident, k: usize, parent: usize, thread: &Thread, out: Option<R>) {
    let me = &team.members[k];
    if fits::<R>() {
        // SAFETY: the buffer is this member's; its parent reads it only
        // after the `ready` store below, and has read the previous result
        // before this loop began.
        unsafe { me.handoff.buf.get().cast::<Option<R>>().write(out) };
        me.handoff.ready.store(Handoff::INLINE, Ordering::SeqCst);
        team.wake(&team.members[parent], thread);
        return;
    }
    let mut slot = out;
    me.handoff
        .ready
        .store((&raw mut slot).cast(), Ordering::SeqCst);
    team.wake(&team.members[parent], thread);
    team.wait(me, Wait::Member, || me.taken.load(Ordering::SeqCst));
    me.taken.store(false, Ordering::Relaxed);
    // `slot` is `None` now: the parent moved the result out.
    debug_assert!(slot.is_none());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// Sums `k + 1` per member, recording which members ran.
    struct Count<'a> {
        ran: &'a [AtomicUsize],
        panic_at: Option<usize>,
        stopped: AtomicBool,
    }

    impl Play for Count<'_> {
        type Out = Vec<usize>;
        fn member(&self, k: usize) -> Option<Vec<usize>> {
            self.ran[k].fetch_add(1, Ordering::Relaxed);
            if self.panic_at == Some(k) {
                panic!("member {k} fails");
            }
            Some(vec![k])
        }
        fn merge(&self, a: Option<Vec<usize>>, b: Option<Vec<usize>>) -> Option<Vec<usize>> {
            match (a, b) {
                (Some(mut a), Some(b)) => {
                    a.extend(b);
                    Some(a)
                }
                (a, None) => a,
                (None, b) => b,
            }
        }
        fn stop(&self) {
            self.stopped.store(true, Ordering::Relaxed);
        }
    }

    /// Claims `team`, waiting while another test's loop holds it.
    fn claim_waiting(team: &'static Resident) -> Claim {
        loop {
            match team.try_claim() {
                Some(claim) => return claim,
                None => std::thread::yield_now(),
            }
        }
    }

    /// Every member runs once per loop, results come back in member order
    /// (the merge tree keeps member 0 leftmost), and the team is reusable.
    #[test]
    fn every_member_runs_and_results_come_in_order() {
        // Not 5: the driver's allocation test counts on that team.
        for size in [2, 3, 4, 8, 13] {
            let team = team(size).expect("a resident team");
            let ran: Vec<AtomicUsize> = (0..size).map(|_| AtomicUsize::new(0)).collect();
            for round in 1..=20 {
                let job = Count {
                    ran: &ran,
                    panic_at: None,
                    stopped: AtomicBool::new(false),
                };
                let claim = claim_waiting(team);
                assert!(team.try_claim().is_none(), "claimed twice");
                let out = claim.run(&job);
                assert_eq!(out, Some((0..size).collect::<Vec<_>>()), "size {size}");
                assert!(ran.iter().all(|r| r.load(Ordering::Relaxed) == round));
            }
        }
        assert!(team(1).is_none() && team(MAX_RESIDENT + 1).is_none());
    }

    /// A panicking member's payload reaches the caller after every member
    /// has left; the others' results are dropped; the team still works.
    #[test]
    fn panics_reach_the_caller_and_the_team_survives() {
        let size = 4;
        let team = team(size).expect("a resident team");
        let ran: Vec<AtomicUsize> = (0..size).map(|_| AtomicUsize::new(0)).collect();
        for at in 0..size {
            let job = Count {
                ran: &ran,
                panic_at: Some(at),
                stopped: AtomicBool::new(false),
            };
            let claim = claim_waiting(team);
            let err = catch_unwind(AssertUnwindSafe(|| claim.run(&job))).unwrap_err();
            assert_eq!(
                err.downcast_ref::<String>().map(String::as_str),
                Some(format!("member {at} fails").as_str())
            );
            assert!(job.stopped.load(Ordering::Relaxed));
            let ok = Count {
                ran: &ran,
                panic_at: None,
                stopped: AtomicBool::new(false),
            };
            assert_eq!(claim_waiting(team).run(&ok), Some(vec![0, 1, 2, 3]));
        }
    }

    /// Several callers take turns on one team: each loop gets every member
    /// exactly once (a worker that skipped or repeated a loop would break
    /// the count, or read a finished loop's job).
    #[test]
    fn callers_take_turns() {
        let size = 3;
        let team = team(size).expect("a resident team");
        std::thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    for _ in 0..300 {
                        let ran: Vec<AtomicUsize> =
                            (0..size).map(|_| AtomicUsize::new(0)).collect();
                        let job = Count {
                            ran: &ran,
                            panic_at: None,
                            stopped: AtomicBool::new(false),
                        };
                        assert_eq!(claim_waiting(team).run(&job), Some(vec![0, 1, 2]));
                        assert!(ran.iter().all(|r| r.load(Ordering::Relaxed) == 1));
                    }
                });
            }
        });
    }

    /// Results too large for a hand-off line travel from the members' stacks.
    struct Big;

    impl Play for Big {
        type Out = [u64; 16];
        fn member(&self, k: usize) -> Option<[u64; 16]> {
            let mut out = [0; 16];
            out[k] = k as u64 + 1;
            Some(out)
        }
        fn merge(&self, a: Option<[u64; 16]>, b: Option<[u64; 16]>) -> Option<[u64; 16]> {
            let (mut a, b) = (a?, b?);
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
            Some(a)
        }
        fn stop(&self) {}
    }

    #[test]
    fn large_results_come_from_the_stacks() {
        assert!(!fits::<[u64; 16]>() && fits::<(u64, f64)>());
        for size in [2, 6, 11] {
            let team = team(size).expect("a resident team");
            for _ in 0..50 {
                let out = claim_waiting(team).run(&Big).expect("a result");
                let want: Vec<u64> = (0..16)
                    .map(|k| if k < size { k as u64 + 1 } else { 0 })
                    .collect();
                assert_eq!(out.to_vec(), want, "size {size}");
            }
        }
    }

    /// A payload whose own `Drop` panics (unless already unwinding).
    struct Bomb;

    impl Drop for Bomb {
        fn drop(&mut self) {
            if !std::thread::panicking() {
                panic!("the payload's drop panicked");
            }
        }
    }

    struct Bombs {
        at: [usize; 2],
    }

    impl Play for Bombs {
        type Out = u64;
        fn member(&self, k: usize) -> Option<u64> {
            if self.at.contains(&k) {
                std::panic::panic_any(Bomb);
            }
            Some(1)
        }
        fn merge(&self, a: Option<u64>, b: Option<u64>) -> Option<u64> {
            Some(a.unwrap_or(0) + b.unwrap_or(0))
        }
        fn stop(&self) {}
    }

    /// Two members panic with payloads that panic when dropped: the loop
    /// still ends (every member hands in), one payload reaches the caller,
    /// and the next loop starts clean.
    #[test]
    fn payloads_that_panic_when_dropped_do_not_break_the_team() {
        let team = team(3).expect("a resident team");
        for at in [[1, 2], [0, 1], [0, 2]] {
            let err = catch_unwind(AssertUnwindSafe(|| claim_waiting(team).run(&Bombs { at })))
                .unwrap_err();
            assert!(err.is::<Bomb>());
            std::mem::forget(err);
            let ok = claim_waiting(team).run(&Bombs { at: [9, 9] });
            assert_eq!(ok, Some(3));
        }
    }

    #[test]
    fn the_tree_matches_the_rayon_split() {
        let team = team(7).expect("a resident team");
        let job = Count {
            ran: &[],
            panic_at: None,
            stopped: AtomicBool::new(false),
        };
        let lp = Loop {
            team,
            job: &job,
            caller: std::thread::current(),
        };
        // fork(0, 7) = fork(0, 3) + fork(3, 7); fork(0, 3) = 0 + fork(1, 3) ...
        assert_eq!(lp.children(0).collect::<Vec<_>>(), [1, 3]);
        assert_eq!(lp.children(1).collect::<Vec<_>>(), [2]);
        assert_eq!(lp.children(3).collect::<Vec<_>>(), [4, 5]);
        assert_eq!(lp.children(5).collect::<Vec<_>>(), [6]);
        assert_eq!(lp.children(6).count(), 0);
        let parents: Vec<usize> = (1..7).map(|k| lp.parent(k)).collect();
        assert_eq!(parents, [0, 1, 0, 3, 3, 5]);
    }
}
