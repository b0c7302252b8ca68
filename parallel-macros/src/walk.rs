//! What the facts walker and the rewrite walker share: the structure of a
//! body. Both walk it the same way, so a name resolves the same for both:
//! the scopes that bindings open (blocks, closures, loops, `if let`, match
//! arms), the loops, closures and labels around a node (for the checks on
//! control flow that would leave the annotated loop), which paths may run
//! (for definite assignment), and the arguments of the std macros, which
//! are read as expressions.

use crate::flow::Flow;
use crate::names::{Name, Scopes, item_bindings, pattern_bindings};
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use std::collections::BTreeSet;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Error, Expr, Ident, Macro, Pat, Stmt, Token};

/// What a name in the body refers to, where it is used.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Binding {
    /// Bound by the body: private to the iteration.
    Local,
    /// The `k`-th loop variable of the directive.
    Loop(usize),
    /// A variable (or item) from outside the loop.
    Captured,
}

/// The places assigned whole on every path to the current node, for the
/// definite-assignment check of `private` variables (as rustc's E0381).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Assigned {
    /// No path reaches here (after `continue`, `break`, `return`, `panic!`).
    Unreachable,
    /// Place paths as written, `v` or `v.field`.
    Paths(BTreeSet<String>),
}

impl Assigned {
    pub fn nothing() -> Assigned {
        Assigned::Paths(BTreeSet::new())
    }

    /// Where both `self` and `other` may have come from.
    pub fn join(self, other: Assigned) -> Assigned {
        match (self, other) {
            (Assigned::Unreachable, x) | (x, Assigned::Unreachable) => x,
            (Assigned::Paths(a), Assigned::Paths(b)) => {
                let (x, y) = (Assigned::Paths(a.clone()), Assigned::Paths(b.clone()));
                Assigned::Paths(
                    a.union(&b)
                        .filter(|p| x.has(p) && y.has(p))
                        .cloned()
                        .collect(),
                )
            }
        }
    }

    /// `path` (or a place it is part of) holds a value assigned on this path.
    pub fn has(&self, path: &str) -> bool {
        match self {
            Assigned::Unreachable => true,
            Assigned::Paths(set) => set.iter().any(|p| {
                p == path || (path.starts_with(p.as_str()) && path[p.len()..].starts_with('.'))
            }),
        }
    }

    pub fn assign(&mut self, path: String) {
        if let Assigned::Paths(set) = self {
            set.insert(path);
        }
    }
}

/// Where a walk is: the scopes, the control flow around the node, and for
/// the facts walker the definite assignments.
pub struct Position<'a> {
    pub scopes: Scopes,
    pub flow: Flow<'a>,
    /// The directive's loop variables, outermost first.
    pub loop_vars: Vec<Name>,
    pub assigned: Assigned,
}

