//! What ran: `PARALLEL_REPORT=1`, `PARALLEL_TRACE=file.json` and
//! `OMP_DISPLAY_ENV`, which act at the first loop and at exit, so each case
//! runs this test binary again as a child process with the variables set
//! (the test `child` does the loops) and reads what it printed and wrote.

use parallel::parallel;
use std::collections::BTreeMap;
use std::process::Command;

/// Runs the `child` test in a new process with `vars`; its stderr.
fn run_child(vars: &[(&str, &str)]) -> String {
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(exe)
        .args(["child", "--exact", "--nocapture", "--test-threads=1"])
        .env("PARALLEL_TEST_CHILD", "1")
        .envs(vars.iter().copied())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "the child failed:\n{stderr}");
    stderr
}

#[parallel]
fn rows(n: usize, out: &mut [u64]) {
    #[parallel_for(num_threads(2), schedule(dynamic, 3))]
    for i in 0..n {
        out[i] = (0..i as u64).sum();
    }
}

#[parallel]
fn total(x: &[u64]) -> u64 {
    let mut s = 0;
    #[parallel_for(num_threads(3), schedule(static, 5), reduction(+: s))]
    for i in 0..x.len() {
        s += x[i];
    }
    s
}

/// The loops the child runs: 4 calls of `rows` over 101 rows, 2 of
/// `total` over 1000 elements.
#[test]
fn child() {
    if std::env::var_os("PARALLEL_TEST_CHILD").is_none() {
        return;
    }
    let mut out = vec![0u64; 101];
    for _ in 0..4 {
        rows(101, &mut out);
    }
    assert_eq!(out[100], 4950);
    let x: Vec<u64> = (0..1000).collect();
    assert_eq!(total(&x), 499_500);
    assert_eq!(total(&x), 499_500);
}

#[test]
fn the_report_has_a_line_per_loop() {
    let err = run_child(&[("PARALLEL_REPORT", "1")]);
    let report: Vec<&str> = err
        .lines()
        .skip_while(|l| !l.starts_with("parallel: loops of this run"))
        .collect();
    assert!(report.len() >= 4, "{err}");
    let header: Vec<&str> = report[1].split_whitespace().collect();
    assert_eq!(
        header,
        [
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
            "imbalance"
        ]
    );
    // Each row: the loop's place, the directive as written (with spaces),
    // then the columns from the schedule on.
    let row = |directive: &str| -> (String, Vec<String>) {
        let line = report[2..]
            .iter()
            .find(|l| l.contains(directive))
            .unwrap_or_else(|| panic!("no row for {directive}:\n{err}"));
        let (place, rest) = line.split_once(directive).unwrap();
        let columns = rest.split_whitespace().map(str::to_owned).collect();
        (place.trim().to_owned(), columns)
    };
    let (place, rows) = row("parallel_for(num_threads(2), schedule(dynamic, 3))");
    // The loop's own line, not the `#[parallel]` attribute's.
    assert_eq!(place, "tests/test_report.rs:27", "{rows:?}");
    assert_eq!(
        &rows[..3],
        ["dynamic,3", "2", "4"],
        "team 2, 4 calls: {rows:?}"
    );
    let chunks: u64 = rows[3].parse().unwrap();
    // 34 chunks per call, unless a call ran solo (one chunk).
    assert!((4..=4 * 34).contains(&chunks), "{rows:?}");
    let (_, total) = row("parallel_for(num_threads(3), schedule(static, 5), reduction(+: s))");
    assert_eq!(&total[..3], ["static,5", "3", "2"], "{total:?}");
    assert!(total[total.len() - 1].parse::<f64>().unwrap() >= 1.0);
}

#[test]
fn display_env_prints_the_settings_once() {
    let err = run_child(&[
        ("OMP_DISPLAY_ENV", "true"),
        ("OMP_THREAD_LIMIT", "9"),
        ("OMP_SCHEDULE", "guided,7"),
    ]);
    assert_eq!(
        err.matches("OPENMP DISPLAY ENVIRONMENT BEGIN").count(),
        1,
        "{err}"
    );
    assert!(err.contains("  OMP_THREAD_LIMIT = '9'\n"), "{err}");
    assert!(err.contains("  OMP_SCHEDULE = 'GUIDED,7'\n"), "{err}");
    assert!(err.contains("OPENMP DISPLAY ENVIRONMENT END\n"), "{err}");
    let verbose = run_child(&[("OMP_DISPLAY_ENV", "verbose")]);
    assert!(verbose.contains("  PARALLEL_SIMD_LEVEL = '"), "{verbose}");
}

