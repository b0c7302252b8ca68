//! The arrays a vectorized kernel cuts to the loop's range, so that the
//! kernel reads and writes them with no bounds check.

use super::{Clause, Decisions, Ownership, Plan, changing_names, is_invariant};
use crate::facts::{Facts, IndexFact, Step, Use};
use crate::index::Atom;
use crate::names::Name;
use proc_macro2::Span;
use quote::format_ident;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use syn::{Expr, Ident};

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
        crate::show::key(&index.expr)
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
        let split = decisions.split_of(&first.u.root, &first.u.steps);
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
            // A split array that is more than a name is its window here.
            let array = match split {
                Some(s) if s.prefix > 0 => {
                    let w = &s.window;
                    syn::parse_quote!(#w)
                }
                _ => f.array.clone(),
            };
            out.push(Cut {
                array,
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
    let mut s = u.name.to_string();
    for step in &u.steps[..k] {
        match step {
            Step::Field(f) => {
                s.push('.');
                s.push_str(f.as_str());
            }
            Step::Row(r) => s.push_str(&format!(".__parallel_row({})", crate::show::key(&r.expr))),
            Step::Index(ix) => s.push_str(&format!("[{}]", crate::show::key(&ix.expr))),
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
