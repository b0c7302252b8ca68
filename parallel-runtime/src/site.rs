//! Loop sites: what the last runs of each annotated loop measured. The
//! driver asks its site whether helpers are worth posting, and how long to
//! spin at the join; `PARALLEL_REPORT=1` prints one line per site at exit.
//!
//! A site is the `file:line:column` of the call to the driver (the loop,
//! once the macro spans its call there), kept in a fixed table: looked up
//! without a lock or an allocation, about a hash and two loads per loop.
//!
//! **Team or solo.** A loop whose helpers do not make it faster runs
//! *solo*: the caller runs every chunk as the member it belongs to, and no
//! helper is posted or woken. Each team run compares its wall time with
//! what the caller alone would have taken (its own time per iteration in
//! that run, or the time of earlier solo runs), both as moving averages of
//! nanoseconds per iteration that fall fast and rise slowly (weights 1/4
//! and 1/32), so one run slowed by the host moves them little. While the
//! team does not pay (its average is above 90% of the solo one), the site
//! runs solo for 2, 4, 8, ... up to 65 536 calls (and at most about a
//! second), then tries the team again; one team run well under the solo
//! time (70%) puts it back to team at once. A team run whose helper had to
//! be woken judges nothing (the next call is a team run with the helper
//! awake). Until a solo run was measured, the solo time is estimated from
//! the caller's own pace in team runs; an estimated gain under 40% earns
//! one solo run to measure it. Loops longer than 2 ms alone always run as
//! a team: there a helper that is not running costs at most the unit it
//! holds, and a solo run would cost half the speed. One loop may be called
//! with 2 iterations and with 2,000: a call whose helper share is worth
//! more than four times what a long call's team run has cost beyond its
//! work at this site, or that would save more than 10 µs while an idle
//! helper is awake, runs as a team even while the site is solo for its
//! short calls (and one in 16 of those saving 10 µs do anyway, to keep
//! that cost measured). A static loop's units take about 16 µs alone. On
//! a shared machine this is what keeps a stream of short loops from
//! waiting, call after call, for a helper the scheduler does not run.

use std::panic::Location;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU8, AtomicU32, AtomicU64, AtomicUsize};
use std::time::Duration;

use crate::schedule::Schedule;

/// How many sites the table holds; more share one overflow site.
const SITES: usize = 1024;

/// Longest run of solo calls between two team trials: 2^this, and at most
/// about [`MAX_SOLO_NS`] of them.
const MAX_STRIKES: u32 = 16;
const MAX_SOLO_NS: f64 = 1e9;

/// Team runs in a trial: a site judges its team by the last of them,
/// once the helper has been running (a helper just woken, moved off its
/// caller's CPU or with cold caches makes the first runs of a team slower
/// than it is).
const TRIAL: u32 = 8;

/// Loops that take longer than this alone never run solo.
const LONG_NS: f64 = 2e6;

/// About how long a static loop's unit of work takes alone, ns.
const UNIT_NS: f64 = 16e3;

/// Calls of a solo site that would save more than this with helpers are
/// run as a team once in 16 (see [`Site::solo_now`]).
const PROBE_NS: f64 = 10e3;

/// A loop site.
pub(crate) struct Site {
    /// `line << 32 | column`, 0 while free.
    key: AtomicU64,
    /// Set once `file` is written.
    ready: AtomicBool,
    file: AtomicPtr<u8>,
    file_len: AtomicUsize,
    /// The directive text the macro passed, if any.
    directive: AtomicPtr<u8>,
    directive_len: AtomicUsize,

    // Decisions.
    solo_left: AtomicU32,
    strikes: AtomicU32,
    /// Team runs left before the next judgement (a trial's warm-up).
    trial_left: AtomicU32,
    /// A helper was woken for this loop and is not judged yet.
    warming: AtomicBool,
    /// Moving averages, ns per iteration as `f64` bits; 0 = none yet.
    team_cost: AtomicU64,
    solo_cost: AtomicU64,
    est_cost: AtomicU64,
    /// What a team run costs beyond its share of the work, ns (`f64`
    /// bits; 0 = not measured): the wall time less the solo time per
    /// iteration times the iterations per member.
    over_ns: AtomicU64,
    /// Typical wait at the join, ns.
    wait_ns: AtomicU64,