impl<'a> Position<'a> {
    pub fn new(flow: Flow<'a>, loop_vars: Vec<Name>, pattern: Vec<Ident>) -> Position<'a> {
        let mut scopes = Scopes::default();
        // Names the loop's pattern binds besides the loop variables (an
        // iterator loop's items) are the iteration's own.
        scopes.push(pattern);
        Position {
            scopes,
            flow,
            loop_vars,
            assigned: Assigned::nothing(),
        }
    }

    pub fn resolve(&self, name: &Name) -> Binding {
        if self.scopes.is_bound(name) {
            return Binding::Local;
        }
        match self.loop_vars.iter().position(|v| v == name) {
            Some(k) => Binding::Loop(k),
            None => Binding::Captured,
        }
    }

    pub fn resolve_ident(&self, id: &Ident) -> Binding {
        self.resolve(&Name::of(id))
    }

    pub fn diverge(&mut self) {
        self.assigned = Assigned::Unreachable;
    }
}

/// The std macros whose arguments are format strings and expressions.
const FORMAT_MACROS: &[&str] = &[
    "print",
    "println",
    "eprint",
    "eprintln",
    "format",
    "format_args",
    "panic",
    "todo",
    "unimplemented",
    "unreachable",
];

/// Those that never return.
const DIVERGING_MACROS: &[&str] = &["panic", "todo", "unimplemented", "unreachable"];

/// Std macros whose leading arguments are expressions, then a format string.
const ASSERT_MACROS: &[(&str, usize)] = &[
    ("assert", 1),
    ("debug_assert", 1),
    ("assert_eq", 2),
    ("assert_ne", 2),
    ("debug_assert_eq", 2),
    ("debug_assert_ne", 2),
];

/// Std macros that read no variable at all.
const INERT_MACROS: &[&str] = &[
    "concat",
    "stringify",
    "line",
    "column",
    "file",
    "module_path",
    "cfg",
    "env",
    "option_env",
    "include_str",
    "include_bytes",
];

/// Whether the macro at `path` (as shown: `println`, `std::vec`) is a std
/// macro the walk reads as expressions.
pub fn is_std_expr_macro(path: &str) -> bool {
    let segs: Vec<&str> = path.split("::").collect();
    let name = match segs.as_slice() {
        [name] => *name,
        [krate, name] if matches!(*krate, "std" | "core" | "alloc") => *name,
        _ => return false,
    };
    FORMAT_MACROS.contains(&name)
        || INERT_MACROS.contains(&name)
        || ASSERT_MACROS.iter().any(|(n, _)| *n == name)
        || matches!(name, "write" | "writeln" | "dbg" | "vec" | "matches")
}

/// The name of a std macro: `name!`, or `std::name!` (`core`, `alloc`).
fn std_macro_name(mac: &Macro) -> Option<String> {
    let segs: Vec<String> = mac
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    match segs.as_slice() {
        [name] => Some(name.clone()),
        [krate, name] if matches!(krate.as_str(), "std" | "core" | "alloc") => Some(name.clone()),
        _ => None,
    }
}

/// How a std macro's arguments read.
enum MacroArgs {
    /// Expressions; the first `format` of them is a format string if it is a
    /// string literal. `write!`'s destination is written.
    Exprs {
        exprs: Punctuated<Expr, Token![,]>,
        format_at: Option<usize>,
        written: Option<usize>,
    },
    /// `vec![e; n]`.
    Repeat(Expr, Expr),
    /// `matches!(e, pat if guard)`.
    Matches(Expr, Pat, Option<Expr>),
    /// Reads nothing.
    Inert,
}

fn parse_macro_args(name: &str, tokens: TokenStream) -> Option<MacroArgs> {
    let exprs = |tokens| {
        Punctuated::<Expr, Token![,]>::parse_terminated
            .parse2(tokens)
            .ok()
    };
    if INERT_MACROS.contains(&name) {
        return Some(MacroArgs::Inert);
    }
    let (format_at, written) = match name {
        _ if FORMAT_MACROS.contains(&name) => (Some(0), None),
        "write" | "writeln" => (Some(1), Some(0)),
        "dbg" => (None, None),
        "vec" => {
            let repeat = |input: ParseStream| {
                let e: Expr = input.parse()?;
                input.parse::<Token![;]>()?;
                let n: Expr = input.parse()?;
                Ok(MacroArgs::Repeat(e, n))
            };
            if let Ok(r) = repeat.parse2(tokens.clone()) {
                return Some(r);
            }
            (None, None)
        }
        "matches" => {
            let parser = |input: ParseStream| {
                let e: Expr = input.parse()?;
                input.parse::<Token![,]>()?;
                let pat = Pat::parse_multi_with_leading_vert(input)?;
                let guard = if input.peek(Token![if]) {
                    input.parse::<Token![if]>()?;
                    Some(input.parse::<Expr>()?)
                } else {
                    None
                };
                let _ = input.parse::<Option<Token![,]>>()?;
                Ok(MacroArgs::Matches(e, pat, guard))
            };
            return parser.parse2(tokens).ok();
        }
        other => match ASSERT_MACROS.iter().find(|(n, _)| *n == other) {
            Some((_, k)) => (Some(*k), None),
            None => return None,
        },
    };
    Some(MacroArgs::Exprs {
        exprs: exprs(tokens)?,
        format_at,
        written,
    })
}

/// The names a format string reads: `{x}`, `{x:?}`, `{:w$}`, `{:.p$}`.
pub fn format_string_names(s: &str) -> Vec<String> {
    fn ident(s: &str) -> Option<&str> {
        let end = s
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(s.len());
        let id = &s[..end];
        let starts = id.chars().next()?;
        (starts.is_alphabetic() || starts == '_')
            .then_some(id)
            .filter(|i| *i != "_")
    }
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if let Some(tail) = rest.strip_prefix('{') {
            rest = tail;
            continue;
        }
        let close = rest.find('}').unwrap_or(rest.len());
        let spec = &rest[..close];
        let (arg, format) = spec.split_once(':').unwrap_or((spec, ""));
        if let Some(id) = ident(arg.trim()) {
            out.push(id.to_owned());
        }
        // `name$` in the width or precision.
        let mut f = format;
        while let Some(dollar) = f.find('$') {
            let before = &f[..dollar];
            let start = before
                .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map_or(0, |p| p + 1);
            if let Some(id) = ident(&before[start..]) {
                out.push(id.to_owned());
            }
            f = &f[dollar + 1..];
        }
        rest = &rest[close.min(rest.len())..];
    }
    out
}

