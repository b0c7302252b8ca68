//! Facts about a body: a read-only visit that records every use of every
//! captured name with the shape of its access, the reduction updates, the
//! macros it cannot see into, and the control flow that would leave the
//! loop. Nothing is decided here: ownership reads the facts and decides.
//!
//! A use is a place rooted at a captured name: `y[i]`, `p[j].x`,
//! `self.v[k]`, `s` — with how it is used (read, assigned, updated,
//! borrowed mutably, a method called on it) and where (inside which
//! `#[critical]` section; whether the place was assigned whole earlier on
//! every path through the iteration).

use crate::flow::{Directive, Flow};
use crate::index::{Atom, Fixed, Linear};
use crate::names::{Name, pattern_bindings};
use crate::show::show;
use crate::update::{self, Operation};
use crate::walk::{Binding, Position, Walk, token_idents};
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::visit_mut::{self, VisitMut};
use syn::{Attribute, BinOp, Block, Error, Expr, Ident, Lifetime, Macro, Stmt};

/// Methods that change their receiver.
pub const MUTATING_METHODS: &[&str] = &[
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
    "resize_with",
    "retain",
    "retain_mut",
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
    "fill_with",
    "swap",
    "swap_remove",
    "iter_mut",
    "as_mut_slice",
    "as_mut_ptr",
    "get_mut",
    "copy_from_slice",
    "clone_from_slice",
    "clone_from",
    "split_at_mut",
    "last_mut",
    "first_mut",
    "entry",
    "take",
    "replace",
    "get_or_insert",
    "get_or_insert_with",
    "chunks_mut",
    "chunks_exact_mut",
    "rotate_left",
    "rotate_right",
    "as_mut",
    "write_fmt",
    "write_str",
    "write_all",
];

/// Methods that overwrite every element of their receiver, leaving nothing
/// of its earlier contents (a private buffer filled by them needs no value
/// from before).
pub const FILLING_METHODS: &[&str] = &["fill", "fill_with", "copy_from_slice", "clone_from_slice"];

/// Methods that read only an array's shape, which no loop changes: what
/// the body may call on an array it writes (or reduces) whole. `dim`,
/// `shape`, `nrows`, `ncols` and `len_of` are ndarray's.
pub const SHAPE_METHODS: &[&str] = &[
    "len", "is_empty", "dim", "shape", "nrows", "ncols", "len_of",
];

/// Methods that give their receiver a new value whole.
pub const RESETTING_METHODS: &[&str] = &["clear", "clone_from"];

/// One step of a place after its root.
#[derive(Clone)]
pub enum Step {
    Field(Name),
    Index(IndexFact),
    /// `.__parallel_row(i)`: a row of an enclosing loop's window.
    Row(IndexFact),
    Deref,
}

/// An index expression, as written and as a sum of products.
#[derive(Clone)]
pub struct IndexFact {
    pub expr: Expr,
    pub linear: Linear,
    /// The components of a multi-dimensional index, `c[[i, j]]` or
    /// `c[(i, j)]` (ndarray's), each a sum of products; empty for any
    /// other index, whose `linear` is the index. For a multi-dimensional
    /// one, `linear` is a single factor (depending on the loop variable
    /// if any component does), so that only the code that reads
    /// components takes it apart.
    pub components: Vec<Linear>,
}

/// How a place is used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
    /// Its value read, or a shared borrow.
    Read,
    /// `place = e`
    Assign,
    /// `place op= e` that is no reduction update (`/=`, `<<=`, ..).
    Compound,
    /// `&mut place`, `&raw mut place`
    BorrowMut,
    /// `place.method(..)`; `mutating` for the known methods that change it.
    Method { name: String, mutating: bool },
    /// `place(..)`: a captured closure or a function item.
    CallHead,
    /// Part of the update `Facts::updates[k]`.
    Update(usize),
    /// The target of an `#[atomic]` update, `Facts::atomics[k]`.
    Atomic(usize),
    /// Read by a format string: `{x}`.
    Format,
}

impl Access {
    /// Whether the use may change the place.
    pub fn writes(&self) -> bool {
        match self {
            Access::Assign | Access::Compound | Access::BorrowMut | Access::Atomic(_) => true,
            Access::Method { mutating, .. } => *mutating,
            Access::Update(_) => true,
            Access::Read | Access::CallHead | Access::Format => false,
        }
    }
}

/// One use of a captured name.
#[derive(Clone)]
pub struct Use {
    pub root: Ident,
    pub name: Name,
    pub steps: Vec<Step>,
    pub access: Access,
    /// The place as written: `y[i - 1]`.
    pub place: String,
    /// The place's tokens, for the span of messages.
    pub at: TokenStream,
    /// The place as written.
    pub expr: Expr,
    /// The operation the use is part of, for messages: `total += x[i]`.
    pub shown: String,
    pub shown_at: TokenStream,
    /// The `#[critical]` section the use is in.
    pub critical: Option<String>,
    /// The place (its root and fields) was assigned whole earlier on every
    /// path through the iteration.
    pub assigned: bool,
    /// The statement it is in (a number per statement of the body).
    pub stmt: usize,
    /// The statement of the loop's own body it is in, numbered from 1.
    pub top: usize,
}

impl Use {
    /// The fields of the place before its first index: `self.v` for
    /// `self.v[i]`, as names.
    pub fn field_prefix(&self) -> Vec<Name> {
        self.steps
            .iter()
            .map_while(|s| match s {
                Step::Field(f) => Some(f.clone()),
                _ => None,
            })
            .collect()
    }