    // The report (counted only with `PARALLEL_REPORT`).
    calls: AtomicU64,
    inline: AtomicU64,
    solo: AtomicU64,
    chunks: AtomicU64,
    total_ns: AtomicU64,
    busy_max_ns: AtomicU64,
    busy_mean_ns: AtomicU64,
    team: AtomicUsize,
    schedule: AtomicU8,
    chunk: AtomicUsize,
    /// 0: no kernel seen; else `SimdLevel as u8 + 1`.
    vector: AtomicU8,
}

impl Site {
    // A template for the table's repeat: each copy is a site of its own.
    #[allow(clippy::declare_interior_mutable_const)]
    const NEW: Site = Site {
        key: AtomicU64::new(0),
        ready: AtomicBool::new(false),
        file: AtomicPtr::new(core::ptr::null_mut()),
        file_len: AtomicUsize::new(0),
        directive: AtomicPtr::new(core::ptr::null_mut()),
        directive_len: AtomicUsize::new(0),
        solo_left: AtomicU32::new(0),
        strikes: AtomicU32::new(0),
        trial_left: AtomicU32::new(TRIAL),
        warming: AtomicBool::new(false),
        team_cost: AtomicU64::new(0),
        solo_cost: AtomicU64::new(0),
        est_cost: AtomicU64::new(0),
        over_ns: AtomicU64::new(0),
        wait_ns: AtomicU64::new(10_000),
        calls: AtomicU64::new(0),
        inline: AtomicU64::new(0),
        solo: AtomicU64::new(0),
        chunks: AtomicU64::new(0),
        total_ns: AtomicU64::new(0),
        busy_max_ns: AtomicU64::new(0),
        busy_mean_ns: AtomicU64::new(0),
        team: AtomicUsize::new(0),
        schedule: AtomicU8::new(0),
        chunk: AtomicUsize::new(0),
        vector: AtomicU8::new(0),
    };
}

static TABLE: [Site; SITES] = [const { Site::NEW }; SITES];
/// Where sites go once the table is full.
static OVERFLOW: Site = Site::NEW;

/// The site of the loop called at `loc`.
pub(crate) fn lookup(loc: &'static Location<'static>) -> &'static Site {
    let key = (u64::from(loc.line()) << 32) | u64::from(loc.column()) | (1 << 63);
    let file = loc.file();
    let h = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize;
    for probe in 0..SITES {
        let site = &TABLE[(h + probe) % SITES];
        let mut k = site.key.load(Acquire);
        if k == 0 {
            match site.key.compare_exchange(0, key, Acquire, Acquire) {
                Ok(_) => {
                    site.file.store(file.as_ptr().cast_mut(), Relaxed);
                    site.file_len.store(file.len(), Relaxed);
                    site.ready.store(true, Release);
                    return site;
                }
                Err(now) => k = now,
            }
        }
        if k == key {
            while !site.ready.load(Acquire) {
                core::hint::spin_loop();
            }
            if site.file_is(file) {
                return site;
            }
        }
    }
    &OVERFLOW
}

impl Site {
    fn file_is(&self, file: &str) -> bool {
        let (ptr, len) = (self.file.load(Relaxed), self.file_len.load(Relaxed));
        (ptr.cast_const() == file.as_ptr() && len == file.len()) || self.file() == file
    }

