//! Where an access meets the loop variable: the array it indexes (a name,
//! a field `self.v`, a row `c[k]` at an index the loop does not change, an
//! enclosing loop's row `c.__parallel_row(i)`) and the shape of the index
//! there. Shared by the decisions, which split arrays by the writes' shapes
//! and check every other access, and by the rewrite, which sends each
//! access where the decisions say.

use super::{Ownership, Split};
use crate::facts::{IndexFact, Step};
use crate::index::{Along, Atom, Fixed};
use crate::show::show;
use syn::Expr;

/// The loop the accesses are seen from.
#[derive(Clone, Copy)]
pub struct Frame<'a> {
    /// How many loop variables (0 for an iterator loop without an index).
    pub vars: usize,
    /// `collapse(n)`, `n >= 2`.
    pub collapse: Option<usize>,
    /// The range loop's upper bound as a key (`n` in `k + 1..n`): in
    /// `r[k * n + j]`, the row length.
    pub bound: Option<&'a str>,
}

/// The shape of the index where an access meets the loop variable.
#[derive(Clone)]
pub enum Shape {
    /// The variable itself: `y[i]`.
    Own,
    /// `v * stride + rest`, the stride fixed and not 1: `c[i * n + j]`.
    Row { stride: Expr, fixed: Vec<Fixed> },
    /// `q * width + v`: column `v` of a flat row-major array, `b[k * n + j]`.
    Column { width: Expr, fixed: Vec<Fixed> },
    /// `a[r][v]` with `r` any: column `v` of a nested container.
    NestedColumn,
    /// A stride that is not fixed: `c[i * k + j]` with `k` a local.
    BadWidth { stride: String },
    /// Under `collapse(2)`: `c[i * m + j]`.
    CollapsedFlat { width: Expr, fixed: Vec<Fixed> },
    /// Under `collapse(2)`: `grid[i][j]`.
    CollapsedNested,
    /// A multi-dimensional index whose component `axis` is the variable
    /// itself: `c[[i, j]]` (axis 0), `c[[k, j]]` from a loop over `j`
    /// (axis 1).
    Axis { axis: usize },
    /// No index with the loop variable: the place is the array (or part
    /// of it) whole.
    Whole,
    /// Through a reference or a method's result the macro cannot follow.
    Through,
    /// Any other index with the loop variable in it.
    Other,
}

/// Where an access meets the loop variable.
#[derive(Clone)]
pub struct Target {
    /// How many steps make up the array: fields, rows of an enclosing
    /// loop, indices the loop does not change.
    pub prefix: usize,
    /// The step of the index with the variable (`prefix`, or `prefix + 1`
    /// for a nested column).
    pub at: usize,
    pub shape: Shape,
}

/// Whether an index reads no loop variable and only fixed values.
fn fixed_index(ix: &IndexFact) -> bool {
    ix.linear
        .terms
        .iter()
        .all(|t| t.factors.iter().all(|f| matches!(f.atom, Atom::Fixed(_))))
}

/// Whether the index at `at` (the one that says whose element it is)
/// varies within the iteration while another index of the access follows
/// the loop variable: `s[j2][j1]` (inner `j2`) while the loop writes the
/// rows `s[j1][..]`, or `s[j1][j2]` while it writes the columns. That reads
/// the mirror image of the loop's own elements, which other iterations
/// write; a run-time check would fail for all but the smallest inputs.
fn transposed(steps: &[Step], at: usize) -> bool {
    let Some(Step::Index(ix)) = steps.get(at) else {
        return false;
    };
    let local = ix
        .linear
        .terms
        .iter()
        .any(|t| t.factors.iter().any(|f| matches!(f.atom, Atom::Local)));
    let others = steps
        .iter()
        .enumerate()
        .any(|(k, s)| k != at && matches!(s, Step::Index(o) if mentions_loop(o)));
    local && !mentions_loop(ix) && others
}

/// Whether an index involves a loop variable in any way.
pub fn mentions_loop(ix: &IndexFact) -> bool {
    ix.linear.mentions_loop()
}

