//! Thread affinity: `OMP_PLACES`, `OMP_PROC_BIND` and the `proc_bind(..)`
//! clause. A place is a set of CPUs; a binding policy puts team member `k`
//! on one place of the list, counted from the place of member 0 (the
//! caller), as OpenMP specifies:
//!
//! - `primary`: every member on member 0's place;
//! - `close`: member `k` on the `k`-th place after member 0's; with more
//!   members than places, consecutive members share a place;
//! - `spread`: the places cut into as many stretches as members, member `k`
//!   on the first place of the `k`-th; with more members than places, as
//!   `close`.
//!
//! Binding goes through `sched_setaffinity` on Linux and does nothing
//! elsewhere. The parsers are pure functions of the string and of the
//! machine's CPUs, so they are tested without touching either.

use core::fmt;
use std::cell::Cell;

/// A binding policy: OpenMP's `proc_bind(primary | close | spread)` clause,
/// and the values of `OMP_PROC_BIND`.
///
/// # Examples
///
/// ```
/// use parallel_runtime::ProcBind;
///
/// assert_eq!(ProcBind::Spread.to_string(), "spread");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProcBind {
    /// Every member on the place of member 0.
    Primary,
    /// Members on consecutive places, starting at member 0's.
    Close,
    /// Members spread evenly over the places.
    Spread,
}

impl fmt::Display for ProcBind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProcBind::Primary => "primary",
            ProcBind::Close => "close",
            ProcBind::Spread => "spread",
        })
    }
}

/// What `OMP_PROC_BIND` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BindVar {
    /// Unset: no binding, but a `proc_bind` clause binds.
    Unset,
    /// `false`: no binding, `proc_bind` clauses included.
    False,
    /// `true`: bind, with `close` unless a clause says otherwise.
    True,
    /// A policy.
    Policy(ProcBind),
}

impl BindVar {
    /// The policy of a loop with clause `clause`, `None` for no binding.
    /// `places_set`: whether `OMP_PLACES` was given (which, like `true`,
    /// turns binding on when `OMP_PROC_BIND` is unset, as libgomp does).
    pub(crate) fn policy(self, clause: Option<ProcBind>, places_set: bool) -> Option<ProcBind> {
        match self {
            BindVar::False => None,
            BindVar::Unset if !places_set => clause,
            BindVar::Unset | BindVar::True => Some(clause.unwrap_or(ProcBind::Close)),
            BindVar::Policy(p) => Some(clause.unwrap_or(p)),
        }
    }

    /// As `OMP_DISPLAY_ENV` shows it.
    pub(crate) fn display(self, places_set: bool) -> &'static str {
        match self {
            BindVar::Unset if places_set => "TRUE",
            BindVar::Unset | BindVar::False => "FALSE",
            BindVar::True => "TRUE",
            BindVar::Policy(ProcBind::Primary) => "PRIMARY",
            BindVar::Policy(ProcBind::Close) => "CLOSE",
            BindVar::Policy(ProcBind::Spread) => "SPREAD",
        }
    }
}

/// Parses `OMP_PROC_BIND`: `true`, `false`, or a comma-separated list of
/// `primary` (or `master`), `close`, `spread`, of which the first applies
/// (the others are for nested levels). Case-insensitive.
pub(crate) fn parse_proc_bind(value: &str) -> Result<BindVar, String> {
    let bad = || {
        format!(
            "OMP_PROC_BIND={value:?} is not a binding policy; set it to false, true, primary, \
             close or spread (or a list such as \"spread,close\"), or unset it"
        )
    };
    let lower = value.trim().to_ascii_lowercase();
    match lower.as_str() {
        "true" => return Ok(BindVar::True),
        "false" => return Ok(BindVar::False),
        _ => {}
    }
    let mut first = None;
    for item in lower.split(',') {
        let p = match item.trim() {
            "primary" | "master" => ProcBind::Primary,
            "close" => ProcBind::Close,
            "spread" => ProcBind::Spread,
            _ => return Err(bad()),
        };
        first.get_or_insert(p);
    }
    first.map(BindVar::Policy).ok_or_else(bad)
}

