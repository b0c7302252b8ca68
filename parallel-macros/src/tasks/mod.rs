//! Task directives: `#[taskgroup] { .. #[task] { .. } .. }` and
//! `#[sections] { #[section] { .. } #[section] { .. } }`.
//!
//! A group's block becomes the body of a closure run by the runtime's
//! `taskgroup`, which returns once every task spawned into the group has
//! run; each task becomes a closure spawned into the group. A task is a
//! *non-move* closure: what it uses from outside the group it borrows, and
//! rustc's borrow checker enforces that what a task writes, nothing else
//! running at the same time uses. What it uses that is declared inside the
//! group (a loop's item, a `let` of the group) it takes by value, since it
//! may run after that variable's scope has ended (`spawn`).
//!
//! Before that, the group is analysed as written (`tree`, then `check`),
//! so that the mistakes the borrow checker would report in terms of the
//! generated closures are reported in the user's terms: which variable,
//! written where, used by which other task or which statement of the
//! group. The borrow checker remains the backstop for what syntax cannot
//! see (a `&mut` passed on through a function, say).
//!
//! The phases: `tree` walks the group's block (which tasks stand where,
//! which variables each piece of code uses, under which loops and
//! branches), `check` decides (conflicts, writes to the group's own
//! variables, which captures must be copies) and `spawn` writes the code.

mod check;
mod spawn;
mod tree;

use crate::clause::Errors;
use syn::visit_mut::{self, VisitMut};
use syn::{Attribute, Error, Expr, Meta};

/// The two constructs and their blocks' directives.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Construct {
    Taskgroup,
    Sections,
}

impl Construct {
    fn name(self) -> &'static str {
        match self {
            Construct::Taskgroup => "#[taskgroup]",
            Construct::Sections => "#[sections]",
        }
    }
}

/// Which directive an attribute is, if it is one of ours: `#[task]` or
/// `#[parallel::task]`, and so on.
fn directive_is(attr: &Attribute, name: &str) -> bool {
    let path = attr.path();
    let last = path.segments.last().is_some_and(|s| s.ident == name);
    let ours = path.segments.len() == 1
        || (path.segments.len() == 2
            && path.segments.first().is_some_and(|s| s.ident == "parallel"));
    last && ours
}

/// The construct an expression opens, if it is a `#[taskgroup]` or
/// `#[sections]` block.
pub fn construct_of(e: &Expr) -> Option<Construct> {
    let Expr::Block(b) = e else { return None };
    b.attrs.iter().find_map(|a| {
        if directive_is(a, "taskgroup") {
            Some(Construct::Taskgroup)
        } else if directive_is(a, "sections") {
            Some(Construct::Sections)
        } else {
            None
        }
    })
}

/// Whether `e` is a block marked `#[task]` (or `#[section]`).
fn task_attr(attrs: &[Attribute]) -> Option<&Attribute> {
    attrs
        .iter()
        .find(|a| directive_is(a, "task") || directive_is(a, "section"))
}

/// The names of every directive of this module.
const NAMES: &[&str] = &["taskgroup", "sections", "task", "section"];

fn is_ours(attr: &Attribute) -> bool {
    NAMES.iter().any(|n| directive_is(attr, n))
}

/// The clauses of `#[taskgroup(..)]` / `#[sections(..)]`: only
/// `num_threads(n)`, the team of a top-level group.
fn num_threads(attr: &Attribute, construct: Construct) -> syn::Result<Option<Expr>> {
    let usage = format!(
        "`{}` takes one optional clause, the team size of a top-level group: `#[{}(num_threads(4))]`",
        construct.name(),
        &construct.name()[2..construct.name().len() - 1]
    );
    let list = match &attr.meta {
        Meta::Path(_) => return Ok(None),
        Meta::List(list) => list,
        Meta::NameValue(nv) => return Err(Error::new_spanned(nv, usage)),
    };
    let call: syn::ExprCall =
        syn::parse2(list.tokens.clone()).map_err(|_| Error::new_spanned(&list.tokens, &usage))?;
    let named = matches!(&*call.func, Expr::Path(p) if p.path.is_ident("num_threads"));
    if !named || call.args.len() != 1 {
        return Err(Error::new_spanned(&list.tokens, usage));
    }
    Ok(call
        .args
        .into_iter()
        .next()
        .map(crate::loop_form::quiet_parens))
}

