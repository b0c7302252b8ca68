//! Variables with a clause (reductions, privates), `#[atomic]` and
//! `#[critical]` variables, shared scalars written, and the checks that
//! concern the body as a whole (loop variable writes, `default(none)`,
//! macros).

use super::{AtomicVar, Clause, Decisions, Plan, Report, Section};
use crate::clause::ReduceOp;
use crate::facts::{Access, FILLING_METHODS, Facts, RESETTING_METHODS, Step, Use};
use crate::flow::Directive;
use crate::names::Name;
use crate::show::quoted_list;
use crate::update::Operation;
use crate::walk::Binding;
use proc_macro2::Span;
use quote::format_ident;
use std::collections::{BTreeMap, BTreeSet};
use syn::Ident;

/// `i = ..`, `i += ..`, `&mut i` on a loop variable.
pub fn check_loop_var_writes(facts: &Facts, plan: &Plan, report: &mut Report) {
    for (_, var, at) in &facts.loop_var_writes {
        report.at(
            at,
            format!("the loop variable `{var}` cannot change inside a `{}` body: each iteration's value is fixed by the split (OpenMP forbids it too); copy it first: `let mut k = {var};`", plan.directive.name()),
        );
    }
}

/// A clause variable declared at the top of the body would be the
/// iteration's own, and the clause would see none of it.
pub fn check_declared_inside(facts: &Facts, plan: &Plan, report: &mut Report) {
    for name in &facts.top_level_lets {
        let n = Name::of(name);
        let clause = match plan.clause_of(&n) {
            Clause::Reduction(op, _) => format!("reduction({}: {n})", op.symbol()),
            Clause::Private => format!("private({n})"),
            Clause::Firstprivate => format!("firstprivate({n})"),
            Clause::Lastprivate => format!("lastprivate({n})"),
            Clause::None => continue,
        };
        report.at(
            name,
            format!("`{n}` is declared inside the loop, so each iteration has its own and `{clause}` would see none of them; declare `{n}` before the loop"),
        );
    }
}

/// Whether an update's operation is one of the reduction's operator.
fn fits(op: &ReduceOp, operation: &Operation) -> bool {
    match (op, operation) {
        (ReduceOp::Plus | ReduceOp::Minus, Operation::Add | Operation::Sub) => true,
        (ReduceOp::Times, Operation::Mul) => true,
        (ReduceOp::BitAnd | ReduceOp::And, Operation::BitAnd | Operation::And) => true,
        (ReduceOp::BitOr | ReduceOp::Or, Operation::BitOr | Operation::Or) => true,
        (ReduceOp::BitXor, Operation::BitXor) => true,
        (ReduceOp::Min, Operation::Min) => true,
        (ReduceOp::Max, Operation::Max) => true,
        (ReduceOp::MinLoc, Operation::MinLoc { .. }) => true,
        (ReduceOp::MaxLoc, Operation::MaxLoc { .. }) => true,
        (ReduceOp::User(path), Operation::Combine(written)) => {
            crate::show::path_text(path) == *written
        }
        _ => false,
    }
}

/// The update forms of an operator, for messages.
pub fn forms(op: &ReduceOp, x: &Name) -> String {
    match op {
        ReduceOp::Plus | ReduceOp::Minus => format!("`{x} += e`, `{x} -= e` or `{x} = {x} + e`"),
        ReduceOp::Times => format!("`{x} *= e` or `{x} = {x} * e`"),
        ReduceOp::BitAnd => format!("`{x} &= e` or `{x} = {x} & e`"),
        ReduceOp::BitOr => format!("`{x} |= e` or `{x} = {x} | e`"),
        ReduceOp::BitXor => format!("`{x} ^= e` or `{x} = {x} ^ e`"),
        ReduceOp::And => format!("`{x} = {x} && e` or `{x} &= e`"),
        ReduceOp::Or => format!("`{x} = {x} || e` or `{x} |= e`"),
        ReduceOp::Min => format!("`{x} = {x}.min(e)` or `if e < {x} {{ {x} = e; }}`"),
        ReduceOp::Max => format!("`{x} = {x}.max(e)` or `if e > {x} {{ {x} = e; }}`"),
        ReduceOp::MinLoc => format!("`if e < {x}.0 {{ {x} = (e, i); }}`"),
        ReduceOp::MaxLoc => format!("`if e > {x}.0 {{ {x} = (e, i); }}`"),
        ReduceOp::User(path) => {
            format!("`{}::combine(&mut {x}, e)`", crate::show::show(&**path))
        }
    }
}

