//! Scans: `reduction(inscan, op: v)` and the body's `scan!(..)` statement.
//!
//! The update phase (before `scan!(inclusive(..))`, after
//! `scan!(exclusive(..))`) runs twice for every iteration: once to total
//! the blocks, once to finish them. So it may change only the scan
//! variables (by their operator's updates) and its own locals, and read
//! what the loop does not change. The read phase runs once and sees the
//! prefix; it may read the scan variables but not change them.

use super::{Clause, Decisions, Plan, Report};
use crate::clause::{ReduceOp, Reduction};
use crate::facts::{Access, Facts, Use};
use crate::names::{Name, pattern_bindings};
use crate::scan::ScanFact;
use crate::walk::token_idents;
use quote::ToTokens;
use std::collections::BTreeSet;
use syn::{Block, Stmt};

/// Methods that change their receiver through a shared reference (atomics,
/// locks, once-cells, channels): in the update phase they would act twice.
const INTERIOR: &[&str] = &[
    "fetch_add",
    "fetch_sub",
    "fetch_and",
    "fetch_or",
    "fetch_xor",
    "fetch_nand",
    "fetch_max",
    "fetch_min",
    "fetch_update",
    "store",
    "swap",
    "compare_exchange",
    "compare_exchange_weak",
    "lock",
    "try_lock",
    "write",
    "try_write",
    "set",
    "get_or_init",
    "send",
    "try_send",
    "push",
    "insert",
    "take",
    "replace",
];

/// Std macros that print or write: they would do it twice.
const EFFECTS: &[&str] = &[
    "print", "println", "eprint", "eprintln", "write", "writeln", "dbg",
];

/// The scan variables, if the loop reduces any with `inscan`.
pub fn inscan<'a>(plan: &Plan<'a>) -> Vec<&'a Reduction> {
    plan.clauses
        .reductions
        .iter()
        .filter(|r| r.inscan.is_some())
        .collect()
}

/// The checks of the scan statement against the clause, and of every use
/// outside the scan variables; the scan variables' own uses are checked by
/// [`split_uses`] and the reduction checks.
pub fn check(
    facts: &Facts,
    plan: &Plan,
    body: &Block,
    decisions: &mut Decisions,
    report: &mut Report,
) {
    let vars = inscan(plan);
    for extra in facts.scans.iter().skip(1) {
        report.at(&extra.at, "a loop has one `scan!(..)` statement: name every scan variable in it, `scan!(inclusive(a, b));`".to_owned());
    }
    let Some(scan) = facts.scans.first() else {
        if let Some(r) = vars.first() {
            let v = &r.var;
            report.at(v, format!("`reduction(inscan, {}: {v})` needs a `scan!(inclusive({v}));` (or `scan!(exclusive({v}));`) statement in the loop body, between the statements that update `{v}` and those that read it", r.op.symbol()));
        }
        return;
    };
    if vars.is_empty() {
        report.at(&scan.at, "`scan!(..)` separates the two phases of a scan, but this loop reduces nothing with `inscan`: name the variables in the clause, `#[parallel_for(reduction(inscan, +: sum))]`".to_owned());
        return;
    }
    let named: BTreeSet<Name> = scan.vars.iter().map(Name::of).collect();
    let reduced: BTreeSet<Name> = vars.iter().map(|r| Name::of(&r.var)).collect();
    for v in &scan.vars {
        if !reduced.contains(&Name::of(v)) {
            report.at(v, format!("`{v}` is not reduced with `inscan` in this loop: add it to the clause, `reduction(inscan, +: {v})`, or drop it from `scan!`"));
        }
    }
    for r in &vars {
        if !named.contains(&Name::of(&r.var)) {
            report.at(
                &r.var,
                format!(
                    "`{}` is reduced with `inscan`, but `scan!(..)` does not name it: add it there",
                    r.var
                ),
            );
        }
        if matches!(r.op, ReduceOp::MinLoc | ReduceOp::MaxLoc) {
            report.at(&r.var, format!("`reduction(inscan, {}: ..)`: a scan of locations is not supported; scan the value with `min` / `max`, or search in a loop of its own", r.op.symbol()));
        }
    }
    check_update_phase(facts, plan, scan, &reduced, report);
    if !scan.inclusive {
        check_exclusive(facts, scan, body, report);
    }
    decisions.scan = Some(scan.index);
}

