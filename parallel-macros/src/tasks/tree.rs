//! The shape of a group: where each task stands (under which loops,
//! branches and other tasks), which variables every piece of code uses,
//! and which of them the group itself declares.
//!
//! A group's block is a tree of nodes: blocks (`Seq`, their statements in
//! order), loops, branches (`if`, `match`) and tasks. Every statement that
//! holds no task is a leaf, read with the body facts of `facts` (names as
//! rustc resolves them, each use with its access), and every use gets the
//! path from the group's block down to its leaf. Two uses may run at the
//! same time when their paths say so (see `check`).

use super::{Construct, construct_of, task_attr};
use crate::facts::{self, Access, Use};
use crate::flow::Directive;
use crate::names::{Name, item_bindings};
use crate::show::show;
use crate::walk::Binding as Resolved;
use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::visit::{self, Visit};
use syn::{Attribute, Block, Error, Expr, ExprBlock, Ident, Label, Pat, Stmt};

/// A node of the group's tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// A block: child `k` is its statement `k`; also the head of a `for`
    /// loop (child 0 the iterated expression, child 1 the loop) and a
    /// `match` arm (child 0 the guard, child 1 the body).
    Seq,
    /// A loop, with its head as written (`for i in 0..n`).
    Loop(String),
    /// `if` / `match`: child 0 the condition, children 1.. the branches.
    Branch,
    /// Task number `k`.
    Task(usize),
}

/// One step down the tree: into child `child` of node `node`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    pub node: usize,
    pub child: usize,
}

pub type Path = Vec<Step>;

/// A task: where its block stands.
pub struct TaskSite {
    pub path: Path,
}

/// A variable the group's code declares.
pub struct Binding {
    /// Declared `mut`.
    pub mutable: bool,
    /// Where its scope starts: the path of its declaration.
    pub path: Path,
}

/// A use of a variable by a leaf.
pub struct Site {
    pub path: Path,
    /// The group's variable it uses, or `None` for one from outside the
    /// group.
    pub binding: Option<usize>,
    pub what: Use,
}

#[derive(Default)]
pub struct Tree {
    pub nodes: Vec<Node>,
    pub tasks: Vec<TaskSite>,
    pub bindings: Vec<Binding>,
    pub sites: Vec<Site>,
    pub errors: Vec<Error>,
}

impl Tree {
    pub fn is_loop(&self, step: &Step) -> bool {
        matches!(self.nodes[step.node], Node::Loop(_))
    }

    pub fn task_of(&self, step: &Step) -> Option<usize> {
        match self.nodes[step.node] {
            Node::Task(k) => Some(k),
            _ => None,
        }
    }
}

/// Walks a group's block.
pub fn walk(block: &Block, construct: Construct) -> Tree {
    let mut w = Walker {
        tree: Tree::default(),
        path: Vec::new(),
        frames: Vec::new(),
        loops: Vec::new(),
        task: None,
        construct,
    };
    match construct {
        Construct::Taskgroup => w.block(block),
        Construct::Sections => w.sections(block),
    }
    w.tree
}

/// A name bound in the group: the group's variable, or an item (which no
/// task captures).
#[derive(Clone, Copy)]
enum Bound {
    Var(usize),
    Item,
}

struct Walker {
    tree: Tree,
    path: Path,
    frames: Vec<Vec<(Name, Bound)>>,
    /// The labels of the loops around the current code, inside the
    /// innermost task (for the checks on `break` and `continue`).
    loops: Vec<Option<Label>>,
    /// The directive of the innermost task around the code.
    task: Option<&'static str>,
    construct: Construct,
}

impl Walker {
    fn node(&mut self, node: Node) -> usize {
        self.tree.nodes.push(node);
        self.tree.nodes.len() - 1
    }

    /// Runs `f` one step down, into child `child` of `node`.
    fn down(&mut self, node: usize, child: usize, f: impl FnOnce(&mut Self)) {
        self.path.push(Step { node, child });
        f(self);
        self.path.pop();
    }

    fn in_frame(&mut self, names: Vec<(Ident, bool)>, f: impl FnOnce(&mut Self)) {
        self.frames.push(Vec::new());
        self.bind(names);
        f(self);
        self.frames.pop();
    }