    /// The index steps (and what follows the first of them).
    pub fn first_index(&self) -> Option<(usize, &IndexFact)> {
        self.steps.iter().enumerate().find_map(|(k, s)| match s {
            Step::Index(ix) => Some((k, ix)),
            _ => None,
        })
    }

    /// Whether the place is the variable itself or its fields: no index,
    /// no deref.
    pub fn is_value_path(&self) -> bool {
        self.steps.iter().all(|s| matches!(s, Step::Field(_)))
    }
}

/// A reduction update: `s += e`, `m = m.max(e)`, ….
pub struct UpdateFact {
    pub name: Name,
    /// The place is an element (`h[k]`): an array reduction's update.
    pub element: bool,
    pub operation: Operation,
    pub shown: String,
    pub at: TokenStream,
    /// `b = b && e` where `e` may write something.
    pub writes_when_short: bool,
    /// minloc / maxloc: whether the stored index is the loop variable, and
    /// the index as written.
    pub index: Option<(bool, String)>,
}

/// A search for a minimum or maximum that records its location in a
/// second variable: `if x[i] < best { best = x[i]; at = i; }`.
pub struct SearchFact {
    pub value: Name,
    pub index: Name,
    pub min: bool,
    /// The rewrite as a minloc / maxloc reduction, for the message.
    pub fix: String,
    pub shown: String,
    pub at: TokenStream,
}

/// An `#[atomic] x op= e`.
pub struct AtomicFact {
    pub name: Name,
    pub root: Ident,
    pub fields: Vec<Name>,
    pub at: TokenStream,
}

/// A macro the analysis cannot see into.
pub struct MacroFact {
    pub shown: String,
    pub at: TokenStream,
    /// The names among its tokens, resolved where it stands.
    pub mentions: Vec<(Ident, Binding)>,
    pub definition: bool,
}

/// Everything the analysis learned from a body.
#[derive(Default)]
pub struct Facts {
    pub uses: Vec<Use>,
    pub updates: Vec<UpdateFact>,
    pub atomics: Vec<AtomicFact>,
    pub macros: Vec<MacroFact>,
    pub searches: Vec<SearchFact>,
    /// Writes to a loop variable: (the expression, the variable, its tokens).
    pub loop_var_writes: Vec<(String, Ident, TokenStream)>,
    /// Names the body's top level declares with `let`.
    pub top_level_lets: Vec<Ident>,
    /// Independent errors found on the way (control flow, directives).
    pub errors: Vec<Error>,
    /// Labels of `continue`s that end the annotated loop's iteration.
    pub ends_iteration: bool,
    /// Those `continue`s: the body statement (numbered from 1) and tokens.
    pub continues: Vec<(usize, TokenStream)>,
    /// Every macro invocation: its path, its body statement, its tokens.
    pub macro_calls: Vec<(String, usize, TokenStream)>,
    /// The `scan!(..)` statements of the body.
    pub scans: Vec<crate::scan::ScanFact>,
}

impl Facts {
    pub fn uses_of<'f>(&'f self, name: &'f Name) -> impl Iterator<Item = &'f Use> + 'f {
        self.uses.iter().filter(move |u| u.name == *name)
    }
}

/// What the walk needs to know about the loop.
pub struct Loop<'a> {
    pub directive: Directive,
    pub label: Option<&'a Lifetime>,
    /// The loop variables, outermost first.
    pub vars: Vec<Name>,
    /// Names the loop pattern binds besides the variables (an iterator
    /// loop's items).
    pub pattern: Vec<Ident>,
}

/// Collects the facts of `body`.
pub fn collect(lp: &Loop, body: &Block) -> Facts {
    let mut walker = Collector {
        position: Position::new(
            Flow::new(lp.directive, lp.label),
            lp.vars.clone(),
            lp.pattern.clone(),
        ),
        facts: Facts::default(),
        pending: None,
        critical: None,
        shown: None,
        stmt: 0,
        statements: 0,
        depth: 0,
        top: 0,
    };
    for (k, stmt) in body.stmts.iter().enumerate() {
        if let Some(mac) = crate::scan::marker(stmt) {
            match crate::scan::parse(k, mac) {
                Ok(fact) => walker.facts.scans.push(fact),
                Err(e) => walker.facts.errors.push(e),
            }
        }
        if let Stmt::Local(local) = stmt {
            walker
                .facts
                .top_level_lets
                .extend(pattern_bindings(&local.pat));
        }
    }
    // A clone: the walk is read-only, but shares its structure with the
    // rewrite, which is a `VisitMut`.
    let mut body = body.clone();
    walker.visit_block_mut(&mut body);
    walker.facts
}

struct Collector<'a> {
    position: Position<'a>,
    facts: Facts,
    /// How the next place visited is used (set by its parent).
    pending: Option<Access>,
    /// The `#[critical]` section being visited.
    critical: Option<String>,
    /// The operation (assignment, update, call, ..) a use is part of.
    shown: Option<(String, TokenStream)>,
    /// The statement being visited, and the number of the next one.
    stmt: usize,
    statements: usize,
    /// How deep in statements the walk is (0: the body's own), and the
    /// body statement being visited (numbered from 1).
    depth: usize,
    top: usize,
}

