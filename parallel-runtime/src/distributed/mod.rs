//! Loops over several processes: `#[parallel_for(distributed, ..)]` on MPI,
//! the hybrid MPI + threads model.
//!
//! Every rank runs the program (SPMD). A `distributed` loop gives each rank
//! one contiguous block of its iterations, which the rank runs on its own
//! team with the loop's other clauses; afterwards every rank holds what the
//! sequential loop leaves: reductions, `lastprivate` values and the
//! elements and rows the loop wrote travel between the ranks (see
//! [`for_range_distributed`] and [`Shares`]).
//!
//! MPI comes with the cargo feature `mpi` (the `mpi` crate, on Open MPI or
//! another MPI library): [`init`] initializes it, funneled (only the thread
//! that called [`init`] talks to other ranks; the teams' threads compute).
//! Without the feature, without [`init`], or with one process, a
//! `distributed` loop is a plain `parallel_for` and [`rank`] and [`size`]
//! are 0 and 1: the same program runs without MPI.
//!
//! # Examples
//!
//! ```
//! use parallel::distributed;
//!
//! let _mpi = distributed::init(); // MPI_Init_thread; MPI_Finalize when `_mpi` drops
//! assert!(distributed::rank() < distributed::size());
//! distributed::barrier();
//! ```

mod comm;
mod run;
mod wire;

pub use run::{Shares, for_range_distributed};
pub use wire::Wire;

/// The `mpi` crate (rsmpi), for communication of your own next to the
/// loops: `parallel::distributed::mpi::topology::SimpleCommunicator::world()`
/// once [`init`] ran.
#[cfg(feature = "mpi")]
pub use mpi;

use std::panic::Location;

/// Keeps MPI initialized: returned by [`init`]; MPI is finalized when it
/// drops. If it drops while its thread panics (a panic that left `main`),
/// it aborts the whole job (`MPI_Abort`) instead, so that no other rank
/// waits forever for this one.
///
/// # Examples
///
/// ```
/// let _mpi = parallel::distributed::init();
/// ```
#[must_use = "MPI is finalized when this guard drops: keep it to the end of `main`, `let _mpi = parallel::distributed::init();`"]
pub struct Mpi {
    #[cfg(feature = "mpi")]
    _universe: Option<mpi::environment::Universe>,
}

impl std::fmt::Debug for Mpi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mpi {{ rank: {}, size: {} }}", rank(), size())
    }
}

impl Drop for Mpi {
    fn drop(&mut self) {
        if std::thread::panicking() && size() > 1 {
            eprintln!(
                "parallel: rank {} of {} panicked; aborting the job (MPI_Abort) so that no other rank waits for it",
                rank(),
                size()
            );
            comm::abort(101);
        }
        comm::set_finalized();
        // The universe drops after this: `MPI_Finalize`.
    }
}

/// Initializes MPI (`MPI_Init_thread`, funneled: the teams' threads never
/// call MPI) when the `mpi` feature is on; MPI is finalized when the
/// returned guard drops. Call it once, at the top of `main`, and keep the
/// guard: `let _mpi = parallel::distributed::init();` (not `let _ = ..`,
/// which drops it at once).
///
/// Without the `mpi` feature it does nothing (and warns once if `mpirun`
/// started several copies of the program, which then each run every
/// loop whole). If other code initialized MPI first (with at least
/// funneled threading), the loops use it and the guard leaves finalizing
/// to that code.
///
/// # Panics
///
/// The second time it is called, and if the MPI library offers less than
/// funneled threading.
///
/// # Examples
///
/// ```
/// use parallel::distributed;
///
/// let _mpi = distributed::init();
/// if distributed::rank() == 0 {
///     println!("{} ranks", distributed::size());
/// }
/// ```
#[doc(alias = "MPI_Init_thread")]
#[track_caller]
pub fn init() -> Mpi {
    comm::claim_init();
    let thread = std::thread::current().id();
    #[cfg(feature = "mpi")]
    {
        use mpi::Threading;
        let (universe, provided) = match mpi::initialize_with_threading(Threading::Funneled) {
            Some((u, t)) => (Some(u), t),
            None => (None, mpi::environment::threading_support()),
        };
        if provided < Threading::Funneled {
            panic!(
                "parallel::distributed::init(): the MPI library offers {provided:?} threading, and loops need at least Funneled (one thread talks to other ranks while the team computes)"
            );
        }
        let (rank, size) = comm::rank_size();
        comm::set_world(comm::World { rank, size, thread });
        Mpi {
            _universe: universe,
        }
    }
    #[cfg(not(feature = "mpi"))]
    {
        if let Some(n) = launched_ranks().filter(|&n| n > 1) {
            eprintln!(
                "parallel: started as one of {n} MPI ranks, but built without the `mpi` feature: every rank runs every distributed loop whole (build with `--features mpi`)"
            );
        }
        comm::set_world(comm::World {
            rank: 0,
            size: 1,
            thread,
        });
        Mpi {}
    }
}

/// How many ranks `mpirun` says it started, from its environment.
fn launched_ranks() -> Option<usize> {
    ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"]
        .iter()
        .find_map(|v| std::env::var(v).ok()?.parse().ok())
}