    fn bind(&mut self, names: Vec<(Ident, bool)>) {
        for (id, mutable) in names {
            let k = self.tree.bindings.len();
            self.tree.bindings.push(Binding {
                mutable,
                path: self.path.clone(),
            });
            if let Some(frame) = self.frames.last_mut() {
                frame.push((Name::of(&id), Bound::Var(k)));
            }
        }
    }

    fn resolve(&self, name: &Name) -> Option<Bound> {
        self.frames
            .iter()
            .rev()
            .find_map(|f| f.iter().rev().find(|(n, _)| n == name).map(|(_, b)| *b))
    }

    fn block(&mut self, block: &Block) {
        let node = self.node(Node::Seq);
        let items = item_bindings(&block.stmts)
            .iter()
            .map(|id| (Name::of(id), Bound::Item))
            .collect();
        self.frames.push(items);
        for (k, stmt) in block.stmts.iter().enumerate() {
            self.down(node, k, |w| w.stmt(stmt));
        }
        self.frames.pop();
    }

    /// A `#[sections]` block: `#[section]` blocks only.
    fn sections(&mut self, block: &Block) {
        let node = self.node(Node::Seq);
        for (k, stmt) in block.stmts.iter().enumerate() {
            match stmt {
                Stmt::Expr(Expr::Block(b), _) if task_attr(&b.attrs).is_some_and(is_section) => {
                    self.down(node, k, |w| w.task(b, "#[section]"));
                }
                other => self.tree.errors.push(Error::new_spanned(
                    other,
                    "only `#[section] { .. }` blocks stand in a `#[sections]` block, each run once as a task of its own; move this statement before the `#[sections]` block, or into a section",
                )),
            }
        }
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Local(local) => {
                if contains_task(&local.to_token_stream()) {
                    misplaced(stmt.to_token_stream(), &mut self.tree.errors);
                } else {
                    self.leaf(stmt.clone());
                }
                self.bind(bindings_with_mut(&local.pat));
            }
            Stmt::Item(_) => {}
            Stmt::Macro(_) => self.leaf(stmt.clone()),
            Stmt::Expr(e, _) => self.expr(e, stmt),
        }
    }

    fn expr_alone(&mut self, e: &Expr) {
        let stmt = Stmt::Expr(e.clone(), None);
        self.expr(e, &stmt);
    }

    fn expr(&mut self, e: &Expr, stmt: &Stmt) {
        if let Expr::Block(b) = e
            && let Some(attr) = task_attr(&b.attrs)
        {
            return self.task_here(b, attr);
        }
        if !contains_task(&e.to_token_stream()) {
            return self.leaf(stmt.clone());
        }
        match e {
            Expr::Block(b) => {
                self.loops.extend(b.label.clone().map(Some));
                self.block(&b.block);
                if b.label.is_some() {
                    self.loops.pop();
                }
            }
            Expr::Unsafe(u) => self.block(&u.block),
            Expr::ForLoop(f) if !f.attrs.iter().any(is_loop_directive) => self.for_loop(f),
            Expr::While(wh) => {
                let node = self.node(Node::Loop(format!("while {}", show(&wh.cond))));
                self.loops.push(wh.label.clone());
                self.down(node, 0, |w| w.leaf_expr(&wh.cond));
                let names = let_bindings(&wh.cond);
                self.down(node, 1, |w| w.in_frame(names, |w| w.block(&wh.body)));
                self.loops.pop();
            }
            Expr::Loop(l) => {
                let node = self.node(Node::Loop("loop".to_owned()));
                self.loops.push(l.label.clone());
                self.down(node, 0, |w| w.block(&l.body));
                self.loops.pop();
            }
            Expr::If(i) => self.if_else(i),
            Expr::Match(m) => self.match_arms(m),
            _ => misplaced(e.to_token_stream(), &mut self.tree.errors),
        }
    }

    fn for_loop(&mut self, f: &syn::ExprForLoop) {
        let head = self.node(Node::Seq);
        self.down(head, 0, |w| w.leaf_expr(&f.expr));
        let text = format!("for {} in {}", show(&f.pat), show(&f.expr));
        let node = self.node(Node::Loop(text));
        self.loops.push(f.label.clone());
        self.down(head, 1, |w| {
            w.down(node, 0, |w| {
                w.in_frame(bindings_with_mut(&f.pat), |w| w.block(&f.body));
            });
        });
        self.loops.pop();
    }

    fn if_else(&mut self, i: &syn::ExprIf) {
        let node = self.node(Node::Branch);
        self.down(node, 0, |w| w.leaf_expr(&i.cond));
        let names = let_bindings(&i.cond);
        self.down(node, 1, |w| w.in_frame(names, |w| w.block(&i.then_branch)));
        if let Some((_, els)) = &i.else_branch {
            self.down(node, 2, |w| w.expr_alone(els));
        }
    }

    fn match_arms(&mut self, m: &syn::ExprMatch) {
        let node = self.node(Node::Branch);
        self.down(node, 0, |w| w.leaf_expr(&m.expr));
        for (k, arm) in m.arms.iter().enumerate() {
            let seq = self.node(Node::Seq);
            self.down(node, k + 1, |w| {
                w.in_frame(bindings_with_mut(&arm.pat), |w| {
                    if let Pat::Guard(g) = &arm.pat {
                        w.down(seq, 0, |w| w.leaf_expr(&g.guard));
                    }
                    w.down(seq, 1, |w| w.expr_alone(&arm.body));
                });
            });
        }
    }

    /// A task block where one may stand: checks its directive, then walks
    /// its body.
    fn task_here(&mut self, b: &ExprBlock, attr: &Attribute) {
        if is_section(attr) {
            self.tree.errors.push(Error::new_spanned(
                attr,
                match self.construct {
                    Construct::Taskgroup => "`#[section]` blocks stand directly in a `#[sections]` block; in a `#[taskgroup]` block, write `#[task] { .. }`",
                    Construct::Sections => "`#[section]` blocks stand directly in the `#[sections]` block, not inside a section; to run a block as a task of its own inside a section, write `#[task] { .. }`",
                },
            ));
            return;
        }
        self.task(b, "#[task]");
    }

    fn task(&mut self, b: &ExprBlock, name: &'static str) {
        if let Some(attr) = task_attr(&b.attrs)
            && !matches!(attr.meta, syn::Meta::Path(_))
        {
            self.tree.errors.push(Error::new_spanned(
                attr,
                format!("`{name}` takes no arguments: `{name} {{ .. }}`"),
            ));
        }
        let k = self.tree.tasks.len();
        let node = self.node(Node::Task(k));
        self.tree.tasks.push(TaskSite {
            path: self.path.clone(),
        });
        let loops = std::mem::take(&mut self.loops);
        let outer = self.task.replace(name);
        self.down(node, 0, |w| w.block(&b.block));
        self.task = outer;
        self.loops = loops;
    }

    fn leaf_expr(&mut self, e: &Expr) {
        self.leaf(Stmt::Expr(e.clone(), None));
    }

    /// A statement without tasks: its uses, by their body facts.
    fn leaf(&mut self, stmt: Stmt) {
        outside_loops(&stmt, &mut self.tree.errors);
        let mut block = Block {
            brace_token: Default::default(),
            stmts: vec![stmt],
        };
        // The loops around it, so that `break` and `continue` resolve.
        for label in self.loops.iter().rev() {
            block = syn::parse_quote!({ #label loop #block });
        }
        let directive = match self.task {
            Some(name) => Directive::Task(name),
            None => Directive::Group(self.construct.name()),
        };
        let lp = facts::Loop {
            directive,
            label: None,
            vars: Vec::new(),
            pattern: Vec::new(),
        };
        let facts = facts::collect(&lp, &block);
        self.tree.errors.extend(facts.errors);
        for u in facts.uses {
            self.site(u);
        }
        for m in facts.macros {
            for (id, b) in m.mentions {
                if b == Resolved::Captured {
                    self.site(mention(&id, &m.shown, &m.at));
                }
            }
        }
    }

    fn site(&mut self, mut what: Use) {
        what.shown = tidy(&what.shown);
        let binding = match self.resolve(&what.name) {
            Some(Bound::Item) => return,
            Some(Bound::Var(k)) => Some(k),
            None => None,
        };
        self.tree.sites.push(Site {
            path: self.path.clone(),
            binding,
            what,
        });
    }
}

/// Source text as `show` gives it, with the spaces it leaves in
/// turbofishes (`sum::< u64 >()`), closure parameters (`| v |`) and prefix
/// operators (`(* v)`) removed.
pub fn tidy(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut turbofish = 0usize;
    let mut closing_pipe = false;
    let prefix_position = |out: &str| {
        let t = out.trim_end();
        t.is_empty()
            || t.ends_with(['(', '[', ',', '=', '!', '&', '{', ';', '|'])
            || t.ends_with("return")
    };
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        let next = chars.get(k + 1).copied();
        if c == '<' && out.ends_with("::") {
            turbofish += 1;
        } else if c == '>' && turbofish > 0 {
            turbofish -= 1;
            if out.ends_with(' ') {
                out.pop();
            }
        } else if c == '|' && !closing_pipe && next == Some(' ') && prefix_position(&out) {
            // A closure's opening `|`: its parameters follow.
            out.push(c);
            closing_pipe = true;
            k += 2;
            continue;
        } else if c == '|' && closing_pipe {
            closing_pipe = false;
            if out.ends_with(' ') {
                out.pop();
            }
        } else if matches!(c, '*' | '-') && next == Some(' ') && prefix_position(&out) {
            out.push(c);
            k += 2;
            continue;
        }
        out.push(c);
        if (c == '<' && turbofish > 0) && next == Some(' ') {
            k += 1;
        }
        k += 1;
    }
    out
}