/// The places: sets of CPUs, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Places {
    sets: Vec<Vec<usize>>,
}

impl Places {
    pub(crate) fn len(&self) -> usize {
        self.sets.len()
    }

    /// The CPUs of place `p`.
    pub(crate) fn cpus(&self, p: usize) -> &[usize] {
        &self.sets[p]
    }

    /// The place holding `cpu`, if any.
    pub(crate) fn of_cpu(&self, cpu: usize) -> Option<usize> {
        self.sets.iter().position(|s| s.contains(&cpu))
    }
}

impl fmt::Display for Places {
    /// As libgomp shows them: `{0},{1}`, `{0:2}`, `{0:2,4:2}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, set) in self.sets.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str("{")?;
            let mut k = 0;
            while k < set.len() {
                let mut run = 1;
                while k + run < set.len() && set[k + run] == set[k] + run {
                    run += 1;
                }
                if k > 0 {
                    f.write_str(",")?;
                }
                match run {
                    1 => write!(f, "{}", set[k])?,
                    _ => write!(f, "{}:{run}", set[k])?,
                }
                k += run;
            }
            f.write_str("}")?;
        }
        Ok(())
    }
}

/// The machine as the places need it: the CPUs this process may use, and
/// for each, its core and socket.
#[derive(Clone, Debug)]
pub(crate) struct Topology {
    /// `(cpu, core id, socket id)`, by CPU number; core ids are unique
    /// across sockets.
    pub(crate) cpus: Vec<(usize, usize, usize)>,
}

impl Topology {
    /// This machine: the process's CPU mask at start, with cores and
    /// sockets from `/sys` (each CPU its own core and socket 0 where that
    /// is missing).
    pub(crate) fn here() -> Topology {
        let cpus = initial_cpus();
        let read = |cpu: usize, what: &str| -> Option<usize> {
            let path = format!("/sys/devices/system/cpu/cpu{cpu}/topology/{what}");
            std::fs::read_to_string(path).ok()?.trim().parse().ok()
        };
        Topology {
            cpus: cpus
                .iter()
                .map(|&c| {
                    let socket = read(c, "physical_package_id").unwrap_or(0);
                    let core = read(c, "core_id").map_or(c, |core| socket * 1_000_000 + core);
                    (c, core, socket)
                })
                .collect(),
        }
    }

    fn group_by(&self, key: impl Fn(&(usize, usize, usize)) -> usize) -> Vec<Vec<usize>> {
        let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
        for c in &self.cpus {
            match groups.iter_mut().find(|(k, _)| *k == key(c)) {
                Some((_, g)) => g.push(c.0),
                None => groups.push((key(c), vec![c.0])),
            }
        }
        groups.into_iter().map(|(_, g)| g).collect()
    }
}

