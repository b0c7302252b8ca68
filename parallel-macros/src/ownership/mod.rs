//! Ownership: from the facts, a decision for every captured variable (or
//! an error), and every independent error found, combined.
//!
//! - read-only: anything the loop only reads, shared by all iterations;
//! - split: an array the loop writes at elements each iteration owns, cut
//!   into one window per chunk ([`Split`]);
//! - reduction, private, firstprivate, lastprivate: as the clauses say,
//!   with the body's uses checked against what each means (reductions only
//!   in updates of their operator; privates assigned before they are read);
//! - atomic and critical: scalars updated under `#[atomic]`, variables
//!   written under `#[critical]`, every use of them under the directive.
//!
//! Anything else that the body writes is a data race, reported with the
//! clause or rewrite that fixes it.

mod arrays;
mod scalars;

use crate::clause::{Clauses, ReduceOp};
use crate::facts::{Access, Facts, Use};
use crate::flow::Directive;
use crate::index::Fixed;
use crate::names::Name;
use crate::show::show;
use proc_macro2::Span;
use quote::format_ident;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use syn::{Error, Expr, Ident};

pub use arrays::{Cut, cut_key, cuts, next_kernel_id};

/// What the decisions depend on besides the facts.
pub struct Plan<'a> {
    pub directive: Directive,
    pub clauses: &'a Clauses,
    /// The loop variables as written, outermost first (one for a range or
    /// enumerated loop, none for an iterator loop without an index, several
    /// under `collapse`).
    pub vars: Vec<Ident>,
    /// `collapse(n)`, `n >= 2`.
    pub collapse: Option<usize>,
    /// The loop counts down (an odd number of `.rev()`).
    pub descending: bool,
}

impl Plan<'_> {
    fn var_name(&self) -> String {
        self.vars
            .first()
            .map_or_else(|| "i".to_owned(), |v| Name::of(v).to_string())
    }

    fn clause_of(&self, name: &Name) -> Clause<'_> {
        let c = self.clauses;
        if let Some(r) = c.reductions.iter().find(|r| Name::of(&r.var) == *name) {
            return Clause::Reduction(&r.op, &r.var);
        }
        let listed = |list: &[Ident]| list.iter().any(|v| Name::of(v) == *name);
        if listed(&c.lastprivate) {
            Clause::Lastprivate
        } else if listed(&c.firstprivate) {
            Clause::Firstprivate
        } else if listed(&c.private) {
            Clause::Private
        } else {
            Clause::None
        }
    }
}

/// The data-sharing clause a variable is in.
#[derive(Clone, Copy)]
enum Clause<'a> {
    Reduction(&'a ReduceOp, &'a Ident),
    Private,
    Firstprivate,
    Lastprivate,
    None,
}

/// An array the loop writes, and the part of it an iteration owns.
#[derive(Clone)]
pub enum Ownership {
    /// `y[i]`: element `i`.
    Elem,
    /// `c[i * n + j]`: the `n` elements of row `i` (`n` may be a product,
    /// `n * n` for the planes of `b[i * n * n + j * n + k]`).
    Row { stride: Expr },
    /// Under `collapse(2)`: `c[i * m + j]`, the row-major element.
    CollapsedFlat { width: Expr },
    /// Under `collapse(2)`: `grid[i][j]` of a nested container.
    CollapsedNested,
}

/// A captured array (or a field of a captured struct, `self.v`) split
/// among the tasks.
pub struct Split {
    pub name: Name,
    /// The root as first written, for spans.
    pub root: Ident,
    /// The fields from the root to the array: `[v]` for `self.v`.
    pub fields: Vec<Name>,
    pub ownership: Ownership,
    /// What the chunk calls its window: the array's own name when it is a
    /// plain variable (so the body reads unchanged), else `__w_self_v`.
    pub window: Ident,
    /// The local that holds the stride, or a nested container's rows.
    pub local: Ident,
    /// The `.len()` receivers the stride reads, checked to be arrays whose
    /// length cannot change.
    pub lens: Vec<Expr>,
}

impl Split {
    /// `y`, `self.v`: the array as an expression.
    pub fn array(&self) -> Expr {
        place_of(&self.root, &self.fields)
    }
}

