//! Tasks: what `#[taskgroup]`, `#[task]` and `#[sections]` become.
//!
//! [`taskgroup`] runs its body with a [`TaskGroup`], in the style of
//! [`std::thread::scope`]: [`TaskGroup::spawn`] queues a closure that may
//! borrow anything that outlives the group, and `taskgroup` returns only
//! once every task spawned into the group (by the body, or by its tasks)
//! has run, also when the body or a task panics. That promise is what lets
//! a task borrow: the one `unsafe` here erases a task's lifetime to queue
//! it, and the group outlives the task.
//!
//! # Who runs the tasks
//!
//! A *pool* serves a top-level group and every group opened inside its
//! tasks (a recursive function opens one per call). Its first spawn
//! reserves idle workers of the crew (growing the crew for a top-level
//! group, as a top-level loop does) and posts them a drain job: they pop
//! the oldest queued task, run it, and again, until the pool closes. The
//! thread that opened the group is member 0. A group's owner, at the end
//! of its body, runs its group's queued tasks itself, and those of the
//! groups opened inside them (the newest first, so recursion goes
//! depth-first): no thread ever waits for a task that nobody has started.
//! While its group's tasks run elsewhere and none is queued, it runs the
//! oldest task of another group rather than idle, but keeps at most
//! `MAX_FOREIGN` of those on its stack: running any task while waiting
//! would stack waits on waits without bound (two threads each running the
//! other's tasks, deeper and deeper), where a descendant only adds the
//! depth of the recursion. A wait is only for a task running on another
//! thread, which was spawned (and so started) after the waiting frame
//! began; around a cycle of waits the start times would have to grow
//! forever, so waits cannot deadlock.
//!
//! Tasks run as members of the pool's team: `thread_num()` is the running
//! thread's member number, and a loop inside a task is a nested loop,
//! which takes only idle workers (the pool's are busy), so tasks never add
//! threads beyond the team. A pool without helpers (a team of one, or a
//! crew with no idle worker) runs each task at its spawn, as the plain
//! program does; so does any spawn while the queue holds more than
//! [`THROTTLE`] tasks per member.
//!
//! # Panics
//!
//! A panicking task is caught; its group's later tasks are dropped unrun,
//! the group still waits for the running ones, and `taskgroup` then
//! resumes the first panic (the body's own, if the body panicked).

use std::any::Any;
use std::cell::Cell;
use std::collections::VecDeque;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::crew::{self, Erased, Mailbox, Picked, Tally};
use crate::team::{self, Enter, State};
use crate::{env, routines, sync};

type Payload = Box<dyn Any + Send + 'static>;

/// Queued tasks per team member beyond which a spawn runs its task at once
/// (as libgomp does past 64 per thread): the queue stays short when a loop
/// spawns a task per item.
pub const THROTTLE: usize = 64;

/// Where a thread is: the pool it works for (null: none), its member
/// number there, and the group of the task it runs (null: none).
#[derive(Clone, Copy)]
struct Here {
    pool: *const Pool,
    member: usize,
    task: *const GroupCore,
}

impl Here {
    const NOWHERE: Here = Here {
        pool: core::ptr::null(),
        member: 0,
        task: core::ptr::null(),
    };
}

thread_local! {
    static CURRENT: Cell<Here> = const { Cell::new(Here::NOWHERE) };
    /// Tasks of other groups this thread runs while waiting for its own.
    static FOREIGN: Cell<usize> = const { Cell::new(0) };
}

/// The most tasks of other groups on one thread's stack (see `wait`).
const MAX_FOREIGN: usize = 2;

/// A group of tasks: every task spawned into it has run when [`taskgroup`]
/// returns. `'scope` is the group's lifetime, `'env` that of what the tasks
/// borrow (as in [`std::thread::Scope`]); both are invariant.
pub struct TaskGroup<'scope, 'env: 'scope> {
    core: GroupCore,
    pool: &'scope Pool,
    scope: PhantomData<&'scope mut &'scope ()>,
    env: PhantomData<&'env mut &'env ()>,
}