fn strip(mut e: &Expr) -> &Expr {
    loop {
        match e {
            Expr::Paren(p) => e = &p.expr,
            Expr::Group(g) => e = &g.expr,
            _ => return e,
        }
    }
}

/// `#[name]` or `#[name(..)]` among `attrs`.
pub fn directive_attr<'a>(attrs: &'a [Attribute], name: &str) -> Option<&'a Attribute> {
    attrs.iter().find(|a| a.path().is_ident(name))
}

/// The attributes of the expression kinds a directive may sit on.
pub fn expr_attrs(e: &Expr) -> &[Attribute] {
    match e {
        Expr::Path(p) => &p.attrs,
        Expr::Field(f) => &f.attrs,
        Expr::Index(ix) => &ix.attrs,
        Expr::MethodCall(m) => &m.attrs,
        Expr::Unary(u) => &u.attrs,
        Expr::Paren(p) => &p.attrs,
        Expr::Binary(b) => &b.attrs,
        Expr::Assign(a) => &a.attrs,
        Expr::Block(b) => &b.attrs,
        _ => &[],
    }
}

fn expr_attrs_mut(e: &mut Expr) -> Option<&mut Vec<Attribute>> {
    Some(match e {
        Expr::Path(p) => &mut p.attrs,
        Expr::Field(f) => &mut f.attrs,
        Expr::Index(ix) => &mut ix.attrs,
        Expr::MethodCall(m) => &mut m.attrs,
        Expr::Unary(u) => &mut u.attrs,
        Expr::Paren(p) => &mut p.attrs,
        Expr::Binary(b) => &mut b.attrs,
        Expr::Assign(a) => &mut a.attrs,
        Expr::Block(b) => &mut b.attrs,
        _ => return None,
    })
}

/// The operand an outer attribute of `e` lands on: `e` and its leftmost
/// operands (`#[atomic] self.count += 1` parses with the attribute on
/// `self`, the leftmost).
fn leftmost(e: &Expr) -> Option<&Expr> {
    match e {
        Expr::Binary(b) => Some(&b.left),
        Expr::Assign(a) => Some(&a.left),
        Expr::Field(f) => Some(&f.base),
        Expr::Index(ix) => Some(&ix.expr),
        Expr::MethodCall(m) => Some(&m.receiver),
        _ => None,
    }
}

fn leftmost_mut(e: &mut Expr) -> Option<&mut Expr> {
    match e {
        Expr::Binary(b) => Some(&mut b.left),
        Expr::Assign(a) => Some(&mut a.left),
        Expr::Field(f) => Some(&mut f.base),
        Expr::Index(ix) => Some(&mut ix.expr),
        Expr::MethodCall(m) => Some(&mut m.receiver),
        _ => None,
    }
}

/// Whether `e` (or its leftmost operand) carries `#[name]`.
pub fn has_directive(e: &Expr, name: &str) -> bool {
    let mut cur = Some(e);
    while let Some(x) = cur {
        if directive_attr(expr_attrs(x), name).is_some() {
            return true;
        }
        cur = leftmost(x);
    }
    false
}

/// An update marked `#[atomic]`.
pub fn is_atomic(e: &Expr) -> bool {
    has_directive(e, "atomic")
}

/// The section name of `#[critical]` (`""`) or `#[critical(name)]`.
pub fn section_name(attr: &Attribute) -> syn::Result<String> {
    let usage = "`#[critical]` takes an optional section name: `#[critical(log)]`";
    match &attr.meta {
        syn::Meta::Path(_) => Ok(String::new()),
        syn::Meta::List(list) => {
            let id: Ident =
                syn::parse2(list.tokens.clone()).map_err(|e| Error::new(e.span(), usage))?;
            Ok(Name::of(&id).to_string())
        }
        syn::Meta::NameValue(nv) => Err(Error::new_spanned(nv, usage)),
    }
}

/// The place chain of `e`: its root name and the steps after it.
pub fn chain(e: &Expr) -> Option<(Ident, Vec<&Expr>)> {
    // The expressions from the root outwards.
    let mut links = Vec::new();
    let mut cur = strip(e);
    loop {
        match cur {
            Expr::Path(p) if p.qself.is_none() => {
                let id = match p.path.get_ident() {
                    Some(id) => id.clone(),
                    None => return None,
                };
                links.reverse();
                return Some((id, links));
            }
            Expr::Field(f) => {
                links.push(cur);
                cur = strip(&f.base);
            }
            Expr::Index(ix) => {
                links.push(cur);
                cur = strip(&ix.expr);
            }
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                links.push(cur);
                cur = strip(&u.expr);
            }
            // A row of an enclosing loop's window: `c.__parallel_row(i)`.
            Expr::MethodCall(m) if is_row_method(m) => {
                links.push(cur);
                cur = strip(&m.receiver);
            }
            _ => return None,
        }
    }
}

/// `w.__parallel_row(i)` / `w.__parallel_row_ref(i)`: what an enclosing
/// `parallel_for` made of its row-major accesses `c[i * n + j]`.
pub fn is_row_method(m: &syn::ExprMethodCall) -> bool {
    (m.method == "__parallel_row" || m.method == "__parallel_row_ref") && m.args.len() == 1
}

/// The steps of a place chain's links.
pub fn steps(position: &Position, links: &[&Expr]) -> Vec<Step> {
    links
        .iter()
        .map(|link| match link {
            Expr::Field(f) => Step::Field(Name::of_member(&f.member)),
            Expr::Index(ix) => Step::Index(index_fact(position, &ix.index)),
            Expr::MethodCall(m) => match m.args.first() {
                Some(arg) => Step::Row(index_fact(position, arg)),
                None => Step::Deref,
            },
            _ => Step::Deref,
        })
        .collect()
}

