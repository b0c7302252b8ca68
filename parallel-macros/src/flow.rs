//! Control flow that would leave an annotated loop's iteration part-way:
//! `break`, `continue` to an outer loop, `return`, `?` and `.await`. Shared
//! by `#[parallel_for]` (whose iterations run on several threads) and the
//! vectorized directives (whose iterations run side by side in lanes).

use syn::{Error, Label, Lifetime};

/// The directive whose body is checked, for the messages.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Directive {
    ParallelFor,
    Simd,
    SimdReduce,
    /// A block run as a task: `#[task]`, `#[section]`.
    Task(&'static str),
    /// The code of a `#[taskgroup]` or `#[sections]` block around its tasks.
    Group(&'static str),
}

impl Directive {
    /// As the user writes it: `#[parallel_for]`.
    pub fn name(self) -> &'static str {
        match self {
            Directive::ParallelFor => "#[parallel_for]",
            Directive::Simd => "#[simd]",
            Directive::SimdReduce => "#[simd_reduce]",
            Directive::Task(name) | Directive::Group(name) => name,
        }
    }

    /// Why control flow cannot leave a block directive, after "`return`
    /// cannot leave a `#[task]` block: ". `None` for the loops.
    fn block_reason(self) -> Option<&'static str> {
        match self {
            Directive::Task(_) => Some(
                "the task runs apart from the code around it (later, perhaps on another thread), so it cannot end that code's loop or function",
            ),
            Directive::Group(_) => Some(
                "the block ends only once every task spawned in it has finished, so nothing may jump out of it",
            ),
            _ => None,
        }
    }

    /// What to do instead, for a block directive.
    fn block_fix(self, what: &str) -> String {
        match self {
            // `continue` and `break` mean to skip the rest of the task.
            Directive::Task(_) if what == "skip" => "To skip the rest of the task, put it under an `if`; to act on what the task found, store it in a variable declared before the `#[taskgroup]` block, and act on it after the block".to_owned(),
            Directive::Task(_) => format!(
                "Store what the task found in a variable declared before the `#[taskgroup]` block, and {what} after the block"
            ),
            _ if what == "skip" => {
                "Set a variable inside the block and act on it after the block".to_owned()
            }
            _ => format!("Set a variable inside the block and {what} after it"),
        }
    }

    /// The message for `what` (`` `break` ``, ..) leaving a block
    /// directive, or `None` for the loops.
    fn block_message(self, what: &str, instead: &str) -> Option<String> {
        let reason = self.block_reason()?;
        Some(format!(
            "{what} cannot leave a `{}` block: {reason}. {}",
            self.name(),
            self.block_fix(instead)
        ))
    }

    /// How its iterations run, after "its iterations".
    fn run(self) -> &'static str {
        match self {
            Directive::ParallelFor | Directive::Task(_) | Directive::Group(_) => {
                "run at once on several threads"
            }
            _ => "run side by side in vector lanes",
        }
    }

    /// How its iterations run, after "the iterations".
    fn run_as(self) -> &'static str {
        match self {
            Directive::ParallelFor | Directive::Task(_) | Directive::Group(_) => {
                "run as tasks on several threads"
            }
            _ => "run side by side in vector lanes",
        }
    }

    /// The clause that finds a first match.
    fn first_match(self) -> &'static str {
        match self {
            Directive::ParallelFor => "`reduction(min: first)`",
            _ => "`#[simd_reduce(min: first)]`",
        }
    }
}

/// `break`, `break 'a` or `break value` as written, for messages.
fn show_break(e: &syn::ExprBreak) -> String {
    match (&e.label, &e.expr) {
        (Some(l), _) => format!("break {l}"),
        (None, Some(_)) => "break ..".to_owned(),
        (None, None) => "break".to_owned(),
    }
}

/// Where a walk is in the body: the loops, closures and labels around it.
pub struct Flow<'a> {
    pub directive: Directive,
    /// The annotated loop's own label.
    label: Option<&'a Lifetime>,
    /// Labels of loops and blocks inside the body around the current node.
    inner_labels: Vec<String>,
    /// Loops inside the body around the current node.
    loop_depth: usize,
    /// Closures and async blocks inside the body around the current node.
    closure_depth: usize,
    async_depth: usize,
}

impl<'a> Flow<'a> {
    pub fn new(directive: Directive, label: Option<&'a Lifetime>) -> Self {
        Flow {
            directive,
            label,
            inner_labels: Vec::new(),
            loop_depth: 0,
            closure_depth: 0,
            async_depth: 0,
        }
    }

    pub fn enter_loop(&mut self, label: Option<&Label>) {
        self.enter_block(label);
        self.loop_depth += 1;
    }

    pub fn exit_loop(&mut self, label: Option<&Label>) {
        self.loop_depth -= 1;
        self.exit_block(label);
    }

    /// A labelled block (`'a: { .. }`), which `break 'a` may leave.
    pub fn enter_block(&mut self, label: Option<&Label>) {
        if let Some(l) = label {
            self.inner_labels.push(l.name.ident.to_string());
        }
    }

    pub fn exit_block(&mut self, label: Option<&Label>) {
        if label.is_some() {
            self.inner_labels.pop();
        }
    }