/// What a queued task needs of its group.
struct GroupCore {
    /// The group of the task that opened this group (null: none), alive
    /// as long as this one (that task is running), and how many groups
    /// are above this one.
    parent: *const GroupCore,
    depth: usize,
    /// Tasks spawned and not yet finished (run or dropped).
    pending: AtomicUsize,
    /// A task panicked: the group's later tasks are dropped unrun.
    cancelled: AtomicBool,
    /// The first panic of a task.
    panic: Mutex<Option<Payload>>,
}

// SAFETY: `parent` is only read (to compare groups, see `descends`)
// while this group is alive, and it outlives this group; every other
// field is `Sync`.
unsafe impl Sync for GroupCore {}
// SAFETY: as for `Sync`; a group never moves between threads by value
// (it lives in `run_group`'s frame), but `Group` is `Send` like any `&T`.
unsafe impl Send for GroupCore {}

impl GroupCore {
    /// Whether this group is `ancestor` or opened inside its tasks.
    fn descends(&self, ancestor: &GroupCore) -> bool {
        let mut g: *const GroupCore = self;
        loop {
            if core::ptr::eq(g, ancestor) {
                return true;
            }
            // SAFETY: `g` is this group (alive: the caller holds it) or an
            // ancestor of it, alive while its descendants are.
            let here = unsafe { &*g };
            if here.depth <= ancestor.depth || here.parent.is_null() {
                return false;
            }
            g = here.parent;
        }
    }

    fn fail(&self, payload: Payload) {
        self.cancelled.store(true, Ordering::Relaxed);
        let mut first = lock(&self.panic);
        if first.is_none() {
            *first = Some(payload);
        } else {
            drop(first);
            drop_quietly(payload);
        }
    }
}

/// A queued task and its group.
struct Task {
    run: Box<dyn FnOnce() + Send + 'static>,
    group: *const GroupCore,
}

// SAFETY: `run` is `Send`; `group` points to a `GroupCore` (atomics and a
// mutex: `Sync`), which lives until the task is finished (`Pool::run`).
unsafe impl Send for Task {}

/// The pool of a top-level group: its queue, its team, its helpers.
struct Pool {
    queue: Mutex<VecDeque<Task>>,
    /// The queue's length, read without the lock.
    queued: AtomicUsize,
    /// Bumped by every push, every finished task and the close; waiters
    /// sleep on it.
    epoch: AtomicU32,
    sleepers: AtomicU32,
    closed: AtomicBool,
    /// 1 + the helpers; 0 until the first spawn starts the pool.
    team: AtomicUsize,
    /// The helpers to reserve, and whether the crew may grow for them.
    want: usize,
    grow: bool,
    /// The state of the thread that opened the top-level group.
    caller: State,
    start: Mutex<Option<Started>>,
}

/// The helpers of a started pool and the job posted to them.
struct Started {
    picked: Picked,
    job: Erased,
}

// SAFETY: `job.data` points to the pool, which is `Sync`; only the crew
// workers it is posted to dereference it, before they hand in.
unsafe impl Send for Started {}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Drops `value`, swallowing a panic of its destructor.
fn drop_quietly<T>(value: T) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| drop(value))) {
        std::mem::forget(payload);
    }
}

/// Puts `here` in place until dropped.
struct Current {
    saved: Here,
}

impl Current {
    fn enter(here: Here) -> Current {
        Current {
            saved: CURRENT.replace(here),
        }
    }

    /// Member `member` of `pool`, outside any task.
    fn member(pool: &Pool, member: usize) -> Current {
        Current::enter(Here {
            pool,
            member,
            task: core::ptr::null(),
        })
    }

    /// Running a task of `group`, in whatever pool and member the thread is.
    fn task(group: &GroupCore) -> Current {
        let mut here = CURRENT.get();
        here.task = group;
        Current::enter(here)
    }
}

