//! Analysis and rewrite of a `#[parallel_for]` body.
//!
//! The macro sees tokens, not types, so it decides from the syntax which
//! accesses belong to one iteration alone:
//!
//! - names bound inside the body are private to the iteration;
//! - captured variables are shared and read-only, except reduction variables
//!   (each task works on its own copy) and elements indexed by the loop
//!   variable: `y[i]`, `y[i][j]`, `y[i].f`, `t[i as usize]`, and the rows of
//!   row-major arrays, `c[i * n + j]`;
//! - reading another iteration's element of an array the loop writes, or
//!   using such an array whole, is rejected; so is control flow that would
//!   leave the loop (`break`, `return`, `?`, `.await`).
//!
//! The first pass ([`Mode::Collect`]) finds the writes and decides which
//! arrays are split ([`Access`]); the second ([`Mode::Rewrite`]) redirects
//! each access of a split array to the task's window of it and rejects every
//! other use. Whatever the analysis misses, the types still catch: a split
//! array is mutably borrowed by its handle for the whole loop, and the body
//! is a `Fn + Sync` closure.

use crate::clause::{Clauses, Errors, ReduceOp};
use crate::flow::{Directive, Flow};
use crate::scope::pat_names;
use crate::walk::BodyWalk;
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote};
use std::collections::{BTreeMap, HashSet};
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{BinOp, Block, Error, Expr, Ident, Lifetime, Result, Stmt};

/// How a loop splits an array it writes.
#[derive(Clone)]
pub enum Access {
    /// `y[i]`: element `i` belongs to iteration `i`.
    Elem,
    /// `c[i * n + j]`: row `i` (of `n` elements) belongs to iteration `i`.
    Row { width: Expr },
    /// Under `collapse(2)`: `grid[i][j]` belongs to iteration `(i, j)`.
    Nested,
}

/// An array the loop writes, split among the tasks.
pub struct Split {
    /// The array, with the span of its first write.
    pub name: Ident,
    pub access: Access,
    /// The local that holds a task's window of it.
    pub window: Ident,
    /// The local that holds the row width, for [`Access::Row`].
    pub width_local: Ident,
}

/// The shape of an index expression.
enum IndexClass {
    /// The loop variable itself, or `i as usize`.
    Own,
    /// `i * n + j`, `n * i + j` or `j + i * n`.
    Row { width: Box<Expr>, col: Box<Expr> },
    /// `i * n + j` where `n` cannot be evaluated before the loop.
    BadWidth(Box<Expr>),
    /// Under `collapse(2)`: `i * m + j` on the two collapsed variables.
    Flat { width: Box<Expr> },
    /// Under `collapse(2)`: `grid[i][j]`, a nested container.
    Nested,
    /// Anything else.
    Other,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Collect,
    Rewrite,
}

