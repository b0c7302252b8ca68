//! Affinity: `OMP_PROC_BIND`, `OMP_PLACES` and the runtime side of the
//! `proc_bind(..)` clause, as the macro reads it. The variables are read once per process, so each
//! case runs this test binary again as a child with the variables set; the
//! child's loop reads every member's CPU set back with `sched_getaffinity`
//! and prints it, and the parent checks it against the policy.
#![cfg(target_os = "linux")]

use parallel::__private::thread_cpus;
use parallel::parallel;
use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

/// One round of the child's loop: each member records its CPU set, under
/// the clause `clause` as the macro reads it.
#[parallel]
fn record(team: usize, clause: Option<&str>, seen: &Mutex<BTreeMap<usize, Vec<usize>>>) {
    macro_rules! body {
        () => {{
            let cpus = thread_cpus().unwrap();
            seen.lock().unwrap().insert(parallel::thread_num(), cpus);
            std::thread::sleep(Duration::from_millis(2));
        }};
    }
    match clause {
        Some("primary") =>
        {
            #[parallel_for(num_threads(team), schedule(dynamic), proc_bind(primary))]
            for _ in 0..8 * team {
                body!();
            }
        }
        Some("close") =>
        {
            #[parallel_for(num_threads(team), schedule(dynamic), proc_bind(close))]
            for _ in 0..8 * team {
                body!();
            }
        }
        Some("spread") =>
        {
            #[parallel_for(num_threads(team), schedule(dynamic), proc_bind(spread))]
            for _ in 0..8 * team {
                body!();
            }
        }
        _ =>
        {
            #[parallel_for(num_threads(team), schedule(dynamic))]
            for _ in 0..8 * team {
                body!();
            }
        }
    }
}

/// The child: a team of `PARALLEL_TEST_TEAM` whose members each record
/// their CPU set, with the clause `PARALLEL_TEST_CLAUSE` if set; prints
/// `member: cpu,cpu,...` lines. Dynamic chunks that sleep, retried until
/// every member ran one, so that every member shows up.
#[test]
fn child() {
    let Ok(team) = std::env::var("PARALLEL_TEST_TEAM") else {
        return;
    };
    let team: usize = team.parse().unwrap();
    let clause = std::env::var("PARALLEL_TEST_CLAUSE").ok();
    let seen = Mutex::new(BTreeMap::new());
    for _ in 0..50 {
        record(team, clause.as_deref(), &seen);
        if seen.lock().unwrap().len() == team {
            break;
        }
    }
    for (k, cpus) in seen.into_inner().unwrap() {
        let cpus: Vec<String> = cpus.iter().map(ToString::to_string).collect();
        // On a line of its own: libtest writes "test child ... " first.
        println!("\nmember {k}: {}", cpus.join(","));
    }
}

/// Runs the child; member -> CPU set.
fn members(
    team: usize,
    vars: &[(&str, &str)],
    clause: Option<&str>,
) -> BTreeMap<usize, Vec<usize>> {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = Command::new(exe);
    cmd.args(["child", "--exact", "--nocapture", "--test-threads=1"])
        .env("PARALLEL_TEST_TEAM", team.to_string())
        .env_remove("OMP_PROC_BIND")
        .env_remove("OMP_PLACES")
        .envs(vars.iter().copied());
    if let Some(c) = clause {
        cmd.env("PARALLEL_TEST_CLAUSE", c);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("member "))
        .map(|l| {
            let (k, cpus) = l.split_once(": ").unwrap();
            let cpus = cpus.split(',').map(|c| c.parse().unwrap()).collect();
            (k.parse().unwrap(), cpus)
        })
        .collect()
}

/// The CPUs this process may use.
fn cpus() -> Vec<usize> {
    thread_cpus().unwrap()
}

/// With one place per CPU, member `k` is on the CPU `offset(k)` places
/// after member 0's.
fn check_places(seen: &BTreeMap<usize, Vec<usize>>, offset: impl Fn(usize) -> usize) {
    let all = cpus();
    let first = &seen[&0];
    assert_eq!(first.len(), 1, "member 0 is bound to one CPU: {seen:?}");
    let p0 = all.iter().position(|c| *c == first[0]).unwrap();
    for (k, set) in seen {
        assert_eq!(
            set,
            &vec![all[(p0 + offset(*k)) % all.len()]],
            "member {k}: {seen:?}"
        );
    }
}

/// Unbound: every CPU, except that a helper woken onto its caller's CPU
/// steps off it for a long loop (see `affinity::step_aside`).
fn assert_unbound(seen: &BTreeMap<usize, Vec<usize>>) {
    let all = cpus();
    for (k, set) in seen {
        let aside = *k > 0 && set.len() + 1 == all.len() && set.iter().all(|c| all.contains(c));
        assert!(set == &all || aside, "member {k}: {seen:?}");
    }
}

#[test]
fn unbound_by_default() {
    let seen = members(2, &[], None);
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_unbound(&seen);
}

#[test]
fn close_on_threads() {
    let seen = members(
        2,
        &[("OMP_PROC_BIND", "close"), ("OMP_PLACES", "threads")],
        None,
    );
    assert_eq!(seen.len(), 2, "{seen:?}");
    check_places(&seen, |k| k);
}

#[test]
fn true_and_places_alone_mean_close() {
    for vars in [
        &[("OMP_PROC_BIND", "true")][..],
        &[("OMP_PLACES", "threads")][..],
    ] {
        let seen = members(2, vars, None);
        check_places(&seen, |k| k);
    }
}

#[test]
fn primary_puts_everyone_on_member_0s_place() {
    let seen = members(
        3,
        &[("OMP_PROC_BIND", "primary"), ("OMP_PLACES", "threads")],
        None,
    );
    check_places(&seen, |_| 0);
}

#[test]
fn spread_and_explicit_places() {
    let all = cpus();
    // An explicit list of every CPU, last first.
    let list: Vec<String> = all.iter().rev().map(|c| format!("{{{c}}}")).collect();
    let seen = members(
        2,
        &[("OMP_PROC_BIND", "spread"), ("OMP_PLACES", &list.join(","))],
        None,
    );
    let m = all.len();
    let spread = |k: usize| if m >= 2 { k * (m / 2) } else { 0 };
    // In the list's order: member k is `spread(k)` places after member 0,
    // counting from the end of `all`.
    let first = seen[&0][0];
    let p0 = list
        .iter()
        .position(|p| *p == format!("{{{first}}}"))
        .unwrap();
    for (k, set) in &seen {
        let want = all[m - 1 - (p0 + spread(*k)) % m];
        assert_eq!(set, &vec![want], "member {k}: {seen:?}");
    }
    // One place holding every CPU: bound, but to all of them.
    let seen = members(
        2,
        &[
            ("OMP_PROC_BIND", "close"),
            ("OMP_PLACES", &format!("{{0:{m}}}")),
        ],
        None,
    );
    for set in seen.values() {
        assert_eq!(set, &all);
    }
}

#[test]
fn the_clause_binds_and_false_turns_it_off() {
    let seen = members(2, &[], Some("close"));
    // Default places: one per core.
    for set in seen.values() {
        assert!(
            !set.is_empty() && set.len() < cpus().len().max(2),
            "{seen:?}"
        );
    }
    let seen = members(2, &[("OMP_PROC_BIND", "false")], Some("close"));
    assert_unbound(&seen);
}
