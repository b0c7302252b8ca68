//! The driver of a `distributed` loop: this rank's block of the
//! iterations on its own team, the partial values of every rank to every
//! rank, combined there in one fixed order, and the written elements
//! exchanged.
//!
//! # Blocks
//!
//! Rank `r` of `n` runs the `r`-th of `n` contiguous blocks of the
//! iteration numbers, balanced (the first `len % n` one longer). Under
//! `deterministic` the blocks are whole leaves of the fixed reduction tree
//! (balanced in leaves): each rank reduces the largest subtrees of the
//! global tree inside its block, each exactly as one process would, and
//! every rank combines all ranks' subtrees in the same tree. The result is
//! the bits one process gets, for any number of ranks and threads.
//!
//! # What crosses
//!
//! One collective gathers every rank's header (the loop's place in the
//! source, its trip count, its sequence number) and, when short, its
//! partial values; longer values follow in a second one. Every rank
//! checks the headers, so ranks that disagree on the loop panic together
//! rather than exchange garbage. Every rank then combines the same bytes in
//! the same order: the result is bit-identical on every rank, which a
//! reduction inside MPI need not be. Written elements are gathered to
//! every rank the same way, two collectives per array.

use std::panic::Location;
use std::sync::atomic::{AtomicU64, Ordering};

use super::comm;
use super::wire::Wire;
use crate::drive::{LoopInfo, for_range_info};
use crate::schedule::Config;
use crate::seq::Iterations;
use crate::split::{Parts, SplitIndex};

/// Header bytes of every rank's record: place (hash, line, column), trip
/// count, sequence number, payload length.
const HEADER: usize = 8 + 4 + 4 + 8 + 8 + 8;
/// Payloads up to this long travel inside the first collective.
const INLINE: usize = 128 - HEADER;

/// Distributed loops run so far by this process (on its MPI thread).
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// The blocks of one distributed loop, and this rank's place among them;
/// what the written arrays' exchanges after the loop need.
///
/// # Examples
///
/// ```
/// use parallel_runtime::distributed::{for_range_distributed, Shares};
/// use parallel_runtime::{Config, ElemHandle, LoopInfo, Seq};
///
/// // One process: the loop runs whole and nothing is exchanged.
/// let seq = Seq::range(0usize, 100);
/// let mut y = vec![0u32; 100];
/// let (sum, shares): (Option<u32>, Shares) = for_range_distributed(
///     &Config::DEFAULT, &LoopInfo::DEFAULT, &seq, (ElemHandle::new(&mut y),),
///     || 0u32, |a, b| a + b,
///     |lo, hi, (mut y,), mut acc| {
///         for i in lo..hi { y[i] = 1; acc += 1; }
///         acc
///     },
///     |acc| acc, |p, out| p.put(out), |input| <u32 as parallel_runtime::distributed::Wire>::take(input),
///     |a, b| a + b,
/// );
/// shares.exchange_elems(&mut y, &seq);
/// assert_eq!((sum, y.iter().sum::<u32>()), (Some(100), 100));
/// # use parallel_runtime::distributed::Wire;
/// ```
#[derive(Debug)]
pub struct Shares {
    /// `None`: one process, nothing to exchange.
    split: Option<Split>,
    site: &'static Location<'static>,
}

#[derive(Clone, Copy, Debug)]
struct Split {
    rank: usize,
    size: usize,
    len: usize,
    /// `deterministic`: the leaf size of the fixed tree.
    leaf: Option<usize>,
}

/// Block `r` of `len` things cut into `n` balanced blocks.
fn balanced(len: usize, n: usize, r: usize) -> (usize, usize) {
    let (q, rem) = (len / n, len % n);
    let lo = r * q + r.min(rem);
    (lo, lo + q + usize::from(r < rem))
}

/// The largest subtrees of the fixed tree over leaves `a..b` (split at
/// `a + (b - a) / 2`, as the driver's `fixed_tree`) inside `ra..rb`, in
/// order.
fn subtrees(a: usize, b: usize, ra: usize, rb: usize, out: &mut Vec<(usize, usize)>) {
    if a >= b || rb <= a || b <= ra {
        return;
    }
    if ra <= a && b <= rb {
        out.push((a, b));
        return;
    }
    let mid = a + (b - a) / 2;
    subtrees(a, mid, ra, rb, out);
    subtrees(mid, b, ra, rb, out);
}