/// What a write does, for the message when it is rejected.
#[derive(Clone, Copy)]
enum WriteKind<'a> {
    Assign(&'a Expr),
    Compound(&'a BinOp),
    RefMut,
    Method(&'a Ident),
}

/// Methods that change their receiver; called on a captured variable they
/// would write it from every iteration at once.
pub(crate) const MUTATING_METHODS: &[&str] = &[
    "push",
    "push_str",
    "push_back",
    "push_front",
    "pop",
    "pop_back",
    "pop_front",
    "insert",
    "remove",
    "clear",
    "extend",
    "extend_from_slice",
    "append",
    "truncate",
    "resize",
    "retain",
    "drain",
    "sort",
    "sort_unstable",
    "sort_by",
    "sort_by_key",
    "sort_unstable_by",
    "sort_unstable_by_key",
    "dedup",
    "reverse",
    "fill",
    "swap",
    "swap_remove",
    "iter_mut",
    "as_mut_slice",
    "get_mut",
    "copy_from_slice",
    "clone_from_slice",
    "split_at_mut",
    "last_mut",
    "first_mut",
    "entry",
    "take",
    "replace",
    "get_or_insert",
    "chunks_mut",
    "rotate_left",
    "rotate_right",
    "as_mut",
];

/// Macros whose arguments are plain expressions, so their uses of the body's
/// variables can be checked and rewritten like any other code.
pub(crate) const EXPR_MACROS: &[&str] = &[
    "print",
    "println",
    "eprint",
    "eprintln",
    "format",
    "format_args",
    "write",
    "writeln",
    "panic",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "dbg",
    "todo",
    "unimplemented",
    "unreachable",
];

/// Analyzes `body` and rewrites it in place. Returns the arrays to split.
pub fn analyze(
    var: Option<&Ident>,
    flat: Option<(usize, Option<&Ident>, Option<&Ident>)>,
    bound: &[Ident],
    label: Option<&Lifetime>,
    clauses: &Clauses,
    body: &mut Block,
) -> Result<Analysis> {
    let mut walker = Walker {
        mode: Mode::Collect,
        var,
        clauses,
        scopes: Vec::new(),
        flow: Flow::new(Directive::ParallelFor, label),
        write_ctx: false,
        writes: Vec::new(),
        assigned: HashSet::new(),
        splits: BTreeMap::new(),
        flat,
        flat_width: None,
        critical: None,
        atomics: BTreeMap::new(),
        sections: BTreeMap::new(),
        uses: Vec::new(),
        errors: Errors::default(),
    };
    check_reductions_are_captured(clauses, body, &mut walker.errors);
    // Names the loop's pattern binds (an iterator loop's items) are private.
    let outer: HashSet<String> = bound.iter().map(|n| n.to_string()).collect();
    walker.scopes.push(outer.clone());
    walker.visit_block_mut(body);
    for v in &clauses.lastprivate {
        if !walker.assigned.contains(&v.to_string()) {
            walker.errors.push(Error::new(
                v.span(),
                format!("`lastprivate({v})`, but the loop body never assigns `{v}`, so after the loop it would keep the value it had before; assign it in the body, or drop the clause"),
            ));
        }
    }
    walker.check_default_none();
    walker.check_strays();
    walker.decide();
    walker.mode = Mode::Rewrite;
    walker.visit_block_mut(body);
    walker.scopes.pop();
    walker.errors.finish()?;
    let mut sections: BTreeMap<String, Section> = BTreeMap::new();
    for (name, ident) in walker.sections.into_values() {
        let section = sections.entry(name.clone()).or_insert_with(|| Section {
            lock: format_ident!("__crit_{}", name, span = Span::mixed_site()),
            vars: Vec::new(),
        });
        section.vars.push(ident);
    }
    let atomics = walker.atomics.into_values().collect();
    Ok(Analysis {
        assigned: walker.assigned,
        flat_width: walker.flat_width,
        splits: walker.splits.into_values().collect(),
        atomics,
        sections: sections.into_values().collect(),
    })
}

/// What the expansion needs from the analysis.
pub struct Analysis {
    /// Variables of data-sharing clauses that the body writes.
    pub assigned: HashSet<String>,
    /// Under `collapse(2)`, the row length of the row-major writes.
    pub flat_width: Option<Expr>,
    /// Arrays split among the tasks.
    pub splits: Vec<Split>,
    /// Scalars updated with `#[atomic]`.
    pub atomics: Vec<Ident>,
    /// `#[critical]` sections and the variables they protect.
    pub sections: Vec<Section>,
}

/// One `#[critical(name)]` section: a lock over the variables written in it.
pub struct Section {
    /// The local that holds the lock.
    pub lock: Ident,
    pub vars: Vec<Ident>,
}

/// The local that holds an `#[atomic]` variable during the loop.
pub fn atomic_local(x: &Ident) -> Ident {
    format_ident!("__at_{}", x, span = Span::mixed_site())
}

/// The flag a chunk raises when it assigns a `lastprivate` variable: the
/// copy of the last chunk that assigned it is the one copied out.
pub fn lastprivate_flag(x: &Ident) -> Ident {
    format_ident!("__lp_{}", x, span = Span::mixed_site())
}

/// The binding of a critical variable inside its section.
fn critical_local(x: &Ident) -> Ident {
    format_ident!("__c_{}", x, span = Span::mixed_site())
}

/// Removes the `#[atomic]` and `#[critical]` directives from code that is
/// emitted unexpanded (after an error), so that only the error is reported.
pub fn strip_directives(block: &mut Block) {
    struct Strip;
    impl VisitMut for Strip {
        fn visit_expr_mut(&mut self, e: &mut Expr) {
            let attrs = match e {
                Expr::Path(p) => Some(&mut p.attrs),
                Expr::Binary(b) => Some(&mut b.attrs),
                Expr::Assign(a) => Some(&mut a.attrs),
                Expr::Block(b) => Some(&mut b.attrs),
                _ => None,
            };
            if let Some(attrs) = attrs {
                attrs.retain(|a| !a.path().is_ident("atomic") && !a.path().is_ident("critical"));
            }
            visit_mut::visit_expr_mut(self, e);
        }
    }
    Strip.visit_block_mut(block);
}

/// `#[atomic] x += e` parses with the attribute on `x`, the left operand.
fn left_has_atomic(left: &Expr) -> bool {
    matches!(left, Expr::Path(p) if has_directive(&p.attrs, "atomic"))
}

fn strip_left_atomic(left: &mut Expr, take: bool) {
    if let Expr::Path(p) = left {
        directive(&mut p.attrs, "atomic", take);
    }
}

fn has_directive(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs.iter().any(|a| a.path().is_ident(name))
}

/// `#[name]` or `#[name(..)]` among `attrs`, removed from them when `take`.
fn directive(attrs: &mut Vec<syn::Attribute>, name: &str, take: bool) -> Option<syn::Attribute> {
    let pos = attrs.iter().position(|a| a.path().is_ident(name))?;
    if take {
        Some(attrs.remove(pos))
    } else {
        attrs.get(pos).cloned()
    }
}

/// The section name of `#[critical]` (`""`) or `#[critical(name)]`.
fn section_name(attr: &syn::Attribute) -> Result<String> {
    match &attr.meta {
        syn::Meta::Path(_) => Ok(String::new()),
        syn::Meta::List(list) => {
            let id: Ident = syn::parse2(list.tokens.clone()).map_err(|e| {
                Error::new(
                    e.span(),
                    "`#[critical]` takes an optional section name: `#[critical(log)]`",
                )
            })?;
            Ok(syn::ext::IdentExt::unraw(&id).to_string())
        }
        syn::Meta::NameValue(nv) => Err(Error::new_spanned(
            nv,
            "`#[critical]` takes an optional section name: `#[critical(log)]`",
        )),
    }
}

/// The binary operator of a compound assignment: `+` for `+=`.
fn update_op(op: &BinOp) -> Option<TokenStream> {
    Some(match op {
        BinOp::AddAssign(_) => quote!(+),
        BinOp::SubAssign(_) => quote!(-),
        BinOp::MulAssign(_) => quote!(*),
        BinOp::DivAssign(_) => quote!(/),
        BinOp::RemAssign(_) => quote!(%),
        BinOp::BitAndAssign(_) => quote!(&),
        BinOp::BitOrAssign(_) => quote!(|),
        BinOp::BitXorAssign(_) => quote!(^),
        BinOp::ShlAssign(_) => quote!(<<),
        BinOp::ShrAssign(_) => quote!(>>),
        _ => return None,
    })
}

/// A reduction variable declared at the top of the body would be private to
/// the iteration, and the reduction would see nothing.
pub(crate) fn check_reductions_are_captured(clauses: &Clauses, body: &Block, errors: &mut Errors) {
    for stmt in &body.stmts {
        if let Stmt::Local(local) = stmt {
            for name in pat_names(&local.pat) {
                let clause = match clauses.reduction_of(&name) {
                    Some(r) => format!("reduction({}: {name})", r.op.symbol()),
                    None if clauses.is_private(&name) => format!("private({name})"),
                    None => continue,
                };
                errors.push(Error::new(
                    name.span(),
                    format!(
                        "`{name}` is declared inside the loop, so each iteration has its own and `{clause}` would see none of them; declare `{name}` before the loop"
                    ),
                ));
            }
        }
    }
}

struct Walker<'a> {
    mode: Mode,
    var: Option<&'a Ident>,
    clauses: &'a Clauses,
    /// Names bound inside the body, innermost scope last.
    scopes: Vec<HashSet<String>>,
    /// The loops, closures and labels around the current node.
    flow: Flow<'a>,
    /// The current node is the place of a write (`place = ..`, `&mut place`).
    write_ctx: bool,
    /// Writes to elements of captured arrays: (array, its shape, the index).
    writes: Vec<(Ident, IndexClass, Span)>,
    /// Variables of data-sharing clauses that the body writes.
    assigned: HashSet<String>,
    splits: BTreeMap<String, Split>,
    /// Under `collapse(n)`: `n`, and for `n == 2` the outer and inner loop
    /// variables, whose row-major element `c[i * m + j]` is the iteration's own.
    flat: Option<(usize, Option<&'a Ident>, Option<&'a Ident>)>,
    /// The row length of those writes (one per loop).
    flat_width: Option<Expr>,
    /// The `#[critical]` section being visited (`""` for the unnamed one).
    critical: Option<String>,
    /// Scalars updated with `#[atomic]`, by name.
    atomics: BTreeMap<String, Ident>,
    /// Captured variables written inside `#[critical]`: their section.
    sections: BTreeMap<String, (String, Ident)>,
    /// Every use of a captured name: (name, section it is in).
    uses: Vec<(Ident, Option<String>)>,
    errors: Errors,
}

impl Walker<'_> {
    /// After pass 1: under `default(none)`, every captured variable the body
    /// uses must be listed in a clause.
    fn check_default_none(&mut self) {
        let Some(clause) = &self.clauses.default_none else {
            return;
        };
        let listed = |x: &Ident| self.clauses.owns(x) || self.clauses.shared.contains(x);
        let mut missing: Vec<String> = self
            .uses
            .iter()
            .map(|(x, _)| x)
            // Constants, statics and unit structs are named in upper case.
            .filter(|x| !listed(x) && !x.to_string().starts_with(|c: char| c.is_uppercase()))
            .map(|x| x.to_string())
            .collect();
        missing.sort();
        missing.dedup();
        if !missing.is_empty() {
            let names = missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ");
            self.errors.push(Error::new(
                clause.span(),
                format!(
                    "`default(none)`: the loop uses {names} without listing them in a clause; add `shared({})` for what the loop reads (or writes by element, `y[i]`), or the clause that fits: `reduction`, `private`, `firstprivate`, `lastprivate`",
                    missing.join(", ")
                ),
            ));
        }
    }

    /// After pass 1: an `#[atomic]` or `#[critical]` variable used anywhere
    /// else in the body would race with the protected updates.
    fn check_strays(&mut self) {
        for (x, ident) in &self.atomics {
            if self.sections.contains_key(x) {
                self.errors.push(Error::new(
                    ident.span(),
                    format!("`{x}` is updated both with `#[atomic]` and inside `#[critical]`; the two do not exclude each other: use one of them for every update of `{x}`"),
                ));
            }
        }
        let uses = std::mem::take(&mut self.uses);
        for (name, section) in &uses {
            let key = name.to_string();
            if self.atomics.contains_key(&key) {
                self.errors.push(Error::new(
                    name.span(),
                    format!("`{key}` is updated with `#[atomic]` in this loop, so every use of it in the body must be an `#[atomic] {key} op= ..` update: this use would race with them. Read `{key}` after the loop"),
                ));
            } else if let Some((owner, _)) = self.sections.get(&key)
                && section.as_ref() != Some(owner)
            {
                let block = if owner.is_empty() {
                    "#[critical]".to_owned()
                } else {
                    format!("#[critical({owner})]")
                };
                self.errors.push(Error::new(
                    name.span(),
                    format!("`{key}` is written inside `{block}`, so every use of it in the body must be inside a `{block}` block: this use would race with those writes. Move it into the block, or use `{key}` after the loop"),
                ));
            }
        }
    }

    fn is_local(&self, name: &Ident) -> bool {
        let name = name.to_string();
        self.scopes.iter().any(|s| s.contains(&name))
    }

    /// `name` as an expression refers to the loop variable.
    fn is_loop_var(&self, e: &Expr) -> bool {
        match (single_ident(e), self.var) {
            (Some(id), Some(var)) => id == var && !self.is_local(id),
            _ => false,
        }
    }

    /// `name` refers to a variable captured from outside the loop.
    fn captured<'e>(&self, e: &'e Expr) -> Option<&'e Ident> {
        let id = single_ident(e)?;
        if self.is_local(id) || self.var == Some(id) {
            return None;
        }
        Some(id)
    }

    fn split_of(&self, e: &Expr) -> Option<&Split> {
        let id = self.captured(e)?;
        self.splits.get(&syn::ext::IdentExt::unraw(id).to_string())
    }

    fn classify(&self, idx: &Expr) -> IndexClass {
        let idx = strip(idx);
        if let Some((_, Some(i), Some(j))) = self.flat {
            return self.classify_flat(idx, i, j);
        }
        if self.is_loop_var(idx) {
            return IndexClass::Own;
        }
        if let Expr::Cast(cast) = idx
            && self.is_loop_var(strip(&cast.expr))
            && is_usize(&cast.ty)
        {
            return IndexClass::Own;
        }
        if let Expr::Binary(add) = idx
            && let BinOp::Add(_) = add.op
        {
            for (mul, col) in [(&*add.left, &*add.right), (&*add.right, &*add.left)] {
                if let Expr::Binary(m) = strip(mul)
                    && let BinOp::Mul(_) = m.op
                {
                    for (a, b) in [(&*m.left, &*m.right), (&*m.right, &*m.left)] {
                        if self.is_loop_var(strip(a)) {
                            if !self.is_width(b) {
                                return IndexClass::BadWidth(Box::new(b.clone()));
                            }
                            return IndexClass::Row {
                                width: Box::new(b.clone()),
                                col: Box::new(col.clone()),
                            };
                        }
                    }
                }
            }
        }
        IndexClass::Other
    }

    /// Under `collapse(2)`, `x[i][j]..` on the collapsed `i` and `j`: the
    /// array and its two index expressions.
    fn nested_ij<'e>(&self, place: &'e Expr) -> Option<(&'e Ident, &'e Expr, &'e Expr)> {
        let Some((_, Some(i), Some(j))) = self.flat else {
            return None;
        };
        let mut e = strip(place);
        loop {
            match e {
                Expr::Index(outer) => {
                    if let Expr::Index(inner) = strip(&outer.expr)
                        && let Some(x) = single_ident(strip(&inner.expr))
                    {
                        let is = |e: &Expr, v: &Ident| single_ident(strip(e)) == Some(v);
                        return (is(&inner.index, i) && is(&outer.index, j)).then_some((
                            x,
                            &*inner.index,
                            &*outer.index,
                        ));
                    }
                    e = strip(&outer.expr);
                }
                Expr::Field(f) => e = strip(&f.base),
                _ => return None,
            }
        }
    }

    /// `e` is the collapsed loop variable `v` itself, not a name that
    /// rebinds it inside the body (the nest's variables are bound in the
    /// outermost scope).
    fn is_nest_var(&self, e: &Expr, v: &Ident) -> bool {
        let name = v.to_string();
        single_ident(strip(e)) == Some(v)
            && self.scopes.iter().rposition(|s| s.contains(&name)) == Some(0)
    }

    /// `i * m + j` (or `m * i + j`, `j + i * m`) on the collapsed `i` and `j`.
    fn classify_flat(&self, idx: &Expr, i: &Ident, j: &Ident) -> IndexClass {
        let is = |e: &Expr, v: &Ident| self.is_nest_var(e, v);
        if let Expr::Binary(add) = idx
            && let BinOp::Add(_) = add.op
        {
            for (mul, col) in [(&*add.left, &*add.right), (&*add.right, &*add.left)] {
                if !is(col, j) {
                    continue;
                }
                if let Expr::Binary(m) = strip(mul)
                    && let BinOp::Mul(_) = m.op
                {
                    for (a, w) in [(&*m.left, &*m.right), (&*m.right, &*m.left)] {
                        if is(a, i) {
                            if !self.is_width(w) {
                                return IndexClass::BadWidth(Box::new(w.clone()));
                            }
                            return IndexClass::Flat {
                                width: Box::new(w.clone()),
                            };
                        }
                    }
                }
            }
        }
        IndexClass::Other
    }

    /// A row width: evaluated once before the loop, so it must not mention
    /// the loop variable or the body's own variables, and must have no side
    /// effects (a name, a constant, a field, `v.len()`, arithmetic of those).
    fn is_width(&self, e: &Expr) -> bool {
        match e {
            Expr::Lit(_) => true,
            Expr::Paren(p) => self.is_width(&p.expr),
            Expr::Group(g) => self.is_width(&g.expr),
            Expr::Path(p) => match p.path.get_ident() {
                Some(id) => !self.is_local(id) && self.var != Some(id),
                None => p.qself.is_none(),
            },
            Expr::Field(f) => self.is_width(&f.base),
            Expr::MethodCall(m) => {
                m.method == "len" && m.args.is_empty() && self.is_width(&m.receiver)
            }
            Expr::Cast(c) => self.is_width(&c.expr),
            Expr::Unary(u) => matches!(u.op, syn::UnOp::Deref(_)) && self.is_width(&u.expr),
            Expr::Binary(b) => {
                matches!(
                    b.op,
                    BinOp::Add(_) | BinOp::Sub(_) | BinOp::Mul(_) | BinOp::Div(_) | BinOp::Rem(_)
                ) && self.is_width(&b.left)
                    && self.is_width(&b.right)
            }
            _ => false,
        }
    }

    /// Pass 1: a write to `place`.
    fn on_write(&mut self, place: &Expr, kind: WriteKind, whole: &Expr) {
        if let Some(section) = self.critical.clone() {
            let root = match split_place(place) {
                Place::Var(x) | Place::Field(x, _) | Place::Indexed(x, _) => Some(x),
                Place::Other => None,
            };
            if let Some(x) = root
                && !self.is_local(x)
                && self.var != Some(x)
                && !self.clauses.owns(x)
            {
                let key = x.to_string();
                match self.sections.get(&key) {
                    Some((other, _)) if *other != section => self.errors.push(Error::new_spanned(
                        whole,
                        format!("`{key}` is written in two different `#[critical]` sections, which do not exclude each other; write it in one of them"),
                    )),
                    _ => {
                        self.sections.insert(key, (section, x.clone()));
                    }
                }
                return;
            }
        }
        match split_place(place) {
            Place::Var(x) => {
                if self.is_local(x) {
                    return;
                }
                if self.var == Some(x) {
                    self.errors.push(Error::new_spanned(
                        whole,
                        format!("the loop variable `{x}` cannot change inside a `#[parallel_for]` body: each iteration's value is fixed by the split (OpenMP forbids it too); copy it first: `let mut k = {x};`"),
                    ));
                    return;
                }
                if self.clauses.owns(x) {
                    self.assigned.insert(x.to_string());
                    return;
                }
                let msg = shared_write_message(x, kind, whole);
                self.errors.push(Error::new_spanned(whole, msg));
            }
            Place::Field(x, field) => {
                if self.is_local(x) {
                    return;
                }
                if self.clauses.owns(x) {
                    self.assigned.insert(x.to_string());
                    return;
                }
                let shown = show(field);
                self.errors.push(Error::new_spanned(
                    whole,
                    format!("`{shown}` is shared by every iteration, so writing it from the loop body is a data race; write per-iteration results into an array element `out[i]`, or into a variable declared inside the loop"),
                ));
            }
            Place::Indexed(x, idx) => {
                if self.is_local(x) || self.var == Some(x) {
                    return;
                }
                // A reduction array or a private copy: each task has its own,
                // so any element may be written (`h[data[i] as usize] += 1`).
                if self.clauses.owns(x) {
                    self.assigned.insert(x.to_string());
                    return;
                }
                if self.nested_ij(place).is_some() {
                    self.writes
                        .push((x.clone(), IndexClass::Nested, whole.span()));
                    return;
                }
                match self.classify(idx) {
                    IndexClass::BadWidth(width) => {
                        self.errors
                            .push(Error::new_spanned(whole, bad_width_message(x, &width)));
                    }
                    IndexClass::Other if self.flat.is_some() => {
                        let n = self.flat.map_or(2, |f| f.0);
                        let form = match self.flat {
                            Some((2, Some(i), Some(j))) => {
                                format!("`{x}[{i} * m + {j}]` or `{x}[{i}][{j}]`")
                            }
                            _ => "none under collapse(3) and deeper yet".to_owned(),
                        };
                        self.errors.push(Error::new_spanned(
                            whole,
                            format!("`{}`: under collapse({n}), iterations that share an outer index run in different tasks, so the only element an iteration owns is its own one ({form}); write that form, or drop the clause", show(place)),
                        ));
                    }
                    IndexClass::Other => {
                        let var = self.var_name();
                        self.errors.push(Error::new_spanned(
                            whole,
                            format!(
                                "`{}` writes an element of `{x}` that may belong to another iteration: iterations run at once on several threads, so this is a data race. Write only `{x}[{var}]` (or the row-major `{x}[{var} * n + j]`); to shift data, write into a second array",
                                show(place)
                            ),
                        ));
                    }
                    class => self.writes.push((x.clone(), class, whole.span())),
                }
            }
            Place::Other => {}
        }
    }

    fn var_name(&self) -> String {
        self.var.map_or_else(|| "i".to_owned(), |v| v.to_string())
    }

    /// After pass 1: which arrays are split, and how.
    fn decide(&mut self) {
        let writes = std::mem::take(&mut self.writes);
        for (name, class, span) in writes {
            let key = syn::ext::IdentExt::unraw(&name).to_string();
            let access = match class {
                IndexClass::Own => Access::Elem,
                IndexClass::Flat { width } => {
                    match &self.flat_width {
                        Some(w) if show(w) != show(&*width) => self.errors.push(Error::new(
                            span,
                            format!("collapse(2): the row-major writes use rows of `{}` and of `{}`; a loop splits its arrays one way: use one row length", show(w), show(&*width)),
                        )),
                        Some(_) => {}
                        None => self.flat_width = Some(*width),
                    }
                    Access::Elem
                }
                IndexClass::Row { width, .. } => Access::Row { width: *width },
                IndexClass::Nested => Access::Nested,
                IndexClass::Other | IndexClass::BadWidth(_) => continue,
            };
            match self.splits.get(&key) {
                None => {
                    let window = format_ident!(
                        "__w_{}",
                        key,
                        span = Span::mixed_site().located_at(name.span())
                    );
                    let width_local = format_ident!("__n_{}", key, span = Span::mixed_site());
                    self.splits.insert(
                        key,
                        Split {
                            name,
                            access,
                            window,
                            width_local,
                        },
                    );
                }
                Some(prev) => {
                    let var = self.var_name();
                    let clash = match (&prev.access, &access) {
                        (Access::Elem, Access::Elem) | (Access::Nested, Access::Nested) => None,
                        (Access::Row { width: a }, Access::Row { width: b }) => {
                            let (a, b) = (show(a), show(b));
                            (a != b).then(|| format!("`{key}` is written as rows of `{a}` and as rows of `{b}`; a loop splits an array one way: use one row length"))
                        }
                        _ => Some(format!(
                            "`{key}` is written both as `{key}[{var}]` and as `{key}[{var} * n + j]`; a loop splits an array one way: use one of the two forms"
                        )),
                    };
                    if let Some(msg) = clash {
                        self.errors.push(Error::new(span, msg));
                    }
                }
            }
        }
    }

    /// Pass 2: `grid[i][j]` where `grid` is split as a nested container: its
    /// window and the two indices.
    fn nested_split(&self, e: &Expr) -> Option<(Ident, Expr, Expr)> {
        let Expr::Index(outer) = e else { return None };
        let Expr::Index(inner) = strip(&outer.expr) else {
            return None;
        };
        let split = self.split_of(strip(&inner.expr))?;
        if !matches!(split.access, Access::Nested) {
            return None;
        }
        let (_, i, j) = self.nested_ij(e)?;
        Some((split.window.clone(), i.clone(), j.clone()))
    }

    /// Pass 2: `x[idx]` where `x` is split.
    fn rewrite_index(&mut self, e: &mut Expr, write: bool) {
        let (window, name, access, class) = {
            let Expr::Index(ix) = &*e else { return };
            let Some(split) = self.split_of(&ix.expr) else {
                return;
            };
            let class = self.classify(&ix.index);
            (
                split.window.clone(),
                split.name.to_string(),
                split.access.clone(),
                class,
            )
        };
        let var = self.var_name();
        match (access, class) {
            (Access::Elem, IndexClass::Own | IndexClass::Flat { .. }) => {
                if let Expr::Index(ix) = e {
                    *ix.expr = syn::parse_quote!(#window);
                    self.visit_expr_mut(&mut ix.index);
                }
            }
            (Access::Row { width }, IndexClass::Row { width: w, mut col })
                if show(&width) == show(&w) =>
            {
                self.visit_expr_mut(&mut col);
                let row = if write { quote!(row) } else { quote!(row_ref) };
                let i = self
                    .var
                    .map_or_else(|| quote!(0usize), |v| v.to_token_stream());
                let span = e.span();
                *e = syn::parse_quote_spanned!(span=> #window.#row(#i)[#col]);
            }
            (_, IndexClass::BadWidth(width)) => {
                if !write {
                    self.errors
                        .push(Error::new_spanned(&*e, bad_width_message(&name, &width)));
                }
            }
            (access, _) => {
                // A write of another element was reported by the first pass.
                if !write {
                    let own = match access {
                        Access::Elem => format!("{name}[{var}]"),
                        Access::Row { width } => format!("{name}[{var} * {} + j]", show(&width)),
                        Access::Nested => format!("{name}[i][j]"),
                    };
                    self.errors.push(Error::new_spanned(
                        &*e,
                        format!(
                            "`{}` reads an element that another iteration may be writing (this loop writes `{own}`), so the value read depends on timing: a data race. Read from a copy made before the loop, or write the results into a second array (as a Jacobi sweep does)",
                            show(e)
                        ),
                    ));
                }
                if let Expr::Index(ix) = e {
                    self.visit_expr_mut(&mut ix.index);
                }
            }
        }
    }

    // Input:  #[atomic] x += e;
    // Output: { let __v = e; __at_x.update(|__old| __old + __v); }
    fn atomic_update(&mut self, e: &mut Expr) {
        let collect = self.mode == Mode::Collect;
        let Expr::Binary(b) = e else { return };
        let op = update_op(&b.op);
        let target = single_ident(strip(&b.left)).cloned();
        match (&target, &op) {
            (Some(x), Some(_))
                if self.captured(strip(&b.left)).is_some() && !self.clauses.owns(x) =>
            {
                if collect {
                    self.atomics
                        .entry(x.to_string())
                        .or_insert_with(|| x.clone());
                }
            }
            _ => {
                if collect {
                    let mut left = (*b.left).clone();
                    strip_left_atomic(&mut left, true);
                    let shown = show(&left);
                    self.errors.push(Error::new_spanned(
                        &*b,
                        format!("`#[atomic]` updates a scalar variable declared before the loop, as in `#[atomic] total += x`; `{shown}` is not one"),
                    ));
                }
            }
        }
        self.visit_expr_mut(&mut b.right);
        if collect {
            return;
        }
        directive(&mut b.attrs, "atomic", true);
        strip_left_atomic(&mut b.left, true);
        if let (Some(x), Some(op)) = (target, op) {
            let (cell, rhs) = (atomic_local(&x), &b.right);
            let m = Span::mixed_site();
            let (v, old) = (Ident::new("__v", m), Ident::new("__old", m));
            *e = syn::parse_quote_spanned! {x.span()=>
                {
                    let #v = #rhs;
                    #cell.update(|#old| #old #op #v);
                }
            };
        }
    }

    // Input:  #[critical] { log.push(i); count += 1; }
    // Output: {
    //             let mut __guard = __crit_.lock();
    //             let (__c_count, __c_log) = &mut *__guard;
    //             { (**__c_log).push(i); (**__c_count) += 1; }
    //         }
    fn critical_block(&mut self, e: &mut Expr) {
        let collect = self.mode == Mode::Collect;
        let Expr::Block(b) = e else { return };
        let name = match directive(&mut b.attrs, "critical", !collect).map(|a| section_name(&a)) {
            Some(Ok(name)) => name,
            Some(Err(err)) => {
                if collect {
                    self.errors.push(err);
                }
                String::new()
            }
            None => String::new(),
        };
        if self.critical.is_some() {
            if collect {
                self.errors.push(Error::new_spanned(
                    &*b,
                    "`#[critical]` blocks do not nest: the inner one would wait for the lock the outer one holds",
                ));
            }
            return;
        }
        let saved = self.critical.replace(name.clone());
        self.visit_block_mut(&mut b.block);
        self.critical = saved;
        if collect {
            return;
        }
        let vars: Vec<Ident> = self
            .sections
            .values()
            .filter(|(s, _)| *s == name)
            .map(|(_, x)| critical_local(x))
            .collect();
        let lock = format_ident!("__crit_{}", name, span = Span::mixed_site());
        let guard = Ident::new("__guard", Span::mixed_site());
        let block = &b.block;
        let attrs = std::mem::take(&mut b.attrs);
        *e = syn::parse_quote! {
            #(#attrs)*
            {
                let mut #guard = #lock.lock();
                #[allow(unused_variables)]
                let ( #(#vars,)* ) = &mut *#guard;
                #block
            }
        };
    }

    fn visit_place(&mut self, place: &mut Expr) {
        let saved = self.write_ctx;
        self.write_ctx = true;
        self.visit_expr_mut(place);
        self.write_ctx = saved;
    }
}

crate::walk::body_walk!(Walker);

impl VisitMut for Walker<'_> {
    fn visit_block_mut(&mut self, block: &mut Block) {
        self.walk_block(block);
    }

    // Nested items are separate code; they cannot see the loop's locals.
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        self.walk_macro(mac);
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        let collect = self.mode == Mode::Collect;
        // A write to a `lastprivate` variable also marks the chunk as one
        // that assigned it (see `lastprivate_flag`).
        let last = if collect {
            None
        } else {
            self.lastprivate_write(e)
        };
        self.visit_expr_inner(e, collect);
        if let Some(x) = last {
            let flag = lastprivate_flag(&x);
            *e = syn::parse_quote!({
                #flag = true;
                #e
            });
        }
    }
}

