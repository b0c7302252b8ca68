//! Names that patterns bind.

use std::collections::HashSet;
use syn::visit::Visit;
use syn::{Ident, Pat};

/// Every name a pattern binds (`(a, mut b)` binds `a` and `b`).
///
/// A pattern like `None` looks like a binding to the parser; counting it is
/// harmless here, where names are only compared with variables.
pub fn pat_names(pat: &Pat) -> Vec<Ident> {
    struct Names(Vec<Ident>);
    impl<'ast> Visit<'ast> for Names {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.push(p.ident.clone());
            syn::visit::visit_pat_ident(self, p);
        }
        // Paths inside patterns (`Foo::Bar`, consts) bind nothing.
        fn visit_expr(&mut self, _: &'ast syn::Expr) {}
    }
    let mut names = Names(Vec::new());
    names.visit_pat(pat);
    names.0
}

/// Every name bound anywhere in an item: parameters, `let`s, closure
/// parameters, loop variables, match arms. Used to tell a reduction on a
/// variable that exists from one on a name that was never declared.
pub fn bound_anywhere(item: &syn::Item) -> HashSet<String> {
    struct All(HashSet<String>);
    impl<'ast> Visit<'ast> for All {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.insert(p.ident.to_string());
            syn::visit::visit_pat_ident(self, p);
        }
        fn visit_receiver(&mut self, r: &'ast syn::Receiver) {
            self.0.insert("self".to_owned());
            syn::visit::visit_receiver(self, r);
        }
        fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
            self.0.insert(s.ident.to_string());
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
pub fn slice_names(item: &syn::Item) -> HashSet<String> {
    use syn::{Expr, Type};
    fn slice_type(ty: &Type) -> bool {
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
    fn slice_init(e: &Expr) -> bool {
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
                    matches!(
                        segs.iter()
                            .map(String::as_str)
                            .collect::<Vec<_>>()
                            .as_slice(),
                        ["Vec", "new" | "with_capacity"]
                    )
                }
                _ => false,
            },
            _ => false,
        }
    }
    struct Slices {
        yes: HashSet<String>,
        no: HashSet<String>,
    }
    impl Slices {
        fn note(&mut self, pat: &Pat, is_slice: bool) {
            let names = pat_names(pat);
            let single = matches!(pat, Pat::Ident(_))
                || matches!(pat, Pat::Type(t) if matches!(&*t.pat, Pat::Ident(_)));
            for n in names {
                if is_slice && single {
                    self.yes.insert(n.to_string());
                } else {
                    self.no.insert(n.to_string());
                }
            }
        }
    }
    impl<'ast> Visit<'ast> for Slices {
        fn visit_pat_type(&mut self, p: &'ast syn::PatType) {
            self.note(&p.pat, slice_type(&p.ty));
        }
        fn visit_local(&mut self, l: &'ast syn::Local) {
            let by_init = l.init.as_ref().is_some_and(|i| slice_init(&i.expr));
            match &l.pat {
                Pat::Type(t) => self.note(&t.pat, slice_type(&t.ty)),
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
            self.no.insert(p.ident.to_string());
            syn::visit::visit_pat_ident(self, p);
        }
    }
    let mut all = Slices {
        yes: HashSet::new(),
        no: HashSet::new(),
    };
    all.visit_item(item);
    all.yes.retain(|n| !all.no.contains(n));
    all.yes
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    #[test]
    fn collects_bindings() {
        let p: Pat = parse_quote!((a, mut b, Some(c), S { d, e: f }));
        let names: Vec<String> = pat_names(&p).iter().map(|i| i.to_string()).collect();
        assert_eq!(names, ["a", "b", "c", "d", "f"]);
        let item: syn::Item = parse_quote! {
            fn f(x: u32, (y, z): (u8, u8)) { let w = 1; let g = |v| v; for k in 0..1 {} match 1 { m => {} } }
        };
        let all = bound_anywhere(&item);
        for n in ["x", "y", "z", "w", "g", "v", "k", "m"] {
            assert!(all.contains(n), "{n}");
        }
        assert!(!all.contains("f"));
    }

    #[test]
    fn slice_names_need_every_binding_to_be_one() {
        let item: syn::Item = parse_quote! {
            fn f(a: &[f64], b: &mut Vec<u8>, c: [i32; 4], d: Arc<Vec<f64>>, e: &[u8], g: Box<[u8]>) {
                let h = vec![0.0; 3];
                let k: Vec<f64> = make();
                let m = Vec::new();
                let e = other();
                let n = something();
                for p in 0..3 {}
            }
        };
        let mut names: Vec<String> = slice_names(&item).into_iter().collect();
        names.sort();
        assert_eq!(names, ["a", "b", "c", "g", "h", "k", "m"]);
    }
}
