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
mod cuts;
pub mod inscan;
mod messages;
mod scalars;
mod target;

use crate::clause::{Clauses, ReduceOp};
use crate::facts::{Access, Facts, Use};
use crate::flow::Directive;
use crate::index::Fixed;
use crate::names::Name;
use proc_macro2::Span;
use quote::format_ident;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use syn::{Error, Expr, Ident};

pub use cuts::{Cut, cut_key, cuts, next_kernel_id};
pub use target::{Frame, Reach, prefix_text, reach};

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
    /// A range loop's upper bound, as a key (see `Frame::bound`).
    pub bound: Option<String>,
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
    /// `b[k * n + j]` from a loop over `j`: column `j` of every row of `n`.
    Column { width: Expr },
    /// `a[r][j]` from a loop over `j`: column `j` of every row.
    NestedColumn,
    /// Under `collapse(2)`: `c[i * m + j]`, the row-major element.
    CollapsedFlat { width: Expr },
    /// Under `collapse(2)`: `grid[i][j]` of a nested container.
    CollapsedNested,
    /// `c[[i, j]]`, `a[[i, j, k]]`, `c[[k, j]]` (ndarray's multi-dimensional
    /// indices): the elements whose index along `axis` (the first
    /// component that is the loop variable) is the iteration's.
    Axis { axis: usize },
}

/// The copy of one field of every element, for reads of other elements'
/// fields that the loop writes in no element.
pub struct Snapshot {
    /// The fields after the index: `[x]` for `p[j].x`.
    pub fields: Vec<Name>,
    pub local: Ident,
}

/// A captured array split among the tasks: a name, a field of one
/// (`self.v`), a row the loop does not change (`c[k]`), an enclosing
/// loop's row (`c.__parallel_row(i)`).
pub struct Split {
    pub name: Name,
    /// The root as first written, for spans.
    pub root: Ident,
    /// How many steps of an access make up the array, their texts, and
    /// the array's text.
    pub prefix: usize,
    pub steps: Vec<String>,
    pub key: String,
    /// The array as written: `y`, `self.v`, `c[k]`.
    pub array: Expr,
    pub ownership: Ownership,
    /// What the chunk calls its window: the array's own name when it is a
    /// plain variable (so the body reads unchanged), else `__w_..`.
    pub window: Ident,
    /// The local that holds the stride, or a nested container's rows.
    pub local: Ident,
    /// The `.len()` receivers the stride reads, checked to be arrays whose
    /// length cannot change.
    pub lens: Vec<Expr>,
    /// The field paths the loop changes in the elements it owns (an empty
    /// path: the whole element).
    pub written_fields: Vec<Vec<String>>,
    /// The view of what no iteration writes, when some access reads it.
    pub outside: Option<Ident>,
    /// The first write as written (`r[k * n + j]`), for run-time messages.
    pub written: String,
    pub snapshots: Vec<Snapshot>,
}

