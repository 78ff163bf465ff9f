//! Java `.properties` parser, spec/config.md §1.1.
//!
//! RocketMQ reads `broker.conf`, `namesrv.conf` and `controller.conf` with
//! `java.util.Properties.load(InputStream)`. Operators' existing files must
//! keep their exact meaning, so this is a faithful port of the JDK's
//! `LineReader.readLine` (logical lines) and `Properties.load0`/`loadConvert`
//! (key/separator/value split and escapes), quirks included: e.g. trailing
//! whitespace stays in the value and `a=b # c` has the value `b # c`.
//!
//! Unlike `java.util.Properties` (a hash table) the result keeps file order
//! and the line of every entry, so later errors can point at the line and the
//! raw text can be re-emitted by the config-dump admin calls (§1.2.4).

use std::path::Path;

use crate::error::ConfigError;

#[cfg(test)]
mod tests;

/// One `key=value` pair after unescaping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyEntry {
    pub key: String,
    pub value: String,
    /// 1-based physical line on which the logical line starts.
    pub line: usize,
}

/// The raw properties of one file, in file order, duplicates resolved
/// (the last occurrence wins and takes the position of that occurrence).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Properties {
    origin: String,
    entries: Vec<PropertyEntry>,
}

impl Properties {
    /// An empty set; `origin` names the source in error messages.
    pub fn new(origin: impl Into<String>) -> Self {
        Self { origin: origin.into(), entries: Vec::new() }
    }

    /// Parses file bytes as Java does: ISO-8859-1, one byte = one character.
    pub fn parse_bytes(bytes: &[u8], origin: impl Into<String>) -> Result<Self, ConfigError> {
        let chars: Vec<char> = bytes.iter().map(|&b| char::from(b)).collect();
        Self::parse_chars(&chars, origin.into())
    }

    /// Parses already-decoded text (like `Properties.load(Reader)`): the
    /// characters are taken as they are, no ISO-8859-1 reinterpretation.
    pub fn parse_str(text: &str, origin: impl Into<String>) -> Result<Self, ConfigError> {
        let chars: Vec<char> = text.chars().collect();
        Self::parse_chars(&chars, origin.into())
    }

    /// Reads and parses a file; the origin is the path as given.
    pub fn read_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| ConfigError::Io { path: path.into(), source })?;
        Self::parse_bytes(&bytes, path.display().to_string())
    }

    /// Name of the source (file path) used in error messages.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// All entries in file order.
    pub fn entries(&self) -> &[PropertyEntry] {
        &self.entries
    }

    pub fn iter(&self) -> std::slice::Iter<'_, PropertyEntry> {
        self.entries.iter()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entry(&self, key: &str) -> Option<&PropertyEntry> {
        self.entries.iter().find(|e| e.key == key)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.entry(key).map(|e| e.value.as_str())
    }

    /// Adds an entry; an earlier entry with the same key is dropped (last wins).
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>, line: usize) {
        let key = key.into();
        self.entries.retain(|e| e.key != key);
        self.entries.push(PropertyEntry { key, value: value.into(), line });
    }

    fn parse_chars(input: &[char], origin: String) -> Result<Self, ConfigError> {
        let mut props = Self::new(origin);
        let mut reader = LineReader { input, pos: 0, line: 1 };
        let mut buf = LogicalLine::default();
        while reader.read_line(&mut buf) {
            let (key_end, value_start) = split_key_value(&buf.chars);
            let key = unescape(&buf, 0, key_end, &props.origin)?;
            let value = unescape(&buf, value_start, buf.chars.len(), &props.origin)?;
            props.insert(key, value, buf.start);
        }
        Ok(props)
    }
}

impl<'a> IntoIterator for &'a Properties {
    type Item = &'a PropertyEntry;
    type IntoIter = std::slice::Iter<'a, PropertyEntry>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

/// §1.1.3: whitespace is space, tab and form feed only (not `\r`/`\n`).
fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\x0c')
}

fn is_eol(c: char) -> bool {
    matches!(c, '\n' | '\r')
}

/// A logical line: its characters (escapes still raw, continuations joined)
/// and, for each character, its physical line (for error positions).
#[derive(Default)]
struct LogicalLine {
    chars: Vec<char>,
    lines: Vec<usize>,
    /// Line of the first character (kept if the line ends up empty).
    start: usize,
}

impl LogicalLine {
    fn push(&mut self, c: char, line: usize) {
        if self.chars.is_empty() {
            self.start = line;
        }
        self.chars.push(c);
        self.lines.push(line);
    }

    fn pop(&mut self) {
        self.chars.pop();
        self.lines.pop();
    }

    fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }
}

/// Port of `java.util.Properties.LineReader`.
struct LineReader<'a> {
    input: &'a [char],
    pos: usize,
    /// Physical line of `input[pos]`; `\r\n` counts as one terminator.
    line: usize,
}