/// A reduction variable: used only in updates of its operator's form.
#[allow(clippy::too_many_arguments)]
pub fn check_reduction(
    facts: &Facts,
    plan: &Plan,
    uses: &[&Use],
    op: &ReduceOp,
    var: &Ident,
    decisions: &mut Decisions,
    report: &mut Report,
) {
    let x = Name::of(var);
    let inscan = plan
        .clauses
        .reductions
        .iter()
        .any(|r| Name::of(&r.var) == x && r.inscan.is_some());
    let (clause, each) = match plan.directive {
        Directive::ParallelFor if inscan => (
            format!("reduction(inscan, {}: {x})", op.symbol()),
            "each block of iterations",
        ),
        Directive::ParallelFor => (format!("reduction({}: {x})", op.symbol()), "each thread"),
        _ => (
            format!("#[simd_reduce({}: {x})]", op.symbol()),
            "each vector lane",
        ),
    };
    let mut reported = BTreeSet::new();
    // One message a statement: a write that is no update says it all.
    let bad_writes: BTreeSet<usize> = uses
        .iter()
        .filter(|u| u.access.writes() && !matches!(u.access, Access::Update(_)))
        .map(|u| u.stmt)
        .collect();
    for u in uses {
        if !u.access.writes() && bad_writes.contains(&u.stmt) {
            continue;
        }
        let message = match &u.access {
            Access::Update(k) => {
                let Some(update) = facts.updates.get(*k) else {
                    continue;
                };
                if !fits(op, &update.operation) {
                    Some(format!(
                        "`{}` is not an update of `{clause}`: {each} combines into its own `{x}`, so the loop may change `{x}` only as {}, with `e` not reading `{x}`",
                        update.shown,
                        forms(op, &x)
                    ))
                } else if update.writes_when_short {
                    Some(format!(
                        "in `{}` the right operand runs only while `{x}` has not decided the result, and it writes: with {each}'s own `{x}` it would run in other iterations than in the plain loop. Compute it first (`let c = ..;`), then write `{x} = c && {x}`",
                        update.shown
                    ))
                } else if let Some((false, index)) = &update.index {
                    Some(format!(
                        "`{}` stores `{index}` as the location, but `{clause}` breaks ties by the iteration order, which it reads from the loop variable: store the loop variable (`({x}.0, {})`)",
                        update.shown,
                        plan.var_name()
                    ))
                } else {
                    if let Operation::MinLoc { or_equal } | Operation::MaxLoc { or_equal } =
                        update.operation
                    {
                        decisions
                            .loc_ties
                            .insert(x.clone(), or_equal != plan.descending);
                    }
                    None
                }
            }
            Access::Method { name, .. }
                if crate::facts::SHAPE_METHODS.contains(&name.as_str()) && u.steps.is_empty() =>
            {
                None
            }
            access if access.writes() => Some(format!(
                "`{}` changes `{x}`, but `{clause}` gives {each} its own `{x}` to combine into: the loop may change it only as {}, with `e` not reading `{x}`",
                u.shown,
                forms(op, &x)
            )),
            _ => Some(read_message(u, &x, &clause, each, &read_fix(plan, op, &x))),
        };
        if let Some(msg) = message
            && reported.insert(msg.clone())
        {
            report.at(&u.shown_at, msg);
        }
    }
    decisions.written.insert(x);
}

fn read_message(u: &Use, x: &Name, clause: &str, each: &str, fix: &str) -> String {
    let what = if u.shown == u.place {
        format!("`{x}` is read here")
    } else {
        format!("`{}` reads `{x}`", u.shown)
    };
    format!(
        "{what}, but under `{clause}` {each} has a partial `{x}` of its own: inside the loop it holds neither the running total nor the result, so this would differ from the plain loop. {fix}"
    )
}