#[test]
fn bad_values_are_named() {
    for (var, value) in [
        ("OMP_PROC_BIND", "sideways"),
        ("OMP_PLACES", "{0"),
        ("OMP_THREAD_LIMIT", "0"),
        ("OMP_DISPLAY_ENV", "loud"),
        ("PARALLEL_REPORT", "maybe"),
    ] {
        let exe = std::env::current_exe().unwrap();
        let out = Command::new(exe)
            .args(["child", "--exact", "--nocapture", "--test-threads=1"])
            .env("PARALLEL_TEST_CHILD", "1")
            .env(var, value)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{var}={value} was accepted");
        assert!(err.contains(&format!("{var}={value:?}")), "{var}: {err}");
    }
}

// ---- the trace, and a JSON reader just big enough to check it ----

#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(BTreeMap<String, Json>),
}

impl Json {
    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.get(key),
            _ => None,
        }
    }
    fn num(&self) -> f64 {
        match self {
            Json::Num(n) => *n,
            other => panic!("not a number: {other:?}"),
        }
    }
    fn str(&self) -> &str {
        match self {
            Json::Str(s) => s,
            other => panic!("not a string: {other:?}"),
        }
    }
}

struct Reader<'a> {
    s: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn parse(text: &str) -> Json {
        let mut r = Reader {
            s: text.as_bytes(),
            at: 0,
        };
        let v = r.value();
        r.ws();
        assert_eq!(r.at, r.s.len(), "trailing text after the JSON value");
        v
    }
    fn ws(&mut self) {
        while self.at < self.s.len() && self.s[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
    }
    fn eat(&mut self, c: u8) {
        self.ws();
        assert_eq!(
            self.s.get(self.at),
            Some(&c),
            "expected {:?} at {}",
            c as char,
            self.at
        );
        self.at += 1;
    }
    fn peek(&mut self) -> u8 {
        self.ws();
        self.s[self.at]
    }
    fn value(&mut self) -> Json {
        match self.peek() {
            b'{' => {
                self.eat(b'{');
                let mut m = BTreeMap::new();
                if self.peek() == b'}' {
                    self.eat(b'}');
                    return Json::Obj(m);
                }
                loop {
                    let k = self.string();
                    self.eat(b':');
                    m.insert(k, self.value());
                    if self.peek() == b',' {
                        self.eat(b',');
                    } else {
                        self.eat(b'}');
                        return Json::Obj(m);
                    }
                }
            }
            b'[' => {
                self.eat(b'[');
                let mut v = Vec::new();
                if self.peek() == b']' {
                    self.eat(b']');
                    return Json::Arr(v);
                }
                loop {
                    v.push(self.value());
                    if self.peek() == b',' {
                        self.eat(b',');
                    } else {
                        self.eat(b']');
                        return Json::Arr(v);
                    }
                }
            }
            b'"' => Json::Str(self.string()),
            b't' | b'f' | b'n' => {
                for (word, v) in [
                    ("true", Json::Bool(true)),
                    ("false", Json::Bool(false)),
                    ("null", Json::Null),
                ] {
                    if self.s[self.at..].starts_with(word.as_bytes()) {
                        self.at += word.len();
                        return v;
                    }
                }
                panic!("bad literal at {}", self.at)
            }
            _ => {
                let start = self.at;
                while self.at < self.s.len() && b"+-.eE0123456789".contains(&self.s[self.at]) {
                    self.at += 1;
                }
                let text = std::str::from_utf8(&self.s[start..self.at]).unwrap();
                Json::Num(
                    text.parse()
                        .unwrap_or_else(|_| panic!("bad number {text:?}")),
                )
            }
        }
    }
    fn string(&mut self) -> String {
        self.eat(b'"');
        let mut out = String::new();
        loop {
            let c = self.s[self.at];
            self.at += 1;
            match c {
                b'"' => return out,
                b'\\' => {
                    let e = self.s[self.at];
                    self.at += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'n' => out.push('\n'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hex = std::str::from_utf8(&self.s[self.at..self.at + 4]).unwrap();
                            self.at += 4;
                            out.push(
                                char::from_u32(u32::from_str_radix(hex, 16).unwrap()).unwrap(),
                            );
                        }
                        _ => panic!("bad escape"),
                    }
                }
                _ => {
                    // Copy a UTF-8 sequence whole.
                    let start = self.at - 1;
                    let mut end = self.at;
                    while end < self.s.len() && (self.s[end] & 0xC0) == 0x80 {
                        end += 1;
                    }
                    out.push_str(std::str::from_utf8(&self.s[start..end]).unwrap());
                    self.at = end;
                }
            }
        }
    }
}

