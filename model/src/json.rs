//! RocketMQ's fastjson dialect (spec/remoting.md §5.1, spec/store.md §11.1).
//!
//! Writing: properties and map entries sorted (integer keys numerically,
//! string keys by code point), nulls omitted from objects, integer map keys
//! bare (`{0:250,1:248}`), string keys quoted. The pretty form is fastjson's
//! `PrettyFormat`: one entry per line, tab indentation, no space after `:`.
//!
//! Reading: `serde_json` after a tiny pre-pass ([`quote_bare_keys`]) that
//! quotes bare keys. Doing it as a text pass (instead of a full custom
//! parser) keeps all of serde_json's number, string and error handling; the
//! pass only has to know where strings start and end and whether the next
//! token is an object key.

mod object_keys;
mod ser;
mod standard;
#[cfg(test)]
mod tests;

pub use object_keys::{object_key_map, quote_object_keys};
pub use standard::{to_standard_json, try_to_standard_json};

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt::Write as _;

use serde::Serialize;
use serde::de::DeserializeOwned;

use self::ser::{Key, Node};

/// Renders `value` in RocketMQ's JSON dialect; `pretty` selects the
/// tab-indented form used for files (wire bodies are compact).
///
/// # Panics
///
/// Only if `T`'s `Serialize` impl itself reports an error (derived impls
/// never do; every key type, even structs, has a fastjson rendering). Use
/// [`try_to_rocketmq_json`] for hand-written impls that can fail.
pub fn to_rocketmq_json<T: Serialize + ?Sized>(value: &T, pretty: bool) -> String {
    match try_to_rocketmq_json(value, pretty) {
        Ok(text) => text,
        Err(e) => panic!("Serialize impl failed while writing RocketMQ JSON: {e}"),
    }
}

/// Like [`to_rocketmq_json`], reporting a failing `Serialize` impl as an error.
pub fn try_to_rocketmq_json<T: Serialize + ?Sized>(value: &T, pretty: bool) -> serde_json::Result<String> {
    let node = ser::to_node(value)?;
    let mut out = String::new();
    write_node(&mut out, &node, if pretty { Some(0) } else { None });
    Ok(out)
}

/// Parses RocketMQ JSON: standard JSON plus bare (unquoted) object keys such
/// as `{0:250,-1:7,key:"v"}`. Keys quoted or not give the same result.
/// Object keys (`{{"topic":"t"}:1}`) arrive as strings holding their text;
/// read such maps with [`object_key_map`].
///
/// Error positions refer to the text after keys were quoted, so a column
/// may be off by two per bare key earlier on the same line.
pub fn from_rocketmq_json<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    serde_json::from_str(&quote_bare_keys(&quote_object_keys(text)))
}

// ---------------------------------------------------------------- writer

/// `indent`: `Some(depth)` for pretty output, `None` for compact.
fn write_node(out: &mut String, node: &Node, indent: Option<usize>) {
    match node {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Node::Num(text) => out.push_str(text),
        Node::Str(s) => write_str(out, s),
        Node::Array(items) => {
            write_container(out, '[', ']', items.iter(), indent, |out, item, inner| {
                write_node(out, item, inner);
            });
        }
        Node::Object(entries) => {
            // fastjson skips null properties and null map values alike.
            let mut live: Vec<&(Key, Node)> =
                entries.iter().filter(|(_, v)| !matches!(v, Node::Null)).collect();
            live.sort_by(|a, b| key_order(&a.0, &b.0));
            write_container(out, '{', '}', live.into_iter(), indent, |out, (key, value), inner| {
                write_key(out, key);
                out.push(':');
                write_node(out, value, inner);
            });
        }
    }
}

/// Writes `open item,item close`; in pretty mode each item goes on its own
/// line one tab deeper, and empty containers stay `{}` / `[]`.
fn write_container<I: Iterator>(
    out: &mut String,
    open: char,
    close: char,
    items: I,
    indent: Option<usize>,
    mut write_item: impl FnMut(&mut String, I::Item, Option<usize>),
) {
    out.push(open);
    let inner = indent.map(|d| d + 1);
    let mut any = false;
    for item in items {
        if any {
            out.push(',');
        }
        any = true;
        if let Some(depth) = inner {
            newline(out, depth);
        }
        write_item(out, item, inner);
    }
    if let (true, Some(depth)) = (any, indent) {
        newline(out, depth);
    }
    out.push(close);
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    out.extend(std::iter::repeat_n('\t', depth));
}

fn write_key(out: &mut String, key: &Key) {
    match key {
        Key::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Key::Str(s) => write_str(out, s),
        Key::Composite(node) => write_node(out, node, None),
    }
}