impl Drop for Current {
    fn drop(&mut self) {
        CURRENT.set(self.saved);
    }
}

impl Pool {
    fn new(caller: State, want: usize, grow: bool) -> Pool {
        Pool {
            queue: Mutex::new(VecDeque::new()),
            queued: AtomicUsize::new(0),
            epoch: AtomicU32::new(0),
            sleepers: AtomicU32::new(0),
            closed: AtomicBool::new(false),
            team: AtomicUsize::new(0),
            want,
            grow,
            caller,
            start: Mutex::new(None),
        }
    }

    /// The team size, starting the pool at its first spawn.
    #[inline]
    fn start(&self) -> usize {
        match self.team.load(Ordering::Acquire) {
            0 => self.start_slow(),
            team => team,
        }
    }

    #[cold]
    fn start_slow(&self) -> usize {
        let mut started = lock(&self.start);
        let team = self.team.load(Ordering::Acquire);
        if team != 0 {
            return team;
        }
        let picked = match self.want {
            0 => Picked::NONE,
            want => crew::reserve(want, self.grow),
        };
        let team = 1 + picked.len();
        let started = started.insert(Started {
            picked,
            job: Erased {
                data: (self as *const Pool).cast(),
                run: drain,
            },
        });
        // Before the posting: the helpers read the team size.
        self.team.store(team, Ordering::Release);
        if team > 1 {
            crew::post(&started.picked, &started.job, env::wait_policy(), None);
        }
        team
    }

    fn push(&self, task: Task) {
        let mut queue = lock(&self.queue);
        queue.push_back(task);
        self.queued.store(queue.len(), Ordering::Relaxed);
        drop(queue);
        self.notify();
    }

    /// The oldest queued task: a helper's, the biggest piece of a
    /// recursion.
    fn pop_oldest(&self) -> Option<Task> {
        if self.queued.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let mut queue = lock(&self.queue);
        let task = queue.pop_front();
        self.queued.store(queue.len(), Ordering::Relaxed);
        task
    }

    /// The newest queued task of `group` or of a group opened inside its
    /// tasks: what its owner runs while it waits, depth-first. Only those:
    /// a waiting frame that ran any task could stack waits on waits
    /// without bound (each thread running the other's tasks, deeper and
    /// deeper); a descendant is deeper in the tree of tasks, so the stack
    /// grows at most with the depth of the recursion.
    fn pop_for(&self, group: &GroupCore) -> Option<Task> {
        if self.queued.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let mut queue = lock(&self.queue);
        let at = queue.iter().rposition(|t| {
            // SAFETY: a queued task's group is alive (`Pool::run`).
            unsafe { &*t.group }.descends(group)
        })?;
        let task = queue.remove(at);
        self.queued.store(queue.len(), Ordering::Relaxed);
        task
    }

    /// Runs (or, if its group was cancelled, drops) a queued task as
    /// member `member`, then counts it finished.
    fn run(&self, task: Task, member: usize) {
        let Task { run, group } = task;
        {
            // SAFETY: the task's group waits until its `pending` count is
            // 0 before it ends, and this task is counted until the
            // `fetch_sub` below, after which we touch the group no more.
            let group = unsafe { &*group };
            if group.cancelled.load(Ordering::Relaxed) {
                drop_quietly(run);
            } else {
                let _member = Enter::new(State::member(self.caller, member, self.team()), None);
                let _task = Current::task(group);
                if let Err(payload) = catch_unwind(AssertUnwindSafe(run)) {
                    group.fail(payload);
                }
            }
            // Release: the task's writes before the owner's return.
            group.pending.fetch_sub(1, Ordering::Release);
        }
        self.notify();
    }

    fn team(&self) -> usize {
        self.team.load(Ordering::Relaxed).max(1)
    }

    fn notify(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        if self.sleepers.load(Ordering::SeqCst) != 0 {
            crew::wake(&self.epoch);
        }
    }