/// A name an opaque macro mentions, as a read.
fn mention(id: &Ident, shown: &str, at: &TokenStream) -> Use {
    Use {
        root: id.clone(),
        name: Name::of(id),
        steps: Vec::new(),
        access: Access::Read,
        place: id.to_string(),
        at: id.to_token_stream(),
        expr: syn::parse_quote!(#id),
        shown: shown.to_owned(),
        shown_at: at.clone(),
        critical: None,
        assigned: false,
        stmt: 0,
        top: 0,
    }
}

/// The names a pattern binds, each with whether it is bound `mut`.
pub fn bindings_with_mut(pat: &Pat) -> Vec<(Ident, bool)> {
    struct Names(Vec<(Ident, bool)>);
    impl<'ast> Visit<'ast> for Names {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.push((p.ident.clone(), p.mutability.is_some()));
            visit::visit_pat_ident(self, p);
        }
        fn visit_expr(&mut self, _: &'ast Expr) {}
    }
    let mut names = Names(Vec::new());
    names.visit_pat(pat);
    names.0
}

/// The names the `let`s of a condition bind (`if let`, let chains).
fn let_bindings(cond: &Expr) -> Vec<(Ident, bool)> {
    match cond {
        Expr::Let(l) => bindings_with_mut(&l.pat),
        Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
            let mut names = let_bindings(&b.left);
            names.extend(let_bindings(&b.right));
            names
        }
        Expr::Paren(p) => let_bindings(&p.expr),
        _ => Vec::new(),
    }
}

