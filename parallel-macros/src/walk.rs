//! What the two body walkers share (`body` for `#[parallel_for]`, `simd` for
//! the vectorized directives): the names the body binds, scope by scope, and
//! the loops, closures and labels around the current node, with the checks
//! on control flow that would leave the annotated loop.

use crate::body::EXPR_MACROS;
use crate::flow::Flow;
use crate::scope::pat_names;
use quote::ToTokens;
use std::collections::HashSet;
use syn::punctuated::Punctuated;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Error, Expr, Ident, Stmt, Token};

/// Implements [`BodyWalk`] for a walker struct with the fields `scopes`,
/// `flow`, `mode` (whose `Mode::Collect` is the first pass) and `errors`.
macro_rules! body_walk {
    ($walker:ident) => {
        impl<'a> $crate::walk::BodyWalk<'a> for $walker<'a> {
            fn scopes(&mut self) -> &mut Vec<std::collections::HashSet<String>> {
                &mut self.scopes
            }
            fn flow(&mut self) -> &mut $crate::flow::Flow<'a> {
                &mut self.flow
            }
            fn collecting(&self) -> bool {
                self.mode == Mode::Collect
            }
            fn report(&mut self, error: syn::Error) {
                self.errors.push(error);
            }
        }
    };
}
pub(crate) use body_walk;

/// A walker over a loop body. The provided methods handle the nodes that
/// bind names or change control flow; the walker handles the rest.
pub trait BodyWalk<'a>: VisitMut + Sized {
    /// Names bound inside the body, innermost scope last.
    fn scopes(&mut self) -> &mut Vec<HashSet<String>>;
    fn flow(&mut self) -> &mut Flow<'a>;
    /// In the first pass, which reports errors; the second rewrites.
    fn collecting(&self) -> bool;
    fn report(&mut self, error: Error);

    fn bind(&mut self, names: Vec<Ident>) {
        if let Some(scope) = self.scopes().last_mut() {
            scope.extend(names.into_iter().map(|n| n.to_string()));
        }
    }

    fn in_scope<R>(&mut self, names: Vec<Ident>, f: impl FnOnce(&mut Self) -> R) -> R {
        self.scopes()
            .push(names.into_iter().map(|n| n.to_string()).collect());
        let r = f(self);
        self.scopes().pop();
        r
    }

    fn with_loop<R>(&mut self, label: Option<&syn::Label>, f: impl FnOnce(&mut Self) -> R) -> R {
        self.flow().enter_loop(label);
        let r = f(self);
        self.flow().exit_loop(label);
        r
    }

    /// A block: its `let`s bind names for the statements after them.
    fn walk_block(&mut self, block: &mut Block) {
        self.in_scope(Vec::new(), |w| {
            for stmt in &mut block.stmts {
                match stmt {
                    Stmt::Local(local) => {
                        if let Some(init) = &mut local.init {
                            w.visit_expr_mut(&mut init.expr);
                            if let Some((_, diverge)) = &mut init.diverge {
                                w.visit_expr_mut(diverge);
                            }
                        }
                        w.bind(pat_names(&local.pat));
                    }
                    // Nested items are separate code; they cannot see the loop's locals.
                    Stmt::Item(_) => {}
                    other => w.visit_stmt_mut(other),
                }
            }
        });
    }

    /// The arguments of format-like macros are analysed (and rewritten) like
    /// other code; other macros are opaque.
    fn walk_macro(&mut self, mac: &mut syn::Macro) {
        let Some(name) = mac.path.get_ident() else {
            return;
        };
        if !EXPR_MACROS.contains(&name.to_string().as_str()) {
            return;
        }
        let parser = Punctuated::<Expr, Token![,]>::parse_terminated;
        let Ok(mut args) = syn::parse::Parser::parse2(parser, mac.tokens.clone()) else {
            return;
        };
        for arg in args.iter_mut() {
            self.visit_expr_mut(arg);
        }
        if !self.collecting() {
            mac.tokens = args.into_token_stream();
        }
    }

    /// Walks `e` if it binds names (closures, loops, `if let`, `match`) or
    /// may leave the loop (`break`, `return`, `?`, `.await`); `false` for any
    /// other expression, which the walker handles itself. (`continue` is the
    /// walker's: the two treat it differently.)
    fn walk_structure(&mut self, e: &mut Expr) -> bool {
        let collect = self.collecting();
        match e {
            Expr::Break(b) => {
                if collect && let Some(err) = self.flow().check_break(b) {
                    self.report(err);
                }
                visit_mut::visit_expr_break_mut(self, b);
            }
            Expr::Return(r) => {
                if collect && let Some(err) = self.flow().check_return(r) {
                    self.report(err);
                }
                visit_mut::visit_expr_return_mut(self, r);
            }
            Expr::Try(t) => {
                if collect && let Some(err) = self.flow().check_try(t) {
                    self.report(err);
                }
                visit_mut::visit_expr_try_mut(self, t);
            }
            Expr::Await(a) => {
                if collect && let Some(err) = self.flow().check_await(a) {
                    self.report(err);
                }
                visit_mut::visit_expr_await_mut(self, a);
            }
            Expr::Closure(c) => {
                let params: Vec<Ident> = c.inputs.iter().flat_map(pat_names).collect();
                self.flow().enter_closure(false);
                self.in_scope(params, |w| w.visit_expr_mut(&mut c.body));
                self.flow().exit_closure(false);
            }
            Expr::Async(a) => {
                self.flow().enter_closure(true);
                self.visit_block_mut(&mut a.block);
                self.flow().exit_closure(true);
            }
            Expr::ForLoop(f) => {
                self.visit_expr_mut(&mut f.expr);
                let names = pat_names(&f.pat);
                let label = f.label.clone();
                self.with_loop(label.as_ref(), |w| {
                    w.in_scope(names, |w| w.visit_block_mut(&mut f.body))
                });
            }
            Expr::While(wh) => {
                let label = wh.label.clone();
                self.with_loop(label.as_ref(), |w| {
                    w.in_scope(Vec::new(), |w| {
                        w.visit_expr_mut(&mut wh.cond);
                        w.visit_block_mut(&mut wh.body);
                    })
                });
            }
            Expr::Loop(l) => {
                let label = l.label.clone();
                self.with_loop(label.as_ref(), |w| w.visit_block_mut(&mut l.body));
            }
            Expr::Block(b) if b.label.is_some() => {
                let label = b.label.clone();
                self.flow().enter_block(label.as_ref());
                self.visit_block_mut(&mut b.block);
                self.flow().exit_block(label.as_ref());
            }
            Expr::If(i) => {
                self.in_scope(Vec::new(), |w| {
                    w.visit_expr_mut(&mut i.cond);
                    w.visit_block_mut(&mut i.then_branch);
                });
                if let Some((_, els)) = &mut i.else_branch {
                    self.visit_expr_mut(els);
                }
            }
            Expr::Let(l) => {
                self.visit_expr_mut(&mut l.expr);
                self.bind(pat_names(&l.pat));
            }
            Expr::Match(m) => {
                self.visit_expr_mut(&mut m.expr);
                for arm in &mut m.arms {
                    let names = pat_names(&arm.pat);
                    self.in_scope(names, |w| {
                        if let syn::Pat::Guard(g) = &mut arm.pat {
                            w.visit_expr_mut(&mut g.guard);
                        }
                        w.visit_expr_mut(&mut arm.body);
                    });
                }
            }
            _ => return false,
        }
        true
    }
}