/// Parses `OMP_PLACES`: `threads`, `cores` or `sockets`, optionally with a
/// count (`cores(4)`: the first four), or an explicit list of places in
/// OpenMP's syntax: `{0},{1}`, `{0,1},{2,3}`, `{0:4}` (4 CPUs from 0),
/// `{0:4:2}` (stride 2), `{0:2}:4:2` (4 places, each 2 CPUs on from the
/// last), `!` before a CPU or place to leave it out. CPUs the process may
/// not use are dropped, and so are places left empty.
pub(crate) fn parse_places(value: &str, topo: &Topology) -> Result<Places, String> {
    let bad = |why: &str| {
        format!(
            "OMP_PLACES={value:?} is not a place list ({why}); set it to threads, cores or \
             sockets (optionally with a count, e.g. cores(4)), or to explicit places such as \
             \"{{0}},{{1}}\" or \"{{0:2}},{{2:2}}\", or unset it"
        )
    };
    let trimmed = value.trim();
    let lower = trimmed.to_ascii_lowercase();
    let (name, count) = match lower.split_once('(') {
        Some((name, rest)) => {
            let n = rest
                .strip_suffix(')')
                .and_then(|n| n.trim().parse::<usize>().ok())
                .filter(|&n| n > 0)
                .ok_or_else(|| bad("the count must be a positive integer in parentheses"))?;
            (name.trim(), Some(n))
        }
        None => (lower.as_str(), None),
    };
    let abstract_sets = match name {
        "threads" => Some(topo.cpus.iter().map(|c| vec![c.0]).collect::<Vec<_>>()),
        "cores" => Some(topo.group_by(|c| c.1)),
        "sockets" => Some(topo.group_by(|c| c.2)),
        _ => None,
    };
    if let Some(mut sets) = abstract_sets {
        if let Some(n) = count {
            sets.truncate(n);
        }
        return Ok(Places { sets });
    }
    if count.is_some() || !trimmed.starts_with(['{', '!']) {
        return Err(bad("unknown name"));
    }
    let sets = Parser {
        s: trimmed.as_bytes(),
        at: 0,
    }
    .place_list()
    .map_err(|why| bad(&why))?;
    let usable: Vec<usize> = topo.cpus.iter().map(|c| c.0).collect();
    let sets: Vec<Vec<usize>> = sets
        .into_iter()
        .map(|s| {
            s.into_iter()
                .filter(|c| usable.contains(c))
                .collect::<Vec<_>>()
        })
        .filter(|s| !s.is_empty())
        .collect();
    if sets.is_empty() {
        return Err(bad("no place holds a CPU this process may use"));
    }
    Ok(Places { sets })
}