impl Split {
    /// Rank `r`'s iterations.
    fn block(&self, r: usize) -> (usize, usize) {
        match self.leaf {
            None => balanced(self.len, self.size, r),
            Some(leaf) => {
                let (a, b) = balanced(self.len.div_ceil(leaf), self.size, r);
                ((a * leaf).min(self.len), (b * leaf).min(self.len))
            }
        }
    }

    /// Rank `r`'s pieces, whose values travel: its block, or under
    /// `deterministic` its subtrees (in leaves).
    fn pieces(&self, r: usize) -> Vec<(usize, usize)> {
        match self.leaf {
            None => vec![self.block(r)],
            Some(leaf) => {
                let leaves = self.len.div_ceil(leaf);
                let (ra, rb) = balanced(leaves, self.size, r);
                let mut out = Vec::new();
                subtrees(0, leaves, ra, rb, &mut out);
                out
            }
        }
    }

    /// A piece's iterations.
    fn iterations(&self, piece: (usize, usize)) -> (usize, usize) {
        match self.leaf {
            None => piece,
            Some(leaf) => (
                (piece.0 * leaf).min(self.len),
                (piece.1 * leaf).min(self.len),
            ),
        }
    }
}

/// The iterations `lo..lo + len` of `seq`, numbered from 0.
struct Offset<'a, S> {
    seq: &'a S,
    lo: usize,
    len: usize,
}

// SAFETY: `index` is `seq.index` on the consecutive iteration numbers
// `lo..lo + len`, so strictly monotone wherever `seq`'s is; `check_indices`
// checks the whole of `seq`, more than this part needs.
unsafe impl<S: Iterations> Iterations for Offset<'_, S> {
    fn len(&self) -> usize {
        self.len
    }
    #[track_caller]
    fn check_indices(&self) {
        self.seq.check_indices();
    }
    #[inline(always)]
    fn index(&self, t: usize) -> usize {
        self.seq.index(self.lo + t)
    }
}

/// A loop's handles lent to one of the runs over the pieces of a rank's
/// block.
struct Lent<'a, P>(&'a P);

// SAFETY: `Lent` exists only inside `for_range_distributed`, which lends
// one `P` to runs over disjoint ranges of iteration numbers of one
// sequence (the pieces of this rank's block), one run at a time, each
// through an `Offset` of that sequence. A run hands out windows for
// disjoint chunks of its range (`Parts`' contract, kept by the driver),
// and the index intervals of disjoint ranges of a strictly monotone
// sequence are disjoint: so all windows alive at once, from any of the
// runs, are for disjoint intervals, which is what `P` needs.
unsafe impl<P: Parts> Parts for Lent<'_, P> {
    type Windows = P::Windows;
    #[inline(always)]
    unsafe fn windows(&self, lo: usize, hi: usize) -> P::Windows {
        // SAFETY: our caller's promise, forwarded (see the impl).
        unsafe { self.0.windows(lo, hi) }
    }
    const IS_EMPTY: bool = P::IS_EMPTY;
}

