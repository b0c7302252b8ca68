//! The iteration space of a loop, as code: the values of a range loop
//! (`Seq`), of a collapsed nest (`Flat2`, or the flattened product), and
//! the slices an iterator loop walks, with each chunk's loop over them.

use crate::loop_form::{Adapter, Header, Item, LoopForm, NdAxis, Nest, Source};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::Ident;

/// The iteration space of a loop, as code.
pub struct Space {
    /// Statements before the loop that define `__seq` (and the slices).
    pub setup: TokenStream,
    /// Handles of the slices an iterator loop writes (`iter_mut`, `chunks_mut`).
    pub handles: Vec<TokenStream>,
    /// Their windows, in the same order.
    pub windows: Vec<Ident>,
    /// An iterator loop's item for iteration `__t`.
    pub item: TokenStream,
}

impl Space {
    /// The space of `form`: its iteration numbers run through `seq`; an
    /// iterator loop's item for iteration `t`.
    pub fn new(
        form: &Header,
        seq: &Ident,
        t: &Ident,
        flat_width: Option<&syn::Expr>,
        nested: bool,
    ) -> Space {
        match form {
            Header::Range(form) => Space::range(form, seq),
            Header::Nest(nest) => Space::nest(nest, seq, flat_width, nested),
            Header::Iter(form) => Space::iter(form, seq, t),
        }
    }

