//! TOML input for the binding: a flat table whose keys are the RocketMQ
//! key names, e.g. `mappedFileSizeCommitLog = 1073741824`.
//!
//! TOML values are typed, so a type mismatch (`flushIntervalCommitLog =
//! "500"`) is an error instead of being coerced; the accepted value is then
//! turned into text and goes through the same conversion as properties text.

use std::collections::BTreeMap;

use toml::{Spanned, Value};

use super::ValueKind;
use crate::error::ConfigError;

/// Parses `text` into `(key, value, line)` in file order. Nested tables and
/// arrays are rejected: RocketMQ has no structured settings, and a silently
/// ignored `[store]` section would hide every key in it.
pub(super) fn parse_flat(text: &str, origin: &str) -> Result<Vec<(String, Value, usize)>, ConfigError> {
    let table: BTreeMap<String, Spanned<Value>> =
        toml::from_str(text).map_err(|source| ConfigError::Toml { origin: origin.to_owned(), source })?;
    let mut entries: Vec<_> = table
        .into_iter()
        .map(|(key, value)| {
            let line = line_of(text, value.span().start);
            (key, value.into_inner(), line)
        })
        .collect();
    entries.sort_by_key(|(_, _, line)| *line);
    if let Some((key, value, line)) =
        entries.iter().find(|(_, v, _)| matches!(v, Value::Table(_) | Value::Array(_)))
    {
        return Err(ConfigError::Syntax {
            origin: origin.to_owned(),
            line: *line,
            message: format!(
                "`{key}` is a {}; the file must be a flat table of `key = value` settings",
                value.type_str()
            ),
        });
    }
    Ok(entries)
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    1 + text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count()
}

/// The value's text if its TOML type fits `kind`; else what was expected.
pub(super) fn typed_text(value: &Value, kind: ValueKind) -> Result<String, String> {
    match (kind, value) {
        (ValueKind::Bool, Value::Boolean(b)) => Ok(b.to_string()),
        (ValueKind::Integer | ValueKind::Float, Value::Integer(i)) => Ok(i.to_string()),
        (ValueKind::Float, Value::Float(f)) => Ok(f.to_string()),
        (ValueKind::String, Value::String(s)) => Ok(s.clone()),
        (kind, value) => {
            let expected = match kind {
                ValueKind::Bool => "a TOML boolean",
                ValueKind::Integer => "a TOML integer",
                ValueKind::Float => "a TOML number",
                ValueKind::String => "a TOML string",
            };
            Err(format!("{expected}, found a {}", value.type_str()))
        }
    }
}

/// Properties-style text of a value for re-emission: strings unquoted.
pub(super) fn plain_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