/// How a factor of an index reads, here.
pub fn atom(position: &Position, e: &Expr) -> Atom {
    let fixed = |reads: Vec<Name>, lens: Vec<Expr>| Atom::Fixed(Fixed { reads, lens });
    match strip(e) {
        Expr::Lit(_) => fixed(Vec::new(), Vec::new()),
        Expr::Path(p) if p.qself.is_none() => match p.path.get_ident() {
            Some(id) => match position.resolve_ident(id) {
                Binding::Loop(k) => Atom::Loop(k),
                Binding::Local => Atom::Local,
                Binding::Captured => fixed(vec![Name::of(id)], Vec::new()),
            },
            // `N`, `T::MAX`: a constant.
            None => fixed(Vec::new(), Vec::new()),
        },
        Expr::Cast(c) => match atom(position, &c.expr) {
            Atom::Loop(k) if is_usize(&c.ty) => Atom::Loop(k),
            Atom::Loop(_) => Atom::Dependent,
            other => other,
        },
        Expr::Field(f) => match atom(position, &f.base) {
            Atom::Loop(_) => Atom::Dependent,
            other => other,
        },
        Expr::MethodCall(m) if m.method == "len" && m.args.is_empty() => {
            match atom(position, &m.receiver) {
                Atom::Fixed(mut fx) => {
                    fx.lens.push((*m.receiver).clone());
                    Atom::Fixed(fx)
                }
                Atom::Loop(_) => Atom::Dependent,
                other => other,
            }
        }
        Expr::Unary(u) => match (&u.op, atom(position, &u.expr)) {
            (syn::UnOp::Neg(_) | syn::UnOp::Deref(_), a) => match a {
                Atom::Loop(_) => Atom::Dependent,
                other => other,
            },
            _ => other_atom(position, e),
        },
        Expr::Binary(b)
            if matches!(
                b.op,
                BinOp::Div(_) | BinOp::Rem(_) | BinOp::Shl(_) | BinOp::Shr(_)
            ) =>
        {
            match (atom(position, &b.left), atom(position, &b.right)) {
                (Atom::Fixed(mut l), Atom::Fixed(r)) => {
                    l.reads.extend(r.reads);
                    l.lens.extend(r.lens);
                    Atom::Fixed(l)
                }
                (Atom::Loop(_) | Atom::Dependent, _) | (_, Atom::Loop(_) | Atom::Dependent) => {
                    Atom::Dependent
                }
                _ => Atom::Local,
            }
        }
        Expr::Binary(b) if matches!(b.op, BinOp::Add(_) | BinOp::Sub(_) | BinOp::Mul(_)) => {
            // A sum inside a factor that was not multiplied out.
            match (atom(position, &b.left), atom(position, &b.right)) {
                (Atom::Fixed(mut l), Atom::Fixed(r)) => {
                    l.reads.extend(r.reads);
                    l.lens.extend(r.lens);
                    Atom::Fixed(l)
                }
                (Atom::Local, Atom::Local | Atom::Fixed(_)) | (Atom::Fixed(_), Atom::Local) => {
                    Atom::Local
                }
                _ => Atom::Dependent,
            }
        }
        _ => other_atom(position, e),
    }
}

/// An expression that may vary: whether it depends on a loop variable.
fn other_atom(position: &Position, e: &Expr) -> Atom {
    let tokens = quote::ToTokens::to_token_stream(e);
    let loops = token_idents(tokens)
        .iter()
        .any(|id| matches!(position.resolve_ident(id), Binding::Loop(_)));
    if loops { Atom::Dependent } else { Atom::Local }
}

pub fn index_fact(position: &Position, e: &Expr) -> IndexFact {
    let parse = |x: &Expr| Linear::parse(x, &|y| atom(position, y));
    let components = match strip(e) {
        Expr::Array(a) if a.elems.len() >= 2 => a.elems.iter().map(parse).collect(),
        Expr::Tuple(t) if t.elems.len() >= 2 => t.elems.iter().map(parse).collect(),
        _ => Vec::new(),
    };
    IndexFact {
        expr: e.clone(),
        linear: parse(e),
        components,
    }
}

impl<'a> Collector<'a> {
    /// The text of the place path used for definite assignment: the root
    /// and its leading fields.
    fn value_path(name: &Name, steps: &[Step]) -> String {
        let mut path = name.to_string();
        for s in steps {
            match s {
                Step::Field(f) => {
                    path.push('.');
                    path.push_str(f.as_str());
                }
                _ => break,
            }
        }
        path
    }