/// `root.f.g` as an expression.
pub fn place_of(root: &Ident, fields: &[Name]) -> Expr {
    let mut e: Expr = syn::parse_quote!(#root);
    for f in fields {
        let member: syn::Member = match f.as_str().parse::<u32>() {
            Ok(k) => syn::Member::Unnamed(syn::Index {
                index: k,
                span: root.span(),
            }),
            Err(_) => syn::Member::Named(Ident::new(f.as_str(), root.span())),
        };
        e = syn::parse_quote!(#e.#member);
    }
    e
}

/// A scalar (or a field of one) updated with `#[atomic]`.
pub struct AtomicVar {
    pub name: Name,
    pub root: Ident,
    pub fields: Vec<Name>,
    /// The atomic cell's local.
    pub cell: Ident,
}

/// One `#[critical(name)]` section: a lock over the variables written in it.
pub struct Section {
    pub name: String,
    pub lock: Ident,
    pub vars: Vec<Ident>,
}

/// The decisions for one loop.
#[derive(Default)]
pub struct Decisions {
    pub splits: Vec<Split>,
    pub atomics: Vec<AtomicVar>,
    pub sections: Vec<Section>,
    /// Clause variables the body writes.
    pub written: HashSet<Name>,
    /// Under `collapse(2)`, the row length of the row-major writes.
    pub flat_width: Option<Expr>,
    /// minloc / maxloc: whether ties go to the larger index, per variable.
    pub loc_ties: BTreeMap<Name, bool>,
}

impl Decisions {
    pub fn split_of(&self, name: &Name, fields: &[Name]) -> Option<&Split> {
        self.splits
            .iter()
            .find(|s| s.name == *name && fields.starts_with(&s.fields))
    }

    pub fn atomic_of(&self, name: &Name, fields: &[Name]) -> Option<&AtomicVar> {
        self.atomics
            .iter()
            .find(|a| a.name == *name && fields.starts_with(&a.fields))
    }

    pub fn section_of(&self, name: &Name) -> Option<&Section> {
        self.sections
            .iter()
            .find(|s| s.vars.iter().any(|v| Name::of(v) == *name))
    }
}

/// Collected errors, reported together.
#[derive(Default)]
pub struct Report {
    errors: Vec<Error>,
}

impl Report {
    fn push(&mut self, e: Error) {
        self.errors.push(e);
    }

    /// An error spanning `site`'s tokens.
    fn at(&mut self, site: impl quote::ToTokens, msg: String) {
        self.errors.push(Error::new_spanned(site, msg));
    }

    pub fn finish(self) -> syn::Result<()> {
        let mut errors = self.errors.into_iter();
        match errors.next() {
            None => Ok(()),
            Some(mut first) => {
                for e in errors {
                    first.combine(e);
                }
                Err(first)
            }
        }
    }
}

/// Decides every captured variable; all independent errors come together.
pub fn decide(facts: &Facts, plan: &Plan) -> syn::Result<Decisions> {
    let mut report = Report::default();
    for e in &facts.errors {
        report.push(e.clone());
    }
    let mut decisions = Decisions::default();
    scalars::check_loop_var_writes(facts, plan, &mut report);
    scalars::check_declared_inside(facts, plan, &mut report);
    scalars::atomics_and_sections(facts, plan, &mut decisions, &mut report);
    let mut names: Vec<&Name> = facts.uses.iter().map(|u| &u.name).collect();
    names.sort();
    names.dedup();
    for name in names {
        let uses: Vec<&Use> = facts.uses_of(name).collect();
        match plan.clause_of(name) {
            Clause::Reduction(op, var) => {
                scalars::check_reduction(facts, plan, &uses, op, var, &mut decisions, &mut report)
            }
            Clause::Private | Clause::Lastprivate => {
                scalars::check_private(plan, &uses, &mut decisions, &mut report)
            }
            Clause::Firstprivate => scalars::note_written(&uses, &mut decisions),
            Clause::None => {
                if decisions.atomics.iter().any(|a| a.name == *name)
                    || decisions.section_of(name).is_some()
                {
                    continue;
                }
                arrays::decide_shared(facts, plan, name, &uses, &mut decisions, &mut report);
            }
        }
    }
    scalars::check_lastprivate_assigned(plan, &decisions, &mut report);
    scalars::check_default_none(facts, plan, &mut report);
    scalars::check_macros(facts, plan, &decisions, &mut report);
    report.finish()?;
    Ok(decisions)
}

/// The names the body may change: every name written, one an opaque macro
/// mentions, or one a method is called on that is not known to leave it
/// as it was.
pub fn changing_names(facts: &Facts) -> BTreeSet<Name> {
    const READ_ONLY: &[&str] = &["len", "is_empty", "__parallel_row", "__parallel_row_ref"];
    let mut out = BTreeSet::new();
    for u in &facts.uses {
        let changes = u.access.writes()
            || matches!(&u.access, Access::Method { name, .. } if !READ_ONLY.contains(&name.as_str()));
        if changes {
            out.insert(u.name.clone());
        }
    }
    for m in &facts.macros {
        for (id, _) in &m.mentions {
            out.insert(Name::of(id));
        }
    }
    out
}

/// Whether a fixed factor keeps its value through the loop: it reads
/// nothing the body changes or privatizes.
fn is_invariant(fixed: &Fixed, changing: &BTreeSet<Name>, plan: &Plan) -> bool {
    fixed
        .reads
        .iter()
        .all(|n| !changing.contains(n) && matches!(plan.clause_of(n), Clause::None))
}

/// The local for a window of `name` (with its fields) and for its stride.
fn window_locals(root: &Ident, fields: &[Name]) -> (Ident, Ident) {
    let m = Span::mixed_site();
    let mut key = Name::of(root).to_string();
    for f in fields {
        key.push('_');
        key.push_str(f.as_str());
    }
    let window = if fields.is_empty() {
        root.clone()
    } else {
        format_ident!("__w_{}", key, span = m.located_at(root.span()))
    };
    (window, format_ident!("__n_{}", key, span = m))
}

/// `e` as shown, for comparing two expressions.
fn same(a: &Expr, b: &Expr) -> bool {
    show(a) == show(b)
}