    /// Waits for the epoch to move on from `seen`: spins for the wait
    /// policy's time (yielding after 20 µs), then sleeps.
    fn sleep(&self, seen: u32) {
        let spin = env::wait_policy();
        let start = Instant::now();
        loop {
            for _ in 0..64 {
                if self.epoch.load(Ordering::Acquire) != seen {
                    return;
                }
                core::hint::spin_loop();
            }
            let elapsed = start.elapsed();
            if elapsed >= spin {
                break;
            }
            if elapsed >= Duration::from_micros(20) {
                std::thread::yield_now();
            }
        }
        // Paired with `notify`: either it sees us counted, or we see its
        // new epoch (all SeqCst).
        self.sleepers.fetch_add(1, Ordering::SeqCst);
        if self.epoch.load(Ordering::SeqCst) == seen {
            crew::sleep_while(&self.epoch, seen);
        }
        self.sleepers.fetch_sub(1, Ordering::SeqCst);
    }

    /// After the top-level group: closes the pool and joins its helpers.
    fn finish(&self) {
        let started = lock(&self.start);
        let Some(started) = started.as_ref() else {
            return;
        };
        if started.picked.len() == 0 {
            return;
        }
        self.closed.store(true, Ordering::Release);
        self.notify();
        // SAFETY: every reserved worker was posted `drain`, which hands in
        // `Option<()>`; `started.job` stays where it was posted (we hold
        // the lock, nothing moves it) until the join returns.
        unsafe { crew::join::<()>(&started.picked, env::wait_policy(), |_, _, _| {}) };
    }
}

/// A helper's part: run queued tasks until the pool closes.
///
/// # Safety
///
/// `data` points to a live `Pool` that stays alive until the hand-in
/// (`Pool::finish` joins every helper before the pool is dropped).
unsafe fn drain(data: *const (), member: usize, mb: &'static Mailbox) {
    {
        // SAFETY: see the function's contract.
        let pool = unsafe { &*data.cast::<Pool>() };
        let _current = Current::member(pool, member);
        loop {
            let seen = pool.epoch.load(Ordering::Acquire);
            if let Some(task) = pool.pop_oldest() {
                pool.run(task, member);
                continue;
            }
            if pool.closed.load(Ordering::Acquire) {
                break;
            }
            pool.sleep(seen);
        }
    }
    mb.hand_in::<()>(Some(()), Tally::default());
}