    /// Records a use of the place `e` (visiting its index expressions), or
    /// visits `e` normally when it is not a place rooted at a captured name.
    fn place(&mut self, e: &mut Expr, access: Access) {
        let Some((root, links)) = chain(e) else {
            // Not a place rooted at a name (`f()[i]`): its parts are
            // expressions of their own.
            visit_mut::visit_expr_mut(self, e);
            return;
        };
        let binding = self.position.resolve_ident(&root);
        let steps = steps(&self.position, &links);
        let (shown, shown_at) = self
            .shown
            .clone()
            .unwrap_or_else(|| (show(&*e), e.to_token_stream()));
        match binding {
            Binding::Captured => {
                let name = Name::of(&root);
                let assigned = self.position.assigned.has(&Self::value_path(&name, &steps));
                if access == Access::Assign && steps.iter().all(|s| matches!(s, Step::Field(_))) {
                    self.position
                        .assigned
                        .assign(Self::value_path(&name, &steps));
                }
                self.facts.uses.push(Use {
                    root: root.clone(),
                    name,
                    steps,
                    access,
                    place: show(&*e),
                    at: e.to_token_stream(),
                    expr: e.clone(),
                    shown,
                    shown_at,
                    critical: self.critical.clone(),
                    assigned,
                    stmt: self.stmt,
                    top: self.top,
                });
            }
            Binding::Loop(_) if access.writes() && links.is_empty() => {
                self.facts
                    .loop_var_writes
                    .push((shown, root.clone(), shown_at));
            }
            _ => {}
        }
        // The index expressions are reads of their own.
        self.visit_indices(e);
    }

    fn visit_indices(&mut self, e: &mut Expr) {
        match e {
            Expr::Paren(p) => self.visit_indices(&mut p.expr),
            Expr::Group(g) => self.visit_indices(&mut g.expr),
            Expr::Field(f) => self.visit_indices(&mut f.base),
            Expr::Unary(u) => self.visit_indices(&mut u.expr),
            Expr::MethodCall(m) => {
                self.visit_indices(&mut m.receiver);
                for arg in m.args.iter_mut() {
                    self.visit_expr_mut(arg);
                }
            }
            Expr::Index(ix) => {
                self.visit_indices(&mut ix.expr);
                self.visit_expr_mut(&mut ix.index);
            }
            _ => {}
        }
    }

    /// Runs `f` with `e` as the operation the uses in it are part of.
    fn showing<R>(&mut self, e: &Expr, f: impl FnOnce(&mut Self) -> R) -> R {
        let outer = self.shown.replace((show(e), e.to_token_stream()));
        let r = f(self);
        self.shown = outer;
        r
    }

    /// `e` as a reduction update of a captured place, if it is one.
    fn update(&mut self, e: &mut Expr) -> bool {
        let snapshot = e.clone();
        let Some(u) = update::recognize(&snapshot) else {
            return false;
        };
        let Some((root, _)) = chain(u.target) else {
            return false;
        };
        if self.position.resolve_ident(&root) != Binding::Captured {
            return false;
        }
        // Every repeat of the target must be the same variable, here.
        let target_root = Name::of(&root);
        for r in &u.repeats {
            match chain(r) {
                Some((id, _)) if Name::of(&id) == target_root => {}
                _ => return false,
            }
        }
        let k = self.facts.updates.len();
        let writes_when_short = u.short_circuit && u.operands.iter().any(|o| may_write(o));
        let index = u.index.map(|ix| {
            let is_loop = match strip(ix) {
                Expr::Cast(c) => matches!(atom(&self.position, &c.expr), Atom::Loop(_)),
                other => matches!(atom(&self.position, other), Atom::Loop(_)),
            };
            (is_loop, show(ix))
        });
        self.facts.updates.push(UpdateFact {
            name: target_root,
            element: !matches!(strip(u.target), Expr::Path(_)),
            operation: u.operation.clone(),
            shown: show(&snapshot),
            at: snapshot.to_token_stream(),
            writes_when_short,
            index,
        });
        // The operands first (they are evaluated before the store), then
        // the target and its repeats as parts of the update.
        self.showing(&snapshot, |w| {
            for operand in &u.operands {
                let mut o = (*operand).clone();
                w.visit_expr_mut(&mut o);
            }
            if let Some(ix) = u.index {
                let mut ix = ix.clone();
                w.visit_expr_mut(&mut ix);
            }
            for r in u.repeats.iter().chain([&u.target]) {
                let mut r = (*r).clone();
                w.place(&mut r, Access::Update(k));
            }
        });
        true
    }

    /// A two-variable search of captured variables, for the message that
    /// rewrites it as a minloc / maxloc reduction.
    fn note_search(&mut self, i: &syn::ExprIf) {
        let Some(s) = update::search(i) else { return };
        let captured = |e: &Expr| match chain(e) {
            Some((root, links))
                if links.is_empty() && self.position.resolve_ident(&root) == Binding::Captured =>
            {
                Some(Name::of(&root))
            }
            _ => None,
        };
        let (Some(value), Some(index)) = (captured(s.value), captured(s.index)) else {
            return;
        };
        let (op, cmp) = if s.min {
            ("minloc", "<")
        } else {
            ("maxloc", ">")
        };
        let (found, location) = (show(s.found), show(s.location));
        self.facts.searches.push(SearchFact {
            fix: format!(
                "keep the pair in one variable, `let mut {value} = ({value}, {index});` before the loop, reduce it with `reduction({op}: {value})`, and write `if {found} {cmp} {value}.0 {{ {value} = ({found}, {location}); }}` in the body; after the loop `{value}.0` is the value and `{value}.1` its location (ties go to the first in the loop's order, as in the plain loop)"
            ),
            value,
            index,
            min: s.min,
            shown: show(&Expr::If(i.clone())),
            at: i.to_token_stream(),
        });
    }