/// Whether tokens hold a task block of the group being walked: a
/// `#[task]` or `#[section]` attribute outside nested groups and items.
pub fn contains_task(tokens: &TokenStream) -> bool {
    let Ok(block) = syn::parse2::<Block>(quote::quote!({ #tokens })) else {
        return false;
    };
    let mut finder = Finder::default();
    finder.visit_block(&block);
    !finder.found.is_empty()
}

/// The task blocks of the group in some code, each with what it stands
/// in: `None` for plain code.
#[derive(Default)]
struct Finder {
    found: Vec<(TokenStream, Option<Context>)>,
    context: Vec<Context>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Closure,
    DirectiveLoop,
}

impl Finder {
    fn within(&mut self, context: Context, e: &Expr) {
        self.context.push(context);
        visit::visit_expr(self, e);
        self.context.pop();
    }
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_expr(&mut self, e: &'ast Expr) {
        if construct_of(e).is_some() {
            return;
        }
        match e {
            Expr::Block(b) if task_attr(&b.attrs).is_some() => {
                let context = self.context.last().copied();
                self.found.push((b.to_token_stream(), context));
            }
            Expr::Closure(_) | Expr::Async(_) => self.within(Context::Closure, e),
            Expr::ForLoop(f) if f.attrs.iter().any(is_loop_directive) => {
                self.within(Context::DirectiveLoop, e);
            }
            _ => visit::visit_expr(self, e),
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

fn is_section(a: &Attribute) -> bool {
    a.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "section")
}

pub fn is_loop_directive(a: &Attribute) -> bool {
    let last = a.path().segments.last().map(|s| s.ident.to_string());
    matches!(
        last.as_deref(),
        Some("parallel_for" | "simd" | "simd_reduce")
    )
}

/// Reports the tasks in code where a task may not stand.
fn misplaced(tokens: TokenStream, errors: &mut Vec<Error>) {
    let Ok(block) = syn::parse2::<Block>(quote::quote!({ #tokens })) else {
        return;
    };
    let mut finder = Finder::default();
    finder.visit_block(&block);
    for (at, context) in finder.found {
        let msg = match context {
            Some(Context::Closure) => {
                "a `#[task]` block cannot stand inside a closure or an async block: the closure could run at any time, even after the `#[taskgroup]` block has ended. Spawn the tasks from the group's own code, in a `for` loop rather than in `for_each`"
            }
            Some(Context::DirectiveLoop) => {
                "a `#[task]` block inside a `#[parallel_for]` loop belongs to a `#[taskgroup]` block inside the loop's body: the iterations run on several threads, and a task of a group outside the loop would outlive its iteration. Put a `#[taskgroup] { .. }` block in the body, around the tasks"
            }
            None => {
                "a `#[task]` block stands as a statement: of the `#[taskgroup]` block, or of a block, loop, `if` or `match` arm inside it, not inside another expression"
            }
        };
        errors.push(Error::new_spanned(at, msg));
    }
}

/// `#[critical]` and `#[atomic]` outside a `#[parallel_for]` loop: they
/// belong to loops; tasks share data through a `Mutex` or an atomic.
fn outside_loops(stmt: &Stmt, errors: &mut Vec<Error>) {
    struct Look<'e> {
        in_loop: usize,
        errors: &'e mut Vec<Error>,
    }
    impl<'ast> Visit<'ast> for Look<'_> {
        fn visit_expr(&mut self, e: &'ast Expr) {
            if let Expr::ForLoop(f) = e
                && f.attrs.iter().any(is_loop_directive)
            {
                self.in_loop += 1;
                visit::visit_expr(self, e);
                self.in_loop -= 1;
                return;
            }
            if self.in_loop == 0 {
                for name in ["critical", "atomic"] {
                    if facts::has_directive(e, name) {
                        let msg = match name {
                            "critical" => {
                                "`#[critical]` protects a block inside a `#[parallel_for]` loop; tasks share data through a `std::sync::Mutex` declared before the `#[taskgroup]` block (lock it in each task), or each write a variable of their own"
                            }
                            _ => {
                                "`#[atomic]` updates a variable inside a `#[parallel_for]` loop; tasks share a counter through an atomic type declared before the `#[taskgroup]` block (`AtomicU64` and its `fetch_add`), or each write a variable of their own"
                            }
                        };
                        self.errors.push(Error::new_spanned(e, msg));
                        return;
                    }
                }
            }
            visit::visit_expr(self, e);
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    Look { in_loop: 0, errors }.visit_stmt(stmt);
}

#[cfg(test)]
mod tests {
    use super::tidy;

    #[test]
    fn tidy_removes_the_spaces_show_leaves() {
        assert_eq!(
            tidy("total += x.iter().sum::< u64 >()"),
            "total += x.iter().sum::<u64>()"
        );
        assert_eq!(
            tidy("x.iter().map(| v | v * scale)"),
            "x.iter().map(|v| v * scale)"
        );
        assert_eq!(tidy("big.push(* v)"), "big.push(*v)");
        assert_eq!(tidy("a = - b * c | d"), "a = -b * c | d");
        assert_eq!(tidy("f(| a, b | a < b)"), "f(|a, b| a < b)");
    }
}