    pub fn enter_closure(&mut self, is_async: bool) {
        self.closure_depth += 1;
        self.async_depth += usize::from(is_async);
    }

    pub fn exit_closure(&mut self, is_async: bool) {
        self.closure_depth -= 1;
        self.async_depth -= usize::from(is_async);
    }

    /// A `break` that would leave the annotated loop.
    pub fn check_break(&self, e: &syn::ExprBreak) -> Option<Error> {
        if self.closure_depth > 0 {
            return None;
        }
        let leaves = match &e.label {
            None => self.loop_depth == 0,
            Some(l) => !self.inner_labels.contains(&l.ident.to_string()),
        };
        if !leaves {
            return None;
        }
        let d = self.directive;
        if let Some(msg) = d.block_message(&format!("`{}`", show_break(e)), "skip") {
            return Some(Error::new_spanned(e, msg));
        }
        let (name, run) = (d.name(), d.run());
        let msg = match &e.label {
            None => format!(
                "`break` cannot leave a `{name}` loop: its iterations {run}, so there is no \"rest of the loop\" to skip. Use `continue` to end this iteration; to find the first match, use {} with `first = first.min(i)`",
                d.first_match()
            ),
            Some(l) => format!(
                "`break {l}` would leave the `{name}` loop: its iterations {run}, so it cannot stop part-way. Use `continue` to end this iteration, or set a per-iteration flag and act on it after the loop"
            ),
        };
        Some(Error::new_spanned(e, msg))
    }

    /// Whether a `continue` ends the current iteration of the annotated
    /// loop (`Ok(false)` for one of a loop inside the body); an error for
    /// one that targets a loop outside it.
    pub fn check_continue(&self, e: &syn::ExprContinue) -> Result<bool, Error> {
        if self.closure_depth > 0 {
            return Ok(false);
        }
        let block = |what: String| {
            let msg = self.directive.block_message(&what, "skip");
            msg.map(|msg| Error::new_spanned(e, msg))
        };
        let Some(l) = &e.label else {
            if self.loop_depth == 0
                && let Some(err) = block("`continue`".to_owned())
            {
                return Err(err);
            }
            return Ok(self.loop_depth == 0);
        };
        let name = l.ident.to_string();
        if self.inner_labels.contains(&name) {
            return Ok(false);
        }
        if let Some(err) = block(format!("`continue {l}`")) {
            return Err(err);
        }
        if self.label.is_some_and(|own| own.ident == l.ident) {
            return Ok(true);
        }
        Err(Error::new_spanned(
            e,
            format!(
                "`continue {l}` would leave the `{}` loop for an outer loop, but the iterations {}; use `continue` for this loop, or move the outer loop's work after it",
                self.directive.name(),
                self.directive.run_as()
            ),
        ))
    }

    pub fn check_return(&self, r: &syn::ExprReturn) -> Option<Error> {
        if self.closure_depth > 0 {
            return None;
        }
        if let Some(msg) = self.directive.block_message("`return`", "return") {
            return Some(Error::new_spanned(r, msg));
        }
        (self.closure_depth == 0).then(|| {
            Error::new_spanned(
                r,
                format!(
                    "`return` cannot leave a `{}` loop from inside its body: the iterations {}. Use `continue` to end this iteration, and return after the loop",
                    self.directive.name(),
                    self.directive.run_as()
                ),
            )
        })
    }

    pub fn check_try(&self, t: &syn::ExprTry) -> Option<Error> {
        if self.closure_depth > 0 {
            return None;
        }
        if let Some(msg) = self.directive.block_message(
            "`?` (which returns from the function on an error)",
            "check it",
        ) {
            return Some(Error::new(t.question_token.span, msg));
        }
        (self.closure_depth == 0).then(|| {
            Error::new(
                t.question_token.span,
                format!(
                    "the `?` operator would return from the function in the middle of a `{}` loop, whose iterations {}. Handle the error inside the body (`match`, `unwrap_or`), or store each iteration's result in an array (`results[i] = ..`) and check them after the loop",
                    self.directive.name(),
                    self.directive.run_as()
                ),
            )
        })
    }

    pub fn check_await(&self, a: &syn::ExprAwait) -> Option<Error> {
        let outside = match self.directive {
            Directive::ParallelFor => "the iterations run as plain tasks on a thread pool",
            Directive::Task(_) | Directive::Group(_) => {
                "its code runs as plain tasks on a thread pool"
            }
            _ => "the iterations run inside a vectorized kernel",
        };
        if matches!(self.directive, Directive::Task(_) | Directive::Group(_)) {
            return (self.async_depth == 0).then(|| {
                Error::new_spanned(
                    a,
                    format!(
                        "`.await` cannot appear in a `{}` block: {outside}, outside the async context. Await before or after the `#[taskgroup]` block",
                        self.directive.name()
                    ),
                )
            });
        }
        (self.async_depth == 0).then(|| {
            Error::new_spanned(
                a,
                format!(
                    "`.await` cannot appear in a `{}` body: {outside}, outside the async context. Await before or after the loop",
                    self.directive.name()
                ),
            )
        })
    }
}