/// What to do instead of reading reduction variable `x` in the body.
fn read_fix(plan: &Plan, op: &ReduceOp, x: &Name) -> String {
    let inscan = plan
        .clauses
        .reductions
        .iter()
        .any(|r| Name::of(&r.var) == *x && r.inscan.is_some());
    match plan.directive {
        _ if inscan => format!(
            "Read `{x}` after `scan!(inclusive({x}))` (or before `scan!(exclusive({x}))`), where it holds the prefix of the iterations so far"
        ),
        Directive::ParallelFor => format!(
            "Use `{x}` after the loop; for a running total (a prefix sum), make the loop a scan: `reduction(inscan, {}: {x})`, with `scan!(inclusive({x}));` between the update and this read",
            op.symbol()
        ),
        _ => format!(
            "Use `{x}` after the loop; for a running total (a prefix sum), compute it in a `#[parallel_for(reduction(inscan, {}: {x}))]` loop with `scan!`",
            op.symbol()
        ),
    }
}

/// Whether a use fills or lends a private buffer element by element.
fn buffer_use(u: &Use) -> bool {
    const LENDING: &[&str] = &[
        "iter_mut",
        "as_mut_slice",
        "as_mut_ptr",
        "chunks_mut",
        "chunks_exact_mut",
        "get_mut",
        "first_mut",
        "last_mut",
        "split_at_mut",
        "swap",
    ];
    u.steps.iter().any(|s| matches!(s, Step::Index(_)))
        || (u.steps.is_empty() && u.access == Access::BorrowMut)
        || matches!(&u.access, Access::Method { name, .. } if LENDING.contains(&name.as_str()) || FILLING_METHODS.contains(&name.as_str()))
}

/// `private(v)` / `lastprivate(v)`: each iteration assigns `v` whole before
/// it reads it, unless `v` is a buffer used element by element.
pub fn check_private(plan: &Plan, uses: &[&Use], decisions: &mut Decisions, report: &mut Report) {
    let Some(first) = uses.first() else { return };
    let x = first.name.clone();
    if uses.iter().any(|u| u.access.writes()) {
        decisions.written.insert(x.clone());
    }
    if uses.iter().any(|u| buffer_use(u)) {
        return;
    }
    let clause = match plan.clause_of(&x) {
        Clause::Lastprivate => format!("lastprivate({x})"),
        _ => format!("private({x})"),
    };
    for u in uses {
        let resets = matches!(&u.access, Access::Method { name, .. } if RESETTING_METHODS.contains(&name.as_str()));
        let reads = !matches!(u.access, Access::Assign) && !resets;
        if reads && !u.assigned {
            report.at(
                &u.shown_at,
                format!("`{}` reads `{x}` before this iteration assigns it: `{clause}` gives each thread one copy, which still holds what the thread's previous iteration left in it, so the result would depend on how the iterations are split. Assign `{x}` in the body before reading it (`{x} = ..;`), or declare it inside the loop (`let mut {x} = ..;`)", u.shown),
            );
            return;
        }
    }
}

/// A `firstprivate` variable the body writes.
pub fn note_written(uses: &[&Use], decisions: &mut Decisions) {
    if let Some(u) = uses.iter().find(|u| u.access.writes()) {
        decisions.written.insert(u.name.clone());
    }
}

/// `lastprivate(v)` that the body never assigns.
pub fn check_lastprivate_assigned(plan: &Plan, decisions: &Decisions, report: &mut Report) {
    for v in &plan.clauses.lastprivate {
        if !decisions.written.contains(&Name::of(v)) {
            report.at(
                v,
                format!("`lastprivate({v})`, but the loop body never assigns `{v}`, so after the loop it would keep the value it had before; assign it in the body, or drop the clause"),
            );
        }
    }
}

