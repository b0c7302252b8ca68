//! Arrays: which elements of a written array an iteration owns, whether
//! every access of it stays there, and which arrays a vectorized kernel
//! cuts to the loop's range.

use super::{
    Clause, Decisions, Ownership, Plan, Report, Split, changing_names, is_invariant, same,
    window_locals,
};
use crate::facts::{Access, Facts, IndexFact, Step, Use};
use crate::flow::Directive;
use crate::index::{Along, Atom, Fixed};
use crate::names::Name;
use crate::show::show;
use proc_macro2::Span;
use quote::format_ident;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use syn::{Expr, Ident};

/// How one access indexes its array, along the loop variables.
enum Shape<'f> {
    /// The variable itself: `y[i]`.
    Own,
    /// `v * stride + rest`, stride fixed: `c[i * n + j]`.
    Row { stride: Expr, fixed: Vec<&'f Fixed> },
    /// A stride that is not fixed: `c[i * k + j]` with `k` a local.
    BadWidth { stride: String },
    /// Under `collapse(2)`: `c[i * m + j]`.
    CollapsedFlat { width: Expr, fixed: Vec<&'f Fixed> },
    /// Under `collapse(2)`: `grid[i][j]`.
    CollapsedNested,
    /// Not indexed: the array used whole.
    Whole,
    /// Any other index.
    Other,
}

/// The shape of `u`'s first index along the plan's loop variables.
fn shape<'f>(u: &'f Use, plan: &Plan) -> Shape<'f> {
    let Some((k, first)) = u.first_index() else {
        return Shape::Whole;
    };
    match plan.collapse {
        Some(2) => collapsed(u, k, first),
        Some(_) => Shape::Other,
        None if plan.vars.is_empty() => Shape::Other,
        None => {
            let a = first.linear.along(0);
            if a.is_own() {
                return Shape::Own;
            }
            if a.stride.is_empty() || a.is_unit_stride() {
                return Shape::Other;
            }
            match a.stride_expr() {
                Some(stride) => Shape::Row {
                    stride,
                    fixed: a.stride_fixed(),
                },
                None if stride_is_local(&a) => Shape::BadWidth {
                    stride: stride_shown(&a),
                },
                None => Shape::Other,
            }
        }
    }
}