/// Where the access with `steps` meets the loop variable; with `rows`, a
/// fixed index before it (`c[k][j]`) picks one row as the array, else the
/// array is the container and the loop writes a column of it.
pub fn target(steps: &[Step], frame: Frame<'_>, rows: bool) -> Target {
    let at = |prefix, at, shape| Target { prefix, at, shape };
    let mut k = 0;
    while let Some(step) = steps.get(k) {
        match step {
            Step::Field(_) => k += 1,
            Step::Row(arg) if fixed_index(arg) => k += 1,
            Step::Row(_) | Step::Deref => return at(k, k, Shape::Through),
            Step::Index(ix) => {
                if frame.collapse.is_some() {
                    return at(k, k, collapsed(steps, k, ix, frame));
                }
                if frame.vars == 0 {
                    return at(k, k, Shape::Other);
                }
                if !ix.components.is_empty() {
                    return at(k, k, multi_shape(ix));
                }
                if mentions_loop(ix) {
                    return at(k, k, shape_at(&ix.linear.along(0), frame.bound));
                }
                // An index without the variable: a row the loop does not
                // change (`c[k][j]`), or any row of a column (`a[i][j]`).
                match steps.get(k + 1) {
                    Some(Step::Index(next)) if mentions_loop(next) => {
                        if rows && fixed_index(ix) {
                            k += 1;
                        } else if next.linear.along(0).is_own() {
                            return at(k, k + 1, Shape::NestedColumn);
                        } else {
                            return at(k, k + 1, Shape::Other);
                        }
                    }
                    _ => return at(k, k, Shape::Whole),
                }
            }
        }
    }
    at(k, k, Shape::Whole)
}

/// The component of a multi-dimensional index that is the loop variable
/// itself, the first one if several are.
pub fn own_axis(ix: &IndexFact) -> Option<usize> {
    ix.components.iter().position(|c| c.along(0).is_own())
}

/// The shape of a multi-dimensional index: the iteration owns the
/// elements at its value along the first component that is the variable
/// (whatever the other components are: they stay in that slab).
fn multi_shape(ix: &IndexFact) -> Shape {
    match own_axis(ix) {
        Some(axis) => Shape::Axis { axis },
        None if mentions_loop(ix) => Shape::Other,
        None => Shape::Whole,
    }
}

/// The shape of an index with the variable, seen along it.
fn shape_at(a: &Along, bound: Option<&str>) -> Shape {
    if a.is_own() {
        return Shape::Own;
    }
    if a.is_unit_stride() {
        return match a.column(bound) {
            Some((width, _, fixed)) => Shape::Column { width, fixed },
            None => Shape::Other,
        };
    }
    match a.stride_expr() {
        Some(stride) => Shape::Row {
            stride,
            fixed: a.stride_fixed().into_iter().cloned().collect(),
        },
        None if stride_is_local(a) => Shape::BadWidth {
            stride: stride_shown(a),
        },
        None => Shape::Other,
    }
}

/// The stride reads a value of the iteration (a local), not one that
/// depends on the variable itself.
fn stride_is_local(a: &Along) -> bool {
    let [term] = a.stride.as_slice() else {
        return false;
    };
    term.factors
        .iter()
        .all(|f| matches!(f.atom, Atom::Loop(_) | Atom::Fixed(_) | Atom::Local))
        && term
            .factors
            .iter()
            .filter(|f| matches!(f.atom, Atom::Loop(_)))
            .count()
            == 1
}

fn stride_shown(a: &Along) -> String {
    a.stride
        .iter()
        .flat_map(|t| &t.factors)
        .filter(|f| !matches!(f.atom, Atom::Loop(_)))
        .map(|f| show(&f.expr))
        .collect::<Vec<_>>()
        .join(" * ")
}

/// Under `collapse(2)` over `i` and `j`: `x[i * m + j]` or `x[i][j]`.
fn collapsed(steps: &[Step], k: usize, first: &IndexFact, frame: Frame<'_>) -> Shape {
    if frame.collapse != Some(2) {
        return Shape::Other;
    }
    let (a0, a1) = (first.linear.along(0), first.linear.along(1));
    if a0.is_own() {
        return match steps.get(k + 1) {
            Some(Step::Index(second)) if second.linear.along(1).is_own() => Shape::CollapsedNested,
            _ => Shape::Other,
        };
    }
    let only_ij = first.linear.terms.len() == a0.stride.len() + a1.stride.len();
    match (a1.is_unit_stride(), a0.stride_expr()) {
        (true, Some(width)) if only_ij => Shape::CollapsedFlat {
            width,
            fixed: a0.stride_fixed().into_iter().cloned().collect(),
        },
        _ => Shape::Other,
    }
}

/// The text of one step of a place: `.x`, `[k]`, `.__parallel_row(i)`.
pub fn step_text(step: &Step) -> String {
    match step {
        Step::Field(f) => format!(".{f}"),
        Step::Index(ix) => format!("[{}]", crate::show::key(&ix.expr)),
        Step::Row(r) => format!(".__parallel_row({})", crate::show::key(&r.expr)),
        Step::Deref => "*".to_owned(),
    }
}

/// The texts of the first `n` steps after `root`: the array an access
/// indexes, for telling whether two accesses index the same one.
pub fn prefix_text(root: &str, steps: &[Step], n: usize) -> String {
    let mut s = root.to_owned();
    for step in steps.iter().take(n) {
        s.push_str(&step_text(step));
    }
    s
}