/// This process's rank, `0..size()` (`MPI_Comm_rank` of the world); 0
/// before [`init`] and without MPI.
///
/// # Examples
///
/// ```
/// assert_eq!(parallel::distributed::rank(), 0);
/// ```
#[doc(alias = "MPI_Comm_rank")]
pub fn rank() -> usize {
    comm::world().map_or(0, |w| w.rank)
}

/// The number of ranks (`MPI_Comm_size` of the world); 1 before [`init`]
/// and without MPI.
///
/// # Examples
///
/// ```
/// assert_eq!(parallel::distributed::size(), 1);
/// ```
#[doc(alias = "MPI_Comm_size")]
pub fn size() -> usize {
    comm::world().map_or(1, |w| w.size)
}

/// Waits until every rank has called it (`MPI_Barrier` of the world);
/// returns at once with one process.
///
/// # Panics
///
/// On a thread other than the one that called [`init`] (MPI runs
/// funneled), and after [`init`]'s guard dropped.
///
/// # Examples
///
/// ```
/// parallel::distributed::barrier();
/// ```
#[doc(alias = "MPI_Barrier")]
#[track_caller]
pub fn barrier() {
    if let Some(w) = comm::world()
        && w.size > 1
    {
        usable(w, "parallel::distributed::barrier()");
        comm::barrier();
    }
}

/// Panics unless the calling thread may talk to other ranks now.
#[track_caller]
fn usable(w: &comm::World, what: &str) {
    if comm::finalized() {
        panic!(
            "{what} after MPI was finalized: the guard of parallel::distributed::init() was dropped (keep it to the end of `main`: `let _mpi = init();`, not `let _ = init();`)"
        );
    }
    if std::thread::current().id() != w.thread {
        panic!(
            "{what} on a thread other than the one that called parallel::distributed::init(): MPI runs funneled, so distributed loops and barriers run on that thread"
        );
    }
}

/// This rank and the number of ranks, when a distributed loop at `site`
/// splits among ranks; `None` when it runs whole here (one process).
#[track_caller]
pub(crate) fn ranks(site: &Location<'_>) -> Option<(usize, usize)> {
    if crate::team::current().level > 0 {
        panic!(
            "the distributed loop at {site} runs inside another parallel loop: a distributed loop splits among the ranks only from the top level of a rank's program; put it outside the enclosing loop, or drop `distributed`"
        );
    }
    match comm::world() {
        Some(w) if w.size > 1 => {
            usable(w, &format!("the distributed loop at {site}"));
            Some((w.rank, w.size))
        }
        Some(_) => None,
        None => {
            warn_without_init(site);
            None
        }
    }
}

/// The warning, once, when `mpirun` started several ranks that never
/// called [`init`].
fn warn_without_init(site: &Location<'_>) {
    use std::sync::atomic::{AtomicBool, Ordering};
    static WARNED: AtomicBool = AtomicBool::new(false);
    if let Some(n) = launched_ranks().filter(|&n| n > 1)
        && !WARNED.swap(true, Ordering::Relaxed)
    {
        eprintln!(
            "parallel: the distributed loop at {site} runs whole on each of {n} MPI ranks: call `let _mpi = parallel::distributed::init();` at the top of `main` to split it"
        );
    }
}

/// How one clause variable's partial value travels: checked once where
/// the clause names the variable (so that a type that cannot travel is
/// one error, there), then called through function pointers.
///
/// # Examples
///
/// ```
/// use parallel_runtime::Ty;
///
/// let wire = Ty::of(&2.5f64).wire_last();
/// let mut out = Vec::new();
/// wire.put(&(1.5, Some(3)), &mut out);
/// assert_eq!(wire.take(&mut &out[..]), (1.5, Some(3)));
/// ```
pub struct WireOf<T> {
    put: fn(&T, &mut Vec<u8>),
    take: fn(&mut &[u8]) -> T,
}

impl<T> Clone for WireOf<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for WireOf<T> {}

impl<T> WireOf<T> {
    /// Appends `value`'s bytes.
    ///
    /// # Examples
    ///
    /// See [`WireOf`].
    #[inline]
    pub fn put(self, value: &T, out: &mut Vec<u8>) {
        (self.put)(value, out)
    }

    /// Reads a value.
    ///
    /// # Examples
    ///
    /// See [`WireOf`].
    #[inline]
    pub fn take(self, input: &mut &[u8]) -> T {
        (self.take)(input)
    }
}

fn wire_of<T: Wire>() -> WireOf<T> {
    WireOf {
        put: T::put,
        take: T::take,
    }
}

impl<V: ?Sized, P> crate::BuiltinReduction<V, P> {
    /// How the partial values of this built-in `reduction(op: v)` travel.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{builtin_reduction, op};
    ///
    /// let sum = 0.0f64;
    /// let _ = builtin_reduction(op::Plus, &sum).wire();
    /// ```
    pub fn wire(self) -> WireOf<P>
    where
        P: Wire,
    {
        wire_of()
    }
}