/// A recursive-descent parser of explicit place lists.
struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn skip_spaces(&mut self) {
        while self.s.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_spaces();
        if self.s.get(self.at) == Some(&c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn number(&mut self) -> Result<i64, String> {
        self.skip_spaces();
        let neg = self.eat(b'-');
        let start = self.at;
        while self.s.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        let digits = std::str::from_utf8(&self.s[start..self.at]).unwrap_or("");
        let n: i64 = digits
            .parse()
            .map_err(|_| format!("a number was expected at byte {start}"))?;
        if n > 1 << 20 {
            return Err(format!("{n} is too large"));
        }
        Ok(if neg { -n } else { n })
    }

    /// `:len[:stride]` after an item; `(1, 1)` when absent.
    fn interval(&mut self) -> Result<(i64, i64), String> {
        if !self.eat(b':') {
            return Ok((1, 1));
        }
        let len = self.number()?;
        if len < 1 {
            return Err("an interval's length must be at least 1".into());
        }
        let stride = if self.eat(b':') { self.number()? } else { 1 };
        Ok((len, stride))
    }

    fn place_list(mut self) -> Result<Vec<Vec<usize>>, String> {
        let mut places: Vec<Vec<usize>> = Vec::new();
        loop {
            let exclude = self.eat(b'!');
            let place = self.place()?;
            if exclude {
                places.retain(|p| *p != place);
            } else {
                let (len, stride) = self.interval()?;
                for k in 0..len {
                    let shifted: Result<Vec<usize>, String> = place
                        .iter()
                        .map(|&c| {
                            usize::try_from(c as i64 + k * stride)
                                .map_err(|_| "a place reaches below CPU 0".to_string())
                        })
                        .collect();
                    places.push(shifted?);
                }
            }
            if !self.eat(b',') {
                break;
            }
        }
        self.skip_spaces();
        if self.at != self.s.len() {
            return Err(format!("unexpected text at byte {}", self.at));
        }
        Ok(places)
    }

    /// `{res, res:len:stride, !res, ...}`.
    fn place(&mut self) -> Result<Vec<usize>, String> {
        if !self.eat(b'{') {
            return Err(format!("'{{' expected at byte {}", self.at));
        }
        let mut cpus: Vec<usize> = Vec::new();
        loop {
            let exclude = self.eat(b'!');
            let first = self.number()?;
            let first = usize::try_from(first).map_err(|_| "CPU numbers are not negative")?;
            let (len, stride) = if exclude { (1, 1) } else { self.interval()? };
            for k in 0..len {
                let c = usize::try_from(first as i64 + k * stride)
                    .map_err(|_| "a place reaches below CPU 0".to_string())?;
                if exclude {
                    cpus.retain(|&x| x != c);
                } else if !cpus.contains(&c) {
                    cpus.push(c);
                }
            }
            if !self.eat(b',') {
                break;
            }
        }
        if !self.eat(b'}') {
            return Err(format!("'}}' expected at byte {}", self.at));
        }
        cpus.sort_unstable();
        Ok(cpus)
    }
}

/// The place of member `k` of a team of `team`, member 0 on `primary`, over
/// `places` places (see the module docs).
pub(crate) fn place_of(
    policy: ProcBind,
    k: usize,
    team: usize,
    primary: usize,
    places: usize,
) -> usize {
    let offset = match policy {
        ProcBind::Primary => 0,
        _ if team > places => {
            // Blocks of consecutive members per place, the first
            // `team % places` places one member larger.
            let (s, rest) = (team / places, team % places);
            let big = rest * (s + 1);
            if k < big {
                k / (s + 1)
            } else {
                rest + (k - big) / s
            }
        }
        ProcBind::Close => k,
        ProcBind::Spread => {
            // Stretches of `places / team` places, the first
            // `places % team` one place longer; member k on the first
            // place of the k-th.
            let (s, rest) = (places / team, places % team);
            k * s + k.min(rest)
        }
    };
    (primary + offset) % places
}

thread_local! {
    /// The place this thread was bound to by us; `None`: not bound.
    static PLACE: Cell<Option<usize>> = const { Cell::new(None) };
}

/// The place the calling thread was bound to by a loop, if any.
pub(crate) fn thread_place() -> Option<usize> {
    PLACE.with(Cell::get)
}

/// Binds the calling thread to place `place` of `places` (`None`: back to
/// the CPUs the process had at start), unless it is bound so already.
pub(crate) fn bind_thread(place: Option<usize>, places: &Places) {
    if thread_place() == place {
        return;
    }
    let bound = match place {
        Some(p) => bind_current(places.cpus(p)),
        None => bind_initial(),
    };
    if bound {
        PLACE.with(|c| c.set(place));
    }
}

/// The CPUs the process could use when it started (all CPUs where the mask
/// cannot be read).
pub(crate) fn initial_cpus() -> Vec<usize> {
    static INITIAL: std::sync::OnceLock<Vec<usize>> = std::sync::OnceLock::new();
    INITIAL
        .get_or_init(|| {
            current_cpus().unwrap_or_else(|| {
                (0..std::thread::available_parallelism().map_or(1, |n| n.get())).collect()
            })
        })
        .clone()
}

/// The CPUs the calling thread may run on (`sched_getaffinity`); `None`
/// where that cannot be read.
///
/// # Examples
///
/// ```
/// let cpus = parallel_runtime::thread_cpus();
/// if cfg!(target_os = "linux") {
///     assert!(!cpus.unwrap().is_empty());
/// }
/// ```
pub fn thread_cpus() -> Option<Vec<usize>> {
    current_cpus()
}

#[cfg(target_os = "linux")]
fn current_cpus() -> Option<Vec<usize>> {
    // SAFETY: a zeroed `cpu_set_t` is a valid (empty) set.
    let mut set: libc::cpu_set_t = unsafe { core::mem::zeroed() };
    // SAFETY: `set` is a writable `cpu_set_t` of the size we pass; pid 0 is
    // the calling thread.
    let r = unsafe { libc::sched_getaffinity(0, size_of::<libc::cpu_set_t>(), &mut set) };
    if r != 0 {
        return None;
    }
    // SAFETY: CPU_ISSET reads the set in bounds for every c < CPU_SETSIZE.
    let cpus = (0..libc::CPU_SETSIZE as usize)
        .filter(|&c| unsafe { libc::CPU_ISSET(c, &set) })
        .collect();
    Some(cpus)
}

#[cfg(not(target_os = "linux"))]
fn current_cpus() -> Option<Vec<usize>> {
    None
}

/// Binds the calling thread to `cpus`; false if that failed (or on other
/// systems than Linux).
#[cfg(target_os = "linux")]
pub(crate) fn bind_current(cpus: &[usize]) -> bool {
    // SAFETY: a zeroed `cpu_set_t` is a valid (empty) set.
    let mut set: libc::cpu_set_t = unsafe { core::mem::zeroed() };
    for &c in cpus.iter().filter(|&&c| c < libc::CPU_SETSIZE as usize) {
        // SAFETY: `c` is below CPU_SETSIZE, so CPU_SET writes in bounds.
        unsafe { libc::CPU_SET(c, &mut set) };
    }
    // SAFETY: `set` is a valid `cpu_set_t` of the size we pass; pid 0 is the
    // calling thread.
    unsafe { libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &set) == 0 }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn bind_current(_: &[usize]) -> bool {
    false
}

/// The process's CPU mask at start, as a `cpu_set_t` (for the hot path: no
/// allocation).
#[cfg(target_os = "linux")]
fn initial_set() -> &'static libc::cpu_set_t {
    static SET: std::sync::OnceLock<libc::cpu_set_t> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        // SAFETY: a zeroed `cpu_set_t` is a valid (empty) set.
        let mut set: libc::cpu_set_t = unsafe { core::mem::zeroed() };
        for c in initial_cpus() {
            if c < libc::CPU_SETSIZE as usize {
                // SAFETY: `c` is below CPU_SETSIZE, so CPU_SET writes in bounds.
                unsafe { libc::CPU_SET(c, &mut set) };
            }
        }
        set
    })
}