    /// `#[atomic] x op= e`.
    fn atomic(&mut self, e: &mut Expr) {
        let shown = show(&strip_directives_expr(e));
        match e {
            Expr::Binary(b) if is_compound(&b.op) => {
                let mut left = (*b.left).clone();
                strip_attrs(&mut left);
                let target = chain(&left)
                    .filter(|(root, links)| {
                        self.position.resolve_ident(root) == Binding::Captured
                            && links.iter().all(|l| matches!(l, Expr::Field(_)))
                    })
                    .map(|(root, links)| {
                        let fields = links
                            .iter()
                            .filter_map(|l| match l {
                                Expr::Field(f) => Some(Name::of_member(&f.member)),
                                _ => None,
                            })
                            .collect::<Vec<_>>();
                        (root, fields)
                    });
                self.visit_expr_mut(&mut b.right);
                match target {
                    Some((root, fields)) => {
                        let k = self.facts.atomics.len();
                        self.facts.atomics.push(AtomicFact {
                            name: Name::of(&root),
                            root,
                            fields,
                            at: strip_directives_expr(&Expr::Binary(b.clone())).to_token_stream(),
                        });
                        let whole = strip_directives_expr(&Expr::Binary(b.clone()));
                        self.showing(&whole, |w| w.place(&mut left, Access::Atomic(k)));
                    }
                    _ => self.facts.errors.push(Error::new_spanned(
                        &*b,
                        format!("`#[atomic]` updates a scalar variable declared before the loop (or a field of one), as in `#[atomic] total += x`; `{}` is not one", show(&left)),
                    )),
                }
            }
            Expr::Assign(a) => {
                let mut left = (*a.left).clone();
                strip_attrs(&mut left);
                let x = show(&left);
                self.facts.errors.push(Error::new_spanned(
                    &*a,
                    format!("`#[atomic]` applies to an update `{x} op= ..` (`+=`, `-=`, `*=`, `&=`, ..), like OpenMP's `atomic update`; a plain assignment has no old value to combine: write the update as `{x} += ..`, or protect the assignment with `#[critical] {{ .. }}`"),
                ));
                self.visit_expr_mut(&mut a.right);
            }
            other => {
                self.facts.errors.push(Error::new_spanned(
                    &*other,
                    format!("`#[atomic]` applies to an update of a scalar, `x op= e`, as in `#[atomic] total += x`; `{shown}` is not one"),
                ));
            }
        }
    }

    /// `#[critical] { .. }` / `#[critical(name)] { .. }`.
    fn critical(&mut self, b: &mut syn::ExprBlock) {
        let name = match directive_attr(&b.attrs, "critical").map(section_name) {
            Some(Ok(name)) => name,
            Some(Err(err)) => {
                self.facts.errors.push(err);
                String::new()
            }
            None => String::new(),
        };
        if self.critical.is_some() {
            self.facts.errors.push(Error::new_spanned(
                &*b,
                "`#[critical]` blocks do not nest: the inner one would wait for the lock the outer one holds",
            ));
            return;
        }
        self.critical = Some(name);
        self.visit_block_mut(&mut b.block);
        self.critical = None;
    }

    fn method_call(&mut self, m: &mut syn::ExprMethodCall) {
        for arg in m.args.iter_mut() {
            self.visit_expr_mut(arg);
        }
        let name = m.method.to_string();
        let mutating = MUTATING_METHODS.contains(&name.as_str());
        let access = Access::Method {
            name: name.clone(),
            mutating,
        };
        if chain(&m.receiver).is_some() {
            // A method that gives its receiver a new value assigns it.
            let whole = matches!(&*m.receiver, Expr::Path(_));
            self.place(&mut m.receiver, access);
            if whole
                && RESETTING_METHODS.contains(&name.as_str())
                && let Some((root, _)) = chain(&m.receiver)
            {
                self.position.assigned.assign(Name::of(&root).to_string());
            }
        } else {
            self.visit_expr_mut(&mut m.receiver);
        }
    }
}

/// Whether `e` may write anything: an assignment, a `&mut`, a mutating
/// method or a macro.
pub fn may_write(e: &Expr) -> bool {
    let tokens = quote::ToTokens::to_token_stream(e);
    fn scan(tokens: TokenStream) -> bool {
        let tts: Vec<TokenTree> = tokens.into_iter().collect();
        for (k, t) in tts.iter().enumerate() {
            match t {
                TokenTree::Punct(p) if p.as_char() == '=' => {
                    let prev = k.checked_sub(1).and_then(|p| tts.get(p));
                    let next = tts.get(k + 1);
                    let comparison = matches!(prev, Some(TokenTree::Punct(q)) if matches!(q.as_char(), '=' | '!' | '<' | '>'))
                        || matches!(next, Some(TokenTree::Punct(q)) if q.as_char() == '=' || q.as_char() == '>');
                    if !comparison {
                        return true;
                    }
                }
                // A macro call: `name!(..)`.
                TokenTree::Punct(p)
                    if p.as_char() == '!'
                        && matches!(tts.get(k + 1), Some(TokenTree::Group(_)))
                        && matches!(
                            k.checked_sub(1).and_then(|p| tts.get(p)),
                            Some(TokenTree::Ident(_))
                        ) =>
                {
                    return true;
                }
                TokenTree::Ident(id) if *id == "mut" => return true,
                TokenTree::Ident(id) if MUTATING_METHODS.contains(&id.to_string().as_str()) => {
                    return true;
                }
                TokenTree::Group(g) if scan(g.stream()) => return true,
                _ => {}
            }
        }
        false
    }
    scan(tokens)
}