impl<V> crate::UserReduction<V> {
    /// A rank's partials of a user reducer, combined in the loop's order
    /// into one run before they travel: a rank's chunks cover its block
    /// (or a subtree of it) without gaps, so one value stands for them all,
    /// however many chunks a dynamic schedule made.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{user_reduction, Reducer};
    ///
    /// struct Concat;
    /// impl Reducer for Concat {
    ///     type Value = String;
    ///     fn identity() -> String { String::new() }
    ///     fn combine(acc: &mut String, other: String) { acc.push_str(&other); }
    /// }
    /// let red = user_reduction::<Concat, _>(&String::new());
    /// let runs = red.push(red.push(red.runs(), 2, 4, "cd".into()), 0, 2, "ab".into());
    /// let mut s = String::from(">");
    /// red.finish(&mut s, red.compact(runs));
    /// assert_eq!(s, ">abcd");
    /// ```
    pub fn compact(self, acc: crate::Ordered<V>) -> crate::Ordered<V> {
        let mut runs = acc.earlier;
        runs.extend(acc.last);
        runs.sort_unstable_by_key(|r| r.0);
        let mut runs = runs.into_iter();
        let last = runs.next().map(|(lo, mut hi, mut v)| {
            for (_, end, part) in runs {
                v = self.combine(v, part);
                hi = end;
            }
            (lo, hi, v)
        });
        crate::Ordered {
            last,
            earlier: Vec::new(),
        }
    }
}

impl<V> crate::Ty<V> {
    /// How the partials of a user reducer, `reduction(R: v)` with `v: V`,
    /// travel: needs `V: Wire`.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = parallel_runtime::Ty::of(&String::new()).wire_user();
    /// ```
    pub fn wire_user(self) -> WireOf<crate::Ordered<V>>
    where
        V: Wire,
    {
        wire_of()
    }

    /// How a minloc / maxloc variable's partial travels: the pair, and
    /// whether the member took a value.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = parallel_runtime::Ty::of(&(0.5f64, 3usize)).wire_loc();
    /// ```
    pub fn wire_loc(self) -> WireOf<(V, bool)>
    where
        V: Wire,
    {
        wire_of()
    }

    /// How a `lastprivate` variable's partial travels: the value, and the
    /// end of the last chunk that assigned it.
    ///
    /// # Examples
    ///
    /// See [`WireOf`].
    pub fn wire_last(self) -> WireOf<(V, Option<usize>)>
    where
        V: Wire,
    {
        wire_of()
    }
}

/// The communicator of all ranks, for communication of your own, once
/// [`init`] ran with several ranks (`None` otherwise).
///
/// # Examples
///
/// ```
/// assert!(parallel::distributed::world().is_none());
/// ```
#[cfg(feature = "mpi")]
pub fn world() -> Option<mpi::topology::SimpleCommunicator> {
    comm::world()
        .filter(|_| !comm::finalized())
        .map(|_| mpi::topology::SimpleCommunicator::world())
}

/// Method-call syntax for the exchanges after a distributed loop, so that
/// the array may be a `Vec`, an array or a `&mut [T]` parameter that is not
/// itself declared `mut` (autoref reborrows it).
///
/// # Examples
///
/// ```
/// use parallel_runtime::distributed::{for_range_distributed, ExchangeExt, Wire};
/// use parallel_runtime::{Config, LoopInfo, Seq};
///
/// let seq = Seq::range(0usize, 4);
/// let (_, shares) = for_range_distributed(
///     &Config::DEFAULT, &LoopInfo::DEFAULT, &seq, (), || (), |(), ()| (),
///     |_, _, (), ()| (), |()| (), |(), _| {}, |_| (), |(), ()| (),
/// );
/// let y: &mut [f64] = &mut [0.0; 4];
/// y.__parallel_exchange_elems(&shares, &seq); // one process: nothing to do
/// ```
pub trait ExchangeExt: crate::SplitIndex {
    /// [`Shares::exchange_elems`].
    #[track_caller]
    fn __parallel_exchange_elems<S: crate::Iterations>(&mut self, shares: &Shares, seq: &S)
    where
        Self::Elem: Wire,
    {
        shares.exchange_elems(self, seq);
    }

    /// [`Shares::exchange_rows`].
    #[track_caller]
    fn __parallel_exchange_rows<S: crate::Iterations>(
        &mut self,
        shares: &Shares,
        stride: usize,
        seq: &S,
    ) where
        Self::Elem: Wire,
    {
        shares.exchange_rows(self, stride, seq);
    }

    /// [`Shares::exchange_fields`].
    #[track_caller]
    fn __parallel_exchange_fields<S, E, D>(
        &mut self,
        shares: &Shares,
        stride: usize,
        seq: &S,
        put: E,
        take: D,
    ) where
        S: crate::Iterations,
        E: Fn(&Self::Elem, &mut Vec<u8>),
        D: Fn(&mut Self::Elem, &mut &[u8]),
    {
        shares.exchange_fields(self, stride, seq, put, take);
    }
}

impl<A: crate::SplitIndex + ?Sized> ExchangeExt for A {}