impl<'scope, 'env> TaskGroup<'scope, 'env> {
    /// Queues `task` to run on the group's team; the group's
    /// [`taskgroup`] returns only after it has run. It may borrow anything
    /// that outlives the group, and spawn more tasks into the group.
    ///
    /// A team of one (or a full queue) runs the task here and now, as the
    /// plain program does. A panic in the task is resumed by `taskgroup`.
    ///
    /// # Examples
    ///
    /// Each `#[task]` block of a `#[taskgroup]` is spawned so, a task
    /// inside a task into the same group:
    ///
    /// ```
    /// use parallel::parallel;
    ///
    /// #[parallel]
    /// fn three() -> (u32, u32, u32) {
    ///     let (mut a, mut b, mut c) = (0, 0, 0);
    ///     #[taskgroup]
    ///     {
    ///         #[task]
    ///         {
    ///             a = 1;
    ///         }
    ///         #[task]
    ///         {
    ///             b = 2;
    ///             #[task]
    ///             {
    ///                 c = 3;
    ///             }
    ///         }
    ///     }
    ///     (a, b, c)
    /// }
    ///
    /// assert_eq!(three(), (1, 2, 3));
    /// ```
    pub fn spawn<F>(&'scope self, task: F)
    where
        F: FnOnce() + Send + 'scope,
    {
        let team = self.pool.start();
        if team == 1 || self.pool.queued.load(Ordering::Relaxed) >= THROTTLE * team {
            self.run_now(task);
            return;
        }
        let run: Box<dyn FnOnce() + Send + 'scope> = Box::new(task);
        // SAFETY: only the lifetime changes. The task is finished (run or
        // dropped, by `Pool::run`) before `pending` reaches 0, and the
        // group's `taskgroup` does not return, nor unwind, before that
        // (`run_group` catches the body's panic and waits first); the
        // group itself lives in `run_group`'s frame, which user code
        // cannot leak, so nothing the task borrows for `'scope` ends
        // while it may run.
        let run: Box<dyn FnOnce() + Send + 'static> = unsafe { core::mem::transmute(run) };
        self.core.pending.fetch_add(1, Ordering::Relaxed);
        self.pool.push(Task {
            run,
            group: &self.core,
        });
    }

    /// A task run at its spawn: as the pool's member when this thread is
    /// one, else in the thread's own state.
    fn run_now<F: FnOnce()>(&self, task: F) {
        if self.core.cancelled.load(Ordering::Relaxed) {
            drop_quietly(task);
            return;
        }
        let here = CURRENT.get();
        let _member = (core::ptr::eq(here.pool, self.pool) && self.pool.team() > 1).then(|| {
            Enter::new(
                State::member(self.pool.caller, here.member, self.pool.team()),
                None,
            )
        });
        let _task = Current::task(&self.core);
        if let Err(payload) = catch_unwind(AssertUnwindSafe(task)) {
            self.core.fail(payload);
        }
    }

    /// The owner's wait at the end of the body: runs the group's queued
    /// tasks (and those of groups inside them), newest first, until every
    /// task of this group is finished.
    fn wait(&self) {
        let member = CURRENT.get().member;
        loop {
            let seen = self.pool.epoch.load(Ordering::Acquire);
            if self.core.pending.load(Ordering::Acquire) == 0 {
                return;
            }
            if let Some(task) = self.pool.pop_for(&self.core) {
                self.pool.run(task, member);
            } else if FOREIGN.get() < MAX_FOREIGN
                && let Some(task) = self.pool.pop_oldest()
            {
                // Another group's task, while ours run elsewhere: the
                // thread would idle otherwise. At most `MAX_FOREIGN` such
                // frames on a stack, so it grows at most that many times
                // the depth of the recursion.
                FOREIGN.set(FOREIGN.get() + 1);
                self.pool.run(task, member);
                FOREIGN.set(FOREIGN.get() - 1);
            } else {
                self.pool.sleep(seen);
            }
        }
    }
}

/// Runs `body` with a [`TaskGroup`] and returns its value once every task
/// spawned into the group has run: OpenMP's `taskgroup` (and, with one
/// task per block, `sections`).
///
/// A group opened inside a task (a recursive function opens one per
/// call) shares the team of the top-level group around it. A top-level
/// group's team has `num_threads` members, else [`max_threads()`]
/// (clamped to `OMP_THREAD_LIMIT`): the calling thread and the idle crew
/// workers reserved at the first spawn (the crew grows for a top-level
/// group, as for a top-level loop; inside a loop it takes only idle
/// workers).
///
/// # Panics
///
/// If the body or a task panics, once every task has finished: with the
/// body's panic if it panicked, else with the first task's. After a
/// task's panic, the group's tasks that have not started are dropped.
///
/// # Examples
///
/// ```
/// use parallel_runtime::taskgroup;
///
/// fn fib(n: u64) -> u64 {
///     if n < 15 {
///         return if n < 2 { n } else { fib(n - 1) + fib(n - 2) };
///     }
///     let (mut a, mut b) = (0, 0);
///     taskgroup(None, |g| {
///         g.spawn(|| a = fib(n - 1));
///         g.spawn(|| b = fib(n - 2));
///     });
///     a + b
/// }
///
/// assert_eq!(fib(25), 75_025);
/// ```
///
/// [`max_threads()`]: crate::max_threads()
#[track_caller]
pub fn taskgroup<'env, F, T>(num_threads: Option<usize>, body: F) -> T
where
    F: for<'scope> FnOnce(&'scope TaskGroup<'scope, 'env>) -> T,
{
    let here = CURRENT.get();
    if !here.pool.is_null() {
        // SAFETY: a thread's current pool is set by `taskgroup` (its
        // owner, for the pool's whole life) or by `drain` (a helper,
        // until it hands in, which `Pool::finish` waits for), and
        // restored when they end: it is alive while it is current.
        let pool = unsafe { &*here.pool };
        return run_group(pool, here.task, body).unwrap_or_else(|p| resume_unwind(p));
    }
    let caller = team::current();
    let team = match num_threads {
        _ if sync::in_critical() => 1,
        Some(n) => n.clamp(1, env::thread_limit()),
        None => routines::max_threads().min(env::thread_limit()),
    };
    let pool = Pool::new(caller, team - 1, caller.level == 0);
    let out = {
        let _current = Current::member(&pool, 0);
        run_group(&pool, core::ptr::null(), body)
    };
    pool.finish();
    out.unwrap_or_else(|p| resume_unwind(p))
}