impl Walker<'_> {
    /// The `lastprivate` variable that `e` writes, if any.
    fn lastprivate_write(&self, e: &Expr) -> Option<Ident> {
        let place = match e {
            Expr::Assign(a) => &a.left,
            Expr::Binary(b) if is_compound(&b.op) => &b.left,
            Expr::Reference(r) if r.mutability.is_some() => &r.expr,
            Expr::MethodCall(m) if MUTATING_METHODS.contains(&m.method.to_string().as_str()) => {
                &m.receiver
            }
            _ => return None,
        };
        let root = match split_place(place) {
            Place::Var(x) | Place::Field(x, _) | Place::Indexed(x, _) => x,
            Place::Other => return None,
        };
        (self.clauses.lastprivate.contains(root) && !self.is_local(root)).then(|| root.clone())
    }

    fn visit_expr_inner(&mut self, e: &mut Expr, collect: bool) {
        // Only the base of a place chain (`x[k].f`) inherits a write context.
        let write = std::mem::replace(&mut self.write_ctx, false);
        match e {
            Expr::Binary(b) if has_directive(&b.attrs, "atomic") || left_has_atomic(&b.left) => {
                self.atomic_update(e);
            }
            Expr::Assign(a) if has_directive(&a.attrs, "atomic") || left_has_atomic(&a.left) => {
                if collect {
                    let shown = single_ident(strip(&a.left))
                        .map_or_else(|| "x".to_owned(), |x| x.to_string());
                    self.errors.push(Error::new_spanned(
                        &*a,
                        format!("`#[atomic]` applies to an update `{shown} op= ..` (`+=`, `-=`, `*=`, `&=`, ..), like OpenMP's `atomic update`; a plain assignment has no old value to combine: write the update as `{shown} += ..`, or protect the assignment with `#[critical] {{ .. }}`"),
                    ));
                }
                if let Expr::Assign(a) = e {
                    directive(&mut a.attrs, "atomic", !collect);
                    strip_left_atomic(&mut a.left, !collect);
                    visit_mut::visit_expr_assign_mut(self, a);
                }
            }
            Expr::Block(b) if has_directive(&b.attrs, "critical") => {
                self.critical_block(e);
            }
            Expr::Path(p)
                if !collect
                    && self.critical.is_some()
                    && p.path.get_ident().is_some_and(|x| {
                        self.captured(&Expr::Path(p.clone())).is_some()
                            && self.sections.get(&x.to_string()).map(|(s, _)| s)
                                == self.critical.as_ref()
                    }) =>
            {
                if let Some(x) = p.path.get_ident() {
                    let local = critical_local(x);
                    let span = x.span();
                    *e = syn::parse_quote_spanned!(span=> **#local);
                }
            }
            Expr::Call(c) if collect && single_ident(&c.func).is_some() => {
                // `f(x)`: `f` names a function, not a captured variable.
                for arg in c.args.iter_mut() {
                    self.visit_expr_mut(arg);
                }
            }
            Expr::Path(_) if collect && self.captured(e).is_some() => {
                if let Some(x) = self.captured(e).cloned() {
                    self.uses.push((x, self.critical.clone()));
                }
            }
            Expr::Index(_) if !collect && self.nested_split(e).is_some() => {
                if let Some((window, i, j)) = self.nested_split(e) {
                    let at = if write { quote!(at) } else { quote!(at_ref) };
                    let span = e.span();
                    *e = syn::parse_quote_spanned!(span=> *#window.#at(#i, #j));
                }
            }
            Expr::Index(ix) if !collect && self.split_of(&ix.expr).is_some() => {
                self.rewrite_index(e, write);
            }
            Expr::Index(ix) => {
                self.write_ctx = write;
                self.visit_expr_mut(&mut ix.expr);
                self.write_ctx = false;
                self.visit_expr_mut(&mut ix.index);
            }
            Expr::Field(f) => {
                self.write_ctx = write;
                self.visit_expr_mut(&mut f.base);
                self.write_ctx = false;
            }
            Expr::Paren(p) => {
                self.write_ctx = write;
                self.visit_expr_mut(&mut p.expr);
                self.write_ctx = false;
            }
            Expr::MethodCall(m)
                if !collect
                    && m.method == "len"
                    && m.args.is_empty()
                    && self.split_of(&m.receiver).is_some() =>
            {
                if let Some(split) = self.split_of(&m.receiver) {
                    let w = split.window.clone();
                    *m.receiver = syn::parse_quote!(#w);
                }
            }
            Expr::Path(_) if !collect && self.split_of(e).is_some() => {
                let name = show(e);
                let var = self.var_name();
                self.errors.push(Error::new_spanned(
                    &*e,
                    format!("`{name}` is used whole here, but this loop writes its elements `{name}[{var}]` from several threads at once; inside the loop use only `{name}[{var}]` (and `{name}.len()`), and use `{name}` whole after the loop"),
                ));
            }
            Expr::Assign(a) => {
                if collect {
                    let (left, right) = (a.left.clone(), a.right.clone());
                    let whole = Expr::Assign(a.clone());
                    self.on_write(&left, WriteKind::Assign(&right), &whole);
                }
                self.visit_expr_mut(&mut a.right);
                self.visit_place(&mut a.left);
            }
            Expr::Binary(b) if is_compound(&b.op) => {
                if collect {
                    let left = b.left.clone();
                    let whole = Expr::Binary(b.clone());
                    self.on_write(&left, WriteKind::Compound(&b.op), &whole);
                }
                self.visit_expr_mut(&mut b.right);
                self.visit_place(&mut b.left);
            }
            Expr::Reference(r) if r.mutability.is_some() => {
                if collect {
                    let inner = r.expr.clone();
                    let whole = Expr::Reference(r.clone());
                    self.on_write(&inner, WriteKind::RefMut, &whole);
                }
                self.visit_place(&mut r.expr);
            }
            Expr::MethodCall(m) if MUTATING_METHODS.contains(&m.method.to_string().as_str()) => {
                if collect {
                    let recv = m.receiver.clone();
                    let method = m.method.clone();
                    let whole = Expr::MethodCall(m.clone());
                    self.on_write(&recv, WriteKind::Method(&method), &whole);
                }
                for arg in m.args.iter_mut() {
                    self.visit_expr_mut(arg);
                }
                self.visit_place(&mut m.receiver);
            }
            Expr::Continue(c) => {
                if collect && let Err(err) = self.flow.check_continue(c) {
                    self.errors.push(err);
                }
            }
            _ => {
                if !self.walk_structure(e) {
                    visit_mut::visit_expr_mut(self, e);
                }
            }
        }
    }
}

/// The message for a write to a shared scalar, naming the clause that fixes it.
fn shared_write_message(x: &Ident, kind: WriteKind, whole: &Expr) -> String {
    let race = format!(
        "`{}` writes the shared variable `{x}` from every iteration at once, a data race",
        show(whole)
    );
    let op = match kind {
        WriteKind::Compound(op) => compound_op(op),
        WriteKind::Assign(rhs) => reduction_shape(x, rhs),
        WriteKind::RefMut | WriteKind::Method(_) => None,
    };
    match (kind, op) {
        (_, Some(op)) => format!(
            "{race}; combine the iterations' values with `reduction({}: {x})` in the directive, e.g. `#[parallel_for(reduction({}: {x}))]`",
            op.symbol(),
            op.symbol()
        ),
        (WriteKind::Method(m), None) => format!(
            "`{x}.{m}(..)` changes the shared `{x}` from every iteration at once, a data race; give each iteration its own slot instead (`out[i] = ..` into an array made before the loop), or collect after the loop"
        ),
        (WriteKind::RefMut, None) => format!(
            "`&mut {x}` borrows the shared variable `{x}` mutably from every iteration at once, a data race; declare a variable inside the loop, or add `reduction(op: {x})` if the iterations combine into it"
        ),
        _ => format!(
            "{race}; if each iteration needs its own `{x}`, declare it inside the loop (`let {x} = ..;`); if the iterations combine into it, add a reduction such as `reduction(+: {x})`"
        ),
    }
}

fn bad_width_message(x: &impl std::fmt::Display, width: &Expr) -> String {
    let n = show(width);
    format!(
        "`{x}` is indexed as rows of `{n}`, but `{n}` cannot be evaluated once before the loop: the array is split into rows when the loop starts. Use a row length declared before the loop, with no side effects (a local, a constant, a field, `v.len()`)"
    )
}

pub(crate) fn compound_op(op: &BinOp) -> Option<ReduceOp> {
    Some(match op {
        BinOp::AddAssign(_) => ReduceOp::Plus,
        BinOp::SubAssign(_) => ReduceOp::Minus,
        BinOp::MulAssign(_) => ReduceOp::Times,
        BinOp::BitAndAssign(_) => ReduceOp::BitAnd,
        BinOp::BitOrAssign(_) => ReduceOp::BitOr,
        BinOp::BitXorAssign(_) => ReduceOp::BitXor,
        _ => return None,
    })
}

/// `x = x + e`, `x = x.max(e)`, `x = max(x, e)`, … : the reduction it performs.
pub(crate) fn reduction_shape(x: &Ident, rhs: &Expr) -> Option<ReduceOp> {
    let is_x = |e: &Expr| single_ident(strip(e)) == Some(x);
    match strip(rhs) {
        Expr::Binary(b) if is_x(&b.left) || is_x(&b.right) => Some(match b.op {
            BinOp::Add(_) => ReduceOp::Plus,
            BinOp::Sub(_) => ReduceOp::Minus,
            BinOp::Mul(_) => ReduceOp::Times,
            BinOp::BitAnd(_) => ReduceOp::BitAnd,
            BinOp::BitOr(_) => ReduceOp::BitOr,
            BinOp::BitXor(_) => ReduceOp::BitXor,
            BinOp::And(_) => ReduceOp::And,
            BinOp::Or(_) => ReduceOp::Or,
            _ => return None,
        }),
        Expr::MethodCall(m) if is_x(&m.receiver) || m.args.iter().any(is_x) => min_max(&m.method),
        Expr::Call(c) if c.args.iter().any(is_x) => match &*c.func {
            Expr::Path(p) => min_max(&p.path.segments.last()?.ident),
            _ => None,
        },
        _ => None,
    }
}

fn min_max(name: &Ident) -> Option<ReduceOp> {
    match name.to_string().as_str() {
        "max" => Some(ReduceOp::Max),
        "min" => Some(ReduceOp::Min),
        _ => None,
    }
}

pub(crate) fn is_compound(op: &BinOp) -> bool {
    matches!(
        op,
        BinOp::AddAssign(_)
            | BinOp::SubAssign(_)
            | BinOp::MulAssign(_)
            | BinOp::DivAssign(_)
            | BinOp::RemAssign(_)
            | BinOp::BitXorAssign(_)
            | BinOp::BitAndAssign(_)
            | BinOp::BitOrAssign(_)
            | BinOp::ShlAssign(_)
            | BinOp::ShrAssign(_)
    )
}

/// The root of a place expression.
pub(crate) enum Place<'a> {
    /// `x`
    Var(&'a Ident),
    /// `x.f`, `x.f[k]`: a field of `x` (the whole place is kept for messages).
    Field(&'a Ident, &'a Expr),
    /// `x[k]`, `x[k][j]`, `x[k].f`: the index applied to `x` itself.
    Indexed(&'a Ident, &'a Expr),
    Other,
}

impl<'a> Place<'a> {
    /// The variable itself, for a place that is just a name.
    pub(crate) fn var(&self) -> Option<&'a Ident> {
        match self {
            Place::Var(x) => Some(x),
            _ => None,
        }
    }
}

pub(crate) fn split_place(e: &Expr) -> Place<'_> {
    match e {
        Expr::Paren(p) => split_place(&p.expr),
        Expr::Group(g) => split_place(&g.expr),
        Expr::Path(_) => single_ident(e).map_or(Place::Other, Place::Var),
        Expr::Index(ix) => match split_place(&ix.expr) {
            Place::Var(x) => Place::Indexed(x, &ix.index),
            Place::Field(x, _) => Place::Field(x, e),
            other => other,
        },
        Expr::Field(f) => match split_place(&f.base) {
            Place::Var(x) | Place::Field(x, _) => Place::Field(x, e),
            other => other,
        },
        _ => Place::Other,
    }
}

