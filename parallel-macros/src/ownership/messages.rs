//! The messages for written arrays: what the write or read does, in the
//! user's own text, and the rewrite for the shapes that stay rejected
//! (mirror images, slots per thread, offsets read from data).

use super::{Ownership, Plan, same};
use crate::facts::{Step, Use};
use crate::index::Atom;
use crate::names::Name;
use crate::show::show;
use syn::Expr;

/// A placeholder name for messages that is not the loop variable's:
/// suggesting `r[j * n + j]` for a loop over `j` would be wrong.
fn fresh<'a>(var: &str, names: &[&'a str]) -> &'a str {
    names.iter().copied().find(|n| *n != var).unwrap_or("_")
}

/// What an iteration owns of an array split this way, in words.
fn part(ownership: &Ownership) -> String {
    match ownership {
        Ownership::Elem => "element".to_owned(),
        Ownership::Row { stride } => format!("row of `{}`", show(stride)),
        Ownership::Column { .. } | Ownership::NestedColumn => "column".to_owned(),
        Ownership::CollapsedFlat { .. } | Ownership::CollapsedNested => "element".to_owned(),
        Ownership::Axis { axis: 0 } => "row".to_owned(),
        Ownership::Axis { axis } => format!("elements at its index along axis {axis}"),
    }
}

/// The coordinates of an element access after `prefix` steps, as texts,
/// with the row length for a flat index: `s[a][b]` is `(None, [a, b])`,
/// `s[a * n + b]` is `(Some(n), [a, b])` (and `(Some(a), [n, b])`, since
/// either factor may be the length).
fn coordinates(u: &Use, prefix: usize) -> Vec<(Option<String>, Vec<String>)> {
    let indices: Vec<_> = u.steps[prefix.min(u.steps.len())..]
        .iter()
        .map_while(|s| match s {
            Step::Index(ix) => Some(ix),
            _ => None,
        })
        .collect();
    if indices.len() > 1 {
        return vec![(None, indices.iter().map(|ix| show(&ix.expr)).collect())];
    }
    let Some(ix) = indices.first() else {
        return Vec::new();
    };
    let [t0, t1] = ix.linear.terms.as_slice() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (t, other) in [(t0, t1), (t1, t0)] {
        if t.negative || other.negative || other.factors.len() != 1 {
            continue;
        }
        if let [f, g] = t.factors.as_slice() {
            let col = show(&other.factors[0].expr);
            out.push((Some(show(&g.expr)), vec![show(&f.expr), col.clone()]));
            out.push((Some(show(&f.expr)), vec![show(&g.expr), col]));
        }
    }
    out
}

/// Whether `a` and `b` are mirror images: `s[i][j]` and `s[j][i]`, or
/// `s[i * n + j]` and `s[j * n + i]`.
pub fn mirror(a: &Use, b: &Use, prefix: usize) -> bool {
    let ca = coordinates(a, prefix);
    let cb = coordinates(b, prefix);
    ca.iter().any(|(wa, x)| {
        cb.iter().any(|(wb, y)| {
            wa == wb && x.len() == 2 && y.len() == 2 && x[0] != x[1] && x[0] == y[1] && x[1] == y[0]
        })
    })
}

/// Two writes that split one array two ways (`prev` decided first).
pub fn clash(
    (a, prev): (&Ownership, &Use),
    (b, w): (&Ownership, &Use),
    array: &str,
    prefix: usize,
) -> Option<String> {
    let sizes = match (a, b) {
        (Ownership::Elem, Ownership::Elem)
        | (Ownership::NestedColumn, Ownership::NestedColumn)
        | (Ownership::CollapsedNested, Ownership::CollapsedNested) => return None,
        (Ownership::Axis { axis: x }, Ownership::Axis { axis: y }) if x == y => return None,
        (Ownership::Row { stride: x }, Ownership::Row { stride: y })
        | (Ownership::Column { width: x }, Ownership::Column { width: y })
        | (Ownership::CollapsedFlat { width: x }, Ownership::CollapsedFlat { width: y }) => {
            Some((x, y))
        }
        _ => None,
    };
    if let Some((x, y)) = sizes {
        if same(x, y) {
            return None;
        }
        // `c[i * n + i]`, the diagonal, reads as rows of `n + 1`.
        let plus_one = |d: &Expr, other: &Expr| {
            let (d, o) = (show(d), show(other));
            d == format!("{o} + 1") || d == format!("1 + {o}")
        };
        let diagonal = if plus_one(x, y) {
            Some((prev, x, y))
        } else if plus_one(y, x) {
            Some((w, y, x))
        } else {
            None
        };
        if let Some((d, long, row)) = diagonal {
            return Some(format!(
                "`{}` is on the diagonal, an element of its own row of `{}`, but a loop splits an array into rows of one length and reads this write as a row of `{}`: write the diagonal in a plain loop of its own (before or after this one)",
                d.place,
                show(row),
                show(long)
            ));
        }
        return Some(format!(
            "`{array}` is written as rows of `{}` and as rows of `{}`; a loop splits an array one way: use one row length",
            show(x),
            show(y)
        ));
    }
    if mirror(prev, w, prefix) {
        return Some(mirror_write(prev, w));
    }
    Some(format!(
        "`{array}` is written both as `{}` (the iteration's {}) and as `{}` (its {}); a loop splits an array one way: write it one way, or split the work into two loops",
        prev.place,
        part(a),
        w.place,
        part(b)
    ))
}