/// Expands the group at `e` (a block carrying `#[taskgroup]` or
/// `#[sections]`), analysed as written. On errors, `e` becomes the plain
/// block (its directives removed: the program the directives describe,
/// run in place) and the errors are returned.
fn expand(e: &mut Expr, construct: Construct, counter: &mut usize) -> Vec<Error> {
    let Expr::Block(block) = e else {
        return Vec::new();
    };
    let pos = block
        .attrs
        .iter()
        .position(|a| directive_is(a, "taskgroup") || directive_is(a, "sections"));
    let Some(pos) = pos else {
        return Vec::new();
    };
    let attr = block.attrs.remove(pos);
    let mut errors = Vec::new();
    let threads = num_threads(&attr, construct).unwrap_or_else(|err| {
        errors.push(err);
        None
    });
    let tree = tree::walk(&block.block, construct);
    errors.extend(tree.errors.iter().cloned());
    let decisions = check::check(&tree);
    errors.extend(decisions.errors.iter().cloned());
    if !errors.is_empty() {
        strip(&mut block.block);
        return errors;
    }
    *e = spawn::group(block, &attr, threads, &tree, &decisions, counter);
    Vec::new()
}

/// Removes every task directive inside `block`, and the loop directives
/// `#[critical]` and `#[atomic]` outside loops: what remains is the plain
/// program, each task run in place.
pub fn strip(block: &mut syn::Block) {
    /// Inside a loop directive, whose `#[critical]` and `#[atomic]` are
    /// expanded with the loop: `in_loop > 0`.
    struct Strip {
        in_loop: usize,
    }
    impl VisitMut for Strip {
        fn visit_expr_mut(&mut self, e: &mut Expr) {
            if let Expr::Block(b) = e {
                b.attrs.retain(|a| !is_ours(a));
            }
            if let Expr::ForLoop(f) = e
                && f.attrs.iter().any(tree::is_loop_directive)
            {
                self.in_loop += 1;
                visit_mut::visit_expr_mut(self, e);
                self.in_loop -= 1;
                return;
            }
            if self.in_loop == 0 {
                crate::facts::strip_attrs(e);
            }
            visit_mut::visit_expr_mut(self, e);
        }
    }
    Strip { in_loop: 0 }.visit_block_mut(block);
}

/// Expands every `#[taskgroup]` / `#[sections]` block in `item`,
/// outermost first, then reports (and removes) the task directives that no
/// group claimed. Runs before the loops are expanded, so that every group
/// is analysed as the user wrote it.
pub fn expand_item(item: &mut syn::Item, errors: &mut Errors) {
    let mut groups = Groups {
        errors: Vec::new(),
        counter: 0,
    };
    groups.visit_item_mut(item);
    Strays(&mut groups.errors).visit_item_mut(item);
    for err in groups.errors {
        errors.push(err);
    }
}

/// [`expand_item`] for the body of a loop under a directive used directly
/// (nightly).
pub fn expand_block(block: &mut syn::Block, errors: &mut Errors) {
    let mut groups = Groups {
        errors: Vec::new(),
        counter: 0,
    };
    groups.visit_block_mut(block);
    Strays(&mut groups.errors).visit_block_mut(block);
    for err in groups.errors {
        errors.push(err);
    }
}

struct Groups {
    errors: Vec<Error>,
    counter: usize,
}

impl VisitMut for Groups {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Some(construct) = construct_of(e) {
            let errors = expand(e, construct, &mut self.counter);
            self.errors.extend(errors);
        }
        visit_mut::visit_expr_mut(self, e);
    }
}

/// Reports and removes the task directives no group claimed.
struct Strays<'e>(&'e mut Vec<Error>);

impl Strays<'_> {
    fn clean(&mut self, attrs: &mut Vec<Attribute>, on_block: bool) {
        let mut kept = Vec::with_capacity(attrs.len());
        for attr in attrs.drain(..) {
            if !is_ours(&attr) {
                kept.push(attr);
                continue;
            }
            let name = attr
                .path()
                .segments
                .last()
                .map_or(String::new(), |s| s.ident.to_string());
            let msg = match name.as_str() {
                _ if !on_block => format!(
                    "`#[{name}]` goes on a block: `#[{name}] {{ .. }}`"
                ),
                "section" => "`#[section]` blocks stand directly inside a `#[sections] { .. }` block: `#[sections] { #[section] { a() } #[section] { b() } }`".to_owned(),
                "task" => "`#[task]` blocks stand inside a `#[taskgroup] { .. }` block, which waits for them before it ends: `#[taskgroup] { #[task] { a() } #[task] { b() } }`".to_owned(),
                _ => format!("`#[{name}]` goes on a block inside a `#[parallel]` item"),
            };
            self.0.push(Error::new_spanned(&attr, msg));
        }
        *attrs = kept;
    }
}