/// Every identifier in a token stream, at any depth.
pub fn token_idents(tokens: TokenStream) -> Vec<Ident> {
    let mut out = Vec::new();
    fn walk(tokens: TokenStream, out: &mut Vec<Ident>) {
        for t in tokens {
            match t {
                TokenTree::Ident(id) => out.push(id),
                TokenTree::Group(g) => walk(g.stream(), out),
                _ => {}
            }
        }
    }
    walk(tokens, &mut out);
    out
}

/// A walker over a loop body. The provided methods handle the nodes that
/// bind names, change control flow or hide expressions in macros; the
/// walker handles the rest.
pub trait Walk<'a>: VisitMut + Sized {
    fn position(&mut self) -> &mut Position<'a>;

    /// A check on control flow failed (the facts walker records it).
    fn flow_error(&mut self, _error: Error) {}

    /// A macro the walk cannot see into, or a `macro_rules!` definition.
    fn opaque_macro(&mut self, _mac: &Macro, _span: Span) {}

    /// Around each statement of a block (the collector numbers the loop
    /// body's own statements).
    fn begin_stmt(&mut self) {}
    fn end_stmt(&mut self) {}

    /// A name read by a format string: `{s}` in `println!("{s}")`.
    fn format_read(&mut self, _name: &Ident) {}

    /// The rewrite walker writes walked macro arguments back.
    fn rewrites(&self) -> bool {
        false
    }

    fn in_scope<R>(&mut self, names: Vec<Ident>, f: impl FnOnce(&mut Self) -> R) -> R {
        self.position().scopes.push(names);
        let r = f(self);
        self.position().scopes.pop();
        r
    }

    /// Runs `f` on a path that may not be taken (a loop body, a closure, the
    /// right of `&&`): what it assigns does not count after it.
    fn maybe<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        let before = self.position().assigned.clone();
        let r = f(self);
        self.position().assigned = before;
        r
    }

    fn with_loop(&mut self, label: Option<&syn::Label>, f: impl FnOnce(&mut Self)) {
        self.position().flow.enter_loop(label);
        self.maybe(f);
        self.position().flow.exit_loop(label);
    }

    /// A block: its items bind in all of it, its `let`s for what follows.
    fn walk_block(&mut self, block: &mut Block) {
        let items = item_bindings(&block.stmts);
        self.in_scope(items, |w| {
            for stmt in &mut block.stmts {
                w.begin_stmt();
                match stmt {
                    Stmt::Local(local) => w.walk_local(local),
                    Stmt::Item(syn::Item::Macro(m)) => {
                        // `macro_rules!` inside the body.
                        let span = m.mac.span();
                        w.opaque_macro(&m.mac, span);
                    }
                    // Other items are separate code: they cannot see the
                    // loop's locals.
                    Stmt::Item(_) => {}
                    other => w.visit_stmt_mut(other),
                }
                w.end_stmt();
            }
        });
    }

    fn walk_local(&mut self, local: &mut syn::Local) {
        if let Some(init) = &mut local.init {
            self.visit_expr_mut(&mut init.expr);
            if let Some((_, diverge)) = &mut init.diverge {
                self.maybe(|w| w.visit_expr_mut(diverge));
            }
        }
        self.position().scopes.bind(pattern_bindings(&local.pat));
    }

    /// The arguments of the std macros are walked (and rewritten) like other
    /// code; any other macro is opaque.
    fn walk_macro(&mut self, mac: &mut Macro) {
        let span = mac.span();
        let Some(name) = std_macro_name(mac) else {
            self.opaque_macro(mac, span);
            return;
        };
        let Some(args) = parse_macro_args(&name, mac.tokens.clone()) else {
            self.opaque_macro(mac, span);
            return;
        };
        match args {
            MacroArgs::Inert => {}
            MacroArgs::Exprs {
                mut exprs,
                format_at,
                written,
            } => {
                for (k, arg) in exprs.iter_mut().enumerate() {
                    self.walk_macro_arg(arg, Some(k) == format_at, Some(k) == written);
                }
                if self.rewrites() {
                    mac.tokens = exprs.into_token_stream();
                }
            }
            MacroArgs::Repeat(mut e, mut n) => {
                self.visit_expr_mut(&mut e);
                self.visit_expr_mut(&mut n);
                if self.rewrites() {
                    mac.tokens = quote::quote!(#e; #n);
                }
            }
            MacroArgs::Matches(mut e, pat, mut guard) => {
                self.visit_expr_mut(&mut e);
                if let Some(g) = &mut guard {
                    self.in_scope(pattern_bindings(&pat), |w| w.visit_expr_mut(g));
                }
                if self.rewrites() {
                    let guard = guard.map(|g| quote::quote!(if #g));
                    mac.tokens = quote::quote!(#e, #pat #guard);
                }
            }
        }
        if DIVERGING_MACROS.contains(&name.as_str()) {
            self.position().diverge();
        }
    }

    fn walk_macro_arg(&mut self, arg: &mut Expr, format: bool, written: bool) {
        match arg {
            // A format string reads the names in its braces.
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) if format => {
                for name in format_string_names(&s.value()) {
                    let id = Ident::new(&name, s.span());
                    self.format_read(&id);
                }
            }
            // `name = value` names an argument of the format string.
            Expr::Assign(a) if matches!(&*a.left, Expr::Path(_)) => {
                self.visit_expr_mut(&mut a.right);
            }
            // `write!(dest, ..)` calls `dest.write_fmt(..)`.
            dest if written => {
                let mut call: Expr = syn::parse_quote_spanned!(dest.span()=> (#dest).write_fmt(()));
                self.visit_expr_mut(&mut call);
                if let Expr::MethodCall(m) = call
                    && let Expr::Paren(p) = *m.receiver
                {
                    *dest = *p.expr;
                }
            }
            other => self.visit_expr_mut(other),
        }
    }

    /// Walks `e` if it binds names (closures, loops, `if let`, `match`),
    /// branches, or may leave the loop (`break`, `return`, `?`, `.await`);
    /// `false` for any other expression, which the walker handles itself.
    /// (`continue` is the walker's: the two treat it differently.)
    fn walk_structure(&mut self, e: &mut Expr) -> bool {
        match e {
            Expr::Break(b) => {
                if let Some(err) = self.position().flow.check_break(b) {
                    self.flow_error(err);
                }
                visit_mut::visit_expr_break_mut(self, b);
                self.position().diverge();
            }
            Expr::Return(r) => {
                if let Some(err) = self.position().flow.check_return(r) {
                    self.flow_error(err);
                }
                visit_mut::visit_expr_return_mut(self, r);
                self.position().diverge();
            }
            Expr::Try(t) => {
                if let Some(err) = self.position().flow.check_try(t) {
                    self.flow_error(err);
                }
                visit_mut::visit_expr_try_mut(self, t);
            }
            Expr::Await(a) => {
                if let Some(err) = self.position().flow.check_await(a) {
                    self.flow_error(err);
                }
                visit_mut::visit_expr_await_mut(self, a);
            }
            Expr::Closure(c) => {
                let params: Vec<Ident> = c.inputs.iter().flat_map(pattern_bindings).collect();
                self.position().flow.enter_closure(false);
                self.maybe(|w| w.in_scope(params, |w| w.visit_expr_mut(&mut c.body)));
                self.position().flow.exit_closure(false);
            }
            Expr::Async(a) => {
                self.position().flow.enter_closure(true);
                self.maybe(|w| w.visit_block_mut(&mut a.block));
                self.position().flow.exit_closure(true);
            }
            Expr::ForLoop(f) => {
                self.visit_expr_mut(&mut f.expr);
                let names = pattern_bindings(&f.pat);
                let label = f.label.clone();
                self.with_loop(label.as_ref(), |w| {
                    w.in_scope(names, |w| w.visit_block_mut(&mut f.body))
                });
            }
            Expr::While(wh) => {
                let label = wh.label.clone();
                // The condition runs at least once; what it binds is seen
                // by the body only.
                self.position().flow.enter_loop(label.as_ref());
                self.in_scope(Vec::new(), |w| {
                    w.visit_expr_mut(&mut wh.cond);
                    w.maybe(|w| w.visit_block_mut(&mut wh.body));
                });
                self.position().flow.exit_loop(label.as_ref());
            }
            Expr::Loop(l) => {
                let label = l.label.clone();
                self.with_loop(label.as_ref(), |w| w.visit_block_mut(&mut l.body));
            }
            Expr::Block(b) if b.label.is_some() => {
                let label = b.label.clone();
                self.position().flow.enter_block(label.as_ref());
                self.maybe(|w| w.visit_block_mut(&mut b.block));
                self.position().flow.exit_block(label.as_ref());
            }
            Expr::If(i) => self.walk_if(i),
            Expr::Let(l) => {
                self.visit_expr_mut(&mut l.expr);
                self.position().scopes.bind(pattern_bindings(&l.pat));
            }
            Expr::Match(m) => self.walk_match(m),
            Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_) | syn::BinOp::Or(_)) => {
                self.visit_expr_mut(&mut b.left);
                self.maybe(|w| w.visit_expr_mut(&mut b.right));
            }
            _ => return false,
        }
        true
    }

    fn walk_if(&mut self, i: &mut syn::ExprIf) {
        let after_then = self.in_scope(Vec::new(), |w| {
            w.visit_expr_mut(&mut i.cond);
            let before = w.position().assigned.clone();
            w.visit_block_mut(&mut i.then_branch);
            std::mem::replace(&mut w.position().assigned, before)
        });
        if let Some((_, els)) = &mut i.else_branch {
            self.visit_expr_mut(els);
        }
        let after_else = self.position().assigned.clone();
        self.position().assigned = after_then.join(after_else);
    }

    fn walk_match(&mut self, m: &mut syn::ExprMatch) {
        self.visit_expr_mut(&mut m.expr);
        let before = self.position().assigned.clone();
        let mut after = Assigned::Unreachable;
        for arm in &mut m.arms {
            self.position().assigned = before.clone();
            let names = pattern_bindings(&arm.pat);
            self.in_scope(names, |w| {
                if let Pat::Guard(g) = &mut arm.pat {
                    w.visit_expr_mut(&mut g.guard);
                }
                w.visit_expr_mut(&mut arm.body);
            });
            let arm_end = std::mem::replace(&mut self.position().assigned, Assigned::nothing());
            after = after.join(arm_end);
        }
        self.position().assigned = after;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_strings_name_what_they_read() {
        assert_eq!(
            format_string_names("{} {x} {{y}} {z:?} {0} {w:>width$.prec$} {:_<n$} {_}"),
            ["x", "z", "w", "width", "prec", "n"]
        );
    }

    #[test]
    fn assigned_joins_paths() {
        let mut a = Assigned::nothing();
        a.assign("v".into());
        assert!(a.has("v") && a.has("v.x") && !a.has("vx"));
        let mut b = Assigned::nothing();
        b.assign("v.x".into());
        let j = a.clone().join(b.clone());
        assert!(j.has("v.x") && !j.has("v"));
        assert_eq!(Assigned::Unreachable.join(a.clone()), a);
    }
}