/// `w` writes the mirror image of what `prev` writes.
pub fn mirror_write(prev: &Use, w: &Use) -> String {
    format!(
        "`{}` is the mirror image of `{}`, which this loop also writes: each iteration owns what it writes as `{}`, so `{}` is another iteration's element, and iterations would write each other's elements (a data race). Compute one triangle in this loop and mirror it after the loop: move `{}` into a plain loop nest of its own after this one, over the same indices",
        w.place, prev.place, prev.place, w.place, w.shown
    )
}

/// A read of another iteration's element (`own`: how the loop writes the
/// array; `mirrored`: a write it is the mirror image of).
pub fn race_read(u: &Use, own: &str, mirrored: Option<&Use>, hidden: Option<Name>) -> String {
    if let Some(w) = mirrored {
        return format!(
            "`{}` reads the mirror image of `{}`, which this loop writes: the element read is another iteration's, and the macro cannot prove that iteration is not writing it. Mirror one triangle into the other in a plain loop (without `#[parallel_for]`) after the loop that computes it; a copy is bound by memory and gains little from threads",
            u.place, w.place
        );
    }
    let hidden = hidden.map_or_else(String::new, |v| {
        format!(" (this `{v}` is not the loop variable: the body binds its own `{v}` that hides it; give that one another name)")
    });
    format!(
        "`{}` reads an element that another iteration may be writing (this loop writes `{own}`){hidden}, so the value read depends on timing: a data race. Read from a copy made before the loop, or write the results into a second array (as a Jacobi sweep does)",
        u.place
    )
}

/// The factors of the first index of `w` after `prefix` steps.
fn index_factors(w: &Use, prefix: usize) -> Vec<&Expr> {
    w.steps
        .iter()
        .skip(prefix)
        .find_map(|s| match s {
            Step::Index(ix) => Some(ix),
            _ => None,
        })
        .map(|ix| {
            ix.linear
                .terms
                .iter()
                .flat_map(|t| &t.factors)
                .filter(|f| matches!(f.atom, Atom::Dependent | Atom::Local))
                .map(|f| &f.expr)
                .collect()
        })
        .unwrap_or_default()
}

fn strip(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip(&p.expr),
        Expr::Cast(c) => strip(&c.expr),
        Expr::Group(g) => strip(&g.expr),
        e => e,
    }
}

/// `thread_num()` or `parallel::thread_num()`.
fn thread_slot(e: &Expr) -> bool {
    matches!(strip(e), Expr::Call(c) if matches!(&*c.func, Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "thread_num")))
}