/// The uses of scan variable `x` in the update phase (checked as
/// reduction updates), after reporting those in the read phase that change
/// it.
pub fn split_uses<'u>(
    facts: &Facts,
    x: &Name,
    uses: &[&'u Use],
    report: &mut Report,
) -> Vec<&'u Use> {
    let Some(scan) = facts.scans.first() else {
        return uses.to_vec();
    };
    let (kind, side) = if scan.inclusive {
        ("inclusive", "after")
    } else {
        ("exclusive", "before")
    };
    let mut update = Vec::new();
    for u in uses {
        if scan.updates_at(u.top) {
            update.push(*u);
        } else if u.access.writes() {
            report.at(&u.shown_at, format!("`{}` changes `{x}` {side} `scan!({kind}(..))`, where `{x}` holds the prefix of the iterations so far: change `{x}` only in the other phase, with its operator's updates", u.shown));
        }
    }
    update
}

fn phase_words(scan: &ScanFact) -> (&'static str, &'static str) {
    if scan.inclusive {
        ("before `scan!(inclusive(..))`", "after it")
    } else {
        ("after `scan!(exclusive(..))`", "before it")
    }
}

/// The update phase changes nothing but the scan variables and its locals,
/// and uses no other clause variable, atomic, critical section, or macro
/// that may have effects.
fn check_update_phase(
    facts: &Facts,
    plan: &Plan,
    scan: &ScanFact,
    reduced: &BTreeSet<Name>,
    report: &mut Report,
) {
    let (here, there) = phase_words(scan);
    let twice = "the update phase runs twice for every iteration (once to total the blocks of iterations, once to finish them)";
    let mut reported = BTreeSet::new();
    for u in facts
        .uses
        .iter()
        .filter(|u| scan.updates_at(u.top) && !reduced.contains(&u.name))
    {
        let msg = if !matches!(plan.clause_of(&u.name), Clause::None) {
            format!(
                "`{}` uses `{}`, a variable of another clause, {here}: {twice}, so it may use only the scan variables, its own locals and what the loop does not change; use `{}` {there}",
                u.shown, u.name, u.name
            )
        } else if u.access.writes() || u.critical.is_some() {
            format!(
                "`{}` writes `{}` {here}: {twice}, so it may change only the scan variables and its own locals; move the write {there}",
                u.shown, u.place
            )
        } else if let Access::Method { name, .. } = &u.access
            && INTERIOR.contains(&name.as_str())
        {
            format!(
                "`{}` calls `.{name}()` on `{}` {here}: {twice}, and a method may change its receiver through a shared reference (an atomic, a lock), which would then happen twice; call it {there}",
                u.shown, u.place
            )
        } else {
            continue;
        };
        if reported.insert(msg.clone()) {
            report.at(&u.shown_at, msg);
        }
    }
    for (path, top, at) in &facts.macro_calls {
        let name = path.rsplit("::").next().unwrap_or(path);
        if scan.updates_at(*top)
            && (EFFECTS.contains(&name) || !crate::walk::is_std_expr_macro(path))
        {
            report.at(at, format!("`{path}!` {here}: {twice}, so whatever it prints or changes would happen twice; use it {there}"));
        }
    }
}

/// `scan!(exclusive(..))`: the read phase comes first, and the first pass
/// runs the update phase alone; a `continue` in the read phase, or a local
/// of it used in the update phase, would make the two passes differ.
fn check_exclusive(facts: &Facts, scan: &ScanFact, body: &Block, report: &mut Report) {
    for (_, at) in facts.continues.iter().filter(|(t, _)| *t <= scan.index) {
        report.at(at, "this `continue` comes before `scan!(exclusive(..))`, so it would skip the iteration's update, which the scan's first pass runs on its own: put a condition around the statements that read instead".to_owned());
    }
    let mut read_locals = BTreeSet::new();
    for stmt in &body.stmts[..scan.index.min(body.stmts.len())] {
        if let Stmt::Local(l) = stmt {
            read_locals.extend(pattern_bindings(&l.pat).iter().map(Name::of));
        }
    }
    let mut reported = BTreeSet::new();
    for stmt in body.stmts.iter().skip(scan.index + 1) {
        for id in token_idents(stmt.to_token_stream()) {
            let n = Name::of(&id);
            if read_locals.contains(&n) && reported.insert(n.clone()) {
                report.at(&id, format!("`{n}` is declared before `scan!(exclusive(..))`, but the statements after it update the scan and run on their own in its first pass: compute `{n}` again after `scan!`"));
            }
        }
    }
}