/// Runs a group on `pool`, opened by a task of `parent` (or null): the
/// body, then the wait; never unwinds.
fn run_group<'env, F, T>(pool: &Pool, parent: *const GroupCore, body: F) -> Result<T, Payload>
where
    F: for<'scope> FnOnce(&'scope TaskGroup<'scope, 'env>) -> T,
{
    // SAFETY: `parent` is null or the group of the task this thread runs,
    // alive while the task runs.
    let depth = unsafe { parent.as_ref() }.map_or(0, |p| p.depth + 1);
    let group = TaskGroup {
        core: GroupCore {
            parent,
            depth,
            pending: AtomicUsize::new(0),
            cancelled: AtomicBool::new(false),
            panic: Mutex::new(None),
        },
        pool,
        scope: PhantomData,
        env: PhantomData,
    };
    let out = catch_unwind(AssertUnwindSafe(|| body(&group)));
    group.wait();
    let failed = lock(&group.core.panic).take();
    match (out, failed) {
        (Ok(value), None) => Ok(value),
        (Ok(value), Some(payload)) => {
            drop_quietly(value);
            Err(payload)
        }
        (Err(payload), other) => {
            drop_quietly(other);
            Err(payload)
        }
    }
}

/// A variable declared inside a taskgroup, moved into a task that uses it:
/// the task may run after the variable's scope has ended, so it takes the
/// value (a copy, for a `Copy` type), as OpenMP's `firstprivate` does.
///
/// The wrapper is not `Copy`, so a closure that calls [`Moved::take`]
/// captures it by value even where it captures everything else by
/// reference.
///
/// # Examples
///
/// ```
/// use parallel::parallel;
///
/// #[parallel]
/// fn tens(out: &mut [usize]) {
///     #[taskgroup]
///     {
///         // `i` and `o` are declared inside the group: each task takes
///         // them, wrapped in a `Moved`.
///         for (i, o) in out.iter_mut().enumerate() {
///             #[task]
///             {
///                 *o = i * 10;
///             }
///         }
///     }
/// }
///
/// let mut out = vec![0; 4];
/// tens(&mut out);
/// assert_eq!(out, [0, 10, 20, 30]);
/// ```
pub struct Moved<T>(T);

impl<T> Moved<T> {
    /// Wraps `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parallel::Moved::new(3).take(), 3);
    /// ```
    #[inline]
    pub fn new(value: T) -> Moved<T> {
        Moved(value)
    }

    /// A copy of `*value`, for a variable the taskgroup uses again after
    /// the task: only a `Copy` type can be used both by the task and after
    /// it.
    ///
    /// # Examples
    ///
    /// ```
    /// let n = 5;
    /// let m = parallel::Moved::copied(&n);
    /// assert_eq!(m.take() + n, 10);
    /// ```
    #[inline]
    pub fn copied(value: &T) -> Moved<T>
    where
        T: FirstPrivate,
    {
        Moved(*value)
    }

    /// The value.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(parallel::Moved::new("x").take(), "x");
    /// ```
    #[inline]
    pub fn take(self) -> T {
        self.0
    }
}

