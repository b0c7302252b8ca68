//! The crew: one bounded set of worker threads that every team draws on.
//!
//! A loop's team is its caller (member 0) plus the helpers it could reserve:
//! idle workers of the crew. The crew grows on demand, one thread per
//! helper a top-level loop asks for, up to `OMP_THREAD_LIMIT - 1` threads,
//! and never shrinks; nested loops take only workers that are idle. No
//! team has threads of its own, so a thousand team sizes cost no more
//! threads than the largest.
//!
//! Each worker has a mailbox, one cache line it spins on between loops:
//!
//! ```text
//! IDLE --reserve (caller, CAS)--> RESERVED --post--> POSTED --take (worker, CAS)--> TAKEN
//!   ^                                                  |                             |
//!   +------------------- revoke (caller, CAS) ---------+        hand in (worker)     v
//!   +------------------- collect (caller) <-------------------------------- DONE / HELD
//! ```
//!
//! A posting is an offer, never a promise: the caller runs every chunk that
//! nobody has started itself, and at the end revokes the postings no worker
//! took. So a worker that is not running when the loop starts (the machine
//! is shared, or it sleeps) costs nothing; the caller waits only for workers
//! that took the loop, which are running chunks or about to hand in.
//!
//! Waiting: a worker spins on its mailbox for the wait policy's time
//! (`OMP_WAIT_POLICY`), yielding its CPU after the first microseconds so
//! that a caller sharing the CPU can run, then sleeps on a futex (Linux;
//! elsewhere it polls with short sleeps). A worker woken for a posting
//! already revoked spins again before it sleeps; one that sees a posting
//! from the CPU it runs on moves off that CPU before it takes it (`work`).
//! A caller waiting at the join spins for as long as the loop's last runs
//! say a wait takes, then sleeps the same way. Every flag a waker reads
//! lives in the mailbox, which is never freed, so no waker touches the
//! caller's stack after handing in.

use std::cell::UnsafeCell;
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::{affinity, env};

/// The most helpers one loop takes: teams larger than this run their
/// extra members' chunks on the helpers they have.
pub(crate) const MAX_HELPERS: usize = 255;

/// Mailbox states.
const IDLE: u32 = 0;
const RESERVED: u32 = 1;
const POSTED: u32 = 2;
const TAKEN: u32 = 3;
/// Handed in: the result is in the mailbox's buffer.
const DONE: u32 = 4;
/// Handed in: the result is on the worker's stack, which waits for the
/// caller to move it out.
const HELD: u32 = 5;

/// A `poster_cpu` that names no CPU.
const NO_CPU: usize = usize::MAX;

/// The bytes of a result that travel inside a mailbox.
type Inline = [MaybeUninit<u128>; 3];

/// Whether an `Option<R>` fits a mailbox's buffer.
pub(crate) const fn fits<R>() -> bool {
    size_of::<Option<R>>() <= size_of::<Inline>() && align_of::<Option<R>>() <= align_of::<Inline>()
}

/// A loop as a worker sees it: `run(data, member, mailbox)` plays member
/// `member` of the job at `data`, hands in through `mailbox`.
pub(crate) struct Erased {
    pub(crate) data: *const (),
    pub(crate) run: unsafe fn(*const (), usize, &'static Mailbox),
}

/// What a helper reports besides its result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    /// Iterations it ran.
    pub(crate) iters: u64,
    /// Chunks it ran.
    pub(crate) chunks: u64,
    /// Nanoseconds from taking the loop to running out of chunks.
    pub(crate) busy_ns: u64,
}

/// One worker's mailbox.
#[repr(C, align(128))]
pub(crate) struct Mailbox {
    state: AtomicU32,
    /// The worker sleeps (or is about to) on `state`.
    worker_sleeps: AtomicU32,
    /// The caller sleeps (or is about to) on `state`, waiting for a hand-in.
    caller_sleeps: AtomicU32,
    /// The member number of the posted loop.
    member: AtomicUsize,
    /// The posted loop (valid from POSTED until the hand-in).
    job: AtomicPtr<Erased>,
    /// With HELD: a `*mut Option<R>` into the worker's stack.
    held: AtomicPtr<()>,
    /// How long the worker spins for the next loop after this one, ns.
    linger_ns: AtomicU64,
    /// The CPU the caller ran on when it posted (`NO_CPU`: unknown, or
    /// members are bound), for the worker to step off.
    poster_cpu: AtomicUsize,
    tally_iters: AtomicU64,
    tally_chunks: AtomicU64,
    tally_busy: AtomicU64,
    /// With DONE: the result.
    buf: UnsafeCell<Inline>,
}

