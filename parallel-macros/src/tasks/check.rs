//! Decisions on a group: which of the group's own variables each task
//! takes (and whether it must take a copy, because the group uses the
//! variable again), and the errors: a task writing a variable of the
//! group, and two pieces of code that may run at the same time using a
//! variable from outside the group that one of them writes.
//!
//! # When two uses may run at the same time
//!
//! Each use sits at a path from the group's block (see `tree`). For two
//! uses, let `C` be the innermost task around both (or the group):
//!
//! - if a loop lies above `C`, `C` runs once per iteration, and two of its
//!   copies may run at the same time;
//! - else, if neither use is inside a task below `C`, `C`'s own code runs
//!   them in order;
//! - else, if a loop lies between `C` and the point where their paths part,
//!   they may meet across iterations;
//! - else, in two arms of one `if` or `match` they never both run;
//! - else, two tasks run at the same time; and a task runs at the same
//!   time as the code that follows its spawn, not the code before it.

use super::tree::{Node, Path, Site, Step, Tree};
use crate::facts::{Access, Use};
use crate::names::Name;
use std::collections::{BTreeMap, BTreeSet};
use syn::{Error, Ident};

/// A variable of the group that a task takes.
pub struct Capture {
    /// The name as the task uses it (the user's token).
    pub ident: Ident,
    /// The group uses it after the task (or the task repeats): the task
    /// takes a copy, and the variable's type must be `Copy`.
    pub copied: bool,
}

pub struct Decisions {
    pub errors: Vec<Error>,
    /// For each task, what it takes from the group, in order of first use.
    pub captures: Vec<Vec<Capture>>,
}

/// Methods that change what a shared reference points to (atomics, locks,
/// cells, channels): for the group's own code, a use while a task may
/// change it differs from the plain program.
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
    "get_or_init",
    "send",
    "try_send",
];

pub fn check(tree: &Tree) -> Decisions {
    let mut d = Decisions {
        errors: Vec::new(),
        captures: (0..tree.tasks.len()).map(|_| Vec::new()).collect(),
    };
    captures(tree, &mut d);
    conflicts(tree, &mut d);
    d
}

/// The length of the common prefix of two paths.
fn common(a: &[Step], b: &[Step]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// The index of the innermost task step of `path`.
fn innermost_task(tree: &Tree, path: &[Step]) -> Option<usize> {
    path.iter().rposition(|s| tree.task_of(s).is_some())
}

/// The group's variables each task takes, and the writes to them.
fn captures(tree: &Tree, d: &mut Decisions) {
    let mut taken = BTreeSet::new();
    let mut wrong = BTreeSet::new();
    for site in &tree.sites {
        let Some(b) = site.binding else { continue };
        let decl = &tree.bindings[b].path;
        let k = common(decl, &site.path);
        let tasks: Vec<usize> = site.path[k..]
            .iter()
            .filter_map(|s| tree.task_of(s))
            .collect();
        if tasks.is_empty() {
            continue;
        }
        if writes_group_variable(&site.what, tree.bindings[b].mutable) && wrong.insert(b) {
            d.errors.push(group_variable_written(&site.what));
        }
        for t in tasks {
            if taken.insert((t, b)) {
                let copied = needs_copy(tree, t, b);
                d.captures[t].push(Capture {
                    ident: site.what.root.clone(),
                    copied,
                });
            }
        }
    }
}

/// A write the group would not see: the variable itself assigned, or (for
/// a `mut` variable, an owned value) changed in any way. Writes through a
/// variable that is not `mut` (`*slot = ..`, `part[k] = ..`) go through a
/// reference, as in the plain program: an owned value not declared `mut`
/// cannot be changed at all.
fn writes_group_variable(u: &Use, mutable: bool) -> bool {
    let whole = matches!(
        u.access,
        Access::Assign | Access::Compound | Access::Update(_)
    ) && u.is_value_path();
    whole || (mutable && u.access.writes())
}

fn group_variable_written(u: &Use) -> Error {
    let x = &u.name;
    Error::new_spanned(
        &u.shown_at,
        format!(
            "`{}` writes `{x}` in a task, but `{x}` is declared inside the `#[taskgroup]` block: the task works on its own copy of it (the task may run after the code around it has moved on), so the write would not reach the rest of the group, as it would in the plain program. Declare `{x}` before the `#[taskgroup]` block (the group may then use it after the block), or inside the task",
            u.shown
        ),
    )
}

/// Whether task `t` must copy the group's variable `b`: the group (the
/// code around the task, inside the task that holds it) uses `b` after
/// the task's spawn, or spawns the task in a loop that `b` is declared
/// outside of.
fn needs_copy(tree: &Tree, t: usize, b: usize) -> bool {
    let task = &tree.tasks[t].path;
    let decl = &tree.bindings[b].path;
    let holder = innermost_task(tree, task);
    let start = common(decl, task).max(holder.map_or(0, |i| i + 1));
    if task[start..].iter().any(|s| tree.is_loop(s)) {
        return true;
    }
    let inside_task = |p: &Path| p.len() > task.len() && p[..task.len()] == task[..];
    tree.sites.iter().any(|u| {
        if u.binding != Some(b) || inside_task(&u.path) {
            return false;
        }
        if let Some(h) = holder
            && (u.path.len() <= h || u.path[h] != task[h])
        {
            return false;
        }
        let k = common(&u.path, task);
        if k >= task.len() || k >= u.path.len() {
            return false;
        }
        match tree.nodes[task[k].node] {
            Node::Loop(_) => true,
            Node::Seq => u.path[k].child > task[k].child,
            Node::Branch | Node::Task(_) => false,
        }
    })
}

/// How two uses may run at the same time.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Together {
    /// Copies of one task, spawned once per iteration of a loop.
    Repeated(usize),
    /// Two tasks, or a task and the code after its spawn (or in its loop).
    Yes,
}