/// What an access of a split array does, for its check and its rewrite.
#[derive(Clone)]
pub enum Reach {
    /// One of the iteration's own elements, through the window as written.
    Own,
    /// `c[i * n + j]`: row `v` of the window.
    Row,
    /// `b[q * n + j]`: `*w.__parallel_col(q, j)`.
    Column { quotient: Expr },
    /// `a[r][j]`: `*w.__parallel_at(r, j)`.
    NestedAt,
    /// An element no iteration writes (checked when read): through the
    /// outside view.
    Outside,
    /// `a[r][c]` at a column no iteration writes.
    NestedOutside,
    /// A field the loop writes in no element: the copy made before it.
    Snapshot { fields: usize },
    /// The array whole: only `.len()` is allowed.
    Whole,
    /// Another iteration's element: a race.
    Race,
}

/// What the access with `steps` does to `split` (whose prefix it has).
pub fn reach(split: &Split, steps: &[Step], frame: Frame<'_>) -> Reach {
    let p = split.prefix;
    let (Some(Step::Index(_)), Ownership::NestedColumn) = (steps.get(p), &split.ownership) else {
        return flat_reach(split, steps, frame);
    };
    match steps.get(p + 1) {
        Some(Step::Index(c)) if c.linear.along(0).is_own() => Reach::NestedAt,
        Some(Step::Index(_)) if transposed(steps, p + 1) => Reach::Race,
        Some(Step::Index(c)) if !mentions_loop(c) => Reach::NestedOutside,
        Some(_) => Reach::Race,
        None => Reach::Whole,
    }
}

fn flat_reach(split: &Split, steps: &[Step], frame: Frame<'_>) -> Reach {
    let p = split.prefix;
    let Some(Step::Index(ix)) = steps.get(p) else {
        return Reach::Whole;
    };
    if let Some(fields) = snapshot_fields(split, steps) {
        return Reach::Snapshot { fields };
    }
    if transposed(steps, p) {
        return Reach::Race;
    }
    let a = ix.linear.along(0);
    match &split.ownership {
        Ownership::Axis { axis } => match ix.components.get(*axis) {
            Some(c) if c.along(0).is_own() => Reach::Own,
            _ if !mentions_loop(ix) && frame.collapse.is_none() => Reach::Outside,
            _ => Reach::Race,
        },
        Ownership::Elem if a.is_own() => Reach::Own,
        Ownership::Row { stride }
            if a.linear && a.stride_expr().is_some_and(|s| super::same(&s, stride)) =>
        {
            Reach::Row
        }
        // `v[i]`: row 0 of the column.
        Ownership::Column { .. } if a.is_own() => Reach::Column {
            quotient: syn::parse_quote!(0usize),
        },
        Ownership::Column { width } => match a.column(Some(&crate::show::key(width))) {
            Some((n, quotient, _)) if super::same(&n, width) => Reach::Column { quotient },
            _ if !mentions_loop(ix) => Reach::Outside,
            _ => Reach::Race,
        },
        Ownership::CollapsedFlat { width } => match collapsed(steps, p, ix, frame) {
            Shape::CollapsedFlat { width: w, .. } if super::same(&w, width) => Reach::Own,
            _ => Reach::Race,
        },
        Ownership::CollapsedNested => match collapsed(steps, p, ix, frame) {
            Shape::CollapsedNested => Reach::NestedAt,
            _ => Reach::Race,
        },
        _ if !mentions_loop(ix) && frame.collapse.is_none() => Reach::Outside,
        _ => Reach::Race,
    }
}

/// For an element read whose fields the loop writes in no element
/// (`p[j].x` while the loop writes only `p[i].vx`): how many fields follow
/// the index. Not for the iteration's own element, which the window reads.
fn snapshot_fields(split: &Split, steps: &[Step]) -> Option<usize> {
    let p = split.prefix;
    let Some(Step::Index(ix)) = steps.get(p) else {
        return None;
    };
    if !matches!(split.ownership, Ownership::Elem) || ix.linear.along(0).is_own() {
        return None;
    }
    let fields: Vec<String> = steps[p + 1..]
        .iter()
        .map_while(|s| match s {
            Step::Field(f) => Some(f.to_string()),
            _ => None,
        })
        .collect();
    let disjoint = |written: &Vec<String>| {
        let n = written.len().min(fields.len());
        written[..n] != fields[..n]
    };
    (!fields.is_empty()
        && !split.written_fields.is_empty()
        && split.written_fields.iter().all(disjoint))
    .then_some(fields.len())
}