// SAFETY: `buf` is written only by the worker that owns the mailbox while
// the state is TAKEN, before it publishes DONE (SeqCst store), and read only
// by the caller that posted the loop after it saw DONE (SeqCst load), which
// then sets IDLE; the next write happens after a later TAKEN. Every other
// field is atomic.
unsafe impl Sync for Mailbox {}

impl Mailbox {
    const fn new() -> Mailbox {
        Mailbox {
            state: AtomicU32::new(IDLE),
            // A worker not started yet counts as asleep: the loop that
            // starts it does not judge its team by the thread's start.
            worker_sleeps: AtomicU32::new(1),
            caller_sleeps: AtomicU32::new(0),
            member: AtomicUsize::new(0),
            job: AtomicPtr::new(core::ptr::null_mut()),
            held: AtomicPtr::new(core::ptr::null_mut()),
            linger_ns: AtomicU64::new(0),
            poster_cpu: AtomicUsize::new(NO_CPU),
            tally_iters: AtomicU64::new(0),
            tally_chunks: AtomicU64::new(0),
            tally_busy: AtomicU64::new(0),
            buf: UnsafeCell::new([MaybeUninit::uninit(); 3]),
        }
    }

    /// Hands in the result of a member (the worker, inside `run`): into the
    /// buffer when it fits, else from the worker's stack, returning once
    /// the caller has moved it out. After this the worker touches nothing
    /// of the loop.
    pub(crate) fn hand_in<R>(&'static self, out: Option<R>, tally: Tally) {
        self.tally_iters.store(tally.iters, Ordering::Relaxed);
        self.tally_chunks.store(tally.chunks, Ordering::Relaxed);
        self.tally_busy.store(tally.busy_ns, Ordering::Relaxed);
        if fits::<R>() {
            // SAFETY: the buffer is ours while the state is TAKEN (see the
            // `Sync` impl); `fits` checked size and alignment.
            unsafe { self.buf.get().cast::<Option<R>>().write(out) };
            self.publish(DONE);
            return;
        }
        let mut slot = out;
        self.held.store((&raw mut slot).cast(), Ordering::Relaxed);
        self.publish(HELD);
        // The caller moves the result out, then sets IDLE.
        wait_until(
            &self.state,
            &self.worker_sleeps,
            (Duration::from_millis(1), None),
            |s| s != HELD,
        );
        debug_assert!(slot.is_none());
    }

    fn publish(&self, state: u32) {
        self.state.store(state, Ordering::SeqCst);
        if self.caller_sleeps.load(Ordering::SeqCst) != 0 {
            wake(&self.state);
        }
    }

    /// The stored tally of the last hand-in.
    fn tally(&self) -> Tally {
        Tally {
            iters: self.tally_iters.load(Ordering::Relaxed),
            chunks: self.tally_chunks.load(Ordering::Relaxed),
            busy_ns: self.tally_busy.load(Ordering::Relaxed),
        }
    }
}

/// The crew: mailboxes for up to `limit - 1` workers, the first `count`
/// of them started.
struct Crew {
    mailboxes: Box<[Mailbox]>,
    count: AtomicUsize,
    /// Held while starting workers (never on the fork path of a loop whose
    /// helpers are already running).
    grow: Mutex<()>,
}

fn crew() -> &'static Crew {
    static CREW: OnceLock<Crew> = OnceLock::new();
    CREW.get_or_init(|| {
        let capacity = env::thread_limit() - 1;
        Crew {
            mailboxes: (0..capacity).map(|_| Mailbox::new()).collect(),
            count: AtomicUsize::new(0),
            grow: Mutex::new(()),
        }
    })
}

/// How many workers the crew has started.
pub(crate) fn started() -> usize {
    crew().count.load(Ordering::Acquire)
}