fn together(tree: &Tree, a: &Path, b: &Path) -> Option<Together> {
    let k = common(a, b);
    let c_end = innermost_task(tree, &a[..k]).map_or(0, |i| i + 1);
    if let Some(l) = a[..c_end].iter().rposition(|s| tree.is_loop(s)) {
        return Some(Together::Repeated(a[l].node));
    }
    if k == a.len() || k == b.len() {
        return None;
    }
    let in_task = |p: &Path| p[k..].iter().any(|s| tree.task_of(s).is_some());
    let (ta, tb) = (in_task(a), in_task(b));
    if !ta && !tb {
        return None;
    }
    if a[c_end..=k].iter().any(|s| tree.is_loop(s)) {
        return Some(Together::Yes);
    }
    if tree.nodes[a[k].node] == Node::Branch && a[k].child > 0 && b[k].child > 0 {
        return None;
    }
    if ta && tb {
        return Some(Together::Yes);
    }
    let (spawned, other) = if ta {
        (a[k].child, b[k].child)
    } else {
        (b[k].child, a[k].child)
    };
    (other > spawned).then_some(Together::Yes)
}

/// Whether two places may overlap: one's fields are a prefix of the
/// other's (`p.x` and `p`, not `p.x` and `p.y`).
fn overlap(a: &Use, b: &Use) -> bool {
    let (fa, fb) = (a.field_prefix(), b.field_prefix());
    let n = fa.len().min(fb.len());
    fa[..n] == fb[..n]
}

fn changes_inside(u: &Use) -> bool {
    matches!(&u.access, Access::Method { name, .. } if INTERIOR.contains(&name.as_str()))
}

/// Uses of variables from outside the group that may run at the same
/// time, one of them a write: one error per variable.
fn conflicts(tree: &Tree, d: &mut Decisions) {
    let mut by_name: BTreeMap<&Name, Vec<&Site>> = BTreeMap::new();
    for site in &tree.sites {
        // Uses inside `#[critical]` blocks were reported with the block.
        if site.binding.is_none() && site.what.critical.is_none() {
            by_name.entry(&site.what.name).or_default().push(site);
        }
    }
    for sites in by_name.values() {
        'pairs: for (i, a) in sites.iter().enumerate() {
            for b in &sites[i..] {
                if let Some(err) = conflict(tree, a, b) {
                    d.errors.push(err);
                    break 'pairs;
                }
            }
        }
    }
}

