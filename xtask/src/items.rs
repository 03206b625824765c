//! A small textual matcher that finds where a Rust item is defined in a source file.
//!
//! It reads lines, not syntax: a definition is a line that, after optional indentation and
//! visibility (`pub`, `pub(crate)`, `pub(in path)`…), has optional `async`/`const`/`unsafe`
//! qualifiers, then one of `fn struct enum trait type const static mod union`, then the name
//! as a whole word; or `macro_rules! name`. A mere mention (`impl Name`, `use a::Name`) is not
//! a definition.
//!
//! `Type::method` names a `fn method` whose nearest preceding `impl` line mentions `Type` as a
//! whole word (`impl Type`, `impl<T> Trait for Type<T>`). Nested `impl` blocks inside function
//! bodies can fool this heuristic; that's acceptable for documentation links.

/// Keywords that introduce a definition.
const KINDS: [&str; 9] = [
    "fn", "struct", "enum", "trait", "type", "const", "static", "mod", "union",
];

/// Qualifiers that may precede a kind keyword.
const QUALIFIERS: [&str; 3] = ["async", "const", "unsafe"];

/// The 1-based line on which `item` (`Name` or `Type::method`) is defined in `source`.
pub(crate) fn find_item(source: &str, item: &str) -> Option<usize> {
    let line = match item.rsplit_once("::") {
        Some((ty, method)) => find_method(source, last_segment(ty), method),
        None => source.lines().position(|line| defines(line, item)),
    };
    line.map(|index| index + 1)
}

/// The 0-based line of `fn method` inside an `impl` block that mentions `ty`.
fn find_method(source: &str, ty: &str, method: &str) -> Option<usize> {
    let mut in_impl_of_ty = false;
    for (index, line) in source.lines().enumerate() {
        if is_impl_line(line) {
            in_impl_of_ty = mentions(line, ty);
        } else if in_impl_of_ty && defines(line, method) {
            return Some(index);
        }
    }
    None
}

/// The last `::`-separated segment of a path.
fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

/// Whether `line` defines an item called `name`.
fn defines(line: &str, name: &str) -> bool {
    let mut rest = strip_visibility(line.trim_start());
    if let Some(tail) = rest.strip_prefix("macro_rules!") {
        return starts_with_word(tail.trim_start(), name);
    }
    while let Some((word, tail)) = split_keyword(rest) {
        if KINDS.contains(&word) && starts_with_word(tail, name) {
            return true;
        }
        if !QUALIFIERS.contains(&word) {
            return false;
        }
        rest = tail;
    }
    false
}

/// Whether `line` opens an `impl` block (`impl Foo`, `impl<T> Foo<T>`).
fn is_impl_line(line: &str) -> bool {
    strip_visibility(line.trim_start())
        .strip_prefix("impl")
        .and_then(|tail| tail.chars().next())
        .is_some_and(|next| next == '<' || next.is_whitespace())
}

/// Removes a leading `pub`, `pub(crate)`, `pub(in some::path)`… and the space after it.
fn strip_visibility(line: &str) -> &str {
    let Some(rest) = line.strip_prefix("pub") else {
        return line;
    };
    if rest.starts_with(is_ident_char) {
        return line;
    }
    let rest = rest.trim_start();
    match rest.strip_prefix('(') {
        Some(group) => group
            .split_once(')')
            .map_or(rest, |(_, tail)| tail.trim_start()),
        None => rest,
    }
}

/// Splits a leading keyword followed by whitespace off `text`.
fn split_keyword(text: &str) -> Option<(&str, &str)> {
    let end = text.find(|c: char| !is_ident_char(c))?;
    let (word, tail) = text.split_at(end);
    let rest = tail.trim_start();
    (!word.is_empty() && rest.len() < tail.len()).then_some((word, rest))
}

/// Whether `text` starts with `word` not followed by an identifier character.
fn starts_with_word(text: &str, word: &str) -> bool {
    !word.is_empty()
        && text
            .strip_prefix(word)
            .is_some_and(|tail| !tail.starts_with(is_ident_char))
}

/// Whether `word` occurs in `line` with no identifier character on either side.
fn mentions(line: &str, word: &str) -> bool {
    line.match_indices(word).any(|(start, _)| {
        let before = line[..start].chars().next_back();
        !before.is_some_and(is_ident_char) && starts_with_word(&line[start..], word)
    })
}

/// Characters that may appear in a Rust identifier.
fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::find_item;

    const SOURCE: &str = "\
//! struct InDocs is not code.
use crate::other::Imported;

/// The breaker.
pub struct CircuitBreaker<C> {
    clock: C,
}

pub(crate) fn helper() {}
pub(in crate::a) const fn made_at_compile_time() -> u8 { 0 }
const MAX_CALLS: usize = 10;
    async fn indented_async() {}
enum State { Closed, Open }
macro_rules! bail_out { () => {}; }

impl<C: Clock> CircuitBreaker<C> {
    pub fn new(clock: C) -> Self { todo!() }
    pub fn call(&self) {}
}

impl Default for Config {
    fn new() -> Self { todo!() }
}

impl CircuitBreakerLayer {
    fn call(&self) {}
}
";

    #[test]
    fn finds_definitions_with_their_line() {
        assert_eq!(find_item(SOURCE, "CircuitBreaker"), Some(5));
        assert_eq!(find_item(SOURCE, "helper"), Some(9));
        assert_eq!(find_item(SOURCE, "made_at_compile_time"), Some(10));
        assert_eq!(find_item(SOURCE, "MAX_CALLS"), Some(11));
        assert_eq!(find_item(SOURCE, "indented_async"), Some(12));
        assert_eq!(find_item(SOURCE, "State"), Some(13));
        assert_eq!(find_item(SOURCE, "bail_out"), Some(14));
    }

    #[test]
    fn rejects_mentions_prefixes_and_comments() {
        assert_eq!(find_item(SOURCE, "Circuit"), None, "word boundary");
        assert_eq!(find_item(SOURCE, "help"), None, "word boundary");
        assert_eq!(
            find_item(SOURCE, "Imported"),
            None,
            "a `use` is not a definition"
        );
        assert_eq!(
            find_item(SOURCE, "Config"),
            None,
            "an `impl` is not a definition"
        );
        assert_eq!(find_item(SOURCE, "InDocs"), None, "comments are not code");
        assert_eq!(find_item(SOURCE, "clock"), None, "fields are not items");
        assert_eq!(find_item("pubfn helper() {}", "helper"), None);
    }

    #[test]
    fn finds_methods_inside_the_types_impl() {
        assert_eq!(find_item(SOURCE, "CircuitBreaker::new"), Some(17));
        assert_eq!(find_item(SOURCE, "CircuitBreaker::call"), Some(18));
        assert_eq!(find_item(SOURCE, "CircuitBreakerLayer::call"), Some(26));
        assert_eq!(
            find_item(SOURCE, "crate::breaker::CircuitBreaker::call"),
            Some(18)
        );
        assert_eq!(
            find_item(SOURCE, "Config::new"),
            Some(22),
            "trait impl for the type"
        );
        assert_eq!(
            find_item(SOURCE, "State::new"),
            None,
            "no impl mentions State"
        );
        assert_eq!(find_item(SOURCE, "CircuitBreaker::missing"), None);
    }
}
