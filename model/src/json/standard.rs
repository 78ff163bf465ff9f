//! fastjson's "browser compatible" output: the standard-JSON form RocketMQ
//! sends GET_ROUTEINFO_BY_TOPIC bodies in to requesters with version ≥ 401
//! or `acceptStandardJsonOnly=true` (spec/remoting.md §5.1 rule 5).
//!
//! It is the same tree as the legacy dialect with four differences, all
//! taken from fastjson 1.2.83 with `BrowserCompatible, QuoteFieldNames,
//! SkipTransientField, MapSortField`:
//! * non-string map keys are quoted (`{"0":"…"}`), still sorted numerically
//!   (`MapSortField` copies the map into a `TreeMap` of its real key type);
//! * every character ≥ U+007F is written as `\uXXXX` (upper-case hex, UTF-16
//!   units), control characters as `\u00XX` unless they have a short escape;
//! * `/` is escaped as `\/`;
//! * integers outside ±(2^53−1) are written as strings, so JavaScript
//!   readers do not lose precision.
//!
//! Output is always compact: nobody pretty-prints a wire body.

use std::fmt::Write as _;

use serde::Serialize;

use super::ser::{Key, Node};

/// Largest integer a JavaScript double holds exactly (2^53 − 1).
const MAX_SAFE_INTEGER: i128 = 9_007_199_254_740_991;

/// Renders `value` as fastjson's browser-compatible standard JSON.
///
/// # Panics
///
/// Only if `T`'s `Serialize` impl itself fails (derived impls never do); use
/// [`try_to_standard_json`] for hand-written impls.
pub fn to_standard_json<T: Serialize + ?Sized>(value: &T) -> String {
    match try_to_standard_json(value) {
        Ok(text) => text,
        Err(e) => panic!("Serialize impl failed while writing standard JSON: {e}"),
    }
}

/// Like [`to_standard_json`], reporting a failing `Serialize` impl.
pub fn try_to_standard_json<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let node = super::ser::to_node(value)?;
    let mut out = String::new();
    write_node(&mut out, &node);
    Ok(out)
}

fn write_node(out: &mut String, node: &Node) {
    match node {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Int(i) if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(i) => {
            let _ = write!(out, "{i}");
        }
        Node::Int(i) => {
            let _ = write!(out, "\"{i}\"");
        }
        Node::Num(text) => out.push_str(text),
        Node::Str(s) => write_str(out, s),
        Node::Array(items) => {
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                write_node(out, item);
            }
            out.push(']');
        }
        Node::Object(entries) => {
            let mut live: Vec<&(Key, Node)> =
                entries.iter().filter(|(_, v)| !matches!(v, Node::Null)).collect();
            live.sort_by(|a, b| super::key_order(&a.0, &b.0));
            out.push('{');
            for (n, (key, value)) in live.into_iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                write_key(out, key);
                out.push(':');
                write_node(out, value);
            }
            out.push('}');
        }
    }
}

/// Every key is a JSON string here: integer keys and structured keys are
/// quoted as their compact text (fastjson: `JSON.toJSONString(key)`).
fn write_key(out: &mut String, key: &Key) {
    match key {
        Key::Int(i) => write_str(out, &i.to_string()),
        Key::Str(s) => write_str(out, s),
        Key::Composite(node) => {
            let mut text = String::new();
            write_node(&mut text, node);
            write_str(out, &text);
        }
    }
}

fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 || u32::from(c) >= 0x7f => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04X}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn integer_keys_quoted_and_numerically_sorted() {
        let map: BTreeMap<i64, &str> = [(10, "a"), (2, "b"), (-1, "c")].into_iter().collect();
        assert_eq!(to_standard_json(&map), r#"{"-1":"c","2":"b","10":"a"}"#);
    }

    #[test]
    fn escapes_like_browser_compatible_fastjson() {
        assert_eq!(to_standard_json(&"é/\u{1}\u{7f}😀\"\n"), r#""\u00E9\/\u0001\u007F\uD83D\uDE00\"\n""#);
    }

    #[test]
    fn unsafe_longs_become_strings() {
        let v = vec![9_007_199_254_740_991i64, 9_007_199_254_740_992, -9_007_199_254_740_992, i64::MIN];
        assert_eq!(
            to_standard_json(&v),
            r#"[9007199254740991,"9007199254740992","-9007199254740992","-9223372036854775808"]"#
        );
    }

    #[test]
    fn nulls_omitted_from_objects() {
        let map: BTreeMap<&str, Option<i32>> = [("a", None), ("b", Some(1))].into_iter().collect();
        assert_eq!(to_standard_json(&map), r#"{"b":1}"#);
    }
}