/// `#[atomic]` variables and `#[critical]` sections, and the uses of their
/// variables outside them.
pub fn atomics_and_sections(
    facts: &Facts,
    plan: &Plan,
    decisions: &mut Decisions,
    report: &mut Report,
) {
    for a in &facts.atomics {
        if !matches!(plan.clause_of(&a.name), Clause::None) {
            report.at(
                &a.at,
                format!("`#[atomic]` updates a variable that all threads share, but `{}` is in a data-sharing clause, so each thread already has its own; drop `#[atomic]`", a.name),
            );
            continue;
        }
        if decisions.atomic_of(&a.name, &a.fields).is_none() {
            let mut key = a.name.to_string();
            a.fields.iter().for_each(|f| {
                key.push('_');
                key.push_str(f.as_str());
            });
            decisions.atomics.push(AtomicVar {
                name: a.name.clone(),
                root: a.root.clone(),
                fields: a.fields.clone(),
                cell: format_ident!("__at_{}", key, span = Span::mixed_site()),
            });
        }
    }
    // Captured variables written inside a section: protected by its lock.
    let mut sections: BTreeMap<String, Vec<Ident>> = BTreeMap::new();
    let mut owner: BTreeMap<Name, String> = BTreeMap::new();
    for u in &facts.uses {
        let Some(section) = &u.critical else { continue };
        if !u.access.writes() || !matches!(plan.clause_of(&u.name), Clause::None) {
            continue;
        }
        if decisions.atomics.iter().any(|a| a.name == u.name) {
            report.at(
                &u.shown_at,
                format!("`{}` is updated both with `#[atomic]` and inside `#[critical]`; the two do not exclude each other: use one of them for every update of `{}`", u.name, u.name),
            );
            continue;
        }
        match owner.get(&u.name) {
            Some(other) if other != section => report.at(
                &u.shown_at,
                format!("`{}` is written in two different `#[critical]` sections, which do not exclude each other; write it in one of them", u.name),
            ),
            Some(_) => {}
            None => {
                owner.insert(u.name.clone(), section.clone());
                sections.entry(section.clone()).or_default().push(u.root.clone());
            }
        }
    }
    for (name, vars) in sections {
        let lock = format_ident!("__crit_{}", name, span = Span::mixed_site());
        decisions.sections.push(Section { name, lock, vars });
    }
    check_strays(facts, decisions, report);
}

/// An `#[atomic]` or `#[critical]` variable used anywhere else in the body
/// would race with the protected updates.
fn check_strays(facts: &Facts, decisions: &Decisions, report: &mut Report) {
    let mut reported = BTreeSet::new();
    for u in &facts.uses {
        let key = u.name.to_string();
        if let Some(a) = decisions.atomic_of(&u.name, &u.field_prefix()) {
            if !matches!(u.access, Access::Atomic(_)) && reported.insert(key.clone()) {
                let x = crate::show::show(&a.root);
                let x = if a.fields.is_empty() {
                    x
                } else {
                    format!(
                        "{x}.{}",
                        a.fields
                            .iter()
                            .map(|f| f.to_string())
                            .collect::<Vec<_>>()
                            .join(".")
                    )
                };
                report.at(
                    &u.at,
                    format!("`{x}` is updated with `#[atomic]` in this loop, so every use of it in the body must be an `#[atomic] {x} op= ..` update: this use would race with them. Read `{x}` after the loop"),
                );
            }
        } else if decisions
            .atomics
            .iter()
            .any(|a| a.name == u.name && u.field_prefix().len() < a.fields.len())
        {
            if reported.insert(key.clone()) {
                report.at(
                    &u.at,
                    format!("`{}` holds a field updated with `#[atomic]` in this loop, so it cannot be used whole in the body; use its other fields, or use it after the loop", u.place),
                );
            }
        } else if let Some(section) = decisions.section_of(&u.name)
            && u.critical.as_ref() != Some(&section.name)
            && reported.insert(key.clone())
        {
            let block = if section.name.is_empty() {
                "#[critical]".to_owned()
            } else {
                format!("#[critical({})]", section.name)
            };
            report.at(
                &u.at,
                format!("`{key}` is written inside `{block}`, so every use of it in the body must be inside a `{block}` block: this use would race with those writes. Move it into the block, or use `{key}` after the loop"),
            );
        }
    }
}

