//! The member's accumulator: one slot per reduction, private and
//! lastprivate variable. Each member starts from `init`, every chunk takes
//! the accumulator and hands it back, and the members' accumulators are
//! combined in a fixed tree, then folded into the variables once.
//!
//! Before the loop each variable is held by `&mut` (`__hold_x`) until the
//! fold: the body works on the copies, and any other use of the variable
//! during the loop (a closure made before it, say) is a borrow error, not a
//! stale read.

use crate::clause::{Clauses, ReduceOp, Reduction};
use crate::names::Name;
use crate::rewrite::{lastprivate_flag, loc_flag};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use std::collections::{BTreeMap, HashSet};
use syn::Ident;

/// One variable of the accumulator.
pub enum Slot<'a> {
    /// `reduction(op: v)`: a copy filled with the identity, combined by `op`.
    Reduce(&'a Reduction),
    /// `reduction(minloc: v)`: a copy of `v` and whether the member took a
    /// value; ties go to the larger index when the flag says so.
    Loc {
        var: &'a Ident,
        min: bool,
        ties_to_larger: bool,
    },
    /// `private(v)` / `firstprivate(v)`: a clone per member, dropped after;
    /// whether the body writes it (a variable it only reads needs no hold).
    Private(&'a Ident, bool),
    /// `lastprivate(v)`: a clone per member, with the end of the last chunk
    /// that assigned it; the latest one is copied out.
    Last(&'a Ident),
    /// `reduction(inscan, op: v)`: every chunk starts from its block's
    /// prefix and ends with the prefix through its last iteration; the
    /// latest chunk's is the result.
    Scan(&'a Reduction),
}

/// `::parallel::__private` with the span of `at`, so that a bound the
/// call does not meet is reported there.
fn private_at(at: Span) -> TokenStream {
    quote_spanned!(at=> ::parallel::__private)
}

impl<'a> Slot<'a> {
    /// The slots of a loop's clauses, with the tie rule of each minloc /
    /// maxloc variable.
    pub fn all(
        clauses: &'a Clauses,
        ties: &BTreeMap<Name, bool>,
        written: &HashSet<Name>,
    ) -> Vec<Slot<'a>> {
        let mut slots: Vec<Slot> = clauses
            .reductions
            .iter()
            .map(|r| match r.op {
                _ if r.inscan.is_some() => Slot::Scan(r),
                ReduceOp::MinLoc | ReduceOp::MaxLoc => Slot::Loc {
                    var: &r.var,
                    min: matches!(r.op, ReduceOp::MinLoc),
                    ties_to_larger: ties.get(&Name::of(&r.var)).copied().unwrap_or(false),
                },
                _ => Slot::Reduce(r),
            })
            .collect();
        for v in clauses.private.iter().chain(&clauses.firstprivate) {
            if !clauses.lastprivate.contains(v) {
                slots.push(Slot::Private(v, written.contains(&Name::of(v))));
            }
        }
        slots.extend(clauses.lastprivate.iter().map(Slot::Last));
        slots
    }

    /// A user reducer's partials, kept in the loop's order.
    fn ordered(&self) -> bool {
        matches!(
            self,
            Slot::Reduce(Reduction {
                op: ReduceOp::User(_),
                ..
            })
        )
    }

    /// The member's ordered partials of a user reducer.
    fn runs(&self) -> Ident {
        format_ident!(
            "__runs_{}",
            Name::of(self.var()).as_str(),
            span = Span::mixed_site()
        )
    }

    pub fn var(&self) -> &'a Ident {
        match self {
            Slot::Reduce(r) | Slot::Scan(r) => &r.var,
            Slot::Loc { var, .. } | Slot::Private(var, _) | Slot::Last(var) => var,
        }
    }

    /// The `&mut` that holds the variable during the loop.
    pub fn hold(&self) -> Ident {
        let v = self.var();
        format_ident!(
            "__hold_{}",
            Name::of(v).as_str(),
            span = Span::mixed_site().located_at(v.span())
        )
    }

    /// The local that holds a user-defined reducer's functions.
    pub fn user_local(&self) -> Ident {
        let v = self.var();
        format_ident!(
            "__red_{}",
            Name::of(v).as_str(),
            span = Span::mixed_site().located_at(v.span())
        )
    }

    /// Before the loop: a user-defined reducer is checked once against the
    /// variable's type (so that one that does not fit is one error); then
    /// the variable is held.
    pub fn setup(&self) -> TokenStream {
        let (v, hold) = (self.var(), self.hold());
        let p = private_at(v.span());
        let local = self.user_local();
        let check = match self {
            Slot::Reduce(Reduction {
                op: ReduceOp::User(path),
                ..
            })
            | Slot::Scan(Reduction {
                op: ReduceOp::User(path),
                ..
            }) => {
                quote_spanned!(v.span()=> let #local = #p::Ty::of(&#v).user_reduction::<#path>();)
            }
            Slot::Reduce(r) | Slot::Scan(r) => {
                let marker = r.op.marker_at(v.span()).unwrap_or_default();
                quote_spanned!(v.span()=> let #local = #p::builtin_reduction(#marker, &*#hold);)
            }
            Slot::Loc { .. } => quote_spanned!(v.span()=> #p::assert_loc(&#v);),
            _ => TokenStream::new(),
        };
        match self {
            Slot::Reduce(r) | Slot::Scan(r) if !matches!(r.op, ReduceOp::User(_)) => {
                quote_spanned! {v.span()=>
                    let #hold = #v.__parallel_hold();
                    #check
                }
            }
            // Only read: the copies equal it, and nothing is held.
            Slot::Private(_, false) => quote_spanned!(v.span()=> let #hold = &#v;),
            _ => quote_spanned! {v.span()=>
                #check
                let #hold = #v.__parallel_hold();
            },
        }
    }

    /// A member's starting copy (once per member, before its first chunk).
    pub fn init(&self) -> TokenStream {
        let (v, hold) = (self.var(), self.hold());
        let clone = quote_spanned!(v.span()=> ::core::clone::Clone::clone(&*#hold));
        match self {
            Slot::Reduce(r) => {
                let local = self.user_local();
                match r.op {
                    ReduceOp::User(_) => quote_spanned!(v.span()=> #local.runs()),
                    _ => quote_spanned!(v.span()=> #local.private(&*#hold)),
                }
            }
            Slot::Loc { .. } => quote!((#clone, false)),
            Slot::Private(..) => {
                let p = private_at(v.span());
                quote_spanned!(v.span()=> #p::PrivateCopy::__parallel_copy(&*#hold))
            }
            Slot::Last(_) | Slot::Scan(_) => {
                quote!((#clone, ::core::option::Option::<usize>::None))
            }
        }
    }

    /// A scan variable's copy at the start of a block of its first pass.
    pub fn scan_start(&self) -> TokenStream {
        let (v, hold) = (self.var(), self.hold());
        let local = self.user_local();
        match self {
            Slot::Scan(Reduction {
                op: ReduceOp::User(_),
                ..
            }) => quote_spanned!(v.span()=> #local.private()),
            _ => quote_spanned!(v.span()=> #local.private(&*#hold)),
        }
    }

    /// Two scan values combined in order, for the totals of the blocks.
    pub fn scan_combine(&self, a: &Ident, b: &Ident) -> TokenStream {
        let v = self.var();
        let local = self.user_local();
        quote_spanned!(v.span()=> #local.combine(#a, #b))
    }

    pub fn combine(&self, a: &Ident, b: &Ident) -> TokenStream {
        let v = self.var();
        let p = private_at(v.span());
        match self {
            Slot::Reduce(_) if self.ordered() => {
                let local = self.user_local();
                quote_spanned!(v.span()=> #local.merge(#a, #b))
            }
            Slot::Reduce(_) => {
                let local = self.user_local();
                quote_spanned!(v.span()=> #local.combine(#a, #b))
            }
            Slot::Loc {
                min,
                ties_to_larger,
                ..
            } => quote_spanned!(v.span()=> #p::loc_combine(#a, #b, #min, #ties_to_larger)),
            Slot::Private(..) => quote!(#a),
            Slot::Last(_) | Slot::Scan(_) => quote_spanned!(v.span()=> #p::later(#a, #b)),
        }
    }

    /// The pattern that unpacks the slot into the body's variable.
    pub fn take(&self) -> TokenStream {
        let v = self.var();
        match self {
            Slot::Reduce(_) if self.ordered() => {
                let runs = self.runs();
                quote!(#runs)
            }
            Slot::Reduce(_) | Slot::Private(..) => quote!(mut #v),
            Slot::Loc { .. } => {
                let flag = loc_flag(&Name::of(v));
                quote!((mut #v, mut #flag))
            }
            Slot::Last(_) => {
                let mark =
                    format_ident!("__lpm_{}", Name::of(v).as_str(), span = Span::mixed_site());
                quote!((mut #v, #mark))
            }
            // Bound at the chunk's start, from its block's prefix
            // (`scan::chunk_start`): a value taken here would never be
            // read, which rustc up to 1.9x reports at the user's variable.
            Slot::Scan(_) => quote!((_, _)),
        }
    }

    /// Per chunk, before its iterations: a `lastprivate` variable's
    /// assigned-in-this-chunk flag.
    pub fn chunk_start(&self) -> TokenStream {
        match self {
            Slot::Reduce(_) if self.ordered() => {
                let (v, local) = (self.var(), self.user_local());
                quote_spanned!(v.span()=> #[allow(unused_mut)] let mut #v = #local.private();)
            }
            Slot::Last(v) => {
                let flag = lastprivate_flag(&Name::of(v));
                quote!(#[allow(unused_mut, unused_assignments)] let mut #flag = false;)
            }
            _ => TokenStream::new(),
        }
    }

    /// The slot packed again at the end of a chunk. A `lastprivate` copy
    /// records the end of the last chunk that assigned it: the copy with the
    /// highest mark holds the value of the sequentially last assignment.
    pub fn give(&self, lo: &Ident, hi: &Ident) -> TokenStream {
        let v = self.var();
        match self {
            Slot::Reduce(_) if self.ordered() => {
                let (local, runs) = (self.user_local(), self.runs());
                quote_spanned!(v.span()=> #local.push(#runs, #lo, #hi, #v))
            }
            Slot::Reduce(_) | Slot::Private(..) => quote!(#v),
            Slot::Loc { .. } => {
                let flag = loc_flag(&Name::of(v));
                quote!((#v, #flag))
            }
            Slot::Last(_) => {
                let mark =
                    format_ident!("__lpm_{}", Name::of(v).as_str(), span = Span::mixed_site());
                let flag = lastprivate_flag(&Name::of(v));
                quote!((#v, if #flag { ::core::option::Option::Some(#hi) } else { #mark }))
            }
            Slot::Scan(_) => quote!((#v, ::core::option::Option::Some(#hi))),
        }
    }

    /// After the loop: the combined slot into the variable.
    pub fn fold(&self, p: &Ident) -> TokenStream {
        let (v, hold) = (self.var(), self.hold());
        match self {
            Slot::Reduce(_) if self.ordered() => {
                let local = self.user_local();
                quote_spanned!(v.span()=> #local.finish(&mut *#hold, #p);)
            }
            Slot::Reduce(_) => {
                let local = self.user_local();
                quote_spanned!(v.span()=> #local.fold(&mut *#hold, #p);)
            }
            Slot::Private(..) => TokenStream::new(),
            Slot::Loc { .. } => quote_spanned! {v.span()=>
                if let (__value, true) = #p {
                    *#hold = __value;
                }
            },
            Slot::Last(_) | Slot::Scan(_) => quote_spanned! {v.span()=>
                if let (__value, ::core::option::Option::Some(_)) = #p {
                    *#hold = __value;
                }
            },
        }
    }
}

/// Locals `prefix0`, `prefix1`, … for the slots of the accumulator.
pub fn named(slots: &[Slot], prefix: &str) -> Vec<Ident> {
    (0..slots.len())
        .map(|k| format_ident!("{}{}", prefix, k, span = Span::mixed_site()))
        .collect()
}