    /// The file name (empty for the overflow site).
    fn file(&self) -> &'static str {
        let (ptr, len) = (self.file.load(Relaxed), self.file_len.load(Relaxed));
        if ptr.is_null() {
            return "";
        }
        // SAFETY: `ptr` and `len` are those of a `&'static str` (a
        // `Location`'s file name), written before `ready` was released.
        unsafe { core::str::from_utf8_unchecked(core::slice::from_raw_parts(ptr, len)) }
    }

    /// `file:line`, as the report and the trace name the loop.
    pub(crate) fn name(&self) -> String {
        let key = self.key.load(Relaxed);
        if key == 0 {
            return "(other loops)".to_string();
        }
        format!("{}:{}", self.file(), (key >> 32) & 0x7FFF_FFFF)
    }

    /// Records the directive text the macro passed.
    pub(crate) fn set_directive(&self, text: &'static str) {
        if self.directive_len.load(Relaxed) != text.len() {
            self.directive.store(text.as_ptr().cast_mut(), Relaxed);
            self.directive_len.store(text.len(), Relaxed);
        }
    }

    fn directive(&self) -> &'static str {
        let (ptr, len) = (
            self.directive.load(Relaxed),
            self.directive_len.load(Relaxed),
        );
        if ptr.is_null() || len == 0 {
            return "parallel_for";
        }
        // SAFETY: `ptr` and `len` are those of a `&'static str` written by
        // `set_directive`; a racing reader may pair the pointer of one text
        // with the length of another only if two texts share one site,
        // which the macro never emits (one call per loop).
        unsafe { core::str::from_utf8_unchecked(core::slice::from_raw_parts(ptr, len)) }
    }

    /// Whether this call of `len` iterations on a team of `team` should
    /// run solo (and counts it down): the number of solo calls left after
    /// it, `None` for a team call. One solo call in 16 (left % 16 == 0) is
    /// timed. A site goes solo on the cost per iteration of its calls, but
    /// one loop may be called with 2 iterations and with 2,000: a call
    /// whose share of work a helper would take is worth more than four
    /// times what a team run costs beyond its work here runs as a team
    /// whatever the site decided (on a busy machine that cost grows with
    /// the helpers' delays, so fewer calls qualify). That cost is learned
    /// only from team runs, which a solo site makes rarely: one in 16 of
    /// the calls that would gain more than [`PROBE_NS`] runs as a team
    /// anyway (counted down like a solo call), so that one slow team run
    /// does not keep the long calls solo for good; and such a call runs as
    /// a team whenever an idle helper is awake (after a probe it spins for
    /// the wait policy's time, so a stream of long calls keeps it awake).
    #[inline]
    pub(crate) fn solo_now(&self, len: usize, team: usize) -> Option<u32> {
        let left = self.solo_left.load(Relaxed);
        if left == 0 {
            return None;
        }
        let team_f = team as f64;
        let saved = self.saving_times_team(len, team);
        let over = load_f(&self.over_ns);
        if over > 0.0 && saved > 4.0 * over * team_f {
            return None;
        }
        let long = saved > PROBE_NS * team_f;
        // A helper spinning now costs a long call nothing to post to.
        if long && crate::crew::helper_awake() {
            return None;
        }
        self.solo_left.store(left - 1, Relaxed);
        if left == 1 {
            // The solo run is over: the next team runs are a trial.
            self.trial_left.store(TRIAL, Relaxed);
        }
        if long && left % 16 == 8 {
            return None;
        }
        Some((left - 1) % 16)
    }

    /// The iterations of a static loop's unit here: as many as take about
    /// [`UNIT_NS`] alone, a power of two from 256 to `STATIC_PIECE` (the
    /// latter while nothing is measured). A helper that starts late, woken
    /// or moved, then leaves the caller units it can take instead of one
    /// long unit to wait for.
    #[inline]
    pub(crate) fn static_piece(&self) -> usize {
        let max = crate::drive::STATIC_PIECE;
        let solo = load_f(&self.solo_cost);
        // The common case (cheap iterations, or nothing measured) without
        // a division: this runs on every call.
        if solo * max as f64 <= UNIT_NS {
            return max;
        }
        let fit = (UNIT_NS / solo) as usize;
        (fit.max(256) + 1).next_power_of_two() / 2
    }

    /// The time a call of `len` iterations would save with `team` members
    /// over the caller alone, times `team`, ns (0 when nothing is known, or
    /// alone): compared with a bar times `team`, it needs no division,
    /// which matters on the solo path of every call.
    #[inline]
    fn saving_times_team(&self, len: usize, team: usize) -> f64 {
        load_f(&self.solo_cost) * len as f64 * team.saturating_sub(1) as f64
    }

    /// How long the caller spins (yielding its CPU after the first
    /// microseconds) at the join of a loop of `len` iterations before it
    /// sleeps: four times the typical wait of this loop, within 2..200 µs,
    /// or an eighth of the loop's time, if longer, up to the wait policy's.
    /// A caller that sleeps on a busy machine may wait a scheduler's time
    /// slice, milliseconds, for a CPU once woken; one that yields stays
    /// runnable.
    #[inline]
    pub(crate) fn spin(&self, len: usize) -> Duration {
        let typical = (self.wait_ns.load(Relaxed) * 4).clamp(2_000, 200_000);
        let loop_ns = (load_f(&self.team_cost) * len as f64 / 8.0) as u64;
        let policy = crate::env::wait_policy().as_nanos() as u64;
        Duration::from_nanos(typical.max(loop_ns.min(policy)))
    }

    /// What a team run measured: `len` iterations in `wall_ns`, of which
    /// the caller ran `caller_iters` in `caller_ns`; `waited` at the join;
    /// `woke` when a helper slept at the posting. Such a run's cost beyond
    /// its work is mostly the wake-up, which a helper that lingers after a
    /// team call does not pay: it only lowers `over_ns` (else a site whose
    /// helpers sleep because it is solo for its short calls would judge
    /// its long calls by wake-ups and keep them solo too).
    pub(crate) fn learn_team(
        &self,
        (len, team_size): (usize, usize),
        wall_ns: u64,
        caller_iters: u64,
        caller_ns: u64,
        (waited, woke): (Duration, bool),
    ) {
        self.warming.store(false, Relaxed);
        let waited = waited.as_nanos() as u64;
        if waited < 200_000 {
            ewma(&self.wait_ns, waited, 8);
        }
        let team = wall_ns as f64 / len as f64;
        if caller_iters > 0 {
            ewma_slow_up(&self.est_cost, caller_ns as f64 / caller_iters as f64);
        }
        let solo = match load_f(&self.solo_cost) {
            0.0 => load_f(&self.est_cost),
            s => s,
        };
        // The overhead decides only calls that would save more than
        // `PROBE_NS`, and is learned only from them: a short call's team
        // run, where one helper preempted with its unit costs the caller
        // its whole wait, says little of a long one's.
        if solo > 0.0 && self.saving_times_team(len, team_size) > PROBE_NS * team_size as f64 {
            let share = solo * len as f64 / team_size as f64;
            // At most the whole solo time: a run the host stopped for
            // milliseconds says little of the next one.
            let over = (wall_ns as f64 - share).clamp(1.0, solo * len as f64);
            // A run that woke its helper bounds the cost from above.
            if !woke || over < load_f(&self.over_ns) {
                ewma_slow_up(&self.over_ns, over);
            }
        }
        // A call the site ran as a team only for its length (it was to be
        // solo) does not judge the site: its shorter calls stay solo.
        if self.solo_pending() {
            return;
        }
        if solo > 0.0 && team < 0.7 * solo {
            // Clearly better: forget earlier bad runs at once.
            store_f(&self.team_cost, team);
        } else {
            ewma_slow_up(&self.team_cost, team);
        }
        let trial = self.trial_left.load(Relaxed);
        if trial > 0 {
            self.trial_left.store(trial - 1, Relaxed);
            if trial > 1 {
                return;
            }
        }
        let team = load_f(&self.team_cost);
        // A long loop stays a team: a descheduled helper costs it at most
        // the unit in flight, while a solo run costs it half its speed.
        let long = solo * len as f64 > LONG_NS;
        if solo > 0.0 && team > 0.9 * solo && !long {
            let strikes = (self.strikes.load(Relaxed) + 1).min(MAX_STRIKES);
            self.strikes.store(strikes, Relaxed);
            // At most about a second of solo calls before the next trial.
            let cap = (MAX_SOLO_NS / (solo * len as f64)).max(1.0) as u32;
            self.solo_left.store((1u32 << strikes).min(cap), Relaxed);
        } else {
            self.strikes.store(0, Relaxed);
            if load_f(&self.solo_cost) == 0.0 && team > 0.6 * solo && !long {
                // A gain estimated from the caller's own pace in a team
                // run, which sharing slows: worth one solo run to measure.
                self.solo_left.store(1, Relaxed);
            }
        }
    }

    /// Whether the site has solo calls left (a team call now is one that
    /// its length alone made a team: [`Site::solo_now`]).
    #[inline]
    pub(crate) fn solo_pending(&self) -> bool {
        self.solo_left.load(Relaxed) > 0
    }

    /// A team run whose helper slept when posted: it says nothing of the
    /// team (the helper was woken), so the next call is a team run again.
    pub(crate) fn warm_up(&self) {
        self.solo_left.store(0, Relaxed);
        self.warming.store(true, Relaxed);
    }

    /// How long helpers spin for the next loop after this one: the wait
    /// policy's time while the team pays here (or while a woken helper is
    /// being tried, or for a call that is a team for its length only, whose
    /// like is likely next), else nothing (they sleep at once, leaving the
    /// CPU to whoever needs it). Called only when a team is posted.
    pub(crate) fn linger(&self) -> Duration {
        if self.strikes.load(Relaxed) == 0
            || self.warming.load(Relaxed)
            || self.solo_pending()
            || self.trial_left.load(Relaxed) > 0
        {
            crate::env::wait_policy()
        } else {
            Duration::ZERO
        }
    }

    /// What a solo run measured. A sample counts at most four times the
    /// average: a solo run that the host stopped for milliseconds (every
    /// run on a busy machine may be) would otherwise make the loop look
    /// slow alone, and so a team look worth trying, and its units short.
    /// (A team run's delays are kept whole: there they are what the team
    /// costs.)
    pub(crate) fn learn_solo(&self, len: usize, wall_ns: u64) {
        let v = wall_ns as f64 / len as f64;
        let old = load_f(&self.solo_cost);
        ewma_slow_up(
            &self.solo_cost,
            if old > 0.0 { v.min(4.0 * old) } else { v },
        );
    }

    /// Counts a call for the report.
    pub(crate) fn count(&self, call: Call) {
        self.calls.fetch_add(1, Relaxed);
        self.total_ns.fetch_add(call.wall_ns, Relaxed);
        self.chunks.fetch_add(call.chunks, Relaxed);
        match call.kind {
            CallKind::Inline => {
                self.inline.fetch_add(1, Relaxed);
            }
            CallKind::Solo => {
                self.solo.fetch_add(1, Relaxed);
            }
            CallKind::Team => {}
        }
        self.busy_max_ns.fetch_add(call.busy_max_ns, Relaxed);
        self.busy_mean_ns.fetch_add(call.busy_mean_ns, Relaxed);
        self.team.store(call.team, Relaxed);
        self.schedule.store(call.schedule, Relaxed);
        self.chunk.store(call.chunk.unwrap_or(0), Relaxed);
    }

    /// Notes the vector level a chunk's kernel ran at.
    pub(crate) fn note_vector(&self, level: u8) {
        if self.vector.load(Relaxed) != level + 1 {
            self.vector.store(level + 1, Relaxed);
        }
    }

    /// The report line, or `None` for a site never counted.
    fn line(&self) -> Option<[String; COLUMNS]> {
        let calls = self.calls.load(Relaxed);
        if calls == 0 {
            return None;
        }
        let schedule = match (self.schedule.load(Relaxed), self.chunk.load(Relaxed)) {
            (s, 0) => schedule_name(s).to_string(),
            (s, c) => format!("{},{c}", schedule_name(s)),
        };
        let vector = match self.vector.load(Relaxed) {
            0 => "-".to_string(),
            v => crate::simd::level_name(v - 1).to_string(),
        };
        let (max, mean) = (
            self.busy_max_ns.load(Relaxed),
            self.busy_mean_ns.load(Relaxed),
        );
        let imbalance = if mean == 0 {
            "-".to_string()
        } else {
            format!("{:.2}", max as f64 / mean as f64)
        };
        Some([
            self.name(),
            self.directive().to_string(),
            schedule,
            self.team.load(Relaxed).to_string(),
            calls.to_string(),
            self.chunks.load(Relaxed).to_string(),
            self.inline.load(Relaxed).to_string(),
            self.solo.load(Relaxed).to_string(),
            vector,
            seconds(self.total_ns.load(Relaxed)),
            imbalance,
        ])
    }
}