/// Moves the calling thread off `cpu`: binds it to the process's CPUs at
/// start but `cpu`. False (and nothing done) if no other CPU is left, or
/// on other systems than Linux. [`step_back`] undoes it.
///
/// A helper woken by a loop's caller is often put on the caller's CPU
/// (Linux places a wakee near its waker), where the two take turns while
/// another CPU may be running something else: on a busy machine the helper
/// then adds nothing. Stepping aside lets the scheduler run it elsewhere.
#[cfg(target_os = "linux")]
pub(crate) fn step_aside(cpu: usize) -> bool {
    if cpu >= libc::CPU_SETSIZE as usize {
        return false;
    }
    let mut set = *initial_set();
    // SAFETY: `cpu` is below CPU_SETSIZE, so CPU_CLR writes in bounds;
    // CPU_COUNT reads the set.
    let others = unsafe {
        libc::CPU_CLR(cpu, &mut set);
        libc::CPU_COUNT(&set)
    };
    // SAFETY: `set` is a valid `cpu_set_t` of the size we pass; pid 0 is
    // the calling thread.
    others > 0 && unsafe { libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &set) == 0 }
}

/// Undoes [`step_aside`]: the process's CPUs at start again.
pub(crate) fn step_back() {
    bind_initial();
}

/// Binds the calling thread to the process's CPUs at start, without an
/// allocation; whether that worked (false on other systems than Linux).
#[cfg(target_os = "linux")]
fn bind_initial() -> bool {
    // SAFETY: the initial set is a valid `cpu_set_t` of the size we pass;
    // pid 0 is the calling thread.
    unsafe { libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), initial_set()) == 0 }
}

#[cfg(not(target_os = "linux"))]
fn bind_initial() -> bool {
    false
}