/// Whether an idle worker is awake (spinning for a posting) among the
/// first few: a loop posted now would not have to wake it.
pub(crate) fn helper_awake() -> bool {
    let crew = crew();
    let n = crew.count.load(Ordering::Acquire).min(8);
    crew.mailboxes[..n].iter().any(|mb| {
        mb.state.load(Ordering::Relaxed) == IDLE && mb.worker_sleeps.load(Ordering::Relaxed) == 0
    })
}

/// Starts workers until the crew has `want` (at most its capacity); returns
/// how many it has. A worker that cannot be started stops the growth.
#[cold]
fn grow(want: usize) -> usize {
    let crew = crew();
    let want = want.min(crew.mailboxes.len());
    let _g = crew.grow.lock().unwrap_or_else(|e| e.into_inner());
    let mut count = crew.count.load(Ordering::Acquire);
    while count < want {
        let w = count;
        let spawned = std::thread::Builder::new()
            .name(format!("parallel-worker-{}", w + 1))
            .spawn(move || work(&crew.mailboxes[w]));
        if spawned.is_err() {
            break;
        }
        count += 1;
        crew.count.store(count, Ordering::Release);
    }
    count
}

/// The workers a loop reserved, by crew index.
pub(crate) struct Picked {
    ids: [MaybeUninit<u16>; MAX_HELPERS],
    len: usize,
}

impl Picked {
    pub(crate) const NONE: Picked = Picked {
        ids: [MaybeUninit::uninit(); MAX_HELPERS],
        len: 0,
    };

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn push(&mut self, id: usize) {
        self.ids[self.len] = MaybeUninit::new(id as u16);
        self.len += 1;
    }

    /// The mailbox of the `i`-th reserved worker (`i < len`): member `i + 1`.
    fn mailbox(&self, i: usize) -> &'static Mailbox {
        assert!(i < self.len);
        // SAFETY: `push` wrote every index below `len`.
        let id = unsafe { self.ids[i].assume_init() };
        &crew().mailboxes[id as usize]
    }
}