impl Split {
    /// The local that holds `&mut` of the array before its handle, when
    /// the array is more than a name.
    pub fn array_local(&self) -> Option<Ident> {
        (self.prefix > 0).then(|| format_ident!("__a{}", self.local, span = Span::mixed_site()))
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
    /// A scan: the index of the body's `scan!` statement.
    pub scan: Option<usize>,
}

impl Decisions {
    /// The split array an access rooted at `root` with `steps` indexes.
    pub fn split_of(&self, root: &Ident, steps: &[crate::facts::Step]) -> Option<&Split> {
        let name = Name::of(root);
        self.splits.iter().find(|s| {
            s.name == name
                && steps.len() >= s.prefix
                && prefix_text(name.as_str(), steps, s.prefix) == s.key
        })
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
pub fn decide(facts: &Facts, plan: &Plan, body: &syn::Block) -> syn::Result<Decisions> {
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
                let uses = if inscan::inscan(plan)
                    .iter()
                    .any(|r| Name::of(&r.var) == *name)
                {
                    inscan::split_uses(facts, name, &uses, &mut report)
                } else {
                    uses
                };
                scalars::check_reduction(facts, plan, &uses, op, var, &mut decisions, &mut report)
            }
            Clause::Private | Clause::Lastprivate => {
                scalars::check_private(plan, &uses, &mut decisions, &mut report)
            }
            Clause::Firstprivate => scalars::note_written(&uses, &mut decisions),
            Clause::None => {
                if decisions.section_of(name).is_some() {
                    continue;
                }
                // The fields updated with `#[atomic]` are the atomics'.
                let uses: Vec<&Use> = uses
                    .into_iter()
                    .filter(|u| decisions.atomic_of(&u.name, &u.field_prefix()).is_none())
                    .collect();
                arrays::decide_shared(facts, plan, name, &uses, &mut decisions, &mut report);
            }
        }
    }
    inscan::check(facts, plan, body, &mut decisions, &mut report);
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
    const READ_ONLY: &[&str] = &["__parallel_row", "__parallel_row_ref"];
    let mut out = BTreeSet::new();
    for u in &facts.uses {
        let read_only =
            |m: &str| READ_ONLY.contains(&m) || crate::facts::SHAPE_METHODS.contains(&m);
        let changes = u.access.writes()
            || matches!(&u.access, Access::Method { name, .. } if !read_only(name));
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

/// The captured names the body only reads, and only at multi-dimensional
/// indices (`a[[i, k]]`, ndarray's): each chunk reads them through a local
/// view of its own, whose shape and strides live in registers, rather than
/// through the captured reference, which the chunk's writes might alias as
/// far as the compiler can tell (and which then reloads at every access).
pub fn read_views(facts: &Facts, plan: &Plan, decisions: &Decisions) -> Vec<Ident> {
    let mut names: BTreeMap<Name, Ident> = BTreeMap::new();
    let mut other: BTreeSet<Name> = BTreeSet::new();
    for u in &facts.uses {
        let multi = matches!(u.steps.first(), Some(crate::facts::Step::Index(ix)) if !ix.components.is_empty());
        if multi && !u.access.writes() && matches!(plan.clause_of(&u.name), Clause::None) {
            names
                .entry(u.name.clone())
                .or_insert_with(|| u.root.clone());
        } else {
            other.insert(u.name.clone());
        }
    }
    for m in &facts.macros {
        other.extend(m.mentions.iter().map(|(id, _)| Name::of(id)));
    }
    names
        .into_iter()
        .filter(|(n, _)| {
            !other.contains(n)
                && !decisions.splits.iter().any(|s| s.name == *n)
                && decisions.section_of(n).is_none()
                && decisions.atomics.iter().all(|a| a.name != *n)
        })
        .map(|(_, root)| root)
        .collect()
}

/// Whether a fixed factor keeps its value through the loop: it reads
/// nothing the body changes or privatizes.
fn is_invariant(fixed: &Fixed, changing: &BTreeSet<Name>, plan: &Plan) -> bool {
    fixed
        .reads
        .iter()
        .all(|n| !changing.contains(n) && matches!(plan.clause_of(n), Clause::None))
}

/// A name for generated locals from an array's text: `self.v` is `self_v`.
fn key_ident(key: &str) -> String {
    let mut out = String::new();
    for c in key.chars() {
        if c.is_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// The window of an array and the local for its stride: the window is the
/// array's own name when it is a plain variable.
fn window_locals(root: &Ident, prefix: usize, key: &str, n: usize) -> (Ident, Ident) {
    let m = Span::mixed_site();
    let key = key_ident(key);
    let window = if prefix == 0 {
        root.clone()
    } else {
        format_ident!("__w_{}_{}", key, n, span = m.located_at(root.span()))
    };
    (window, format_ident!("__n_{}_{}", key, n, span = m))
}

/// `e` as shown, for comparing two expressions.
fn same(a: &Expr, b: &Expr) -> bool {
    crate::show::key(a) == crate::show::key(b)
}
