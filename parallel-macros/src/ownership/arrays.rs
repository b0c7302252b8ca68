//! Arrays: which elements of a written array an iteration owns, and
//! whether every access of it stays there (or reads what no iteration
//! writes).

use super::messages::{bad_width, clash, mirror, other_write, race_read};
use super::target::{Frame, Reach, Shape, Target, prefix_text, reach, target};
use super::{
    Decisions, Ownership, Plan, Report, Snapshot, Split, changing_names, is_invariant, same,
    window_locals,
};
use crate::facts::{Access, Facts, Step, Use};
use crate::flow::Directive;
use crate::index::{Atom, Fixed};
use crate::names::Name;
use crate::show::show;
use proc_macro2::Span;
use quote::format_ident;
use std::collections::{BTreeMap, BTreeSet};
use syn::Expr;

impl Plan<'_> {
    pub fn frame(&self) -> Frame<'_> {
        Frame {
            vars: self.vars.len(),
            collapse: self.collapse,
            bound: self.bound.as_deref(),
        }
    }
}

/// A captured variable that no clause names: read-only, or written at
/// elements the iterations own, or a race.
pub fn decide_shared(
    facts: &Facts,
    plan: &Plan,
    name: &Name,
    uses: &[&Use],
    decisions: &mut Decisions,
    report: &mut Report,
) {
    let writes: Vec<&Use> = uses.iter().copied().filter(|u| u.access.writes()).collect();
    if writes.is_empty() {
        return;
    }
    if plan.directive != Directive::ParallelFor {
        check_carried(facts, plan, uses, report);
        return;
    }
    let mut reported = BTreeSet::new();
    // A search that records its location is reported once, as a whole.
    if let Some(search) = facts
        .searches
        .iter()
        .find(|s| s.value == *name || s.index == *name)
    {
        if search.value == *name {
            report.at(
                &search.at,
                format!("`{}` searches for a {} and records where it is, writing the shared `{}` and `{}` from every iteration at once, a data race; {}", search.shown, if search.min { "minimum" } else { "maximum" }, search.value, search.index, search.fix),
            );
        }
        reported.extend(
            writes
                .iter()
                .filter(|w| w.first_index().is_none())
                .map(|w| w.shown.clone()),
        );
    }
    // A row the loop does not change, `c[k][j]`, is the array, unless the
    // loop also uses other rows (`c[r][j]`): then the container is, by
    // columns.
    let rows = !other_rows(&writes, uses, plan);
    // Arrays, by the array each write indexes: `y`, `self.v`, `c[k]`.
    let mut arrays: BTreeMap<String, Vec<(&Use, Target)>> = BTreeMap::new();
    for w in writes {
        let t = target(&w.steps, plan.frame(), rows);
        match t.shape {
            Shape::Whole if w.first_index().is_none() => {
                if reported.insert(w.shown.clone()) {
                    report.at(&w.shown_at, super::scalars::shared_write_message(facts, w));
                }
            }
            Shape::Through => report.at(
                &w.shown_at,
                format!("`{}` writes through a reference or a method's result, so the macro cannot tell which elements each iteration writes; index the array itself (`{name}[i] = ..`)", w.shown),
            ),
            _ => arrays
                .entry(prefix_text(name.as_str(), &w.steps, t.prefix))
                .or_default()
                .push((w, t)),
        }
    }
    for (key, writes) in arrays {
        split(facts, plan, name, key, &writes, uses, decisions, report);
    }
}

/// Whether, with fixed rows as arrays, some use of the variable reaches
/// another row of the same container (`b[k][j]` while `b[i][j]` is
/// written).
fn other_rows(writes: &[&Use], uses: &[&Use], plan: &Plan) -> bool {
    let keys: Vec<Vec<String>> = writes
        .iter()
        .map(|w| {
            let t = target(&w.steps, plan.frame(), true);
            w.steps[..t.prefix]
                .iter()
                .map(super::target::step_text)
                .collect()
        })
        .filter(|k: &Vec<String>| k.iter().any(|s| s.starts_with('[')))
        .collect();
    uses.iter().any(|u| {
        keys.iter().any(|key| {
            let shared = u
                .steps
                .iter()
                .zip(key)
                .take_while(|(s, t)| super::target::step_text(s) == **t)
                .count();
            shared < key.len() && matches!(u.steps.get(shared), Some(Step::Index(_)))
        })
    })
}