/// `e` without its `#[atomic]` / `#[critical]` attributes, for messages.
pub fn strip_directives_expr(e: &Expr) -> Expr {
    let mut e = e.clone();
    strip_attrs(&mut e);
    e
}

/// Removes `#[atomic]` and `#[critical]` from `e` and its leftmost operands.
pub fn strip_attrs(e: &mut Expr) {
    let mut cur = Some(e);
    while let Some(x) = cur {
        if let Some(attrs) = expr_attrs_mut(x) {
            attrs.retain(|a| !a.path().is_ident("atomic") && !a.path().is_ident("critical"));
        }
        cur = leftmost_mut(x);
    }
}

pub fn is_usize(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident("usize"))
}

/// The names in a macro's tokens, less the metavariables of a
/// `macro_rules!` definition (`$x`, and `expr` in `$x:expr`).
fn macro_names(tokens: TokenStream) -> Vec<Ident> {
    let mut out = Vec::new();
    fn walk(tokens: TokenStream, out: &mut Vec<Ident>) {
        let tts: Vec<TokenTree> = tokens.into_iter().collect();
        let mut k = 0;
        while k < tts.len() {
            match &tts[k] {
                TokenTree::Punct(p) if p.as_char() == '$' => {
                    // `$name` and `$name:kind`.
                    k += 1;
                    if matches!(tts.get(k), Some(TokenTree::Ident(_))) {
                        k += 1;
                        if matches!(tts.get(k), Some(TokenTree::Punct(p)) if p.as_char() == ':')
                            && matches!(tts.get(k + 1), Some(TokenTree::Ident(_)))
                        {
                            k += 2;
                        }
                    }
                    continue;
                }
                TokenTree::Ident(id) => out.push(id.clone()),
                TokenTree::Group(g) => walk(g.stream(), out),
                _ => {}
            }
            k += 1;
        }
    }
    walk(tokens, &mut out);
    out
}

impl<'a> Walk<'a> for Collector<'a> {
    fn position(&mut self) -> &mut Position<'a> {
        &mut self.position
    }

    fn flow_error(&mut self, error: Error) {
        self.facts.errors.push(error);
    }

    fn opaque_macro(&mut self, mac: &Macro, _span: Span) {
        let definition = mac.path.is_ident("macro_rules");
        let mentions = macro_names(mac.tokens.clone())
            .into_iter()
            .map(|id| {
                let b = self.position.resolve_ident(&id);
                (id, b)
            })
            .collect();
        let path = show(&mac.path);
        self.facts.macros.push(MacroFact {
            shown: if definition {
                format!(
                    "macro_rules! {}",
                    show(&mac.tokens).split_whitespace().next().unwrap_or("")
                )
            } else {
                format!("{path}!(..)")
            },
            at: mac.to_token_stream(),
            mentions,
            definition,
        });
    }

    fn format_read(&mut self, name: &Ident) {
        let mut e: Expr = syn::parse_quote_spanned!(name.span()=> #name);
        self.place(&mut e, Access::Format);
    }

    fn begin_stmt(&mut self) {
        if self.depth == 0 {
            self.top += 1;
        }
        self.depth += 1;
    }

    fn end_stmt(&mut self) {
        self.depth -= 1;
    }
}

impl VisitMut for Collector<'_> {
    fn visit_block_mut(&mut self, block: &mut Block) {
        self.walk_block(block);
    }

    // Nested items are separate code; they cannot see the loop's locals.
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_macro_mut(&mut self, mac: &mut Macro) {
        if crate::scan::is_scan(mac) {
            self.facts.errors.push(crate::scan::misplaced(mac));
            return;
        }
        self.facts
            .macro_calls
            .push((show(&mac.path), self.top, mac.to_token_stream()));
        self.walk_macro(mac);
    }

    fn visit_stmt_mut(&mut self, stmt: &mut Stmt) {
        // The body's own `scan!` statement: read in `collect`.
        if self.depth == 1 && crate::scan::marker(stmt).is_some() {
            return;
        }
        self.statements += 1;
        let outer = std::mem::replace(&mut self.stmt, self.statements);
        visit_mut::visit_stmt_mut(self, stmt);
        self.stmt = outer;
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Some(access) = self.pending.take() {
            self.place(e, access);
            return;
        }
        if is_atomic(e) {
            self.atomic(e);
            return;
        }
        if let Expr::Block(b) = e
            && directive_attr(&b.attrs, "critical").is_some()
        {
            self.critical(b);
            return;
        }
        if self.update(e) {
            return;
        }
        if let Expr::If(i) = e {
            self.note_search(i);
        }
        match e {
            Expr::Path(_) | Expr::Field(_) | Expr::Index(_) => self.place(e, Access::Read),
            Expr::MethodCall(m) if is_row_method(m) => self.place(e, Access::Read),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self.place(e, Access::Read),
            Expr::MethodCall(m) => {
                let shown = Expr::MethodCall(m.clone());
                self.showing(&shown, |w| w.method_call(m));
            }
            Expr::Assign(a) => {
                let shown = Expr::Assign(a.clone());
                self.showing(&shown, |w| {
                    w.visit_expr_mut(&mut a.right);
                    w.place(&mut a.left, Access::Assign);
                });
            }
            Expr::Binary(b) if is_compound(&b.op) => {
                let shown = Expr::Binary(b.clone());
                self.showing(&shown, |w| {
                    w.visit_expr_mut(&mut b.right);
                    w.place(&mut b.left, Access::Compound);
                });
            }
            Expr::Reference(r) => {
                let access = if r.mutability.is_some() {
                    Access::BorrowMut
                } else {
                    Access::Read
                };
                let shown = Expr::Reference(r.clone());
                self.showing(&shown, |w| w.place(&mut r.expr, access));
            }
            Expr::RawAddr(r) => {
                let access = match r.mutability {
                    syn::PointerMutability::Mut(_) => Access::BorrowMut,
                    syn::PointerMutability::Const(_) => Access::Read,
                };
                self.place(&mut r.expr, access);
            }
            Expr::Call(c) if matches!(&*c.func, Expr::Path(p) if p.path.get_ident().is_some()) => {
                for arg in c.args.iter_mut() {
                    self.visit_expr_mut(arg);
                }
                self.place(&mut c.func, Access::CallHead);
            }
            Expr::Continue(c) => {
                match self.position.flow.check_continue(c) {
                    Err(err) => self.facts.errors.push(err),
                    Ok(true) => {
                        self.facts.ends_iteration = true;
                        self.facts.continues.push((self.top, c.to_token_stream()));
                    }
                    Ok(false) => {}
                }
                self.position.diverge();
            }
            _ => {
                if !self.walk_structure(e) {
                    visit_mut::visit_expr_mut(self, e);
                }
            }
        }
    }
}