impl LineReader<'_> {
    fn next_char(&mut self) -> Option<(char, usize)> {
        let c = *self.input.get(self.pos)?;
        let line = self.line;
        self.pos += 1;
        if c == '\n' || (c == '\r' && self.input.get(self.pos) != Some(&'\n')) {
            self.line += 1;
        }
        Some((c, line))
    }

    /// Reads the next non-blank, non-comment logical line into `buf`;
    /// false at end of input. Mirrors the JDK state machine step by step.
    fn read_line(&mut self, buf: &mut LogicalLine) -> bool {
        buf.chars.clear();
        buf.lines.clear();
        let mut skip_ws = true;
        // True right after a continuation: a line break there ends the
        // logical line instead of being skipped as a blank line.
        let mut appended_line_begin = false;
        let mut preceding_backslash = false;
        loop {
            let Some((c, line)) = self.next_char() else {
                // A line of just `\` at the very end yields an empty
                // entry (key "" and value ""), as in the JDK.
                if buf.is_empty() {
                    return false;
                }
                if preceding_backslash {
                    buf.pop();
                }
                return true;
            };
            if skip_ws {
                if is_ws(c) || (!appended_line_begin && is_eol(c)) {
                    continue;
                }
                skip_ws = false;
                appended_line_begin = false;
            }
            if buf.is_empty() && (c == '#' || c == '!') {
                // Comment: never continues, so skip to the end of the line.
                loop {
                    match self.next_char() {
                        None => return false,
                        Some((c, _)) if is_eol(c) => break,
                        Some(_) => {}
                    }
                }
                skip_ws = true;
                continue;
            }
            if !is_eol(c) {
                buf.push(c, line);
                preceding_backslash = c == '\\' && !preceding_backslash;
            } else if buf.is_empty() {
                skip_ws = true;
            } else if preceding_backslash {
                // Odd number of backslashes: join with the next line, drop
                // the backslash and the next line's leading whitespace.
                buf.pop();
                if self.pos == self.input.len() {
                    // JDK checks for end of input before joining.
                    return true;
                }
                skip_ws = true;
                appended_line_begin = true;
                preceding_backslash = false;
                if c == '\r' && self.input.get(self.pos) == Some(&'\n') {
                    self.next_char();
                }
            } else {
                return true;
            }
        }
    }
}

/// Port of the key/separator scan of `Properties.load0`: returns the end of
/// the (still escaped) key and the start of the value.
fn split_key_value(line: &[char]) -> (usize, usize) {
    let limit = line.len();
    let mut key_len = 0;
    let mut value_start = limit;
    let mut has_sep = false;
    let mut preceding_backslash = false;
    while key_len < limit {
        let c = line[key_len];
        if !preceding_backslash && (c == '=' || c == ':') {
            value_start = key_len + 1;
            has_sep = true;
            break;
        }
        if !preceding_backslash && is_ws(c) {
            value_start = key_len + 1;
            break;
        }
        preceding_backslash = c == '\\' && !preceding_backslash;
        key_len += 1;
    }
    while value_start < limit {
        let c = line[value_start];
        if !is_ws(c) {
            if !has_sep && (c == '=' || c == ':') {
                has_sep = true;
            } else {
                break;
            }
        }
        value_start += 1;
    }
    (key_len, value_start)
}

/// Port of `Properties.loadConvert` for `line.chars[start..end]`.
///
/// Java strings are UTF-16 and `\uXXXX` yields one UTF-16 unit, so
/// supplementary characters are written as surrogate pairs. We decode via
/// UTF-16 for the same result; an unpaired surrogate (which Java would keep)
/// cannot live in a Rust `String` and is reported as an error.
fn unescape(line: &LogicalLine, start: usize, end: usize, origin: &str) -> Result<String, ConfigError> {
    let chars = &line.chars[..end];
    let mut out: Vec<u16> = Vec::with_capacity(end - start);
    let mut units = [0u16; 2];
    let mut i = start;
    while i < end {
        let c = chars[i];
        i += 1;
        let c = if c != '\\' {
            c
        } else {
            // The line reader never leaves an unescaped trailing backslash.
            let Some(&e) = chars.get(i) else { break };
            i += 1;
            match e {
                'u' => {
                    let hex = chars.get(i..i + 4).unwrap_or(&chars[i..]);
                    let value = hex_unit(hex).ok_or_else(|| ConfigError::Syntax {
                        origin: origin.to_owned(),
                        line: line.lines[i - 2],
                        message: format!(
                            "malformed \\uxxxx escape `\\u{}`: exactly 4 hex digits required",
                            hex.iter().collect::<String>()
                        ),
                    })?;
                    out.push(value);
                    i += 4;
                    continue;
                }
                't' => '\t',
                'n' => '\n',
                'r' => '\r',
                'f' => '\x0c',
                other => other,
            }
        };
        out.extend_from_slice(c.encode_utf16(&mut units));
    }
    String::from_utf16(&out).map_err(|_| ConfigError::Syntax {
        origin: origin.to_owned(),
        line: line.start,
        message: "unpaired UTF-16 surrogate in a \\uXXXX escape".to_owned(),
    })
}

/// Four ASCII hex digits to one UTF-16 unit.
fn hex_unit(hex: &[char]) -> Option<u16> {
    if hex.len() != 4 {
        return None;
    }
    hex.iter().try_fold(0u16, |acc, c| Some((acc << 4) | c.to_digit(16)? as u16))
}