/// Decides how the array `key` is split, from its writes, and checks its
/// other uses against that.
#[allow(clippy::too_many_arguments)]
fn split(
    facts: &Facts,
    plan: &Plan,
    name: &Name,
    key: String,
    writes: &[(&Use, Target)],
    uses: &[&Use],
    decisions: &mut Decisions,
    report: &mut Report,
) {
    let changing = changing_names(facts);
    let mut ownership: Option<(Ownership, &Use, &Target)> = None;
    let mut lens = Vec::new();
    let mut ok = true;
    let mut seen: Vec<&Use> = Vec::new();
    let mut reported = BTreeSet::new();
    for (w, t) in writes {
        // A mirror image of any earlier write names that write.
        if let Some(m) = seen
            .iter()
            .find(|p| super::messages::mirror(p, w, t.prefix))
        {
            report.at(&w.shown_at, super::messages::mirror_write(m, w));
            ok = false;
            continue;
        }
        seen.push(w);
        let Some(own) = write_ownership(plan, &changing, &key, w, t, &mut lens, report) else {
            ok = false;
            continue;
        };
        match &ownership {
            None => ownership = Some((own, w, t)),
            // `v[i]` is row 0 of the columns `v[j * n + i]`: the column
            // is the iteration's either way.
            Some((Ownership::Elem, _, _)) if matches!(own, Ownership::Column { .. }) => {
                ownership = Some((own, w, t));
            }
            Some((Ownership::Column { .. }, _, _)) if matches!(own, Ownership::Elem) => {}
            Some((prev, first, _)) => {
                if let Some(msg) = clash((prev, first), (&own, w), &key, t.prefix) {
                    if reported.insert(msg.clone()) {
                        report.at(&w.shown_at, msg);
                    }
                    ok = false;
                }
            }
        }
    }
    let (Some((ownership, first, t)), true) = (ownership, ok) else {
        return;
    };
    if let Ownership::CollapsedFlat { width } = &ownership {
        match &decisions.flat_width {
            Some(w) if !same(w, width) => report.at(
                &first.shown_at,
                format!("collapse(2): the row-major writes use rows of `{}` and of `{}`; a loop splits its arrays one way: use one row length", show(w), show(width)),
            ),
            Some(_) => {}
            None => decisions.flat_width = Some(width.clone()),
        }
    }
    let n = decisions.splits.len();
    let (window, local) = window_locals(&first.root, t.prefix, &key, n);
    let array = match crate::facts::chain(&first.expr) {
        Some((root, _)) if t.prefix == 0 => syn::parse_quote!(#root),
        Some((_, links)) => links
            .get(t.prefix - 1)
            .map_or_else(|| first.expr.clone(), |l| (*l).clone()),
        None => first.expr.clone(),
    };
    let mut split = Split {
        name: name.clone(),
        root: first.root.clone(),
        prefix: t.prefix,
        steps: first.steps[..t.prefix]
            .iter()
            .map(super::target::step_text)
            .collect(),
        key,
        array,
        ownership,
        window,
        local,
        lens,
        written_fields: written_fields(uses, name, t, &first.steps),
        outside: None,
        written: first.place.clone(),
        snapshots: Vec::new(),
    };
    check_accesses(plan, &mut split, uses, &first.place, report);
    decisions.splits.push(split);
}

/// The field paths the uses of the array change in its elements: for each
/// write (or call of a method that may change it) at an element, the fields
/// after the index.
fn written_fields(uses: &[&Use], name: &Name, t: &Target, steps: &[Step]) -> Vec<Vec<String>> {
    const READS: &[&str] = &["len", "is_empty", "clone", "iter", "get"];
    let key = prefix_text(name.as_str(), steps, t.prefix);
    uses.iter()
        .filter(|u| u.steps.len() > t.at && prefix_text(name.as_str(), &u.steps, t.prefix) == key)
        .filter(|u| {
            u.access.writes() || matches!(&u.access, Access::Method { name, .. } if !READS.contains(&name.as_str()))
        })
        .map(|u| {
            u.steps[t.at + 1..]
                .iter()
                .map_while(|s| match s {
                    Step::Field(f) => Some(f.to_string()),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

/// What one write makes the iteration own, or an error: its stride must
/// not change during the loop (its `.len()` receivers are noted in `lens`).
#[allow(clippy::too_many_arguments)]
fn write_ownership(
    plan: &Plan,
    changing: &BTreeSet<Name>,
    array: &str,
    w: &Use,
    t: &Target,
    lens: &mut Vec<Expr>,
    report: &mut Report,
) -> Option<Ownership> {
    let mut fixed = |size: &Expr, fixed: &[Fixed], report: &mut Report| {
        if fixed.iter().all(|f| is_invariant(f, changing, plan)) {
            lens.extend(fixed.iter().flat_map(|f| f.lens.iter().cloned()));
            true
        } else {
            report.at(&w.shown_at, bad_width(array, &show(size)));
            false
        }
    };
    match &t.shape {
        Shape::Own => Some(Ownership::Elem),
        Shape::Row { stride, fixed: f } => fixed(stride, f, report).then(|| Ownership::Row {
            stride: stride.clone(),
        }),
        Shape::Column { width, fixed: f } => fixed(width, f, report).then(|| Ownership::Column {
            width: width.clone(),
        }),
        Shape::NestedColumn => Some(Ownership::NestedColumn),
        Shape::CollapsedFlat { width, fixed: f } => {
            fixed(width, f, report).then(|| Ownership::CollapsedFlat {
                width: width.clone(),
            })
        }
        Shape::CollapsedNested => Some(Ownership::CollapsedNested),
        Shape::Axis { axis } => Some(Ownership::Axis { axis: *axis }),
        Shape::BadWidth { stride } => {
            report.at(&w.shown_at, bad_width(array, stride));
            None
        }
        Shape::Whole | Shape::Through | Shape::Other => {
            report.at(&w.shown_at, other_write(plan, array, w, shadowed(w, plan)));
            None
        }
    }
}

/// Every other use of the variable that holds a split array: reads at the
/// iteration's own elements, or at elements no iteration writes (an outside
/// view, checked when read), or of fields no iteration writes (a copy made
/// before the loop); no use of the whole array but its length.
fn check_accesses(plan: &Plan, split: &mut Split, uses: &[&Use], own: &str, report: &mut Report) {
    let mut reported = BTreeSet::new();
    let mut race = |u: &Use, msg: String, report: &mut Report| {
        if reported.insert(u.place.clone()) {
            report.at(&u.at, msg);
        }
    };
    for u in uses {
        let name = split.name.as_str();
        let under =
            u.steps.len() >= split.prefix && prefix_text(name, &u.steps, split.prefix) == split.key;
        if !under {
            if let Some(msg) = overlaps(split, u) {
                race(u, msg, report);
            }
            continue;
        }
        match reach(split, &u.steps, plan.frame()) {
            Reach::Whole => {
                let len = matches!(&u.access, Access::Method { name, .. } if crate::facts::SHAPE_METHODS.contains(&name.as_str()));
                if !(len && u.steps.len() == split.prefix) {
                    let key = &split.key;
                    race(
                        u,
                        format!(
                            "`{}` is used whole here, but this loop writes its elements `{own}` from several threads at once; inside the loop use only `{own}` (and `{key}.len()`, or an ndarray array's shape: `{key}.dim()`), and use `{key}` whole after the loop",
                            u.place
                        ),
                        report,
                    );
                }
            }
            Reach::Race if !u.access.writes() => {
                let mirrored = uses.iter().copied().find(|w| {
                    w.access.writes()
                        && prefix_text(name, &w.steps, split.prefix) == split.key
                        && mirror(u, w, split.prefix)
                });
                race(u, race_read(u, own, mirrored, shadowed(u, plan)), report);
            }
            Reach::Outside | Reach::NestedOutside if !u.access.writes() => {
                let key = super::key_ident(&split.key);
                split
                    .outside
                    .get_or_insert_with(|| format_ident!("__o_{}", key, span = Span::mixed_site()));
            }
            Reach::Snapshot { fields } => {
                let names: Vec<Name> = u.steps[split.prefix + 1..split.prefix + 1 + fields]
                    .iter()
                    .filter_map(|s| match s {
                        Step::Field(f) => Some(f.clone()),
                        _ => None,
                    })
                    .collect();
                if !split.snapshots.iter().any(|s| s.fields == names) {
                    let k = split.snapshots.len();
                    let key = super::key_ident(&split.key);
                    let local = format_ident!("__s_{}_{}", key, k, span = Span::mixed_site());
                    split.snapshots.push(Snapshot {
                        fields: names,
                        local,
                    });
                }
            }
            _ => {}
        }
    }
}

/// A use of the variable that holds a split array, outside the array: the
/// variable whole (or a part holding the array), or another row of it
/// (`c[k2]` while the loop writes `c[k][j]`), which it cannot also lend.
fn overlaps(split: &Split, u: &Use) -> Option<String> {
    let name = split.name.as_str();
    // How many steps the use shares with the array's path.
    let k = u
        .steps
        .iter()
        .zip(&split.steps)
        .take_while(|(s, t)| super::target::step_text(s) == **t)
        .count();
    if k == u.steps.len() {
        // The use stops before the array: a part of the variable holding it.
        return Some(format!(
            "`{}` is used here, but this loop lends `{}` out to its iterations, which write it: use `{}` after the loop",
            u.place, split.key, u.place
        ));
    }
    match &u.steps[k] {
        // Another field: not the array.
        Step::Field(_) => None,
        _ => Some(format!(
            "`{}` is used here, but this loop writes `{}` and lends it out to its iterations; it cannot also use `{}`, which the macro cannot tell apart from it. Read that before the loop (`let part = {}.clone();`)",
            u.place,
            split.key,
            prefix_text(name, &u.steps, k + 1),
            prefix_text(name, &u.steps, k + 1)
        )),
    }
}

/// The loop variable's name when the first index of `u` uses a local of
/// that name: the body rebinds it (`let i = ..`, an inner `for i`, a
/// `const i`), so this `i` is not the iteration's.
fn shadowed(u: &Use, plan: &Plan) -> Option<Name> {
    let (_, index) = u.first_index()?;
    index
        .linear
        .terms
        .iter()
        .flat_map(|t| &t.factors)
        .find_map(|f| {
            let Expr::Path(p) = &f.expr else { return None };
            let id = p.path.get_ident()?;
            let n = Name::of(id);
            (matches!(f.atom, Atom::Local) && plan.vars.iter().any(|v| Name::of(v) == n))
                .then_some(n)
        })
}

/// `#[simd]` / `#[simd_reduce]`: a captured scalar updated like a reduction
/// but not named in one carries a value from each iteration to the next.
fn check_carried(facts: &Facts, plan: &Plan, uses: &[&Use], report: &mut Report) {
    let mut reported = BTreeSet::new();
    for u in uses {
        let Access::Update(k) = u.access else {
            continue;
        };
        let Some(update) = facts.updates.get(k) else {
            continue;
        };
        if update.element || !reported.insert(update.shown.clone()) {
            continue;
        }
        let x = &update.name;
        let symbol = update.operation.clause_symbol();
        let fix = match plan.directive {
            Directive::Simd => {
                format!(
                    "make it a reduction: `#[simd_reduce({symbol}: {x})]` in place of `#[simd]`"
                )
            }
            _ => format!("add `{symbol}: {x}` to the reductions of `#[simd_reduce(..)]`"),
        };
        report.at(
            &update.at,
            format!(
                "`{}` carries `{x}` from each iteration to the next, so the iterations of a `{}` loop cannot run side by side in vector lanes; {fix}",
                update.shown,
                plan.directive.name()
            ),
        );
    }
}