pub(crate) fn single_ident(e: &Expr) -> Option<&Ident> {
    match e {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident(),
        _ => None,
    }
}

pub(crate) fn strip(mut e: &Expr) -> &Expr {
    loop {
        match e {
            Expr::Paren(p) => e = &p.expr,
            Expr::Group(g) => e = &g.expr,
            _ => return e,
        }
    }
}

pub(crate) fn is_usize(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident("usize"))
}

/// Source text of a node for messages, with the spaces `quote` adds removed.
pub fn show(node: &impl ToTokens) -> String {
    let text = node.to_token_stream().to_string();
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    for (k, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = k
                .checked_sub(1)
                .and_then(|p| chars.get(p))
                .copied()
                .unwrap_or(' ');
            let next = chars.get(k + 1).copied().unwrap_or(' ');
            let after = chars.get(k + 2).copied().unwrap_or(' ');
            let call = prev.is_alphanumeric() || matches!(prev, '_' | ')' | ']' | '>' | '!');
            if matches!(next, ']' | ')' | '.' | ',' | ';' | '?')
                || (matches!(next, '[' | '(') && call)
                || (next == '!' && after != '=')
                || matches!(prev, '[' | '(' | '.' | '&' | '!')
            {
                continue;
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    use proc_macro2::TokenStream;

    fn run(clauses: TokenStream, body: Block) -> Result<(Vec<Split>, String)> {
        let clauses = crate::clause::parse(clauses)?;
        let var: Ident = parse_quote!(i);
        let mut body = body;
        let splits = analyze(Some(&var), None, &[], None, &clauses, &mut body)?.splits;
        Ok((splits, show(&body)))
    }

    fn error(clauses: TokenStream, body: Block) -> String {
        match run(clauses, body) {
            Ok((_, b)) => panic!("accepted: {b}"),
            Err(e) => e
                .into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    #[test]
    fn accepts_own_elements_and_rows() {
        let (splits, body) = run(
            quote!(),
            parse_quote!({
                y[i] = a * x[i] + y[i];
                grid[i][0] += 1.0;
                pts[i].x = 0.0;
                t[i as usize] = y.len();
                let k = x[i + 1];
                c[i * n + k] = 1.0;
                d[m * i + 1] += c[i * n + 2];
                println!("{}", y[i]);
            }),
        )
        .unwrap();
        let names: Vec<String> = splits.iter().map(|s| s.name.to_string()).collect();
        assert_eq!(names, ["c", "d", "grid", "pts", "t", "y"]);
        assert!(body.contains("__w_y[i] = a * x[i] + __w_y[i]"), "{body}");
        assert!(body.contains("__w_c.row(i)[k] = 1.0"), "{body}");
        assert!(
            body.contains("__w_d.row(i)[1] += __w_c.row_ref(i)[2]"),
            "{body}"
        );
        assert!(body.contains("__w_t[i as usize] = __w_y.len()"), "{body}");
        assert!(body.contains("println!(\"{}\", __w_y[i])"), "{body}");
    }

    #[test]
    fn locals_and_reductions_are_not_shared_writes() {
        let (splits, _) = run(
            quote!(reduction(+: s)),
            parse_quote!({
                let mut acc = 0.0;
                for j in 0..m {
                    acc += a[i * m + j];
                }
                let mut v = Vec::new();
                v.push(acc);
                s += acc;
                let f = |q: usize| q;
                if let Some(z) = o {
                    let _ = z;
                }
                match w {
                    Some(h) => {
                        let mut h = h;
                        h += 1;
                    }
                    None => {}
                }
            }),
        )
        .unwrap();
        assert!(splits.is_empty());
    }

    #[test]
    fn rejects_shared_writes_naming_the_fix() {
        assert!(
            error(
                quote!(),
                parse_quote!({
                    sum += x[i];
                })
            )
            .contains("reduction(+: sum)")
        );
        assert!(
            error(
                quote!(),
                parse_quote!({
                    m = m.max(x[i]);
                })
            )
            .contains("reduction(max: m)")
        );
        assert!(
            error(
                quote!(),
                parse_quote!({
                    p = p * x[i];
                })
            )
            .contains("reduction(*: p)")
        );
        assert!(
            error(
                quote!(),
                parse_quote!({
                    v.push(i);
                })
            )
            .contains("`v.push(..)` changes the shared `v`")
        );
        assert!(
            error(
                quote!(),
                parse_quote!({
                    last = i;
                })
            )
            .contains("declare it inside the loop")
        );
        assert!(
            error(
                quote!(),
                parse_quote!({
                    s.total += 1;
                })
            )
            .contains("`s.total` is shared")
        );
        assert!(
            error(
                quote!(),
                parse_quote!({
                    i += 1;
                })
            )
            .contains("loop variable `i` cannot change")
        );
    }

    #[test]
    fn rejects_other_iterations_elements() {
        let msg = error(
            quote!(),
            parse_quote!({
                y[i + 1] = 0;
            }),
        );
        assert!(msg.contains("`y[i + 1]` writes an element of `y`"), "{msg}");
        assert!(
            error(
                quote!(),
                parse_quote!({
                    y[i] = y[i - 1];
                })
            )
            .contains("`y[i - 1]` reads an element")
        );
        assert!(
            error(
                quote!(),
                parse_quote!({
                    y[i] = 1;
                    let s = y.iter().sum();
                })
            )
            .contains("`y` is used whole")
        );
        assert!(
            error(
                quote!(),
                parse_quote!({
                    let i = 0;
                    y[i] = 1;
                })
            )
            .contains("writes an element of `y`")
        );
        assert!(
            error(
                quote!(),
                parse_quote!({
                    y[i] = 1;
                    y[i * n + 1] = 2;
                })
            )
            .contains("written both as")
        );
        let msg = error(
            quote!(),
            parse_quote!({
                let k = 2;
                y[i * k + 1] = 2;
            }),
        );
        assert!(
            msg.contains("`k` cannot be evaluated once before the loop"),
            "{msg}"
        );
        let msg = error(
            quote!(),
            parse_quote!({
                y[i * n + 1] = 2;
                let m = 3;
                let v = y[i * m + 0];
            }),
        );
        assert!(
            msg.contains("`m` cannot be evaluated once before the loop"),
            "{msg}"
        );
    }

    #[test]
    fn rejects_control_flow_that_leaves() {
        assert!(
            error(
                quote!(),
                parse_quote!({
                    if a {
                        break;
                    }
                })
            )
            .contains("`break` cannot leave")
        );
        assert!(
            error(
                quote!(),
                parse_quote!({
                    break 'outer;
                })
            )
            .contains("`break 'outer` would leave")
        );
        assert!(
            error(
                quote!(),
                parse_quote!({
                    return;
                })
            )
            .contains("`return` cannot")
        );
        assert!(
            error(
                quote!(),
                parse_quote!({
                    f()?;
                })
            )
            .contains("`?` operator")
        );
        assert!(
            error(
                quote!(),
                parse_quote!({
                    f().await;
                })
            )
            .contains("`.await`")
        );
        assert!(
            error(
                quote!(),
                parse_quote!({
                    continue 'outer;
                })
            )
            .contains("`continue 'outer`")
        );
        // Control flow that stays inside the body is ordinary code.
        run(
            quote!(),
            parse_quote!({
                if a {
                    continue;
                }
                'search: for j in 0..n {
                    while k < 3 {
                        if z {
                            break 'search;
                        }
                        break;
                    }
                    continue;
                }
                let g = || -> Option<u8> {
                    let v = h()?;
                    return Some(v);
                };
                let fut = async { f().await };
            }),
        )
        .unwrap();
    }

    #[test]
    fn reduction_declared_inside_is_an_error() {
        assert!(
            error(
                quote!(reduction(+: s)),
                parse_quote!({
                    let mut s = 0;
                    s += 1;
                })
            )
            .contains("declared inside the loop")
        );
    }

    #[test]
    fn show_reads_like_source() {
        let e: Expr = parse_quote!(y[i + 1] = f(x.len(), &mut z[0]) / (a + b[2]));
        assert_eq!(show(&e), "y[i + 1] = f(x.len(), &mut z[0]) / (a + b[2])");
    }
}
