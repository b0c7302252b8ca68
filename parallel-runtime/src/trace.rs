//! Traces of what ran: one slice per chunk (and one per loop on its
//! caller's track), in Chrome's trace-event format, which Perfetto and
//! `chrome://tracing` open. `PARALLEL_TRACE=trace.json` records the whole
//! run and writes the file at exit; [`trace_start`] and [`trace_take`]
//! record a stretch of a program and hand it over as a [`Trace`].
//!
//! Off, tracing costs a load of one flag per chunk. On, each chunk reads
//! the clock twice and appends to a buffer of its thread's own.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use crate::site::Site;

static ON: AtomicBool = AtomicBool::new(false);
static CALLS: AtomicU64 = AtomicU64::new(0);

/// Whether chunks are being recorded.
#[inline]
pub(crate) fn on() -> bool {
    ON.load(Ordering::Relaxed)
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Nanoseconds since the trace's epoch.
#[inline]
pub(crate) fn now_ns() -> u64 {
    epoch().elapsed().as_nanos() as u64
}

/// A number for a new loop call.
pub(crate) fn next_call() -> u64 {
    CALLS.fetch_add(1, Ordering::Relaxed)
}

/// One recorded slice, as stored.
#[derive(Clone, Copy)]
pub(crate) struct Event {
    pub(crate) start_ns: u64,
    pub(crate) end_ns: u64,
    pub(crate) site: &'static Site,
    pub(crate) call: u64,
    /// Iteration numbers `lo..hi`.
    pub(crate) lo: usize,
    pub(crate) hi: usize,
    /// The member the chunk ran as.
    pub(crate) member: usize,
    /// A whole loop (on its caller's track) rather than a chunk.
    pub(crate) whole: bool,
}

struct Track {
    tid: usize,
    name: String,
    events: Mutex<Vec<Event>>,
}

static TRACKS: Mutex<Vec<Arc<Track>>> = Mutex::new(Vec::new());

thread_local! {
    static MINE: RefCell<Option<Arc<Track>>> = const { RefCell::new(None) };
}

/// Records `event` on the calling thread's track.
pub(crate) fn record(event: Event) {
    MINE.with(|mine| {
        let mut mine = mine.borrow_mut();
        let track = mine.get_or_insert_with(|| {
            let mut tracks = TRACKS.lock().unwrap_or_else(|e| e.into_inner());
            let track = Arc::new(Track {
                tid: tracks.len(),
                name: std::thread::current()
                    .name()
                    .unwrap_or("unnamed")
                    .to_string(),
                events: Mutex::new(Vec::new()),
            });
            tracks.push(track.clone());
            track
        });
        track
            .events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(event);
    });
}

/// Starts recording: every chunk of every loop from now on, on any thread,
/// until [`trace_take`] (or the end of the process with `PARALLEL_TRACE`).
///
/// # Examples
///
/// ```
/// use parallel::{parallel, trace_start, trace_take};
///
/// #[parallel]
/// fn fill(y: &mut [u32]) {
///     #[parallel_for(num_threads(2))]
///     for i in 0..y.len() {
///         y[i] = 1;
///     }
/// }
///
/// trace_start();
/// fill(&mut [0; 100]);
/// let trace = trace_take();
/// let covered: usize = trace.chunks().map(|s| s.hi - s.lo).sum();
/// assert_eq!(covered, 100);
/// ```
pub fn trace_start() {
    epoch();
    ON.store(true, Ordering::Relaxed);
}

/// Stops recording and hands over what was recorded since
/// [`trace_start`] (or since the last `trace_take`). With
/// `PARALLEL_TRACE` set, recording goes on, and the file at exit holds
/// what was not taken.
///
/// # Examples
///
/// ```
/// use parallel::{trace_start, trace_take};
///
/// trace_start();
/// let trace = trace_take();
/// assert!(trace.to_json().starts_with("{\"traceEvents\":["));
/// ```
pub fn trace_take() -> Trace {
    if crate::env::trace_file().is_none() {
        ON.store(false, Ordering::Relaxed);
    }
    take_all()
}

fn take_all() -> Trace {
    let tracks = TRACKS.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let mut trace = Trace {
        threads: Vec::new(),
        slices: Vec::new(),
    };
    for track in tracks {
        let events = std::mem::take(&mut *track.events.lock().unwrap_or_else(|e| e.into_inner()));
        trace.threads.push((track.tid, track.name.clone()));
        trace.slices.extend(events.into_iter().map(|e| Slice {
            thread: track.tid,
            name: e.site.name(),
            call: e.call,
            member: e.member,
            lo: e.lo,
            hi: e.hi,
            start_us: e.start_ns as f64 * 1e-3,
            dur_us: e.end_ns.saturating_sub(e.start_ns) as f64 * 1e-3,
            chunk: !e.whole,
        }));
    }
    trace
        .slices
        .sort_by(|a, b| a.start_us.total_cmp(&b.start_us));
    trace
}

/// Writes the rest of the trace to `PARALLEL_TRACE`'s file (at exit).
pub(crate) fn write_file() {
    let Some(path) = crate::env::trace_file() else {
        return;
    };
    let json = take_all().to_json();
    match std::fs::write(path, json) {
        Ok(()) => eprintln!("parallel: wrote the trace to {path} (PARALLEL_TRACE)"),
        Err(e) => eprintln!("parallel: could not write the trace to {path}: {e}"),
    }
}

/// Recorded chunks and loops: see [`trace_take`].
#[derive(Clone, Debug, Default)]
pub struct Trace {
    /// `(track, thread name)`: one track per thread that ran a chunk.
    pub threads: Vec<(usize, String)>,
    /// Every slice, by start time.
    pub slices: Vec<Slice>,
}

/// One chunk (or one whole loop) on one thread.
#[derive(Clone, Debug, PartialEq)]
pub struct Slice {
    /// The thread's track.
    pub thread: usize,
    /// The loop: `file:line` of its call.
    pub name: String,
    /// Which call of a loop, numbered over the process.
    pub call: u64,
    /// The member the chunk ran as ([`thread_num`](crate::thread_num())).
    pub member: usize,
    /// Iteration numbers `lo..hi` (0-based, in loop order).
    pub lo: usize,
    /// See `lo`.
    pub hi: usize,
    /// Microseconds since the trace started.
    pub start_us: f64,
    /// Duration in microseconds.
    pub dur_us: f64,
    /// A chunk; `false` for the slice of a whole loop on its caller.
    pub chunk: bool,
}

impl Trace {
    /// The chunk slices.
    ///
    /// # Examples
    ///
    /// ```
    /// let trace = parallel::Trace::default();
    /// assert_eq!(trace.chunks().count(), 0);
    /// ```
    pub fn chunks(&self) -> impl Iterator<Item = &Slice> {
        self.slices.iter().filter(|s| s.chunk)
    }

    /// The trace in Chrome's trace-event JSON: a track (`tid`) per thread,
    /// named after it; a complete event (`"ph":"X"`) per slice, named by the
    /// loop's `file:line`, with the call, member and iterations in `args`.
    ///
    /// # Examples
    ///
    /// ```
    /// let json = parallel::Trace::default().to_json();
    /// assert_eq!(json, "{\"traceEvents\":[\n],\"displayTimeUnit\":\"ns\"}\n");
    /// ```
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"traceEvents\":[\n");
        let mut first = true;
        let mut sep = |out: &mut String| {
            if !first {
                out.push_str(",\n");
            }
            first = false;
        };
        for (tid, name) in &self.threads {
            sep(&mut out);
            let _ = write!(
                out,
                "{{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":{tid},\"args\":{{\"name\":{}}}}}",
                json_string(name)
            );
        }
        for s in &self.slices {
            sep(&mut out);
            let _ = write!(
                out,
                "{{\"name\":{},\"cat\":\"{}\",\"ph\":\"X\",\"pid\":1,\"tid\":{},\"ts\":{:.3},\"dur\":{:.3},\
                 \"args\":{{\"call\":{},\"member\":{},\"lo\":{},\"hi\":{}}}}}",
                json_string(&s.name),
                if s.chunk { "chunk" } else { "loop" },
                s.thread,
                s.start_us,
                s.dur_us,
                s.call,
                s.member,
                s.lo,
                s.hi
            );
        }
        if !first {
            out.push('\n');
        }
        out.push_str("],\"displayTimeUnit\":\"ns\"}\n");
        out
    }
}

/// `s` as a JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_string("a\"b\\c\nd"), "\"a\\\"b\\\\c\\u000ad\"");
        assert_eq!(json_string("src/é.rs:3"), "\"src/é.rs:3\"");
    }
}