/// A write at an element the iteration does not own.
pub fn other_write(plan: &Plan, array: &str, w: &Use, hidden: Option<Name>) -> String {
    let var = plan.var_name();
    if let Some(v) = hidden {
        return format!(
            "`{}` writes an element of `{array}`, but this `{v}` is not the loop variable: the body binds its own `{v}` (a `let`, a pattern, an inner loop or an item) that hides it, so the element may belong to another iteration, a data race. Give the inner binding another name",
            w.place
        );
    }
    let factors = index_factors(w, 0);
    if plan.collapse.is_none() && factors.iter().any(|e| thread_slot(e)) {
        return format!(
            "`{}` keeps a slot per thread: which thread runs an iteration is the scheduler's choice, so the macro cannot prove two iterations running at once use different slots. Use a reduction instead: a variable `s` declared before the loop, `reduction(+: s)` on the directive and `s += ..` where the loop writes `{}` (each thread gets its own copy, combined after the loop); for slots that are arrays, reduce the whole array: `reduction(+: hist)` with `hist[k] += ..`",
            w.place, w.place
        );
    }
    let data = |e: &&Expr| matches!(strip(e), Expr::Index(_));
    if plan.collapse.is_none() && !plan.vars.is_empty() && factors.len() == 1 && data(&factors[0]) {
        return format!(
            "`{}` writes at an index read from data (a scatter), so the macro cannot prove that two iterations write different elements of `{array}`. Write it as a gather: loop over the elements of `{array}` and read the value each one receives (`{array}[{var}] = ..` with the inverse index), or collect the pairs and scatter them after the loop",
            w.place
        );
    }
    if plan.collapse.is_none() && !plan.vars.is_empty() && factors.iter().any(data) {
        let b = &var;
        return format!(
            "`{}` writes at an offset read from data, so the macro cannot prove that two iterations write different elements of `{array}`. Give each iteration a piece of its own: build a `Vec` per iteration (`parts[{b}].push(..)` into a `Vec<Vec<_>>` with one entry per iteration, or `parts[{b}] = ..`) and join them after the loop (`parts.concat()`)",
            w.place
        );
    }
    let multi = w.steps.iter().find_map(|s| match s {
        Step::Index(ix) if !ix.components.is_empty() => Some(ix.components.len()),
        _ => None,
    });
    if let (Some(_), Some(n)) = (multi, plan.collapse) {
        return format!(
            "`{}`: a loop under collapse({n}) does not split ndarray arrays by their multi-dimensional index; drop `collapse({n})`, so that the outer loop's iteration owns its whole row (`{}` is then the iteration's), or collapse a nest that writes a `Vec` (`v[i * m + j]`)",
            w.place, w.place
        );
    }
    if let (Some(rank), None, false) = (multi, plan.collapse, plan.vars.is_empty()) {
        let at = |k: usize| {
            let parts: Vec<&str> = (0..rank)
                .map(|p| if p == k { var.as_str() } else { ".." })
                .collect();
            format!("`{array}[[{}]]`", parts.join(", "))
        };
        return format!(
            "`{}` writes an element of `{array}` that may belong to another iteration: iterations run at once on several threads, so this is a data race. An iteration owns the elements whose index has the loop variable itself as one component: write only {} (its row) or {} (its column); to shift data, write into a second array",
            w.place,
            at(0),
            at(1)
        );
    }
    match plan.collapse {
        Some(n) => {
            let form = match (n, plan.vars.as_slice()) {
                (2, [i, j]) => format!("`{array}[{i} * m + {j}]` or `{array}[{i}][{j}]`"),
                _ => "none under collapse(3) and deeper yet".to_owned(),
            };
            format!(
                "`{}`: under collapse({n}), iterations that share an outer index run in different tasks, so the only element an iteration owns is its own one ({form}); write that form, or drop the clause",
                w.place
            )
        }
        None if plan.vars.is_empty() => format!(
            "`{}` writes an element of `{array}`, but this loop has no index to say which element is the iteration's own; loop with `.enumerate()` and write `{array}[i]`, or walk `{array}` itself with `.iter_mut()`",
            w.place
        ),
        None => {
            let (j, n, k) = (
                fresh(&var, &["j", "c", "q"]),
                fresh(&var, &["n", "w", "m"]),
                fresh(&var, &["k", "r", "p"]),
            );
            format!(
                "`{}` writes an element of `{array}` that may belong to another iteration: iterations run at once on several threads, so this is a data race. Write only `{array}[{var}]` (or its row `{array}[{var} * {n} + {j}]`, or its column `{array}[{k} * {n} + {var}]`); to shift data, write into a second array",
                w.place
            )
        }
    }
}

pub fn bad_width(array: &str, n: &str) -> String {
    format!(
        "`{array}` is indexed as rows of `{n}`, but `{n}` cannot be evaluated once before the loop: the array is split into rows when the loop starts. Use a row length declared before the loop that the loop does not change: a local, a constant, a field, or `.len()` of a slice, array or `Vec` (for anything else, bind it to a local first: `let n = ..;`)"
    )
}