/// The stride of `a` reads a value of the iteration (a local), not one
/// that depends on the variable itself.
fn stride_is_local(a: &Along) -> bool {
    a.stride.len() == 1
        && a.stride[0]
            .factors
            .iter()
            .all(|f| matches!(f.atom, Atom::Loop(_) | Atom::Fixed(_) | Atom::Local))
        && a.stride[0]
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
fn collapsed<'f>(u: &'f Use, k: usize, first: &'f IndexFact) -> Shape<'f> {
    let (a0, a1) = (first.linear.along(0), first.linear.along(1));
    if a0.is_own() {
        return match u.steps.get(k + 1) {
            Some(Step::Index(second)) if second.linear.along(1).is_own() => Shape::CollapsedNested,
            _ => Shape::Other,
        };
    }
    let only_ij = first.linear.terms.len() == a0.stride.len() + a1.stride.len();
    match (a1.is_unit_stride(), a0.stride_expr()) {
        (true, Some(width)) if only_ij => Shape::CollapsedFlat {
            width,
            fixed: a0.stride_fixed(),
        },
        _ => Shape::Other,
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
    let writes: Vec<&&Use> = uses.iter().filter(|u| u.access.writes()).collect();
    if writes.is_empty() {
        return;
    }
    if plan.directive != Directive::ParallelFor {
        check_carried(facts, plan, uses, report);
        return;
    }
    // Scalars (and fields) written by every iteration; a search that
    // records its location is reported once, as a whole.
    let mut reported = BTreeSet::new();
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
    for w in &writes {
        if w.first_index().is_none() && reported.insert(w.shown.clone()) {
            report.at(&w.shown_at, super::scalars::shared_write_message(facts, w));
        }
    }
    // Arrays, by the fields before their index: `y`, `self.v`.
    let mut keys: BTreeMap<Vec<Name>, Vec<&Use>> = BTreeMap::new();
    for w in writes.iter().filter(|w| w.first_index().is_some()) {
        keys.entry(w.field_prefix()).or_default().push(w);
    }
    for (fields, key_writes) in keys {
        if key_writes.iter().any(|w| {
            w.steps
                .iter()
                .take_while(|s| !matches!(s, Step::Index(_)))
                .any(|s| !matches!(s, Step::Field(_)))
        }) {
            let w = key_writes[0];
            report.at(
                &w.shown_at,
                format!("`{}` writes through a reference or a method's result, so the macro cannot tell which elements each iteration writes; index the array itself (`{}[i] = ..`)", w.shown, name),
            );
            continue;
        }
        split(
            facts,
            plan,
            name,
            &fields,
            &key_writes,
            uses,
            decisions,
            report,
        );
    }
}

/// Decides how the array `name.fields` is split, from its writes, and
/// checks its other uses against that.
#[allow(clippy::too_many_arguments)]
fn split(
    facts: &Facts,
    plan: &Plan,
    name: &Name,
    fields: &[Name],
    writes: &[&Use],
    uses: &[&Use],
    decisions: &mut Decisions,
    report: &mut Report,
) {
    let changing = changing_names(facts);
    let mut shown_array = name.to_string();
    fields.iter().for_each(|f| {
        shown_array.push('.');
        shown_array.push_str(f.as_str());
    });
    let var = plan.var_name();
    let mut ownership: Option<(Ownership, &Use)> = None;
    let mut lens = Vec::new();
    let mut ok = true;
    for w in writes {
        let Some(own) = write_ownership(plan, &changing, &shown_array, w, &mut lens, report) else {
            ok = false;
            continue;
        };
        match &ownership {
            None => ownership = Some((own, w)),
            Some((prev, _)) => {
                if let Some(msg) = clash(prev, &own, &shown_array, &var) {
                    report.at(&w.shown_at, msg);
                    ok = false;
                }
            }
        }
    }
    let (Some((ownership, first)), true) = (ownership, ok) else {
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
    check_accesses(plan, fields, &ownership, &shown_array, uses, report);
    let (window, local) = window_locals(&first.root, fields);
    decisions.splits.push(Split {
        name: name.clone(),
        root: first.root.clone(),
        fields: fields.to_vec(),
        ownership,
        window,
        local,
        lens,
    });
}

/// What one write makes the iteration own, or an error: its stride must
/// not change during the loop (its `.len()` receivers are noted in `lens`).
fn write_ownership(
    plan: &Plan,
    changing: &BTreeSet<Name>,
    array: &str,
    w: &Use,
    lens: &mut Vec<Expr>,
    report: &mut Report,
) -> Option<Ownership> {
    let fixed_stride =
        |stride: &Expr, fixed: &[&Fixed], lens: &mut Vec<Expr>, report: &mut Report| {
            if fixed.iter().all(|f| is_invariant(f, changing, plan)) {
                lens.extend(fixed.iter().flat_map(|f| f.lens.iter().cloned()));
                true
            } else {
                report.at(&w.shown_at, bad_width(array, &show(stride)));
                false
            }
        };
    match shape(w, plan) {
        Shape::Own => Some(Ownership::Elem),
        Shape::Row { stride, fixed } => {
            fixed_stride(&stride, &fixed, lens, report).then_some(Ownership::Row { stride })
        }
        Shape::CollapsedFlat { width, fixed } => {
            fixed_stride(&width, &fixed, lens, report).then_some(Ownership::CollapsedFlat { width })
        }
        Shape::CollapsedNested => Some(Ownership::CollapsedNested),
        Shape::BadWidth { stride } => {
            report.at(&w.shown_at, bad_width(array, &stride));
            None
        }
        Shape::Whole | Shape::Other => {
            report.at(&w.shown_at, other_write(plan, array, w, &plan.var_name()));
            None
        }
    }
}

/// Every other use of a split array: reads at the iteration's own elements
/// only, and no use of the whole array but its length.
fn check_accesses(
    plan: &Plan,
    fields: &[Name],
    ownership: &Ownership,
    shown_array: &str,
    uses: &[&Use],
    report: &mut Report,
) {
    let var = plan.var_name();
    let own_form = own_form(ownership, shown_array, &var);
    let mut reported = HashSet::new();
    for u in uses {
        let prefix = u.field_prefix();
        let indexed = u.first_index().is_some();
        // A use of a part of the struct that holds the array, or another
        // field: not this array.
        if !prefix.starts_with(fields) && !fields.starts_with(&prefix) {
            continue;
        }
        if !prefix.starts_with(fields) || !indexed {
            let len = matches!(&u.access, Access::Method { name, .. } if name == "len" || name == "is_empty");
            if !(len && prefix.len() == fields.len()) && reported.insert(u.place.clone()) {
                report.at(
                    &u.at,
                    format!("`{}` is used whole here, but this loop writes its elements `{own_form}` from several threads at once; inside the loop use only `{own_form}` (and `{shown_array}.len()`), and use `{shown_array}` whole after the loop", u.place),
                );
            }
            continue;
        }
        if u.access.writes() {
            continue;
        }
        let fits = match (ownership, shape(u, plan)) {
            (Ownership::Elem, Shape::Own) => true,
            (Ownership::Row { stride }, Shape::Row { stride: s, .. }) => same(stride, &s),
            (Ownership::CollapsedFlat { width }, Shape::CollapsedFlat { width: w, .. }) => {
                same(width, &w)
            }
            (Ownership::CollapsedNested, Shape::CollapsedNested) => true,
            _ => false,
        };
        if !fits && reported.insert(u.place.clone()) {
            let hidden = shadowed(u, plan).map_or_else(String::new, |v| {
                format!(" (this `{v}` is not the loop variable: the body binds its own `{v}` that hides it; give that one another name)")
            });
            report.at(
                &u.at,
                format!("`{}` reads an element that another iteration may be writing (this loop writes `{own_form}`){hidden}, so the value read depends on timing: a data race. Read from a copy made before the loop, or write the results into a second array (as a Jacobi sweep does)", u.place),
            );
        }
    }
}

/// How the user writes an owned element, for messages.
fn own_form(ownership: &Ownership, array: &str, var: &str) -> String {
    match ownership {
        Ownership::Elem => format!("{array}[{var}]"),
        Ownership::Row { stride } => format!("{array}[{var} * {} + j]", show(stride)),
        Ownership::CollapsedFlat { width } => format!("{array}[i * {} + j]", show(width)),
        Ownership::CollapsedNested => format!("{array}[i][j]"),
    }
}

/// Two writes that split one array two ways.
fn clash(a: &Ownership, b: &Ownership, array: &str, var: &str) -> Option<String> {
    match (a, b) {
        (Ownership::Elem, Ownership::Elem)
        | (Ownership::CollapsedNested, Ownership::CollapsedNested) => None,
        (Ownership::Row { stride: x }, Ownership::Row { stride: y })
        | (Ownership::CollapsedFlat { width: x }, Ownership::CollapsedFlat { width: y }) => {
            (!same(x, y)).then(|| format!("`{array}` is written as rows of `{}` and as rows of `{}`; a loop splits an array one way: use one row length", show(x), show(y)))
        }
        _ => Some(format!(
            "`{array}` is written both as `{}` and as `{}`; a loop splits an array one way: use one of the two forms",
            own_form(a, array, var),
            own_form(b, array, var)
        )),
    }
}

fn bad_width(array: &str, n: &str) -> String {
    format!(
        "`{array}` is indexed as rows of `{n}`, but `{n}` cannot be evaluated once before the loop: the array is split into rows when the loop starts. Use a row length declared before the loop that the loop does not change: a local, a constant, a field, or `.len()` of a slice, array or `Vec` (for anything else, bind it to a local first: `let n = ..;`)"
    )
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

/// A write at an element the iteration does not own.
fn other_write(plan: &Plan, array: &str, w: &Use, var: &str) -> String {
    if let Some(v) = shadowed(w, plan) {
        return format!(
            "`{}` writes an element of `{array}`, but this `{v}` is not the loop variable: the body binds its own `{v}` (a `let`, a pattern, an inner loop or an item) that hides it, so the element may belong to another iteration, a data race. Give the inner binding another name",
            w.place
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
        None => format!(
            "`{}` writes an element of `{array}` that may belong to another iteration: iterations run at once on several threads, so this is a data race. Write only `{array}[{var}]` (or the row-major `{array}[{var} * n + j]`); to shift data, write into a second array",
            w.place
        ),
    }
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

/// An array a vectorized kernel cuts to the loop's range: read (or, when it
/// is the only access of a written array, written) at the loop variable
/// plus an offset that does not change during the loop.
pub struct Cut {
    /// The array as the chunk sees it: `x`, `self.x`, a window `y`, a
    /// window's row `d.__parallel_row(r)`.
    pub array: Expr,
    pub root: Ident,
    pub write: bool,
    /// The offset's terms, each with its sign (`true` for minus); `None`
    /// for the loop variable itself.
    pub terms: Option<Vec<(bool, Expr)>>,
    /// The access as the rewrite recognizes it: array and index, shown.
    pub key: String,
    /// The local holding the current block of it.
    pub slot: Ident,
}

/// The key of an access: the array before its first index, and the index
/// (empty for the loop variable itself).
pub fn cut_key(array: &str, index: &IndexFact) -> String {
    let own = index.linear.along(0).is_own();
    let shown = if own {
        String::new()
    } else {
        show(&index.expr)
    };
    format!("{array}[{shown}]")
}

/// A number per kernel for its locals (`__g3_0`), distinct from those of
/// kernels nested in its body, which share its hygiene.
pub fn next_kernel_id() -> usize {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// One access form of an array, candidate for a cut.
struct Form<'f> {
    key: String,
    array: Expr,
    root: Ident,
    terms: Option<Vec<(bool, Expr)>>,
    write: bool,
    u: &'f Use,
}

/// The cuts of a vectorized kernel with number `id`. `reads`, when given,
/// limits the arrays cut for reading to those names (a `parallel_for`
/// without `simd` cuts only what the host declares as a slice, `Vec` or
/// array: a cut needs one).
pub fn cuts(
    facts: &Facts,
    plan: &Plan,
    decisions: &Decisions,
    reads: Option<&HashSet<Name>>,
    id: usize,
) -> Vec<Cut> {
    let changing = changing_names(facts);
    // Per array (its shown prefix): its forms, and whether it is used in
    // any other way.
    let mut arrays: BTreeMap<String, (Vec<Form>, bool)> = BTreeMap::new();
    for u in &facts.uses {
        if !matches!(plan.clause_of(&u.name), Clause::None)
            || decisions.atomic_of(&u.name, &u.field_prefix()).is_some()
            || decisions.section_of(&u.name).is_some()
        {
            continue;
        }
        let (prefix, form) = form(u, plan, &changing);
        let entry = arrays.entry(prefix).or_default();
        match form {
            Some(f) => entry.0.push(f),
            None => entry.1 = true,
        }
    }
    let mut out: Vec<Cut> = Vec::new();
    for (_, (forms, other)) in arrays {
        let Some(first) = forms.first() else { continue };
        let written = forms.iter().any(|f| f.write);
        let split = decisions.split_of(&first.u.name, &first.u.field_prefix());
        let keys: BTreeSet<&String> = forms.iter().map(|f| &f.key).collect();
        let cut_it = if written {
            // Written at one form and used no other way; a split array only
            // by element (its window).
            !other
                && keys.len() == 1
                && split.is_none_or(|s| matches!(s.ownership, Ownership::Elem))
        } else {
            !changing.contains(&first.u.name)
                && split.is_none()
                && (reads.is_none()
                    || (first.u.field_prefix().is_empty()
                        && !is_row(first.u)
                        && reads.is_some_and(|r| r.contains(&first.u.name)))
                    || is_row(first.u))
        };
        if !cut_it {
            continue;
        }
        let mut seen = BTreeSet::new();
        for f in &forms {
            if !seen.insert(f.key.clone()) {
                continue;
            }
            let slot = format_ident!("__g{}_{}", id, out.len(), span = Span::mixed_site());
            out.push(Cut {
                array: f.array.clone(),
                root: f.root.clone(),
                write: written,
                terms: f.terms.clone(),
                key: f.key.clone(),
                slot,
            });
        }
    }
    out
}

fn is_row(u: &Use) -> bool {
    u.steps.iter().any(|s| matches!(s, Step::Row(_)))
}

/// The array prefix of `u` (as shown) and its cuttable form, if it has
/// one: indexed at `v + fixed offset` with everything invariant.
fn form<'f>(u: &'f Use, plan: &Plan, changing: &BTreeSet<Name>) -> (String, Option<Form<'f>>) {
    let Some((k, first)) = u.first_index() else {
        return (u.place.clone(), None);
    };
    // The place up to the first index, re-parsed from its text.
    let array_text = array_prefix(u, k);
    let none = (array_text.clone(), None);
    if plan.collapse.is_some() || plan.vars.is_empty() {
        return none;
    }
    let a = first.linear.along(0);
    if !a.is_unit_stride() || !a.rest_is_fixed() {
        return none;
    }
    if !a
        .rest_fixed()
        .iter()
        .all(|f| is_invariant(f, changing, plan))
    {
        return none;
    }
    // Rows of a window must be at an invariant row.
    for s in &u.steps[..k] {
        if let Step::Row(r) = s
            && (r.linear.mentions_loop()
                || r.linear
                    .terms
                    .iter()
                    .any(|t| !crate::index::term_is_fixed(t))
                || !r
                    .linear
                    .terms
                    .iter()
                    .flat_map(|t| &t.factors)
                    .all(|f| match &f.atom {
                        Atom::Fixed(fx) => is_invariant(fx, changing, plan),
                        _ => false,
                    }))
        {
            return none;
        }
    }
    // The array as written (with its spans): the link before the index.
    let array = match crate::facts::chain(&u.expr) {
        Some((root, _)) if k == 0 => syn::parse_quote!(#root),
        Some((_, links)) => match links.get(k - 1) {
            Some(link) => (*link).clone(),
            None => return none,
        },
        None => return none,
    };
    let terms = if a.is_own() {
        None
    } else {
        Some(
            a.rest
                .iter()
                .map(|t| {
                    let factors: Vec<&Expr> = t.factors.iter().map(|f| &f.expr).collect();
                    (t.negative, product(&factors))
                })
                .collect(),
        )
    };
    let key = cut_key(&array_text, first);
    let form = Form {
        key,
        array,
        root: u.root.clone(),
        terms,
        write: u.access.writes(),
        u,
    };
    (array_text, Some(form))
}

/// The place of `u` up to (not including) its step `k`, as text.
fn array_prefix(u: &Use, k: usize) -> String {
    // `place` is the whole place as shown; cut it at the `k`-th step by
    // rebuilding from the root and the steps before.
    let mut s = show(&u.root);
    for step in &u.steps[..k] {
        match step {
            Step::Field(f) => {
                s.push('.');
                s.push_str(f.as_str());
            }
            Step::Row(r) => s.push_str(&format!(".__parallel_row({})", show(&r.expr))),
            Step::Index(ix) => s.push_str(&format!("[{}]", show(&ix.expr))),
            Step::Deref => s = format!("(*{s})"),
        }
    }
    s
}

fn product(factors: &[&Expr]) -> Expr {
    match factors {
        [] => syn::parse_quote!(1usize),
        [one] => (*one).clone(),
        [first, rest @ ..] => {
            let rest = product(rest);
            syn::parse_quote!((#first) * (#rest))
        }
    }
}