impl VisitMut for Strays<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        let on_block = matches!(e, Expr::Block(_));
        if let Some(attrs) = expr_attrs_mut(e) {
            self.clean(attrs, on_block);
        }
        visit_mut::visit_expr_mut(self, e);
    }

    fn visit_local_mut(&mut self, l: &mut syn::Local) {
        self.clean(&mut l.attrs, false);
        visit_mut::visit_local_mut(self, l);
    }

    fn visit_stmt_macro_mut(&mut self, m: &mut syn::StmtMacro) {
        self.clean(&mut m.attrs, false);
        visit_mut::visit_stmt_macro_mut(self, m);
    }
}

/// The attributes of an expression, for the kinds a directive may land on.
pub fn expr_attrs_mut(e: &mut Expr) -> Option<&mut Vec<Attribute>> {
    Some(match e {
        Expr::Block(x) => &mut x.attrs,
        Expr::Call(x) => &mut x.attrs,
        Expr::MethodCall(x) => &mut x.attrs,
        Expr::Macro(x) => &mut x.attrs,
        Expr::Assign(x) => &mut x.attrs,
        Expr::Binary(x) => &mut x.attrs,
        Expr::Path(x) => &mut x.attrs,
        Expr::If(x) => &mut x.attrs,
        Expr::ForLoop(x) => &mut x.attrs,
        Expr::While(x) => &mut x.attrs,
        Expr::Loop(x) => &mut x.attrs,
        Expr::Match(x) => &mut x.attrs,
        Expr::Unsafe(x) => &mut x.attrs,
        Expr::Closure(x) => &mut x.attrs,
        Expr::Field(x) => &mut x.attrs,
        Expr::Index(x) => &mut x.attrs,
        Expr::Unary(x) => &mut x.attrs,
        Expr::Paren(x) => &mut x.attrs,
        Expr::Tuple(x) => &mut x.attrs,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use std::str::FromStr;

    const SAMPLES: &[&str] = &[
        "fn f(x: &[u64], out: &mut [u64]) -> u64 { let (mut a, mut b) = (0, 0); #[taskgroup(num_threads(2))] { let s = 3; \
         for (i, o) in out.iter_mut().enumerate() { #[task] { *o = s * x[i]; #[task] { println!(\"{i}\"); } } } \
         if a > 1 { #[task] { a = 1; } } else { #[task] { b = 2; } } match b { 0 => { #[task] { a += 1; } } _ => {} } \
         while b < 3 { b += 1; #[task] { let _ = x.len(); } } } a + b }",
        "fn g(v: &mut [u64]) { let (l, r) = v.split_at_mut(1); #[sections] { #[section] { l[0] = 1; } #[section] { r.fill(2); } } \
         #[task] { } #[taskgroup] { x.iter().for_each(|v| { #[task] { v; } }); #[parallel_for] for i in 0..3 { #[task] { i; } } \
         let y = { #[task] { }; 1 }; return; break; #[section] {} #[critical] { a += 1; } } }",
    ];

    /// The macro never panics: every sample with any one token or
    /// character removed, and every prefix, expands to something.
    #[test]
    fn never_panics_on_damaged_input() {
        for item in SAMPLES {
            let words: Vec<&str> = item.split_whitespace().collect();
            let mut variants = Vec::new();
            for k in 0..words.len() {
                let mut w = words.clone();
                w.remove(k);
                variants.push(w.join(" "));
                variants.push(words[..k].join(" "));
            }
            let chars: Vec<char> = item.chars().collect();
            for k in (0..chars.len()).step_by(3) {
                let mut c = chars.clone();
                c.remove(k);
                variants.push(c.into_iter().collect());
            }
            for v in variants {
                let Ok(input) = TokenStream::from_str(&v) else {
                    continue;
                };
                let _ = crate::host::parallel(TokenStream::new(), input);
            }
        }
    }

    #[test]
    fn errors_keep_the_plain_program() {
        let input = TokenStream::from_str(
            "fn f(x: &[u64]) -> u64 { let mut t = 0; #[taskgroup] { #[task] { t += x[0]; } #[task] { t += x[1]; } } t }",
        )
        .unwrap();
        let out = crate::host::parallel(TokenStream::new(), input).to_string();
        assert!(out.contains("compile_error"), "{out}");
        assert!(
            !out.contains("# [task"),
            "the directives are removed: {out}"
        );
        assert!(out.contains("t += x [0]"), "{out}");
    }
}