/// Runs a `distributed` loop: what `#[parallel_for(distributed, ..)]`
/// calls. With several MPI ranks, this rank runs its block of the
/// iterations with [`for_range_info`] on its own team; `project` keeps of
/// each result what crosses ranks, `put` and `take` write and read it,
/// and every rank combines every rank's values with `wcombine`, in the
/// loop's order (under `deterministic`, in the fixed tree). With one
/// process (no `mpi` feature, no [`init`](super::init), one rank) the loop
/// runs whole, and the result is `project`ed.
///
/// Returns the combined value (`None`: no iteration produced one) and the
/// [`Shares`] for the exchanges of the arrays the loop wrote.
///
/// # Panics
///
/// Inside another parallel loop; on a thread other than the one that
/// called [`init`](super::init); after its guard was dropped; when the
/// ranks disagree on the loop (another loop, another trip count).
///
/// # Examples
///
/// See [`Shares`].
#[track_caller]
#[allow(clippy::too_many_arguments)] // the loop's closures, as `for_range_info` takes them
pub fn for_range_distributed<S, P, R, I, C, B, W, J, E, D, K>(
    cfg: &Config,
    info: &LoopInfo,
    seq: &S,
    parts: P,
    init: I,
    combine: C,
    body: B,
    project: J,
    put: E,
    take: D,
    wcombine: K,
) -> (Option<W>, Shares)
where
    S: Iterations,
    P: Parts,
    R: Send,
    I: Fn() -> R + Sync,
    C: Fn(R, R) -> R + Sync,
    B: Fn(usize, usize, P::Windows, R) -> R + Sync,
    J: Fn(R) -> W,
    E: Fn(&W, &mut Vec<u8>),
    D: Fn(&mut &[u8]) -> W,
    K: Fn(W, W) -> W,
{
    let site = Location::caller();
    let split = match super::ranks(site) {
        None => {
            let out = for_range_info(cfg, info, seq, parts, init, combine, body);
            return (out.map(project), Shares { split: None, site });
        }
        Some((rank, size)) => Split {
            rank,
            size,
            len: seq.len(),
            leaf: cfg
                .deterministic
                .then(|| cfg.min_len.unwrap_or(1).max(crate::DETERMINISTIC_LEAF)),
        },
    };
    let mut mine = Vec::new();
    for piece in split.pieces(split.rank) {
        let (lo, hi) = split.iterations(piece);
        let value = if lo < hi {
            let part = Offset {
                seq,
                lo,
                len: hi - lo,
            };
            for_range_info(
                cfg,
                info,
                &part,
                Lent(&parts),
                &init,
                &combine,
                |a, b, w, acc| body(a + lo, b + lo, w, acc),
            )
            .map(&project)
        } else {
            None
        };
        match &value {
            None => mine.push(0),
            Some(v) => {
                mine.push(1);
                put(v, &mut mine);
            }
        }
    }
    drop(parts);
    let shares = Shares {
        split: Some(split),
        site,
    };
    let all = shares.gather(mine);
    let out = shares.combine(&all, take, wcombine);
    (out, shares)
}

impl Shares {
    /// Every rank's values, read from its bytes `all[r]` by `take`,
    /// combined in the loop's order (under `deterministic`, in the fixed
    /// tree): the same bytes and the same order on every rank.
    fn combine<W>(
        &self,
        all: &[Vec<u8>],
        take: impl Fn(&mut &[u8]) -> W,
        wcombine: impl Fn(W, W) -> W,
    ) -> Option<W> {
        let split = self.split();
        let mut values = Vec::new();
        for (r, bytes) in all.iter().enumerate() {
            let mut input = &bytes[..];
            for piece in split.pieces(r) {
                let value = match input.split_first() {
                    Some((0, rest)) => {
                        input = rest;
                        None
                    }
                    Some((_, rest)) => {
                        input = rest;
                        Some(take(&mut input))
                    }
                    None => self.disagree("a rank sent fewer values than its pieces"),
                };
                values.push((piece, value));
            }
            if !input.is_empty() {
                self.disagree("a rank sent more values than its pieces");
            }
        }
        match split.leaf {
            None => values
                .into_iter()
                .map(|(_, v)| v)
                .reduce(|a, b| merge(a, b, &wcombine))
                .flatten(),
            Some(leaf) => {
                let leaves = split.len.div_ceil(leaf);
                tree(0, leaves, &mut values.into_iter().peekable(), &wcombine)
            }
        }
    }
}

