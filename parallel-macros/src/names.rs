//! Names as rustc resolves them.
//!
//! A body's names are compared as rustc compares them: `r#i` is `i`. A name
//! is bound by `let` (for the statements after it), by `if let` / `while
//! let` (in what they guard), by `match` arms, closure parameters and inner
//! `for` loops (in their bodies), and by the `const`, `static` and `fn`
//! items of a block (in the whole block, before their declaration too).
//! What no binding of the body claims is the loop variable or a variable
//! captured from outside the loop.

use std::collections::HashSet;
use std::fmt;
use syn::ext::IdentExt;
use syn::visit::Visit;
use syn::{Ident, Item, Pat, Stmt, UseTree};

/// An identifier as rustc compares it: `r#i` and `i` are one name.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Name(String);

impl Name {
    pub fn of(id: &Ident) -> Name {
        Name(id.unraw().to_string())
    }

    /// A field's name: `x` in `p.x`, `0` in `t.0`.
    pub fn of_member(m: &syn::Member) -> Name {
        match m {
            syn::Member::Named(id) => Name::of(id),
            syn::Member::Unnamed(ix) => Name(ix.index.to_string()),
        }
    }

    /// `self`, which a method's body uses like a captured variable.
    pub fn self_value() -> Name {
        Name("self".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Upper-case names are constants, statics and unit structs by
    /// convention, not variables.
    pub fn looks_like_a_constant(&self) -> bool {
        self.0.starts_with(|c: char| c.is_uppercase())
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Every name a pattern binds (`(a, mut b)` binds `a` and `b`).
///
/// A pattern like `None` looks like a binding to the parser; counting it
/// only makes the analysis treat more names as the iteration's own, which
/// rejects rather than accepts.
pub fn pattern_bindings(pat: &Pat) -> Vec<Ident> {
    struct Names(Vec<Ident>);
    impl<'ast> Visit<'ast> for Names {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.push(p.ident.clone());
            syn::visit::visit_pat_ident(self, p);
        }
        // Paths and constants inside patterns bind nothing.
        fn visit_expr(&mut self, _: &'ast syn::Expr) {}
    }
    let mut names = Names(Vec::new());
    names.visit_pat(pat);
    names.0
}

/// The names that the items among `stmts` bind for the whole block: `const`,
/// `static`, `fn`, unit and tuple structs, and the names `use` brings in.
pub fn item_bindings(stmts: &[Stmt]) -> Vec<Ident> {
    fn use_names(tree: &UseTree, out: &mut Vec<Ident>) {
        match tree {
            UseTree::Path(p) => use_names(&p.tree, out),
            UseTree::Name(n) => out.push(n.ident.clone()),
            UseTree::Rename(r) => out.push(r.rename.clone()),
            UseTree::Glob(_) => {}
            UseTree::Group(g) => g.items.iter().for_each(|t| use_names(t, out)),
        }
    }
    let mut out = Vec::new();
    for stmt in stmts {
        let Stmt::Item(item) = stmt else { continue };
        match item {
            Item::Const(c) => out.push(c.ident.clone()),
            Item::Static(s) => out.push(s.ident.clone()),
            Item::Fn(f) => out.push(f.sig.ident.clone()),
            Item::Struct(s) if !matches!(s.fields, syn::Fields::Named(_)) => {
                out.push(s.ident.clone());
            }
            Item::Use(u) => use_names(&u.tree, &mut out),
            _ => {}
        }
    }
    out
}

/// Names bound inside a body, innermost scope last.
#[derive(Default)]
pub struct Scopes {
    frames: Vec<HashSet<Name>>,
}

impl Scopes {
    pub fn push(&mut self, names: impl IntoIterator<Item = Ident>) {
        self.frames
            .push(names.into_iter().map(|n| Name::of(&n)).collect());
    }

    pub fn pop(&mut self) {
        self.frames.pop();
    }

    /// Binds `names` in the innermost scope, for what follows in it.
    pub fn bind(&mut self, names: impl IntoIterator<Item = Ident>) {
        if let Some(frame) = self.frames.last_mut() {
            frame.extend(names.into_iter().map(|n| Name::of(&n)));
        }
    }

    pub fn is_bound(&self, name: &Name) -> bool {
        self.frames.iter().any(|f| f.contains(name))
    }
}

/// The names bound anywhere in an item: parameters, `let`s, closure
/// parameters, loop variables, match arms and statics. Used to tell a
/// reduction on a variable that exists from one on a name never declared.
pub fn bound_anywhere(item: &Item) -> HashSet<Name> {
    struct All(HashSet<Name>);
    impl<'ast> Visit<'ast> for All {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.insert(Name::of(&p.ident));
            syn::visit::visit_pat_ident(self, p);
        }
        fn visit_receiver(&mut self, r: &'ast syn::Receiver) {
            self.0.insert(Name::self_value());
            syn::visit::visit_receiver(self, r);
        }
        fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
            self.0.insert(Name::of(&s.ident));
            syn::visit::visit_item_static(self, s);
        }
    }
    let mut all = All(HashSet::new());
    all.visit_item(item);
    all.0
}

/// The names the item binds to a slice, array, `Vec` or `Box<[T]>` (by
/// value or behind a reference) every time it binds them: parameters and
/// `let`s with such a type, `let`s of `vec![..]`, `Vec::new()` and the like,
/// and array literals. A name also bound to anything else is left out.
/// These are the arrays a `parallel_for` without `simd` may cut for reading:
/// a cut needs a slice, and the macro sees no types.
pub fn slice_names(item: &Item) -> HashSet<Name> {
    names_typed(item, slice_type, slice_init)
}

/// The names the item binds, every time, to a slice (array, `Vec`, ..) of
/// slices: `&[Vec<f64>]`, `Vec<Vec<f64>>`, `[[f64; 4]; 4]`, `vec![vec![..]; n]`.
/// Their rows can be cut for an inner loop's reads (`a[i][k]`).
pub fn nested_slice_names(item: &Item) -> HashSet<Name> {
    fn nested_type(ty: &syn::Type) -> bool {
        element_type(ty).is_some_and(slice_type)
    }
    fn nested_init(e: &syn::Expr) -> bool {
        match e {
            syn::Expr::Macro(m) if m.mac.path.is_ident("vec") => {
                let inner: Option<syn::Expr> = m
                    .mac
                    .parse_body_with(|input: syn::parse::ParseStream| {
                        let e: syn::Expr = input.parse()?;
                        let _: proc_macro2::TokenStream = input.parse()?;
                        Ok(e)
                    })
                    .ok();
                inner.is_some_and(|e| slice_init(&e))
            }
            _ => false,
        }
    }
    names_typed(item, nested_type, nested_init)
}

/// The element type of a slice-like type: `T` of `&[T]`, `Vec<T>`, `[T; N]`.
fn element_type(ty: &syn::Type) -> Option<&syn::Type> {
    use syn::Type;
    match ty {
        Type::Reference(r) => element_type(&r.elem),
        Type::Slice(s) => Some(&s.elem),
        Type::Array(a) => Some(&a.elem),
        Type::Paren(p) => element_type(&p.elem),
        Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?;
            let syn::PathArguments::AngleBracketed(a) = &last.arguments else {
                return None;
            };
            let first = a.args.iter().find_map(|arg| match arg {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            })?;
            match last.ident.to_string().as_str() {
                "Vec" => Some(first),
                "Box" => match first {
                    Type::Slice(s) => Some(&s.elem),
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}

/// The names bound, every time, by a typed pattern whose type `ty` accepts
/// or a `let` whose initializer `init` accepts.
fn names_typed(
    item: &Item,
    ty: fn(&syn::Type) -> bool,
    init: fn(&syn::Expr) -> bool,
) -> HashSet<Name> {
    struct Slices {
        yes: HashSet<Name>,
        no: HashSet<Name>,
        ty: fn(&syn::Type) -> bool,
        init: fn(&syn::Expr) -> bool,
    }
    impl Slices {
        fn note(&mut self, pat: &Pat, is_slice: bool) {
            let single = matches!(pat, Pat::Ident(_))
                || matches!(pat, Pat::Type(t) if matches!(&*t.pat, Pat::Ident(_)));
            for n in pattern_bindings(pat) {
                let set = if is_slice && single {
                    &mut self.yes
                } else {
                    &mut self.no
                };
                set.insert(Name::of(&n));
            }
        }
    }
    impl<'ast> Visit<'ast> for Slices {
        fn visit_pat_type(&mut self, p: &'ast syn::PatType) {
            self.note(&p.pat, (self.ty)(&p.ty));
        }
        fn visit_local(&mut self, l: &'ast syn::Local) {
            let by_init = l.init.as_ref().is_some_and(|i| (self.init)(&i.expr));
            match &l.pat {
                Pat::Type(t) => self.note(&t.pat, (self.ty)(&t.ty)),
                pat => self.note(pat, by_init),
            }
            // The pattern is noted; what is inside the initializer is not.
            if let Some(init) = &l.init {
                self.visit_expr(&init.expr);
                if let Some((_, diverge)) = &init.diverge {
                    self.visit_expr(diverge);
                }
            }
        }
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            // Any other binding (closure parameters, `for`, `match`, ..).
            self.no.insert(Name::of(&p.ident));
            syn::visit::visit_pat_ident(self, p);
        }
    }
    let mut all = Slices {
        yes: HashSet::new(),
        no: HashSet::new(),
        ty,
        init,
    };
    all.visit_item(item);
    all.yes.retain(|n| !all.no.contains(n));
    all.yes
}

fn slice_type(ty: &syn::Type) -> bool {
    use syn::Type;
    match ty {
        Type::Reference(r) => slice_type(&r.elem),
        Type::Slice(_) | Type::Array(_) => true,
        Type::Paren(p) => slice_type(&p.elem),
        Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return false;
            };
            match last.ident.to_string().as_str() {
                "Vec" => true,
                "Box" => match &last.arguments {
                    syn::PathArguments::AngleBracketed(a) => a
                        .args
                        .iter()
                        .any(|arg| matches!(arg, syn::GenericArgument::Type(Type::Slice(_)))),
                    _ => false,
                },
                _ => false,
            }
        }
        _ => false,
    }
}

fn slice_init(e: &syn::Expr) -> bool {
    use syn::Expr;
    match e {
        Expr::Macro(m) => m.mac.path.is_ident("vec"),
        Expr::Array(_) | Expr::Repeat(_) => true,
        Expr::Reference(r) => slice_init(&r.expr),
        Expr::Call(c) => match &*c.func {
            Expr::Path(p) => {
                let segs: Vec<String> = p
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                segs.len() == 2
                    && segs[0] == "Vec"
                    && (segs[1] == "new" || segs[1] == "with_capacity")
            }
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn strings(ids: Vec<Ident>) -> Vec<String> {
        ids.iter().map(|i| Name::of(i).to_string()).collect()
    }

    #[test]
    fn raw_identifiers_are_their_names() {
        let a: Ident = parse_quote!(r#i);
        let b: Ident = parse_quote!(i);
        assert_eq!(Name::of(&a), Name::of(&b));
        let p: Pat = parse_quote!((r#a, mut b, Some(c), S { d, e: f }));
        assert_eq!(strings(pattern_bindings(&p)), ["a", "b", "c", "d", "f"]);
    }

    #[test]
    fn items_bind_their_names() {
        let block: syn::Block = parse_quote!({
            let x = 1;
            const N: usize = 3;
            static r#S: u8 = 0;
            fn i() {}
            struct Unit;
            struct Named {
                a: u8,
            }
            use std::f64::consts::{E, PI as k};
        });
        assert_eq!(
            strings(item_bindings(&block.stmts)),
            ["N", "S", "i", "Unit", "E", "k"]
        );
    }

    #[test]
    fn bound_anywhere_and_slice_names() {
        let item: Item = parse_quote! {
            fn f(x: u32, (y, z): (u8, u8)) { let w = 1; let g = |v| v; for k in 0..1 {} match 1 { m => {} } }
        };
        let all = bound_anywhere(&item);
        for n in ["x", "y", "z", "w", "g", "v", "k", "m"] {
            assert!(all.contains(&Name(n.to_owned())), "{n}");
        }
        let item: Item = parse_quote! {
            fn f(a: &[f64], b: &mut Vec<u8>, c: [i32; 4], d: Arc<Vec<f64>>, e: &[u8], g: Box<[u8]>) {
                let h = vec![0.0; 3];
                let k: Vec<f64> = make();
                let m = Vec::new();
                let e = other();
                let n = something();
                for p in 0..3 {}
            }
        };
        let mut names: Vec<String> = slice_names(&item).into_iter().map(|n| n.0).collect();
        names.sort();
        assert_eq!(names, ["a", "b", "c", "g", "h", "k", "m"]);
    }
}