/// The message for a write to a shared scalar, naming the clause or
/// rewrite that fixes it.
pub fn shared_write_message(facts: &Facts, w: &Use) -> String {
    let x = &w.name;
    if !w.steps.is_empty() && w.is_value_path() {
        return format!(
            "`{}` is shared by every iteration, so writing it from the loop body is a data race; write per-iteration results into an array element `out[i]`, or into a variable declared inside the loop",
            w.place
        );
    }
    let race = format!(
        "`{}` writes the shared variable `{x}` from every iteration at once, a data race",
        w.shown
    );
    match &w.access {
        Access::Update(k) => {
            let op = facts
                .updates
                .get(*k)
                .map_or_else(|| "+".to_owned(), |u| u.operation.clause_symbol());
            format!(
                "{race}; combine the iterations' values with `reduction({op}: {x})` in the directive, e.g. `#[parallel_for(reduction({op}: {x}))]`"
            )
        }
        Access::Method { name, .. } => format!(
            "`{x}.{name}(..)` changes the shared `{x}` from every iteration at once, a data race; give each iteration its own slot instead (`out[i] = ..` into an array made before the loop), or collect after the loop"
        ),
        Access::BorrowMut => format!(
            "`&mut {x}` borrows the shared variable `{x}` mutably from every iteration at once, a data race; declare a variable inside the loop, or add `reduction(op: {x})` if the iterations combine into it"
        ),
        _ => format!(
            "{race}; if each iteration needs its own `{x}`, declare it inside the loop (`let {x} = ..;`); if the iterations combine into it, add a reduction such as `reduction(+: {x})`"
        ),
    }
}

/// `default(none)`: every captured variable the body uses is listed.
pub fn check_default_none(facts: &Facts, plan: &Plan, report: &mut Report) {
    let Some(clause) = &plan.clauses.default_none else {
        return;
    };
    let c = plan.clauses;
    let listed = |n: &Name| {
        !matches!(plan.clause_of(n), Clause::None) || c.shared.iter().any(|s| Name::of(s) == *n)
    };
    let missing: BTreeSet<String> = facts
        .uses
        .iter()
        .filter(|u| u.access != Access::CallHead && !u.name.looks_like_a_constant())
        .filter(|u| !listed(&u.name))
        .map(|u| u.name.to_string())
        .collect();
    if missing.is_empty() {
        return;
    }
    let missing: Vec<String> = missing.into_iter().collect();
    report.at(
        clause,
        format!(
            "`default(none)`: the loop uses {} without listing them in a clause; add `shared({})` for what the loop reads (or writes by element, `y[i]`), or the clause that fits: `reduction`, `private`, `firstprivate`, `lastprivate`",
            quoted_list(&missing),
            missing.join(", ")
        ),
    );
}

/// A macro the analysis cannot see into, mentioning a name whose meaning
/// the loop changes: the loop variable (which it may rebind), an array the
/// loop splits, a variable of a clause or directive, or `self`.
pub fn check_macros(facts: &Facts, plan: &Plan, decisions: &Decisions, report: &mut Report) {
    for m in &facts.macros {
        let mut why = None;
        for (id, binding) in &m.mentions {
            let n = Name::of(id);
            let reason = match binding {
                Binding::Local => continue,
                Binding::Loop(_) => format!("the loop variable `{n}`"),
                Binding::Captured if n == Name::self_value() => "`self`".to_owned(),
                Binding::Captured => match plan.clause_of(&n) {
                    Clause::Reduction(op, _) => {
                        format!("`{n}`, a variable of `reduction({}: {n})`", op.symbol())
                    }
                    Clause::Private | Clause::Firstprivate | Clause::Lastprivate => {
                        format!("`{n}`, a variable of a data-sharing clause")
                    }
                    Clause::None if decisions.splits.iter().any(|s| s.name == n) => {
                        format!("`{n}`, an array this loop writes")
                    }
                    Clause::None if decisions.atomics.iter().any(|a| a.name == n) => {
                        format!("`{n}`, updated with `#[atomic]`")
                    }
                    Clause::None if decisions.section_of(&n).is_some() => {
                        format!("`{n}`, written under `#[critical]`")
                    }
                    Clause::None => continue,
                },
            };
            why = Some(reason);
            break;
        }
        let Some(why) = why else { continue };
        let what = if m.definition {
            "defines a macro that mentions"
        } else {
            "mentions"
        };
        let directive = plan.directive.name();
        report.at(
            &m.at,
            format!("`{}` {what} {why}: a macro's expansion is hidden from `{directive}`, which cannot tell whether it rebinds the name, reads or writes shared data, so it cannot prove the loop computes what the plain loop does. Write the code inline, call a function instead, or use a std macro (`println!`, `assert!`, `vec!`, ..)", m.shown),
        );
    }
}