/// How a call ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CallKind {
    /// On the caller, as a team of one (`if(false)`, a short loop, ...).
    Inline,
    /// A team's chunks all on the caller, no helper posted.
    Solo,
    /// Helpers posted.
    Team,
}

/// One call, for the report.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Call {
    pub(crate) kind: CallKind,
    pub(crate) team: usize,
    pub(crate) schedule: u8,
    pub(crate) chunk: Option<usize>,
    pub(crate) chunks: u64,
    pub(crate) wall_ns: u64,
    /// The busy time of the slowest member, and the mean over members
    /// that ran chunks.
    pub(crate) busy_max_ns: u64,
    pub(crate) busy_mean_ns: u64,
}

/// The code of a schedule in the report: its kind, +8 if deterministic.
pub(crate) fn schedule_code(kind: Schedule, deterministic: bool) -> u8 {
    let k = match kind {
        Schedule::Static => 0,
        Schedule::Dynamic => 1,
        Schedule::Guided => 2,
        Schedule::Auto => 3,
        Schedule::Runtime => 4,
    };
    k + if deterministic { 8 } else { 0 }
}

fn schedule_name(code: u8) -> &'static str {
    match code {
        0 => "static",
        1 => "dynamic",
        2 => "guided",
        3 => "auto",
        8 => "static+det",
        9 => "dynamic+det",
        10 => "guided+det",
        11 => "auto+det",
        _ => "?",
    }
}