/// Reserves up to `want` idle workers (at most [`MAX_HELPERS`]). With
/// `grow`, starts workers until the crew has `want` (a top-level loop);
/// without, takes only idle ones among the first few (a nested loop).
pub(crate) fn reserve(want: usize, grow_crew: bool) -> Picked {
    let mut picked = Picked::NONE;
    let want = want.min(MAX_HELPERS);
    if want == 0 {
        return picked;
    }
    let crew = crew();
    let mut count = crew.count.load(Ordering::Acquire);
    let scan = if grow_crew {
        if count < want {
            count = grow(want);
        }
        count
    } else {
        count.min(want.saturating_mul(2).max(8))
    };
    for (w, mb) in crew.mailboxes[..scan].iter().enumerate() {
        if mb.state.load(Ordering::Relaxed) == IDLE
            && mb
                .state
                .compare_exchange(IDLE, RESERVED, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
        {
            picked.push(w);
            if picked.len == want {
                break;
            }
        }
    }
    picked
}

/// Offers the loop `job` to the reserved workers, as members `1..`, and
/// wakes the sleeping ones; after it, they spin `linger` for the next
/// loop. `poster_cpu` is the caller's CPU (`None` when members are bound):
/// a worker that finds itself there moves off it before it takes the
/// loop. Returns whether one of them slept.
pub(crate) fn post(
    picked: &Picked,
    job: &Erased,
    linger: Duration,
    poster_cpu: Option<usize>,
) -> bool {
    let mut woke = false;
    for i in 0..picked.len {
        let mb = picked.mailbox(i);
        mb.job
            .store((job as *const Erased).cast_mut(), Ordering::Relaxed);
        mb.member.store(i + 1, Ordering::Relaxed);
        mb.linger_ns
            .store(linger.as_nanos() as u64, Ordering::Relaxed);
        mb.poster_cpu
            .store(poster_cpu.unwrap_or(NO_CPU), Ordering::Relaxed);
        mb.state.store(POSTED, Ordering::SeqCst);
        if mb.worker_sleeps.load(Ordering::SeqCst) != 0 {
            wake(&mb.state);
            woke = true;
        }
    }
    woke
}

/// The join: for each reserved worker, revokes the posting if it was not
/// taken, else waits for the hand-in (spinning up to `spin`, then
/// sleeping) and gives its result and tally to `take`, in member order.
/// Returns how long it waited.
///
/// # Safety
///
/// Every worker of `picked` was posted a job whose result type is `R`.
pub(crate) unsafe fn join<R>(
    picked: &Picked,
    spin: Duration,
    mut take: impl FnMut(usize, Option<R>, Tally),
) -> Duration {
    let mut waited = Duration::ZERO;
    for i in 0..picked.len {
        let mb = picked.mailbox(i);
        if mb
            .state
            .compare_exchange(POSTED, IDLE, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            continue; // never taken
        }
        let s = mb.state.load(Ordering::SeqCst);
        if s == TAKEN {
            let start = Instant::now();
            wait_until(&mb.state, &mb.caller_sleeps, (spin, None), |s| s != TAKEN);
            waited += start.elapsed();
        }
        let tally = mb.tally();
        let out = match mb.state.load(Ordering::SeqCst) {
            DONE => {
                debug_assert!(fits::<R>());
                // SAFETY: the worker wrote an `Option<R>` (our caller's
                // promise) into the buffer before publishing DONE, seen
                // above; `fits` held when it wrote.
                let out = unsafe { mb.buf.get().cast::<Option<R>>().read() };
                mb.state.store(IDLE, Ordering::SeqCst);
                out
            }
            HELD => {
                let ptr = mb.held.load(Ordering::Relaxed).cast::<Option<R>>();
                // SAFETY: the worker published a pointer to its
                // `Option<R>` slot (SeqCst store of HELD, seen above) and
                // keeps it alive, untouched, until the state leaves HELD.
                let out = unsafe { (*ptr).take() };
                mb.state.store(IDLE, Ordering::SeqCst);
                if mb.worker_sleeps.load(Ordering::SeqCst) != 0 {
                    wake(&mb.state);
                }
                out
            }
            other => unreachable!("mailbox in state {other} at the join"),
        };
        take(i + 1, out, tally);
    }
    waited
}

/// A worker's life: wait for a posting, take it, play its member, again.
///
/// A worker that sees a posting while it runs on the CPU its caller
/// posted from moves to another CPU first, without taking it: Linux puts
/// a woken thread beside its waker, where the two only take turns (the
/// worker preempting the caller, or waiting behind it) while another CPU
/// may idle. Not taking it keeps the move off the loop's path: the caller
/// runs the chunks itself, and the worker takes the posting from its new
/// CPU if it is still there, else the next one. A worker never moves
/// while it holds a loop, since a move may leave it waiting for a CPU,
/// and the caller waits at the join for a worker that took the loop.
fn work(mb: &'static Mailbox) {
    mb.worker_sleeps.store(0, Ordering::SeqCst);
    loop {
        // As long as the last loop asked for (the wait policy, or nothing
        // when that loop's team did not pay).
        let linger = Duration::from_nanos(mb.linger_ns.load(Ordering::Relaxed));
        let avoid = Some(&mb.poster_cpu);
        wait_until(&mb.state, &mb.worker_sleeps, (linger, avoid), |s| {
            s == POSTED
        });
        if move_off(&mb.poster_cpu) {
            continue;
        }
        if mb
            .state
            .compare_exchange(POSTED, TAKEN, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            continue; // revoked, and maybe posted again
        }
        let job = mb.job.load(Ordering::Relaxed);
        let member = mb.member.load(Ordering::Relaxed);
        // SAFETY: the caller wrote `job` before POSTED (Release through the
        // SeqCst store, Acquire through our CAS), and keeps the job alive
        // until it has collected our hand-in, which `run` makes last.
        unsafe {
            let job = &*job;
            (job.run)(job.data, member, mb);
        }
    }
}

/// Moves the calling worker off the CPU in `poster` if it runs there;
/// whether it moved.
fn move_off(poster: &AtomicUsize) -> bool {
    let cpu = poster.load(Ordering::Relaxed);
    if cpu != NO_CPU && affinity::current_cpu() == Some(cpu) && affinity::step_aside(cpu) {
        affinity::step_back();
        return true;
    }
    false
}

/// Waits until `done(state)`: spins on `state` for up to `spin` (after the
/// first microseconds yielding the CPU between looks, and moving off the
/// CPU in `avoid`, a worker's last caller's, if it finds itself there:
/// something else wants this CPU, likely that caller), then sleeps on it,
/// with `sleeps` raised so that whoever changes it wakes us. Woken by a
/// change that is not the one awaited (a worker woken for a posting that
/// its caller revoked, having run the chunks itself before the worker got
/// a CPU), it spins again before it sleeps: the next posting is likely
/// near, and a worker that goes straight back to sleep would be woken, for
/// nothing again, by every short loop that follows.
fn wait_until(
    state: &AtomicU32,
    sleeps: &AtomicU32,
    (spin, avoid): (Duration, Option<&AtomicUsize>),
    done: impl Fn(u32) -> bool,
) {
    loop {
        if spin_until(state, (spin, avoid), &done) {
            return;
        }
        // Paired with `publish`/`post`: either the waker sees `sleeps`
        // raised, or we see its change of `state` (all SeqCst).
        sleeps.store(1, Ordering::SeqCst);
        let s = state.load(Ordering::SeqCst);
        if !done(s) {
            sleep_while(state, s);
        }
        sleeps.store(0, Ordering::Relaxed);
        // Acquire what the waker published before its change.
        if done(state.load(Ordering::Acquire)) {
            return;
        }
    }
}

/// Spins until `done(state)` (true) or for `spin` (false), yielding the CPU
/// between looks after the first 20 µs (and moving off `avoid` once).
fn spin_until(
    state: &AtomicU32,
    (spin, mut avoid): (Duration, Option<&AtomicUsize>),
    done: &impl Fn(u32) -> bool,
) -> bool {
    for _ in 0..256 {
        if done(state.load(Ordering::Acquire)) {
            return true;
        }
        core::hint::spin_loop();
    }
    if spin.is_zero() {
        return false;
    }
    let start = Instant::now();
    let mut polite = false;
    loop {
        for _ in 0..64 {
            if done(state.load(Ordering::Acquire)) {
                return true;
            }
            core::hint::spin_loop();
        }
        let elapsed = start.elapsed();
        if elapsed >= spin {
            return false;
        }
        // After 20 µs of spinning, let a thread that shares this CPU run.
        polite |= elapsed >= Duration::from_micros(20);
        if polite {
            if avoid.is_some_and(move_off) {
                avoid = None;
            }
            std::thread::yield_now();
        }
    }
}

/// Sleeps while `state == value` (or until a wake, or spuriously).
#[cfg(target_os = "linux")]
pub(crate) fn sleep_while(state: &AtomicU32, value: u32) {
    // SAFETY: FUTEX_WAIT reads the aligned u32 behind `state`, which lives
    // for the call; a null timeout means none. It only blocks while the
    // value is `value`.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            state.as_ptr(),
            libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
            value,
            core::ptr::null::<libc::timespec>(),
        );
    }
}