pub fn is_compound(op: &BinOp) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn facts(body: Block) -> Facts {
        let lp = Loop {
            directive: Directive::ParallelFor,
            label: None,
            vars: vec![Name::of(&parse_quote!(i))],
            pattern: Vec::new(),
        };
        collect(&lp, &body)
    }

    fn uses(f: &Facts) -> Vec<String> {
        f.uses
            .iter()
            .map(|u| format!("{}:{:?}", u.place, u.access))
            .collect()
    }

    #[test]
    fn resolves_names_as_rustc_does() {
        let f = facts(parse_quote!({
            let r#x = 1;
            y[i] = x;
            const N: usize = 4;
            z[N] = r#w;
            let f = |q: usize| q + k;
            for r#i in 0..3 {
                a[i] = 0;
            }
            if let Some(t) = o {
                b = t;
            }
        }));
        assert_eq!(
            uses(&f),
            [
                "y[i]:Assign",
                "r#w:Read",
                "z[N]:Assign",
                "k:Read",
                "a[i]:Assign",
                "o:Read",
                "b:Assign"
            ]
        );
        // `a[i]` indexes with the inner loop's `i`: a local.
        let a = &f.uses[4];
        let (_, ix) = a.first_index().unwrap();
        assert!(matches!(ix.linear.terms[0].factors[0].atom, Atom::Local));
        let y = &f.uses[0];
        assert!(y.first_index().unwrap().1.linear.along(0).is_own());
    }

    #[test]
    fn records_updates_macros_and_format_reads() {
        let f = facts(parse_quote!({
            s += x[i];
            m = m.max(x[i]);
            println!("{s} {}", t);
            shadow!(i);
            if x[i] < best.0 {
                best = (x[i], i);
            }
        }));
        let ops: Vec<String> = f
            .updates
            .iter()
            .map(|u| format!("{}:{}", u.name, u.operation.clause_symbol()))
            .collect();
        assert_eq!(ops, ["s:+", "m:max", "best:minloc"]);
        assert_eq!(f.updates[2].index, Some((true, "i".to_owned())));
        assert!(
            f.uses
                .iter()
                .any(|u| u.place == "s" && u.access == Access::Format)
        );
        assert!(
            f.uses
                .iter()
                .any(|u| u.place == "t" && u.access == Access::Read)
        );
        assert_eq!(f.macros.len(), 1);
        assert!(matches!(f.macros[0].mentions[0].1, Binding::Loop(0)));
    }

    #[test]
    fn definite_assignment() {
        let f = facts(parse_quote!({
            v += 1;
            if c {
                w = 1;
            } else {
                w = 2;
            }
            y[i] = w;
            if c {
                u = 1;
            }
            z[i] = u;
            loop {
                q = 1;
                break;
            }
            r = q;
        }));
        let assigned: Vec<(String, bool)> = f
            .uses
            .iter()
            .filter(|u| u.access == Access::Read || matches!(u.access, Access::Update(_)))
            .map(|u| (u.place.clone(), u.assigned))
            .collect();
        assert_eq!(
            assigned,
            [
                ("v".to_owned(), false),
                ("c".to_owned(), false),
                ("w".to_owned(), true),
                ("c".to_owned(), false),
                ("u".to_owned(), false),
                ("q".to_owned(), false)
            ]
        );
    }

    #[test]
    fn control_flow_errors() {
        let f = facts(parse_quote!({
            if a {
                break;
            }
            for j in 0..3 {
                if b {
                    break;
                }
                continue;
            }
            return;
        }));
        assert_eq!(f.errors.len(), 2);
    }

    #[test]
    fn may_write_sees_writes() {
        assert!(may_write(&parse_quote!({
            y[i] = 1.0;
            true
        })));
        assert!(may_write(&parse_quote!(f(&mut z))));
        assert!(may_write(&parse_quote!(v.push(1))));
        assert!(!may_write(&parse_quote!(x[i] >= 0.0 && x[i] == y)));
        assert!(!may_write(&parse_quote!(f(x, |a| a <= 2))));
    }
}