/// Two partial values, left first; `None` is the identity.
fn merge<W>(a: Option<W>, b: Option<W>, combine: &impl Fn(W, W) -> W) -> Option<W> {
    match (a, b) {
        (Some(a), Some(b)) => Some(combine(a, b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// The fixed tree over leaves `a..b` from the ranks' subtrees, which come
/// in order and cover the leaves.
fn tree<W>(
    a: usize,
    b: usize,
    pieces: &mut std::iter::Peekable<impl Iterator<Item = ((usize, usize), Option<W>)>>,
    combine: &impl Fn(W, W) -> W,
) -> Option<W> {
    if a >= b {
        return None;
    }
    if let Some(((pa, pb), _)) = pieces.peek()
        && (*pa, *pb) == (a, b)
    {
        return pieces.next().and_then(|(_, v)| v);
    }
    if b - a == 1 {
        // Every leaf lies in some rank's subtrees (see `subtrees`).
        unreachable!("leaf {a} is in no rank's subtree");
    }
    let mid = a + (b - a) / 2;
    let x = tree(a, mid, pieces, combine);
    let y = tree(mid, b, pieces, combine);
    merge(x, y, combine)
}

/// What one rank's header says.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Header {
    place: (u64, u32, u32),
    len: u64,
    sequence: u64,
    payload: u64,
}

impl Header {
    fn put(&self, out: &mut Vec<u8>) {
        (self.place, self.len, self.sequence, self.payload).put(out);
    }
    fn take(input: &mut &[u8]) -> Header {
        let (place, len, sequence, payload) = Wire::take(input);
        Header {
            place,
            len,
            sequence,
            payload,
        }
    }
}

/// A hash of the loop's place in the source (FNV-1a), the same in every
/// rank of one binary.
fn place(site: &Location<'_>) -> (u64, u32, u32) {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in site.file().bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    (h, site.line(), site.column())
}

impl Shares {
    fn split(&self) -> Split {
        self.split.expect("a distributed split")
    }

    /// Every rank's `mine`, in rank order, after a check that the ranks
    /// run the same loop.
    fn gather(&self, mine: Vec<u8>) -> Vec<Vec<u8>> {
        let split = self.split();
        let header = Header {
            place: place(self.site),
            len: split.len as u64,
            sequence: SEQUENCE.fetch_add(1, Ordering::Relaxed),
            payload: mine.len() as u64,
        };
        let mut record = Vec::with_capacity(HEADER + INLINE);
        header.put(&mut record);
        if mine.len() <= INLINE {
            record.extend_from_slice(&mine);
        }
        record.resize(HEADER + INLINE, 0);
        let all = comm::all_gather(&record, split.size);
        let headers: Vec<Header> = all
            .chunks(HEADER + INLINE)
            .map(|mut r| Header::take(&mut r))
            .collect();
        self.check(&headers);
        let lens: Vec<usize> = headers.iter().map(|h| h.payload as usize).collect();
        if lens.iter().all(|&n| n <= INLINE) {
            return all
                .chunks(HEADER + INLINE)
                .zip(&lens)
                .map(|(r, &n)| r[HEADER..HEADER + n].to_vec())
                .collect();
        }
        split_by(&comm::all_gather_var(&mine, &lens), &lens)
    }

    /// Panics, on every rank alike, unless every rank runs this loop.
    fn check(&self, headers: &[Header]) {
        let me = headers[self.split().rank];
        for (r, h) in headers.iter().enumerate() {
            if h.place != me.place {
                self.disagree(&format!(
                    "rank {r} is at another distributed loop (line {}, column {}) at the same time: every rank must run the same distributed loops in the same order",
                    h.place.1, h.place.2
                ));
            }
            if h.len != me.len {
                let lens: Vec<String> = headers
                    .iter()
                    .enumerate()
                    .map(|(r, h)| format!("rank {r}: {}", h.len))
                    .collect();
                self.disagree(&format!(
                    "the ranks count different numbers of iterations ({}): the loop's bounds must be the same on every rank",
                    lens.join(", ")
                ));
            }
            if h.sequence != me.sequence {
                self.disagree(&format!(
                    "rank {r} has run {} distributed loops before this one, rank {} {}: every rank must run the same distributed loops in the same order",
                    h.sequence,
                    self.split().rank,
                    me.sequence
                ));
            }
        }
    }

    #[cold]
    #[track_caller]
    fn disagree(&self, what: &str) -> ! {
        panic!("the distributed loop at {}: {what}", self.site)
    }

    /// `chunks` gathered from every rank: two collectives, the lengths,
    /// then the bytes.
    fn gather_var(&self, mine: &[u8]) -> Vec<Vec<u8>> {
        let split = self.split();
        let mut len = Vec::new();
        (mine.len() as u64).put(&mut len);
        let lens: Vec<usize> = comm::all_gather(&len, split.size)
            .chunks(8)
            .map(|mut c| u64::take(&mut c) as usize)
            .collect();
        split_by(&comm::all_gather_var(mine, &lens), &lens)
    }

    /// After a loop that writes `array[i]` (`y[i] = ..`): the elements
    /// that every other rank's iterations own, from that rank. Nothing
    /// with one process.
    ///
    /// # Examples
    ///
    /// See [`Shares`].
    #[track_caller]
    pub fn exchange_elems<A, S>(&self, array: &mut A, seq: &S)
    where
        A: SplitIndex + ?Sized,
        A::Elem: Wire,
        S: Iterations,
    {
        self.exchange(
            array,
            seq,
            1,
            Wire::put_slice,
            Wire::take_slice,
            Wire::raw_bytes,
        );
    }

    /// After a loop that writes `c[i * stride + j]`: the rows of `stride`
    /// elements that every other rank's iterations own, from that rank.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::distributed::{for_range_distributed, Wire};
    /// use parallel_runtime::{Config, LoopInfo, RowHandle, Seq};
    ///
    /// let seq = Seq::range(0usize, 3);
    /// let mut c = vec![0u8; 6];
    /// let (_, shares) = for_range_distributed(
    ///     &Config::DEFAULT, &LoopInfo::DEFAULT, &seq, (RowHandle::new(&mut c, 2),),
    ///     || (), |(), ()| (),
    ///     |lo, hi, (mut c,), ()| for i in lo..hi { c.row(i)[1] = 1; },
    ///     |()| (), |(), _| {}, |_| (), |(), ()| (),
    /// );
    /// shares.exchange_rows(&mut c, 2, &seq);
    /// assert_eq!(c, [0, 1, 0, 1, 0, 1]);
    /// ```
    #[track_caller]
    pub fn exchange_rows<A, S>(&self, array: &mut A, stride: usize, seq: &S)
    where
        A: SplitIndex + ?Sized,
        A::Elem: Wire,
        S: Iterations,
    {
        self.exchange(
            array,
            seq,
            stride,
            Wire::put_slice,
            Wire::take_slice,
            Wire::raw_bytes,
        );
    }

    /// After a loop that writes fields of `array[i]` (`p[i].v = ..`), or
    /// of the elements of row `i` when `stride > 1`: those fields, written
    /// by `put` and read by `take`, of the elements every other rank's
    /// iterations own.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::distributed::{for_range_distributed, Wire};
    /// use parallel_runtime::{Config, ElemHandle, LoopInfo, Seq};
    ///
    /// let seq = Seq::range(0usize, 2);
    /// let mut p = vec![(0.5f32, 0u8); 2];
    /// let (_, shares) = for_range_distributed(
    ///     &Config::DEFAULT, &LoopInfo::DEFAULT, &seq, (ElemHandle::new(&mut p),),
    ///     || (), |(), ()| (),
    ///     |lo, hi, (mut p,), ()| for i in lo..hi { p[i].1 = 1; },
    ///     |()| (), |(), _| {}, |_| (), |(), ()| (),
    /// );
    /// shares.exchange_fields(&mut p, 1, &seq, |e, out| e.1.put(out), |e, input| e.1.take_into(input));
    /// assert_eq!(p, [(0.5, 1), (0.5, 1)]);
    /// ```
    #[track_caller]
    pub fn exchange_fields<A, S, E, D>(
        &self,
        array: &mut A,
        stride: usize,
        seq: &S,
        put: E,
        take: D,
    ) where
        A: SplitIndex + ?Sized,
        S: Iterations,
        E: Fn(&A::Elem, &mut Vec<u8>),
        D: Fn(&mut A::Elem, &mut &[u8]),
    {
        self.exchange(
            array,
            seq,
            stride,
            |run, out| run.iter().for_each(|e| put(e, out)),
            |run, input| run.iter_mut().for_each(|e| take(e, input)),
            |_| None,
        );
    }

    /// After a `collapse(2)` loop that writes `grid[i][j]` of a nested
    /// container: the elements every other rank's iterations own (the
    /// element of position `p` is `grid[p / width][p % width]`).
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::distributed::for_range_distributed;
    /// use parallel_runtime::{Config, Flat2, LoopInfo, NestedExt, Seq};
    ///
    /// let mut grid = vec![vec![0u8; 3]; 2];
    /// let seq = Flat2::new(Seq::range(0usize, 2), Seq::range(0usize, 3), 3);
    /// let mut rows = grid.__parallel_nested_rows();
    /// let (_, shares) = for_range_distributed(
    ///     &Config::DEFAULT, &LoopInfo::DEFAULT, &seq, (rows.handle(3),),
    ///     || (), |(), ()| (),
    ///     |lo, hi, (mut g,), ()| for t in lo..hi { let (i, j) = seq.at(t); *g.at(i, j) = 1; },
    ///     |()| (), |(), _| {}, |_| (), |(), ()| (),
    /// );
    /// shares.exchange_nested(&mut rows, 3, &seq);
    /// drop(rows);
    /// assert_eq!(grid, [[1; 3]; 2]);
    /// ```
    #[track_caller]
    pub fn exchange_nested<T: Wire, S: Iterations>(
        &self,
        rows: &mut crate::NestedRows<'_, T>,
        width: usize,
        seq: &S,
    ) {
        let Some(split) = self.split else { return };
        let at = |t: usize| {
            let p = seq.index(t);
            (
                p.checked_div(width).unwrap_or(0),
                p.checked_rem(width).unwrap_or(p),
            )
        };
        let mut mine = Vec::new();
        let (lo, hi) = split.block(split.rank);
        for t in lo..hi {
            let (i, j) = at(t);
            if let Some(e) = rows.get_mut(i, j) {
                e.put(&mut mine);
            }
        }
        let all = self.gather_var(&mine);
        for (r, bytes) in all.iter().enumerate() {
            if r == split.rank {
                continue;
            }
            let mut input = &bytes[..];
            let (lo, hi) = split.block(r);
            for t in lo..hi {
                let (i, j) = at(t);
                if let Some(e) = rows.get_mut(i, j) {
                    e.take_into(&mut input);
                }
            }
            if !input.is_empty() {
                self.disagree("a rank sent more written elements than its iterations own");
            }
        }
    }

    /// The exchange of units of `stride` elements (`stride == 1`: single
    /// elements, else rows): each rank sends the units its block owns, in
    /// ascending runs, and reads every other rank's into place.
    #[track_caller]
    #[allow(clippy::too_many_arguments)]
    fn exchange<A, S, E, D>(
        &self,
        array: &mut A,
        seq: &S,
        stride: usize,
        put: E,
        take: D,
        raw: fn(&mut [A::Elem]) -> Option<&mut [u8]>,
    ) where
        A: SplitIndex + ?Sized,
        S: Iterations,
        E: Fn(&[A::Elem], &mut Vec<u8>),
        D: Fn(&mut [A::Elem], &mut &[u8]),
    {
        let Some(split) = self.split else { return };
        let elems = as_slice(array);
        if let Some(()) = self.exchange_in_place(elems, seq, stride, raw) {
            return;
        }
        let mut mine = Vec::new();
        for run in runs(seq, split.block(split.rank), stride, elems.len()) {
            put(&elems[run], &mut mine);
        }
        let all = self.gather_var(&mine);
        for (r, bytes) in all.iter().enumerate() {
            if r == split.rank {
                continue;
            }
            let mut input = &bytes[..];
            for run in runs(seq, split.block(r), stride, elems.len()) {
                take(&mut elems[run], &mut input);
            }
            if !input.is_empty() {
                self.disagree("a rank sent more written elements than its iterations own");
            }
        }
    }
}

impl Shares {
    /// The exchange of numbers whose ranks' units are one run each (a loop
    /// over a range by steps of one): one collective that moves every
    /// rank's run straight into its place in every rank's array. `None`
    /// when the elements are not numbers or the runs are not single.
    fn exchange_in_place<T, S: Iterations>(
        &self,
        elems: &mut [T],
        seq: &S,
        stride: usize,
        raw: fn(&mut [T]) -> Option<&mut [u8]>,
    ) -> Option<()> {
        let split = self.split();
        let mut units = Vec::with_capacity(split.size);
        for r in 0..split.size {
            match runs(seq, split.block(r), stride, elems.len()).as_slice() {
                [] => units.push(0..0),
                [run] => units.push(run.clone()),
                _ => return None,
            }
        }
        let width = size_of::<T>();
        let bytes = raw(elems)?;
        let counts: Vec<usize> = units.iter().map(|u| u.len() * width).collect();
        let displs: Vec<usize> = units.iter().map(|u| u.start * width).collect();
        let me = split.rank;
        let mine = bytes[displs[me]..displs[me] + counts[me]].to_vec();
        comm::all_gather_var_into(&mine, bytes, &counts, &displs);
        Some(())
    }
}

/// The array behind a split handle's type, as a slice.
fn as_slice<A: SplitIndex + ?Sized>(array: &mut A) -> &mut [A::Elem] {
    let (ptr, len) = array.split_parts();
    // SAFETY: `SplitIndex` promises `len` initialized elements at `ptr`,
    // valid for reads and writes and reached by nothing else while `array`
    // is mutably borrowed, which the returned slice's lifetime keeps.
    unsafe { core::slice::from_raw_parts_mut(ptr, len) }
}

/// The element ranges the iterations `lo..hi` of `seq` own, units of
/// `stride` elements at `index * stride`, clamped to `len` elements, in
/// ascending order, consecutive ones joined.
fn runs<S: Iterations>(
    seq: &S,
    (lo, hi): (usize, usize),
    stride: usize,
    len: usize,
) -> Vec<std::ops::Range<usize>> {
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    if lo >= hi {
        return out;
    }
    let (first, last) = (seq.index(lo), seq.index(hi - 1));
    let (min, max) = (first.min(last), first.max(last));
    if max - min == hi - lo - 1 {
        // Strictly monotone and as many values as the span holds: the
        // indices are consecutive, one run.
        let start = min.saturating_mul(stride).min(len);
        let end = max.saturating_mul(stride).saturating_add(stride).min(len);
        if start < end {
            out.push(start..end);
        }
        return out;
    }
    let descending = first > last;
    let mut add = |t: usize| {
        let start = seq.index(t).saturating_mul(stride).min(len);
        let end = start.saturating_add(stride).min(len);
        match out.last_mut() {
            Some(last) if last.end == start => last.end = end,
            _ if start == end => {}
            _ => out.push(start..end),
        }
    };
    if descending {
        (lo..hi).rev().for_each(&mut add);
    } else {
        (lo..hi).for_each(&mut add);
    }
    out
}

/// `bytes` cut into consecutive pieces of `lens`.
fn split_by(bytes: &[u8], lens: &[usize]) -> Vec<Vec<u8>> {
    let mut at = 0;
    lens.iter()
        .map(|&n| {
            let piece = bytes[at..at + n].to_vec();
            at += n;
            piece
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seq::Seq;

    #[test]
    fn blocks_are_balanced_and_cover_the_loop() {
        for len in [0, 1, 2, 5, 7, 100] {
            for n in 1..5 {
                let mut next = 0;
                for r in 0..n {
                    let (lo, hi) = balanced(len, n, r);
                    assert_eq!(lo, next);
                    assert!(hi - lo == len / n || hi - lo == len / n + 1);
                    next = hi;
                }
                assert_eq!(next, len);
            }
        }
        assert_eq!(balanced(7, 3, 0), (0, 3));
        assert_eq!(balanced(7, 3, 2), (5, 7));
    }

    /// The ranks' subtrees cover the leaves once each, in order, and each
    /// is a node of the fixed tree.
    #[test]
    fn subtrees_tile_the_tree() {
        fn nodes(a: usize, b: usize, out: &mut Vec<(usize, usize)>) {
            if a >= b {
                return;
            }
            out.push((a, b));
            if b - a > 1 {
                let mid = a + (b - a) / 2;
                nodes(a, mid, out);
                nodes(mid, b, out);
            }
        }
        for leaves in [1, 2, 3, 7, 16, 33] {
            let mut all = Vec::new();
            nodes(0, leaves, &mut all);
            for n in 1..6 {
                let split = Split {
                    rank: 0,
                    size: n,
                    len: leaves * 10 - 3,
                    leaf: Some(10),
                };
                let mut next = 0;
                for r in 0..n {
                    for (a, b) in split.pieces(r) {
                        assert_eq!(a, next);
                        assert!(all.contains(&(a, b)), "{a}..{b} is no node");
                        next = b;
                    }
                }
                assert_eq!(next, leaves);
            }
        }
    }

    /// The tree rebuilt from any ranks' subtrees is the whole tree's.
    #[test]
    fn the_tree_of_the_pieces_is_the_tree_of_the_leaves() {
        fn whole(a: usize, b: usize) -> String {
            if b - a == 1 {
                return a.to_string();
            }
            let mid = a + (b - a) / 2;
            format!("({} {})", whole(a, mid), whole(mid, b))
        }
        let leaves = 13;
        for n in 1..6 {
            let split = Split {
                rank: 0,
                size: n,
                len: leaves,
                leaf: Some(1),
            };
            let mut pieces = Vec::new();
            for r in 0..n {
                for (a, b) in split.pieces(r) {
                    pieces.push(((a, b), Some(whole(a, b))));
                }
            }
            let combined = tree(
                0,
                leaves,
                &mut pieces.into_iter().peekable(),
                &|x: String, y: String| format!("({x} {y})"),
            );
            assert_eq!(combined, Some(whole(0, leaves)), "{n} ranks");
        }
    }

    #[test]
    #[allow(clippy::single_range_in_vec_init)] // lists of runs, one run long
    fn runs_join_consecutive_units() {
        let seq = Seq::range(0usize, 10);
        assert_eq!(runs(&seq, (2, 6), 1, 10), [2..6]);
        assert_eq!(runs(&seq, (2, 6), 3, 20), [6..18]);
        assert_eq!(runs(&seq, (8, 10), 3, 26), [24..26]);
        let odd = Seq::range(1usize, 10).step_by(2);
        assert_eq!(runs(&odd, (0, 3), 1, 100), [1..2, 3..4, 5..6]);
        let down = Seq::range(0usize, 10).rev();
        assert_eq!(runs(&down, (0, 4), 1, 10), [6..10]);
        assert_eq!(runs(&seq, (3, 3), 1, 10), []);
        // Past the end of the array: nothing.
        assert_eq!(runs(&seq, (8, 10), 1, 9), [8..9]);
    }

    /// `as_slice` (the `unsafe` cast) over the split types.
    #[test]
    fn as_slice_views_the_array() {
        let mut v = vec![1, 2, 3];
        as_slice(&mut v)[1] = 5;
        let mut a = [0u8; 2];
        as_slice(&mut a)[0] = 1;
        let s: &mut [u8] = &mut [7, 8];
        as_slice(s)[1] = 9;
        assert_eq!((v, a), (vec![1, 5, 3], [1, 0]));
        assert_eq!(as_slice(&mut Vec::<u8>::new()).len(), 0);
    }

    /// `Offset` (an `unsafe impl`) numbers a part of a sequence from 0,
    /// and `Lent` (another) hands out the lender's windows: runs over the
    /// disjoint parts of one sequence write disjoint elements.
    #[test]
    fn parts_of_a_loop_run_through_lent_handles() {
        let seq = Seq::range(10usize, 30).step_by(2).rev();
        let part = Offset {
            seq: &seq,
            lo: 3,
            len: 4,
        };
        assert_eq!(Iterations::len(&part), 4);
        assert_eq!((part.index(0), part.index(3)), (22, 16));
        part.check_indices();
        let mut y = vec![0usize; 30];
        let handle = (crate::ElemHandle::new(&mut y),);
        for (lo, hi) in [(0, 3), (3, 7), (7, 10)] {
            let part = Offset {
                seq: &seq,
                lo,
                len: hi - lo,
            };
            crate::for_range(
                &Config::DEFAULT,
                &part,
                Lent(&handle),
                |(), ()| (),
                |a, b, (mut w,)| {
                    for t in a..b {
                        let i = part.index(t);
                        w[i] = lo + t;
                    }
                },
            );
        }
        let want: Vec<usize> = (0..30)
            .map(|i| {
                if i >= 10 && i % 2 == 0 {
                    (28 - i) / 2
                } else {
                    0
                }
            })
            .collect();
        assert_eq!(y, want);
    }

    #[test]
    fn headers_round_trip() {
        let h = Header {
            place: place(Location::caller()),
            len: 10,
            sequence: 3,
            payload: 9,
        };
        let mut out = Vec::new();
        h.put(&mut out);
        assert_eq!(out.len(), HEADER);
        assert_eq!(Header::take(&mut &out[..]), h);
    }
}