fn seconds(ns: u64) -> String {
    let s = ns as f64 * 1e-9;
    if s < 1e-3 {
        format!("{:.1} µs", s * 1e6)
    } else if s < 1.0 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{s:.3} s")
    }
}

/// The report's columns.
const COLUMNS: usize = 11;

/// The report: a header and one line per site that ran, in file order.
pub(crate) fn report() -> String {
    let mut rows: Vec<[String; COLUMNS]> = TABLE
        .iter()
        .chain(core::iter::once(&OVERFLOW))
        .filter_map(Site::line)
        .collect();
    rows.sort_by(|a, b| natural(&a[0]).cmp(&natural(&b[0])));
    let header = [
        "loop",
        "directive",
        "schedule",
        "team",
        "calls",
        "chunks",
        "inline",
        "solo",
        "vector",
        "time",
        "imbalance",
    ]
    .map(String::from);
    let mut widths = [0; COLUMNS];
    for r in core::iter::once(&header).chain(&rows) {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::from("parallel: loops of this run (PARALLEL_REPORT)\n");
    for r in core::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (c, w)) in r.iter().zip(widths).enumerate() {
            let pad = w - c.chars().count();
            if i == 0 || i == 1 || i == 2 || i == 8 {
                line.push_str(c);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str(&" ".repeat(pad));
                line.push_str(c);
            }
            line.push_str("  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Sorts `file:line` with the line as a number.
fn natural(name: &str) -> (String, u64) {
    match name.rsplit_once(':') {
        Some((f, l)) => (f.to_string(), l.parse().unwrap_or(0)),
        None => (name.to_string(), 0),
    }
}

fn load_f(a: &AtomicU64) -> f64 {
    f64::from_bits(a.load(Relaxed))
}

fn store_f(a: &AtomicU64, v: f64) {
    a.store(v.to_bits(), Relaxed);
}

/// A moving average that falls with weight 1/4 and rises with 1/32 (the
/// first value is taken as it is): a typical cost, which one run slowed
/// by the host (a thread preempted mid-run, a thread's start) moves
/// little, and a busy spell raises within some tens of runs.
fn ewma_slow_up(a: &AtomicU64, v: f64) {
    let old = load_f(a);
    let weight = if v < old { 0.25 } else { 1.0 / 32.0 };
    store_f(
        a,
        if old == 0.0 {
            v
        } else {
            old + (v - old) * weight
        },
    );
}

fn ewma(a: &AtomicU64, v: u64, weight: u64) {
    let old = a.load(Relaxed);
    a.store(old - old / weight + v / weight, Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn here() -> &'static Location<'static> {
        Location::caller()
    }

    #[test]
    fn sites_are_found_again() {
        let a = here();
        let b = here();
        let sa = lookup(a);
        assert!(std::ptr::eq(sa, lookup(a)));
        assert!(!std::ptr::eq(sa, lookup(b)));
        assert!(
            sa.name().starts_with("parallel-runtime/src/site.rs:"),
            "{}",
            sa.name()
        );
    }

    /// A team that is slower than the caller alone sends the site solo for
    /// longer and longer, each time it has been tried for a whole trial;
    /// one clearly faster team run brings it back.
    #[test]
    fn solo_when_the_team_does_not_pay() {
        let site = lookup(here());
        // The caller ran everything: the team cost what solo would.
        let slow = |site: &Site| {
            for _ in 0..TRIAL {
                assert!(site.solo_now(1000, 2).is_none());
                site.learn_team((1000, 2), 1_000_000, 1000, 990_000, (Duration::ZERO, false));
            }
        };
        slow(site);
        let mut solo = 0;
        while site.solo_now(1000, 2).is_some() {
            solo += 1;
        }
        assert_eq!(solo, 2);
        site.learn_solo(1000, 900_000);
        slow(site);
        let mut solo = 0;
        while site.solo_now(1000, 2).is_some() {
            solo += 1;
        }
        assert_eq!(solo, 4);
        // Half the solo time, at the end of the trial: team at once.
        for _ in 0..TRIAL {
            site.learn_team((1000, 2), 450_000, 500, 440_000, (Duration::ZERO, false));
        }
        assert!(site.solo_now(1000, 2).is_none());
        assert_eq!(site.strikes.load(Relaxed), 0);
    }

    /// The first runs of a trial judge nothing, however slow (a helper
    /// warming up), and the helpers linger through them; the trial's last
    /// run judges the team by what the trial measured.
    #[test]
    fn a_trial_judges_the_team_once_it_has_run() {
        let site = lookup(here());
        site.learn_solo(1000, 1_000_000);
        site.trial_left.store(0, Relaxed);
        site.learn_team(
            (1000, 2),
            2_000_000,
            1000,
            1_900_000,
            (Duration::ZERO, false),
        );
        assert_eq!(site.solo_left.load(Relaxed), 2);
        while site.solo_now(1000, 2).is_some() {}
        assert_eq!(site.trial_left.load(Relaxed), TRIAL);
        // The trial: a slow start, then runs at 55% of the solo time.
        for t in 0..TRIAL {
            assert_eq!(site.linger(), crate::env::wait_policy());
            let wall = if t < 2 { 3_000_000 } else { 550_000 };
            site.learn_team((1000, 2), wall, 500, wall / 2, (Duration::ZERO, false));
            assert!(site.solo_now(1000, 2).is_none(), "run {t}");
        }
        assert_eq!(site.strikes.load(Relaxed), 0);
    }

    /// A site whose short calls went solo still runs a call long enough to
    /// pay for a team many times over as a team, without counting it
    /// against the solo run or judging the site by it.
    #[test]
    fn a_long_call_of_a_solo_site_runs_as_a_team() {
        let site = lookup(here());
        site.trial_left.store(0, Relaxed);
        site.learn_solo(2, 100);
        // 2,048 iterations of 50 ns as a team: 1 µs beyond the half.
        site.learn_team((2048, 2), 52_200, 1024, 51_000, (Duration::ZERO, false));
        // 2 iterations: the team (1 µs) cost ten times solo, until the
        // site goes solo.
        while !site.solo_pending() {
            site.learn_team((2, 2), 1_000, 1, 50, (Duration::ZERO, false));
        }
        assert_eq!(site.solo_now(2, 2), Some(1));
        let left = site.solo_left.load(Relaxed);
        // 2,048 iterations: the helper's half, 51 µs, is far above 1 µs.
        assert_eq!(site.solo_now(2048, 2), None);
        assert_eq!(site.solo_left.load(Relaxed), left);
        let strikes = site.strikes.load(Relaxed);
        site.learn_team((2048, 2), 52_000, 1024, 51_000, (Duration::ZERO, false));
        assert_eq!(site.strikes.load(Relaxed), strikes);
        assert_eq!(site.solo_now(2, 2), Some(0));
        // On one member there is nothing to gain.
        site.solo_left.store(2, Relaxed);
        assert!(site.solo_now(2048, 1).is_some());
    }

    /// The team overhead that decides long calls is learned from long
    /// calls only, and a run that woke its helper does not raise it.
    #[test]
    fn a_woken_helper_does_not_teach_the_cost_of_a_team() {
        let site = lookup(here());
        site.trial_left.store(0, Relaxed);
        site.learn_solo(2, 100);
        site.learn_team((2048, 2), 52_200, 1024, 51_000, (Duration::ZERO, false));
        // Short team runs whose helper held its unit while preempted: a
        // wait of 100 µs each, which a long call would not notice.
        for _ in 0..20 {
            site.learn_team((2, 2), 100_000, 1, 50, (Duration::ZERO, false));
        }
        assert!(site.solo_pending());
        assert_eq!(site.solo_now(2048, 2), None);
        // Length-team calls whose helper slept: 40 us of wake-up beyond
        // the caller's half would raise the bar above the helper's share.
        for _ in 0..20 {
            site.learn_team((2048, 2), 90_000, 2048, 90_000, (Duration::ZERO, true));
        }
        assert_eq!(site.solo_now(2048, 2), None);
        // Its helpers linger for the next long call; a site solo for its
        // own calls lets them sleep.
        assert_eq!(site.linger(), crate::env::wait_policy());
        site.solo_left.store(0, Relaxed);
        site.strikes.store(1, Relaxed);
        assert_eq!(site.linger(), Duration::ZERO);
    }

    #[test]
    fn a_stale_team_cost_is_probed() {
        let site = lookup(here());
        site.learn_solo(2, 100);
        // One slow team run of a long call (a helper preempted, say):
        // 50 us beyond its work, the first measure, taken as it is.
        site.learn_team((2048, 2), 101_200, 1024, 51_000, (Duration::ZERO, false));
        site.solo_left.store(1000, Relaxed);
        // 2,048 iterations of 50 ns: the helper's half (51 us) is not
        // worth four such costs, but one call in 16 probes the team.
        let calls: Vec<_> = (0..16).map(|_| site.solo_now(2048, 2)).collect();
        assert_eq!(calls.iter().filter(|c| c.is_none()).count(), 1, "{calls:?}");
        // The probe finds the team cheap: the long calls are teams again.
        for _ in 0..8 {
            site.learn_team((2048, 2), 52_000, 1024, 51_000, (Duration::ZERO, false));
        }
        assert_eq!(site.solo_now(2048, 2), None);
        // The short ones stay solo, and so do long ones that gain little.
        assert!(site.solo_now(2, 2).is_some());
        assert!(site.solo_now(100, 2).is_some());
    }

    #[test]
    fn static_units_take_about_sixteen_microseconds() {
        let site = lookup(here());
        assert_eq!(site.static_piece(), crate::drive::STATIC_PIECE);
        // 1 ns an iteration: 16,000 fit, more than the most.
        site.learn_solo(1000, 1000);
        assert_eq!(site.static_piece(), crate::drive::STATIC_PIECE);
        // 50 ns: 320 fit; 256, a power of two at or below.
        store_f(&site.solo_cost, 50.0);
        assert_eq!(site.static_piece(), 256);
        store_f(&site.solo_cost, 10.0);
        assert_eq!(site.static_piece(), 1024);
        // 1 µs: 16 fit, but units stay at least 256 iterations.
        store_f(&site.solo_cost, 1000.0);
        assert_eq!(site.static_piece(), 256);
    }

    #[test]
    fn spin_follows_the_typical_wait() {
        let site = lookup(here());
        assert_eq!(site.spin(1), Duration::from_micros(40));
        for _ in 0..100 {
            site.learn_team((100, 2), 100, 50, 50, (Duration::from_nanos(100), false));
        }
        assert_eq!(site.spin(1), Duration::from_micros(2));
        // (Those calls sent the site solo; the next is a team trial.)
        site.solo_left.store(0, Relaxed);
        // A long loop spins for an eighth of its time, up to the policy's.
        site.learn_team((8_000_000, 2), 8_000_000_000, 1, 1, (Duration::ZERO, false));
        assert_eq!(
            site.spin(8_000_000),
            crate::env::wait_policy().max(Duration::from_micros(2))
        );
    }

    #[test]
    fn report_lines() {
        let site = lookup(here());
        site.set_directive("parallel_for(schedule(dynamic, 4))");
        site.count(Call {
            kind: CallKind::Team,
            team: 2,
            schedule: schedule_code(Schedule::Dynamic, false),
            chunk: Some(4),
            chunks: 25,
            wall_ns: 2_000_000,
            busy_max_ns: 1_500_000,
            busy_mean_ns: 1_000_000,
        });
        let report = report();
        let line = report
            .lines()
            .find(|l| l.contains("schedule(dynamic, 4)"))
            .unwrap();
        assert!(line.starts_with("parallel-runtime/src/site.rs:"), "{line}");
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(
            cols[cols.len() - 10..],
            [
                "dynamic,4",
                "2",
                "1",
                "25",
                "0",
                "0",
                "-",
                "2.00",
                "ms",
                "1.50"
            ]
        );
    }
}