    // Input:  for i in (a..b).step_by(k)
    // Output: let __seq = Seq::range(a, b).step_by(k);
    fn range(form: &LoopForm, seq: &Ident) -> Space {
        let values = seq_expr(form);
        Space {
            setup: quote!(let #seq = #values;),
            handles: Vec::new(),
            windows: Vec::new(),
            item: TokenStream::new(),
        }
    }

    // Input:  collapse(2): for i in a..b { for j in c..d { .. } }
    // Output: let __s0 = Seq::range(a, b); let __s1 = Seq::range(c, d);
    //         let __seq = Flat2::new(__s0, __s1, <row length of the writes>);
    // (deeper nests: `Seq::range(0, nest_len(..))` over the flattened space)
    fn nest(nest: &Nest, seq: &Ident, flat_width: Option<&syn::Expr>, nested: bool) -> Space {
        let m = Span::mixed_site();
        let private = quote!(::parallel::__private);
        let mut setup = TokenStream::new();
        let seqs: Vec<Ident> = (0..nest.loops.len())
            .map(|k| format_ident!("__s{}", k, span = m))
            .collect();
        for (form, s) in nest.loops.iter().zip(&seqs) {
            let values = seq_expr(form);
            setup.extend(quote!(let #s = #values;));
        }
        match seqs.as_slice() {
            [s0, s1] => {
                // The row length of `c[i * m + j]`, or for nested
                // containers alone one that holds every `j`.
                let width = match flat_width {
                    Some(w) => quote!(#w),
                    None if nested => quote!(#private::index_span(&#s1)),
                    None => quote!(0usize),
                };
                let fw = Ident::new("__fw", m);
                setup.extend(quote! {
                    let #fw: usize = #width;
                    let #seq = #private::Flat2::new(#s0, #s1, #fw);
                });
            }
            _ => setup.extend(quote! {
                let #seq = #private::Seq::range(0usize, #private::nest_len(&[ #(#seqs.len(),)* ]));
            }),
        }
        Space {
            setup,
            handles: Vec::new(),
            windows: Vec::new(),
            item: TokenStream::new(),
        }
    }

    // Input:  for (i, (x, y)) in xs.iter().zip(ys.iter_mut()).enumerate()
    // Output: let __src0 = &(xs)[..];
    //         let __h1 = (ys).__parallel_elem_handle();
    //         let __seq = Seq::range(0usize, min(__src0.len(), __h1.elements()));
    //         ... per iteration: let (i, (x, y)) = (__t, (&__src0[__t], &mut __iw1[__t]));
    fn iter(form: &crate::loop_form::IterForm, seq: &Ident, t: &Ident) -> Space {
        let mut space = Space {
            setup: TokenStream::new(),
            handles: Vec::new(),
            windows: Vec::new(),
            item: TokenStream::new(),
        };
        let mut lens = Vec::new();
        let mut items = Vec::new();
        for (k, source) in form.sources.iter().enumerate() {
            let (len, item) = space.source(k, source, t);
            lens.push(len);
            items.push(item);
        }
        let len = lens
            .into_iter()
            .reduce(|a, b| quote!(::core::cmp::min(#a, #b)))
            .unwrap_or_else(|| quote!(0usize));
        space
            .setup
            .extend(quote!(let #seq = ::parallel::__private::Seq::range(0usize, #len);));
        space.item = item_expr(&form.item, &items, t);
        space
    }

    /// One slice an iterator loop walks: its setup (and handle, for one it
    /// writes), its length and its item at iteration `t`.
    fn source(&mut self, k: usize, source: &Source, t: &Ident) -> (TokenStream, TokenStream) {
        let m = Span::mixed_site();
        let private = quote!(::parallel::__private);
        let [src, h, w, chunk] =
            ["__src", "__ih", "__iw", "__k"].map(|p| format_ident!("{}{}", p, k, span = m));
        match source {
            // The collection is evaluated once, checked to be a slice type
            // itself (no deref), and cut to a slice.
            Source::Iter(e) | Source::Chunks(e, _) => {
                self.setup.extend(quote! {
                    let #src = &(#e);
                    #private::assert_slice(#src);
                    let #src: &[_] = &#src[..];
                });
                match source {
                    Source::Chunks(_, size) => {
                        self.setup.extend(quote!(let #chunk: usize = #size;));
                        (
                            quote!(#private::chunk_count(#src.len(), #chunk)),
                            quote!(#private::chunk(#src, #chunk, #t)),
                        )
                    }
                    _ => (quote!(#src.len()), quote!(&#src[#t])),
                }
            }
            Source::IterMut(e) => {
                self.setup.extend(quote! {
                    #private::assert_split(&(#e));
                    let #h = (#e).__parallel_elem_handle();
                });
                self.handles.push(quote!(#h));
                self.windows.push(w.clone());
                (quote!(#h.elements()), quote!(&mut #w[#t]))
            }
            Source::ChunksMut(e, size) => {
                self.setup.extend(quote! {
                    #private::assert_split(&(#e));
                    let #chunk: usize = #size;
                    let #h = (#e).__parallel_row_handle(#chunk);
                });
                self.handles.push(quote!(#h));
                self.windows.push(w.clone());
                (quote!(#h.rows()), quote!(#w.__parallel_row(#t)))
            }
            // An ndarray array's sub-views along an axis, read-only.
            Source::Lanes(e, axis) => {
                let check = match axis {
                    NdAxis::Rows => quote!(assert_nd_rows),
                    _ => quote!(assert_nd_view),
                };
                let axis = nd_axis(axis);
                self.setup.extend(quote! {
                    let #src = &(#e);
                    #private::#check(#src);
                    let #chunk: usize = #axis;
                });
                (
                    quote!(#private::nd_lanes(#src, #chunk)),
                    quote!(#private::nd_lane(#src, #chunk, #t)),
                )
            }
            // Mutably: a handle that splits the array along the axis, each
            // chunk's window its slab.
            Source::LanesMut(e, axis) => {
                let rows = matches!(axis, NdAxis::Rows);
                let axis = nd_axis(axis);
                self.setup.extend(quote! {
                    #private::assert_split(&(#e));
                    let #chunk: usize = #axis;
                });
                self.setup.extend(if rows {
                    quote!(let #h = (#e).__parallel_rows_handle();)
                } else {
                    quote!(let #h = (#e).__parallel_axis_handle(#chunk);)
                });
                self.handles.push(quote!(#h));
                self.windows.push(w.clone());
                (quote!(#h.elements()), quote!(#w.__parallel_sub(#t)))
            }
        }
    }
}

/// The axis of an ndarray loop form, as a `usize`.
fn nd_axis(axis: &NdAxis) -> TokenStream {
    match axis {
        NdAxis::Rows | NdAxis::Outer => quote!(0usize),
        NdAxis::Given(ax) => quote!((#ax).index()),
    }
}

/// The chunk `__lo..__hi` of a `collapse(n)` nest: the flattened iterations
/// are walked as runs of the innermost loop, each with its outer values.
///
/// Input:  for i in s0 { for j in s1 { body } }   (chunk lo..hi)
/// Output: let mut __t = lo;
///         while __t < hi {
///             let __u0 = __t % n1; let i = __s0.get(__t / n1);
///             let __end = min(n1, __u0 + (hi - __t));
///             for j in <s1 over __u0..__end> body
///             __t += __end - __u0;
///         }
pub fn nest_loop(nest: &Nest, lo: &Ident, hi: &Ident, body: &syn::Block) -> TokenStream {
    let m = Span::mixed_site();
    let some = quote!(::core::option::Option::Some);
    let none = quote!(::core::option::Option::None);
    let seqs: Vec<Ident> = (0..nest.loops.len())
        .map(|k| format_ident!("__s{}", k, span = m))
        .collect();
    let [t, u, u0, end, rest, range] =
        ["__t", "__u", "__u0", "__end", "__rest", "__range"].map(|n| Ident::new(n, m));
    let (Some((inner_seq, outer_seqs)), Some((inner, outer))) =
        (seqs.split_last(), nest.loops.split_last())
    else {
        return TokenStream::new();
    };
    // The outer values, innermost-but-one first: k-th from `__rest`.
    let mut outer_bindings = TokenStream::new();
    for (s, form) in outer_seqs.iter().zip(outer).rev() {
        let pat = &form.pat;
        outer_bindings.extend(quote! {
            let #pat = #s.get(#rest % #s.len());
            let #rest = #rest / #s.len();
        });
    }
    let pat = &inner.pat;
    let label = &nest.label;
    let stmts = crate::kernel::spliced(body);
    quote! {
        let mut #t = #lo;
        while #t < #hi {
            let #u0 = #t % #inner_seq.len();
            let #rest = #t / #inner_seq.len();
            #outer_bindings
            let _ = #rest;
            let #end = ::core::cmp::min(#inner_seq.len(), #u0 + (#hi - #t));
            match #inner_seq.unit_range(#u0, #end) {
                #some(#range) => {
                    #label for #pat in #range #body
                }
                #none => {
                    #label for #u in #u0..#end {
                        let #pat = #inner_seq.get(#u);
                        #stmts
                    }
                }
            }
            #t += #end - #u0;
        }
    }
}

/// The values of a range loop: `Seq::range(a, b).step_by(k).rev()`, ….
pub fn seq_expr(form: &LoopForm) -> TokenStream {
    let (lo, hi) = (&form.lo, &form.hi);
    let ctor = if form.inclusive {
        quote!(range_inclusive)
    } else {
        quote!(range)
    };
    let adapters = form.adapters.iter().map(|ad| match ad {
        Adapter::StepBy(k) => quote!(.step_by(#k)),
        Adapter::Rev => quote!(.rev()),
    });
    quote!(::parallel::__private::Seq::#ctor(#lo, #hi) #(#adapters)*)
}

/// The item of iteration `t`: sources' elements, enumerated and zipped.
fn item_expr(item: &Item, sources: &[TokenStream], t: &Ident) -> TokenStream {
    match item {
        Item::Source(k) => sources.get(*k).cloned().unwrap_or_default(),
        Item::Enumerate(inner) => {
            let inner = item_expr(inner, sources, t);
            quote!((#t, #inner))
        }
        Item::Zip(a, b) => {
            let (a, b) = (item_expr(a, sources, t), item_expr(b, sources, t));
            quote!((#a, #b))
        }
    }
}