/// Wakes every thread sleeping on `state`.
#[cfg(target_os = "linux")]
pub(crate) fn wake(state: &AtomicU32) {
    // SAFETY: FUTEX_WAKE only uses the address of `state` as a key.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            state.as_ptr(),
            libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
            i32::MAX,
        );
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn sleep_while(_: &AtomicU32, _: u32) {
    std::thread::sleep(Duration::from_micros(50));
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn wake(_: &AtomicU32) {}

#[cfg(test)]
mod tests {
    use super::*;

    unsafe fn add_one(data: *const (), member: usize, mb: &'static Mailbox) {
        // SAFETY: the test's job is an `AtomicUsize` alive until the join.
        let hits = unsafe { &*data.cast::<AtomicUsize>() };
        hits.fetch_add(member, Ordering::Relaxed);
        mb.hand_in(
            Some(member as u64 * 10),
            Tally {
                iters: 1,
                chunks: 1,
                busy_ns: 0,
            },
        );
    }

    unsafe fn big(_: *const (), member: usize, mb: &'static Mailbox) {
        mb.hand_in(Some([member as u64; 16]), Tally::default());
    }

    /// Posted workers either take the job and hand in, or are revoked;
    /// results come back in member order; the mailboxes are reusable.
    #[test]
    fn postings_are_taken_or_revoked() {
        for round in 0..200 {
            let hits = AtomicUsize::new(0);
            let job = Erased {
                data: (&raw const hits).cast(),
                run: add_one,
            };
            let picked = reserve(3, true);
            assert!(picked.len() <= 3);
            post(&picked, &job, Duration::from_millis(1), None);
            if round % 2 == 0 {
                std::thread::sleep(Duration::from_micros(200));
            }
            let mut seen = Vec::new();
            // SAFETY: `add_one` hands in `Option<u64>`.
            unsafe {
                join::<u64>(&picked, Duration::from_micros(50), |m, out, tally| {
                    assert_eq!(out, Some(m as u64 * 10));
                    assert_eq!(tally.iters, 1);
                    seen.push(m);
                })
            };
            assert!(seen.windows(2).all(|w| w[0] < w[1]));
            assert_eq!(hits.load(Ordering::Relaxed), seen.iter().sum::<usize>());
        }
        let held = Erased {
            data: core::ptr::null(),
            run: big,
        };
        assert!(!fits::<[u64; 16]>());
        for _ in 0..50 {
            let picked = reserve(2, true);
            post(&picked, &held, Duration::ZERO, None);
            std::thread::sleep(Duration::from_micros(100));
            // SAFETY: `big` hands in `Option<[u64; 16]>`.
            unsafe {
                join::<[u64; 16]>(&picked, Duration::ZERO, |m, out, _| {
                    assert_eq!(out, Some([m as u64; 16]));
                })
            };
        }
    }

    unsafe fn where_am_i(_: *const (), _: usize, mb: &'static Mailbox) {
        let cpu = affinity::current_cpu().map_or(u64::MAX, |c| c as u64);
        mb.hand_in(Some(cpu), Tally::default());
    }

    /// A worker that sees a posting from the CPU it runs on moves off it
    /// before it takes the loop: posted "from" the CPU the last worker
    /// ran on, the loop runs elsewhere. (Without the move a spinning
    /// worker stays where it is, and nearly every job would run there.)
    #[test]
    fn a_worker_steps_off_its_posters_cpu() {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        if affinity::current_cpu().is_none() || cpus < 2 {
            return;
        }
        let job = Erased {
            data: core::ptr::null(),
            run: where_am_i,
        };
        let (mut last, mut ran, mut there) = (None, 0, 0);
        for _ in 0..5000 {
            if ran == 50 {
                break;
            }
            // Other tests may hold every worker for a while.
            let picked = reserve(1, true);
            if picked.len() == 0 {
                std::thread::sleep(Duration::from_micros(100));
                continue;
            }
            post(&picked, &job, Duration::from_millis(1), last);
            std::thread::sleep(Duration::from_micros(300));
            // SAFETY: `where_am_i` hands in `Option<u64>`.
            unsafe {
                join::<u64>(&picked, Duration::from_millis(1), |_, out, _| {
                    let cpu = out.map(|c| c as usize);
                    if last.is_some() {
                        ran += 1;
                        there += usize::from(cpu == last);
                    }
                    last = cpu;
                })
            };
        }
        assert!(ran >= 10, "workers took {ran} postings");
        assert!(
            there <= ran / 10,
            "{there} of {ran} jobs ran on the poster's CPU"
        );
    }

    #[test]
    fn the_crew_is_bounded() {
        let limit = env::thread_limit();
        let picked = reserve(usize::MAX, true);
        assert!(picked.len() <= MAX_HELPERS.min(limit - 1));
        assert!(started() < limit);
        // SAFETY: nothing was posted; every reservation is revoked... by
        // posting a job and joining it.
        let hits = AtomicUsize::new(0);
        let job = Erased {
            data: (&raw const hits).cast(),
            run: add_one,
        };
        post(&picked, &job, Duration::ZERO, None);
        // SAFETY: `add_one` hands in `Option<u64>`.
        unsafe { join::<u64>(&picked, Duration::ZERO, |_, _, _| {}) };
    }
}
