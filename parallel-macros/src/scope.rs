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
}
