//! The process's MPI state, and the two collectives the loops use: every
//! rank's bytes to every rank, of one length or of lengths every rank
//! knows. Built without the `mpi` feature, there is one process and no
//! communication.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::ThreadId;

/// This process in the job.
#[derive(Debug)]
pub(crate) struct World {
    pub rank: usize,
    pub size: usize,
    /// The thread that called `init()`: MPI runs funneled, so only this
    /// thread talks to other ranks.
    pub thread: ThreadId,
}

static WORLD: OnceLock<World> = OnceLock::new();
static INIT_CALLED: AtomicBool = AtomicBool::new(false);
static FINALIZED: AtomicBool = AtomicBool::new(false);

/// The world, once `init()` ran (also after MPI was finalized).
pub(crate) fn world() -> Option<&'static World> {
    WORLD.get()
}

/// Whether the guard of `init()` was dropped.
pub(crate) fn finalized() -> bool {
    FINALIZED.load(Ordering::Acquire)
}

/// Marks `init()` as called; panics the second time.
#[track_caller]
pub(crate) fn claim_init() {
    if INIT_CALLED.swap(true, Ordering::AcqRel) {
        panic!(
            "parallel::distributed::init() called twice: MPI is initialized once per process; \
             call it once at the top of `main` and keep its guard (`let _mpi = init();`) until the end"
        );
    }
}

pub(crate) fn set_world(world: World) {
    let _ = WORLD.set(world);
}

pub(crate) fn set_finalized() {
    FINALIZED.store(true, Ordering::Release);
}

#[cfg(feature = "mpi")]
mod imp {
    use mpi::datatype::PartitionMut;
    use mpi::topology::SimpleCommunicator;
    use mpi::traits::{Communicator, CommunicatorCollectives};

    fn comm() -> SimpleCommunicator {
        SimpleCommunicator::world()
    }

    /// A byte count as MPI's `int`.
    #[track_caller]
    fn count(n: usize) -> mpi::Count {
        mpi::Count::try_from(n).unwrap_or_else(|_| {
            panic!("parallel: this exchange between ranks reaches {n} bytes, past the 2 GiB that MPI's `int` counts and offsets reach; split the loop in parts")
        })
    }

    /// `mine` from every rank, each `mine.len()` bytes, in rank order.
    pub fn all_gather(mine: &[u8], size: usize) -> Vec<u8> {
        let mut out = vec![0u8; mine.len() * size];
        count(out.len());
        comm().all_gather_into(mine, &mut out[..]);
        out
    }

    /// Rank `r`'s `counts[r]` bytes, in rank order.
    #[track_caller]
    pub fn all_gather_var(mine: &[u8], counts: &[usize]) -> Vec<u8> {
        let total: usize = counts.iter().sum();
        let mut displs = Vec::with_capacity(counts.len());
        let mut at = 0usize;
        for &c in counts {
            displs.push(count(at));
            at += c;
        }
        let counts: Vec<mpi::Count> = counts.iter().map(|&c| count(c)).collect();
        let mut out = vec![0u8; total];
        let mut partition = PartitionMut::new(&mut out[..], &counts[..], &displs[..]);
        comm().all_gather_varcount_into(mine, &mut partition);
        out
    }

    /// Rank `r`'s `counts[r]` bytes into `out` at `displs[r]`, in place:
    /// `mine` is this rank's, a copy of its own part of `out`.
    #[track_caller]
    pub fn all_gather_var_into(mine: &[u8], out: &mut [u8], counts: &[usize], displs: &[usize]) {
        let counts: Vec<mpi::Count> = counts.iter().map(|&c| count(c)).collect();
        let displs: Vec<mpi::Count> = displs.iter().map(|&d| count(d)).collect();
        let mut partition = PartitionMut::new(out, &counts[..], &displs[..]);
        comm().all_gather_varcount_into(mine, &mut partition);
    }

    pub fn barrier() {
        comm().barrier();
    }

    pub fn abort(code: i32) -> ! {
        comm().abort(code)
    }

    pub fn rank_size() -> (usize, usize) {
        let c = comm();
        (c.rank() as usize, c.size() as usize)
    }
}

#[cfg(not(feature = "mpi"))]
mod imp {
    //! One process: nothing to exchange. The loops never call these with
    //! more than one rank.

    pub fn all_gather(mine: &[u8], _size: usize) -> Vec<u8> {
        mine.to_vec()
    }

    pub fn all_gather_var(mine: &[u8], _counts: &[usize]) -> Vec<u8> {
        mine.to_vec()
    }

    pub fn all_gather_var_into(_: &[u8], _: &mut [u8], _: &[usize], _: &[usize]) {}

    pub fn barrier() {}

    pub fn abort(code: i32) -> ! {
        std::process::exit(code)
    }
}

pub(crate) use imp::*;