/// Reads what the hot path needs of the process's CPUs once, at the first
/// loop: the mask at start is otherwise first read when a helper first
/// steps aside (only on a busy machine), and reading it allocates.
#[cfg(target_os = "linux")]
pub(crate) fn warm() {
    let _ = initial_set();
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn warm() {}

#[cfg(not(target_os = "linux"))]
pub(crate) fn step_aside(_: usize) -> bool {
    false
}

/// The CPU the calling thread runs on now, if known.
#[cfg(target_os = "linux")]
pub(crate) fn current_cpu() -> Option<usize> {
    // SAFETY: sched_getcpu takes no arguments and only returns a number.
    usize::try_from(unsafe { libc::sched_getcpu() }).ok()
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn current_cpu() -> Option<usize> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2 sockets × 2 cores × 2 threads: CPUs 0-7, siblings (0,4), (1,5), ...
    fn machine() -> Topology {
        Topology {
            cpus: (0..8).map(|c| (c, c % 4, (c % 4) / 2)).collect(),
        }
    }

    fn places(v: &str) -> Vec<Vec<usize>> {
        parse_places(v, &machine()).unwrap().sets
    }

    #[test]
    fn abstract_places() {
        assert_eq!(places("threads").len(), 8);
        assert_eq!(
            places("cores"),
            [vec![0, 4], vec![1, 5], vec![2, 6], vec![3, 7]]
        );
        assert_eq!(places(" Sockets "), [vec![0, 1, 4, 5], vec![2, 3, 6, 7]]);
        assert_eq!(places("cores(2)"), [vec![0, 4], vec![1, 5]]);
        assert_eq!(places("threads( 3 )"), [vec![0], vec![1], vec![2]]);
    }

    #[test]
    fn explicit_places() {
        assert_eq!(places("{0},{1}"), [vec![0], vec![1]]);
        assert_eq!(places("{0:2}"), [vec![0, 1]]);
        assert_eq!(places("{0:4:2}"), [vec![0, 2, 4, 6]]);
        assert_eq!(places("{0,1},{2,3}"), [vec![0, 1], vec![2, 3]]);
        assert_eq!(
            places("{0:2}:4:2"),
            [vec![0, 1], vec![2, 3], vec![4, 5], vec![6, 7]]
        );
        assert_eq!(places("{0:1}:2:1"), [vec![0], vec![1]]);
        assert_eq!(places("{0:4,!2}"), [vec![0, 1, 3]]);
        assert_eq!(places("{0},{1},{2},!{1}"), [vec![0], vec![2]]);
        assert_eq!(places(" { 7 } , { 6 , 5 } "), [vec![7], vec![5, 6]]);
        // CPUs the process may not use are dropped, then empty places.
        assert_eq!(places("{0},{99},{1,98}"), [vec![0], vec![1]]);
    }

    #[test]
    fn bad_places_are_named() {
        for bad in [
            "",
            "cpus",
            "{0",
            "{a}",
            "{0},",
            "{0}:0",
            "{-1}",
            "cores(0)",
            "cores(x)",
            "{0}{1}",
            "{99}",
            "threads(2",
            "{0:2}:3:-1",
        ] {
            let err = parse_places(bad, &machine()).unwrap_err();
            assert!(
                err.starts_with(&format!("OMP_PLACES={bad:?} is not a place list")),
                "{err}"
            );
            assert!(err.contains("threads, cores or sockets"), "{err}");
        }
    }

    #[test]
    fn places_display_as_libgomp_does() {
        let show = |v: &str| parse_places(v, &machine()).unwrap().to_string();
        assert_eq!(show("{0},{1}"), "{0},{1}");
        assert_eq!(show("{0:2}"), "{0:2}");
        assert_eq!(show("cores"), "{0,4},{1,5},{2,6},{3,7}");
        assert_eq!(show("{0:2,4:2}"), "{0:2,4:2}");
    }

    #[test]
    fn proc_bind_values() {
        use BindVar::*;
        assert_eq!(parse_proc_bind("TRUE"), Ok(True));
        assert_eq!(parse_proc_bind(" false "), Ok(False));
        assert_eq!(parse_proc_bind("spread"), Ok(Policy(ProcBind::Spread)));
        assert_eq!(parse_proc_bind("master"), Ok(Policy(ProcBind::Primary)));
        assert_eq!(parse_proc_bind("close,spread"), Ok(Policy(ProcBind::Close)));
        for bad in ["yes", "", "close,", "spread;close", "1"] {
            let err = parse_proc_bind(bad).unwrap_err();
            assert!(
                err.starts_with(&format!("OMP_PROC_BIND={bad:?} is not a binding policy")),
                "{err}"
            );
        }
        assert_eq!(Unset.policy(None, false), None);
        assert_eq!(
            Unset.policy(Some(ProcBind::Spread), false),
            Some(ProcBind::Spread)
        );
        assert_eq!(Unset.policy(None, true), Some(ProcBind::Close));
        assert_eq!(False.policy(Some(ProcBind::Spread), true), None);
        assert_eq!(True.policy(None, false), Some(ProcBind::Close));
        assert_eq!(
            Policy(ProcBind::Primary).policy(Some(ProcBind::Close), false),
            Some(ProcBind::Close)
        );
    }

    #[test]
    fn placement_follows_the_openmp_rules() {
        let all = |policy, team, primary, places| {
            (0..team)
                .map(|k| place_of(policy, k, team, primary, places))
                .collect::<Vec<_>>()
        };
        use ProcBind::*;
        assert_eq!(all(Primary, 3, 2, 4), [2, 2, 2]);
        assert_eq!(all(Close, 3, 0, 4), [0, 1, 2]);
        assert_eq!(all(Close, 3, 3, 4), [3, 0, 1]);
        assert_eq!(all(Spread, 2, 0, 8), [0, 4]);
        assert_eq!(all(Spread, 3, 0, 8), [0, 3, 6]);
        assert_eq!(all(Spread, 4, 1, 8), [1, 3, 5, 7]);
        // More members than places: consecutive members share.
        assert_eq!(all(Close, 5, 0, 2), [0, 0, 0, 1, 1]);
        assert_eq!(all(Spread, 4, 1, 2), [1, 1, 0, 0]);
        assert_eq!(all(Close, 2, 0, 1), [0, 0]);
    }

    #[test]
    fn this_machine() {
        let topo = Topology::here();
        assert!(!topo.cpus.is_empty());
        let threads = parse_places("threads", &topo).unwrap();
        assert_eq!(threads.len(), topo.cpus.len());
        let cpu = topo.cpus[0].0;
        assert_eq!(threads.of_cpu(cpu), Some(0));
        if cfg!(target_os = "linux") {
            assert_eq!(thread_cpus().map(|c| c.is_empty()), Some(false));
        }
    }

    /// A thread steps aside from its CPU, then back.
    #[test]
    #[cfg(target_os = "linux")]
    fn step_aside_and_back() {
        let cpus = initial_cpus();
        std::thread::spawn(move || {
            let here = current_cpu().unwrap();
            if cpus.len() > 1 {
                assert!(step_aside(here));
                assert!(!current_cpus().unwrap().contains(&here));
                assert_eq!(current_cpus().unwrap().len(), cpus.len() - 1);
            } else {
                assert!(!step_aside(here));
            }
            step_back();
            assert_eq!(current_cpus().unwrap(), cpus);
        })
        .join()
        .unwrap();
    }

    /// Binding a thread and reading the mask back.
    #[test]
    #[cfg(target_os = "linux")]
    fn bind_and_read_back() {
        let cpus = initial_cpus();
        std::thread::spawn(move || {
            assert!(bind_current(&cpus[..1]));
            assert_eq!(current_cpus().unwrap(), &cpus[..1]);
            assert!(bind_current(&cpus));
            assert_eq!(current_cpus().unwrap(), cpus);
        })
        .join()
        .unwrap();
    }
}