/// The types a task can copy while its taskgroup goes on using the
/// variable: the `Copy` types.
///
/// # Examples
///
/// ```
/// fn copies<T: parallel::FirstPrivate>(_: &T) {}
/// copies(&3.5);
/// copies(&[1u8; 4]);
/// ```
#[diagnostic::on_unimplemented(
    message = "this variable is declared inside the `#[taskgroup]` and used again after the task, so the task needs a copy of it, and `{Self}` is not `Copy`",
    label = "the task takes its own copy of this variable",
    note = "a task may run after the code around it has moved on, so it takes the value of each variable declared inside the taskgroup that it uses",
    note = "declare the variable before the `#[taskgroup]` block, so that the tasks borrow it; or clone it into a variable of its own just before the task, and use that in the task"
)]
pub trait FirstPrivate: Copy {}

impl<T: Copy> FirstPrivate for T {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{for_range, num_threads, thread_num};
    use std::sync::atomic::AtomicU64;

    fn fib_seq(n: u64) -> u64 {
        if n < 2 {
            n
        } else {
            fib_seq(n - 1) + fib_seq(n - 2)
        }
    }

    fn fib(n: u64, cutoff: u64) -> u64 {
        if n < cutoff.max(2) {
            return fib_seq(n);
        }
        let (mut a, mut b) = (0, 0);
        taskgroup(None, |g| {
            g.spawn(|| a = fib(n - 1, cutoff));
            g.spawn(|| b = fib(n - 2, cutoff));
        });
        a + b
    }

    /// Smaller under miri, which runs a few thousand times slower.
    const FIB_N: u64 = if cfg!(miri) { 9 } else { 22 };

    #[test]
    fn fibonacci_with_every_cutoff() {
        for cutoff in [0, 2, 5, 10, 20] {
            assert_eq!(fib(FIB_N, cutoff), fib_seq(FIB_N), "cutoff {cutoff}");
        }
    }