/// Integer keys first in numeric order, then string keys by code point
/// (UTF-8 byte order equals code-point order), then structured keys by their
/// compact rendering. A map has one key type, so the classes rarely mix.
fn key_order(a: &Key, b: &Key) -> Ordering {
    fn class(k: &Key) -> u8 {
        match k {
            Key::Int(_) => 0,
            Key::Str(_) => 1,
            Key::Composite(_) => 2,
        }
    }
    match (a, b) {
        (Key::Int(x), Key::Int(y)) => x.cmp(y),
        (Key::Str(x), Key::Str(y)) => x.cmp(y),
        (Key::Composite(x), Key::Composite(y)) => {
            let (mut l, mut r) = (String::new(), String::new());
            write_node(&mut l, x, None);
            write_node(&mut r, y, None);
            l.cmp(&r)
        }
        _ => class(a).cmp(&class(b)),
    }
}

/// Standard JSON string escaping: `"`, `\` and control characters; every
/// other character (including non-ASCII) is written as-is, as fastjson does.
fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

// ---------------------------------------------------------------- reader

/// Quotes bare object keys so that standard JSON parsers accept the text:
/// `{0:250,-1:7}` becomes `{"0":250,"-1":7}`.
///
/// A token is a key when it is the first thing after `{` or after a `,`
/// inside an object. Strings are skipped whole (escapes included), so braces,
/// colons or digits inside string values are never touched, and values are
/// never rewritten. Bare keys may consist of ASCII letters, digits and
/// `_ $ - + .` (integers, negative integers, identifiers); anything else is
/// left alone for the JSON parser to reject. Returns the input unchanged
/// (borrowed) when it has no bare keys, which is the common case for
/// standard JSON.
pub fn quote_bare_keys(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    quote_keys(text, |start| {
        let len = bytes[start..].iter().position(|b| is_delimiter(*b)).unwrap_or(bytes.len() - start);
        if is_bare_key(&text[start..start + len]) { KeySpan::Quote(start + len) } else { KeySpan::Keep }
    })
}

/// What [`quote_keys`] does with a key that is not a JSON string yet.
enum KeySpan {
    /// Replace the key, up to this index, with a JSON string of its text.
    Quote(usize),
    /// Leave it; the walk goes on through it as through any other text.
    Keep,
    /// Leave it and the rest of the text (unterminated; the JSON parser
    /// reports it).
    Stop,
}

/// The walk both key passes ([`quote_bare_keys`], [`quote_object_keys`])
/// share. A key position is the first thing after `{` or after a `,`
/// inside an object; strings are skipped whole (escapes included), so
/// nothing inside a string value is ever taken for structure. At a key
/// position that does not hold a string, `key_span(index)` decides. Returns
/// the input unchanged (borrowed) when no key was quoted.
fn quote_keys(text: &str, key_span: impl Fn(usize) -> KeySpan) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0; // text[..copied] is already in `out`
    // One entry per open container: true for an object, false for an array.
    let mut in_object: Vec<bool> = Vec::new();
    let mut expect_key = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if expect_key && !b.is_ascii_whitespace() && !matches!(b, b'"' | b',' | b':' | b'}' | b']') {
            match key_span(i) {
                KeySpan::Quote(end) => {
                    let buf = out.get_or_insert_with(|| String::with_capacity(text.len() + 64));
                    buf.push_str(&text[copied..i]);
                    write_str(buf, &text[i..end]);
                    copied = end;
                    i = end;
                    expect_key = false;
                    continue;
                }
                KeySpan::Keep => {}
                KeySpan::Stop => break,
            }
        }
        match b {
            b'"' => {
                i = skip_string(bytes, i);
                expect_key = false;
                continue;
            }
            b'{' => {
                in_object.push(true);
                expect_key = true;
            }
            b'[' => {
                in_object.push(false);
                expect_key = false;
            }
            b'}' | b']' => {
                in_object.pop();
                expect_key = false;
            }
            b',' => expect_key = in_object.last() == Some(&true),
            b if b.is_ascii_whitespace() => {}
            // `:`, or a token: whatever follows is a value.
            _ => expect_key = false,
        }
        i += 1;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut buf) => {
            buf.push_str(&text[copied..]);
            Cow::Owned(buf)
        }
    }
}

/// `start` is at an opening `"`; returns the index just past the closing one
/// (or the end of input for an unterminated string).
fn skip_string(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Bytes that end a bare token. All are ASCII, so token boundaries are
/// always UTF-8 character boundaries.
fn is_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'{' | b'}' | b'[' | b']' | b',' | b':' | b'"')
}

fn is_bare_key(token: &str) -> bool {
    !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'-' | b'+' | b'.'))
}