#[test]
fn json_reader_reads_json() {
    let v = Reader::parse(r#" {"a": [1, -2.5e1, "x\"\u00e9"], "b": {"c": true, "d": null}} "#);
    assert_eq!(
        v.get("a"),
        Some(&Json::Arr(vec![
            Json::Num(1.0),
            Json::Num(-25.0),
            Json::Str("x\"é".into())
        ]))
    );
    assert_eq!(v.get("b").and_then(|b| b.get("c")), Some(&Json::Bool(true)));
}

/// The trace parses, has a named track per thread, and its chunk slices
/// cover every iteration of every call exactly once.
#[test]
fn the_trace_covers_every_iteration_once() {
    let dir = std::env::temp_dir().join(format!("parallel-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("trace.json");
    let err = run_child(&[("PARALLEL_TRACE", file.to_str().unwrap())]);
    assert!(err.contains("wrote the trace to"), "{err}");
    let text = std::fs::read_to_string(&file).unwrap();
    let json = Reader::parse(&text);
    let Some(Json::Arr(events)) = json.get("traceEvents") else {
        panic!("no traceEvents array");
    };
    let mut tracks = BTreeMap::new();
    // (loop, call) -> covered iteration ranges, and the whole loop's range.
    let mut chunks: BTreeMap<(String, u64), Vec<(u64, u64)>> = BTreeMap::new();
    let mut loops: BTreeMap<(String, u64), (u64, u64)> = BTreeMap::new();
    for e in events {
        let tid = e.get("tid").unwrap().num() as u64;
        match e.get("ph").unwrap().str() {
            "M" => {
                let name = e.get("args").unwrap().get("name").unwrap().str();
                tracks.insert(tid, name.to_string());
            }
            "X" => {
                assert!(e.get("ts").unwrap().num() >= 0.0);
                assert!(e.get("dur").unwrap().num() >= 0.0);
                let name = e.get("name").unwrap().str().to_string();
                assert!(name.starts_with("tests/test_report.rs:"), "{name}");
                let args = e.get("args").unwrap();
                let call = args.get("call").unwrap().num() as u64;
                let (lo, hi) = (
                    args.get("lo").unwrap().num() as u64,
                    args.get("hi").unwrap().num() as u64,
                );
                assert!(tracks.contains_key(&tid), "slice on an unnamed track");
                match e.get("cat").unwrap().str() {
                    "chunk" => chunks.entry((name, call)).or_default().push((lo, hi)),
                    "loop" => {
                        loops.insert((name, call), (lo, hi));
                    }
                    other => panic!("unknown category {other}"),
                }
            }
            other => panic!("unexpected phase {other}"),
        }
    }
    assert_eq!(loops.len(), 6, "4 calls of rows, 2 of total");
    assert_eq!(chunks.len(), 6);
    for (key, whole) in &loops {
        let mut covered = chunks[key].clone();
        covered.sort();
        let mut next = whole.0;
        for (lo, hi) in covered {
            assert_eq!(lo, next, "{key:?}: a gap or an overlap at {lo}");
            assert!(hi > lo);
            next = hi;
        }
        assert_eq!(next, whole.1, "{key:?}");
    }
    let lens: Vec<u64> = loops.values().map(|w| w.1 - w.0).collect();
    assert_eq!(lens.iter().filter(|&&l| l == 101).count(), 4);
    assert_eq!(lens.iter().filter(|&&l| l == 1000).count(), 2);
    std::fs::remove_dir_all(&dir).ok();
}