    /// Fibonacci without a cutoff: a group per call, 2 tasks each; the
    /// stack grows with the recursion's depth only, the crew not at all
    /// beyond the team.
    #[test]
    #[cfg_attr(
        miri,
        ignore = "too slow under miri; fibonacci_with_every_cutoff is its small case"
    )]
    fn deep_recursion_without_a_cutoff() {
        let start = Instant::now();
        assert_eq!(fib(24, 0), fib_seq(24));
        let limit = routines::max_threads().max(crew::started());
        assert!(crew::started() <= limit);
        eprintln!("fib(24) without a cutoff: {:?}", start.elapsed());
    }

    #[test]
    fn every_task_runs_once_before_the_group_returns() {
        let n = if cfg!(miri) { 120 } else { 1000 };
        for team in [1, 2, 3, 8] {
            let hits: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
            taskgroup(Some(team), |g| {
                for (i, h) in hits.iter().enumerate() {
                    g.spawn(move || {
                        h.fetch_add(1, Ordering::Relaxed);
                        if i % 100 == 0 {
                            g.spawn(move || {
                                h.fetch_add(1000, Ordering::Relaxed);
                            });
                        }
                    });
                }
            });
            for (i, h) in hits.iter().enumerate() {
                let want = if i % 100 == 0 { 1001 } else { 1 };
                assert_eq!(h.load(Ordering::Relaxed), want, "team {team}, task {i}");
            }
        }
    }

    #[test]
    fn borrowed_slices_are_written_by_their_tasks() {
        let n = if cfg!(miri) { 500 } else { 10_000 };
        let mut v: Vec<u64> = (0..n).collect();
        taskgroup(Some(4), |g| {
            for chunk in v.chunks_mut(97) {
                g.spawn(move || chunk.iter_mut().for_each(|x| *x *= 2));
            }
        });
        assert!(v.iter().enumerate().all(|(i, &x)| x == 2 * i as u64));
    }

    #[test]
    fn a_task_panic_reaches_the_caller_after_the_others() {
        for team in [1, 2, 4] {
            let done = AtomicU64::new(0);
            let r = catch_unwind(AssertUnwindSafe(|| {
                taskgroup(Some(team), |g| {
                    g.spawn(|| {
                        std::thread::sleep(Duration::from_millis(5));
                        done.fetch_add(1, Ordering::Relaxed);
                    });
                    g.spawn(|| panic!("task {team}"));
                })
            }));
            let payload = r.unwrap_err();
            assert_eq!(
                *payload.downcast_ref::<String>().unwrap(),
                format!("task {team}")
            );
            // The first task had started (or ran first) and finished.
            assert!(done.load(Ordering::Relaxed) <= 1);
            // The pool is usable afterwards.
            assert_eq!(fib(FIB_N, 5), fib_seq(FIB_N));
        }
    }

    #[test]
    fn the_body_panic_waits_for_its_tasks() {
        let done = AtomicU64::new(0);
        let r = catch_unwind(AssertUnwindSafe(|| {
            taskgroup(Some(3), |g| {
                for _ in 0..8 {
                    g.spawn(|| {
                        std::thread::sleep(Duration::from_millis(1));
                        done.fetch_add(1, Ordering::Relaxed);
                    });
                }
                panic!("body");
            })
        }));
        assert_eq!(*r.unwrap_err().downcast_ref::<&str>().unwrap(), "body");
        assert_eq!(done.load(Ordering::Relaxed), 8);
    }

    #[test]
    #[cfg_attr(miri, ignore = "loops call sched_getcpu, which miri does not support")]
    fn tasks_run_as_members_and_loops_inside_them_nest() {
        let seen = Mutex::new(Vec::new());
        taskgroup(Some(2), |g| {
            for _ in 0..4 {
                g.spawn(|| {
                    let team = num_threads();
                    let me = thread_num();
                    assert!(me < team);
                    let cfg = crate::Config::DEFAULT;
                    let s = for_range(
                        &cfg,
                        &crate::Seq::range(0u64, 1000),
                        (),
                        |a, b| a + b,
                        |lo, hi, ()| (lo..hi).sum::<usize>() as u64,
                    );
                    lock(&seen).push((team, me, s));
                });
            }
        });
        let seen = seen.into_inner().unwrap();
        assert_eq!(seen.len(), 4);
        for (team, _, s) in seen {
            assert!(team <= 2);
            assert_eq!(s, Some(499_500));
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "loops call sched_getcpu, which miri does not support")]
    fn a_group_inside_a_loop_takes_only_idle_workers() {
        let before = crew::started();
        let n: u64 = if cfg!(miri) { 16 } else { 64 };
        let sums: Vec<u64> = (0..n).collect();
        let cfg = crate::Config {
            num_threads: Some(2),
            ..crate::Config::DEFAULT
        };
        let total = for_range(
            &cfg,
            &crate::Seq::range(0usize, n as usize),
            (),
            |a, b| a + b,
            |lo, hi, ()| {
                let mut s = 0;
                for v in &sums[lo..hi] {
                    let (mut x, mut y) = (0, 0);
                    taskgroup(None, |g| {
                        g.spawn(|| x = *v);
                        g.spawn(|| y = fib(12, 4));
                    });
                    s += x + y;
                }
                s
            },
        );
        assert_eq!(total, Some(n * (n - 1) / 2 + n * 144));
        // The loop's team was at most 2, and nested groups grow nothing.
        assert!(crew::started() <= before.max(routines::max_threads()).max(2));
    }

    #[test]
    fn moved_values_and_copies() {
        let mut out = [0u64; 3];
        taskgroup(None, |g| {
            let base = 10;
            for (i, o) in out.iter_mut().enumerate() {
                let (o, b, i) = (Moved::new(o), Moved::copied(&base), Moved::new(i));
                g.spawn(|| *o.take() = b.take() + i.take() as u64);
            }
        });
        assert_eq!(out, [10, 11, 12]);
    }
}