fn conflict(tree: &Tree, a: &Site, b: &Site) -> Option<Error> {
    let (wa, wb) = (a.what.access.writes(), b.what.access.writes());
    let (ia, ib) = (changes_inside(&a.what), changes_inside(&b.what));
    if !(wa || wb || ia || ib) || !overlap(&a.what, &b.what) {
        return None;
    }
    let how = together(tree, &a.path, &b.path)?;
    let in_task = |p: &Path| p.iter().any(|s| tree.task_of(s).is_some());
    let (ta, tb) = (in_task(&a.path), in_task(&b.path));
    if let Together::Repeated(l) = how {
        let (w, _) = if wa { (a, b) } else { (b, a) };
        return (wa || wb).then(|| repeated(tree, &w.what, l));
    }
    if ta && tb {
        if !(wa || wb) {
            // Atomics and locks shared by tasks: no race, and the order of
            // their changes is the program's to choose, as in a loop.
            return None;
        }
        let (w, o) = if wa { (a, b) } else { (b, a) };
        return Some(two_tasks(&w.what, &o.what));
    }
    let (task, group) = if ta { (a, b) } else { (b, a) };
    let task_writes = task.what.access.writes() || changes_inside(&task.what);
    Some(if task_writes {
        task_then_group(&task.what, &group.what)
    } else {
        group_while_task(&group.what, &task.what)
    })
}

fn verb(u: &Use) -> &'static str {
    if u.access.writes() {
        "writes"
    } else {
        "changes"
    }
}

fn repeated(tree: &Tree, w: &Use, l: usize) -> Error {
    let x = &w.name;
    let head = match &tree.nodes[l] {
        Node::Loop(head) => head.clone(),
        _ => "the loop".to_owned(),
    };
    let fix = if w.first_index().is_some() {
        format!(
            "give each task its own part of `{x}`: loop over its elements (`for o in {x}.iter_mut()`, writing `*o` in the task) or its pieces (`{x}.chunks_mut(n)`, `split_at_mut`)"
        )
    } else {
        "give each task a variable of its own (an element of an array made before the `#[taskgroup]` block: `for r in results.iter_mut()`, writing `*r` in the task), and combine them after the block".to_owned()
    };
    Error::new_spanned(
        &w.shown_at,
        format!(
            "`{}` {} `{x}` in a task spawned once per iteration of `{head}`: the tasks of different iterations may run at the same time, a data race; {fix}",
            w.shown,
            verb(w)
        ),
    )
}

fn two_tasks(w: &Use, o: &Use) -> Error {
    let x = &w.name;
    Error::new_spanned(
        &w.shown_at,
        format!(
            "`{}` {} `{x}` in a task, and another task of the same group uses it (`{}`): the two tasks may run at the same time, a data race. Give each task a variable of its own, declared before the `#[taskgroup]` block, and combine them after it",
            w.shown,
            verb(w),
            o.shown
        ),
    )
}

/// "`y = x + 1` uses `x`", or "`x` is used here" when the use is the
/// name alone (a format string's `{x}`).
fn subject(u: &Use, active: &str, passive: &str) -> String {
    let x = &u.name;
    if u.shown == u.place || u.shown == x.as_str() {
        format!("`{}` is {passive} here", u.place)
    } else {
        format!("`{}` {active} `{x}`", u.shown)
    }
}

fn task_then_group(task: &Use, group: &Use) -> Error {
    let x = &task.name;
    Error::new_spanned(
        &group.shown_at,
        format!(
            "{} while a task may still be running that {} it (`{}`): in the plain program the task would have finished here. Use `{x}` after the `#[taskgroup]` block, or inside the task",
            subject(group, "uses", "used"),
            verb(task),
            task.shown
        ),
    )
}

fn group_while_task(group: &Use, task: &Use) -> Error {
    let x = &group.name;
    Error::new_spanned(
        &group.shown_at,
        format!(
            "{} while a task spawned before it may still be using it (`{}`): in the plain program the task would have finished first. Change `{x}` after the `#[taskgroup]` block, or before the task",
            if group.access.writes() {
                subject(group, "writes", "written")
            } else {
                subject(group, "changes", "changed")
            },
            task.shown
        ),
    )
}
