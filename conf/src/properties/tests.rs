//! One test per lexical rule of spec/config.md §1.1, on raw byte input.

use super::*;

fn parse(bytes: &[u8]) -> Vec<(String, String, usize)> {
    Properties::parse_bytes(bytes, "test.conf")
        .expect("parses")
        .iter()
        .map(|e| (e.key.clone(), e.value.clone(), e.line))
        .collect()
}

fn kv(key: &str, value: &str, line: usize) -> (String, String, usize) {
    (key.to_owned(), value.to_owned(), line)
}

fn parse_err(bytes: &[u8]) -> ConfigError {
    Properties::parse_bytes(bytes, "bad.conf").expect_err("must fail")
}

#[test]
fn bytes_are_iso_8859_1() {
    assert_eq!(
        parse(b"name=caf\xe9\n\xff\xe4=\xa0x"),
        [kv("name", "caf\u{e9}", 1), kv("\u{ff}\u{e4}", "\u{a0}x", 2)]
    );
    // UTF-8 bytes are NOT decoded as UTF-8: each byte is one character.
    assert_eq!(parse("k=\u{e9}".as_bytes()), [kv("k", "\u{c3}\u{a9}", 1)]);
}

#[test]
fn str_input_keeps_its_characters() {
    let props = Properties::parse_str("k=caf\u{e9} \u{1F600}", "s").unwrap();
    assert_eq!(props.get("k"), Some("caf\u{e9} \u{1F600}"));
}

#[test]
fn line_terminators_lf_cr_crlf() {
    assert_eq!(
        parse(b"a=1\nb=2\rc=3\r\nd=4"),
        [kv("a", "1", 1), kv("b", "2", 2), kv("c", "3", 3), kv("d", "4", 4)]
    );
    // LF CR is two terminators (an empty line between).
    assert_eq!(parse(b"a=1\n\rb=2"), [kv("a", "1", 1), kv("b", "2", 3)]);
}

#[test]
fn whitespace_only_lines_are_ignored() {
    assert_eq!(parse(b" \t\x0c\n\n   \r\n\x0ca\x0c=\x0cb\n\t"), [kv("a", "b", 4)]);
}

#[test]
fn comments_hash_and_bang_no_trailing_comments() {
    let input = b"# c1\n! c2\n   # indented\n\t! also\na=b # not a comment\nc=d!e";
    assert_eq!(parse(input), [kv("a", "b # not a comment", 5), kv("c", "d!e", 6)]);
    // Comment at end of input without a terminator.
    assert_eq!(parse(b"a=1\n# end"), [kv("a", "1", 1)]);
}

#[test]
fn comment_never_continues() {
    assert_eq!(parse(b"# comment \\\na=1\n! x\\\nb=2"), [kv("a", "1", 2), kv("b", "2", 4)]);
}

#[test]
fn continuation_with_odd_backslashes() {
    let input = b"a=one \\\n    two\\\n\t three\nb=x";
    assert_eq!(parse(input), [kv("a", "one twothree", 1), kv("b", "x", 4)]);
    // Three backslashes: an escaped backslash plus a continuation.
    assert_eq!(parse(b"a=x\\\\\\\n  y"), [kv("a", "x\\y", 1)]);
}

#[test]
fn even_backslashes_do_not_continue() {
    assert_eq!(parse(b"a=x\\\\\nb=y"), [kv("a", "x\\", 1), kv("b", "y", 2)]);
}

#[test]
fn continuation_across_cr_and_crlf() {
    assert_eq!(parse(b"a=1\\\r\n  2\r\nb=3"), [kv("a", "12", 1), kv("b", "3", 3)]);
    assert_eq!(parse(b"a=1\\\r  2\rb=3"), [kv("a", "12", 1), kv("b", "3", 3)]);
}

#[test]
fn continuation_edge_cases() {
    // At end of input the backslash is simply dropped.
    assert_eq!(parse(b"a=1\\"), [kv("a", "1", 1)]);
    // An empty next line ends the logical line.
    assert_eq!(parse(b"a=1\\\n\nb=2"), [kv("a", "1", 1), kv("b", "2", 3)]);
    // The continued line is not a comment even if it starts with `#`.
    assert_eq!(parse(b"a=1\\\n  #2"), [kv("a", "1#2", 1)]);
    // The key itself may be continued.
    assert_eq!(parse(b"ke\\\n  y=v"), [kv("key", "v", 1)]);
    // JDK quirk: after a lone `\` line the next line counts as a fresh start.
    assert_eq!(parse(b"\\\n#x=1\ny=2"), [kv("y", "2", 3)]);
}

#[test]
fn key_separator_value_rules() {
    assert_eq!(parse(b"a=b"), [kv("a", "b", 1)]);
    assert_eq!(parse(b"a:b"), [kv("a", "b", 1)]);
    assert_eq!(parse(b"a b"), [kv("a", "b", 1)]);
    assert_eq!(parse(b"  a \t= \x0c b"), [kv("a", "b", 1)]);
    assert_eq!(parse(b"a\t:\tb"), [kv("a", "b", 1)]);
    // At most one `=`/`:` belongs to the separator.
    assert_eq!(parse(b"a = =b"), [kv("a", "=b", 1)]);
    assert_eq!(parse(b"a:=b"), [kv("a", "=b", 1)]);
    assert_eq!(parse(b"a b=c:d"), [kv("a", "b=c:d", 1)]);
    assert_eq!(parse(b"=v"), [kv("", "v", 1)]);
}

#[test]
fn key_only_lines_have_empty_value() {
    assert_eq!(
        parse(b"k1\nk2   \nk3=\nk4 : "),
        [kv("k1", "", 1), kv("k2", "", 2), kv("k3", "", 3), kv("k4", "", 4)]
    );
}

#[test]
fn value_keeps_trailing_whitespace() {
    assert_eq!(parse(b"a=b  \t\x0c\nc = d e "), [kv("a", "b  \t\x0c", 1), kv("c", "d e ", 2)]);
}

#[test]
fn escapes() {
    assert_eq!(parse(b"a=\\t\\n\\r\\f\\\\"), [kv("a", "\t\n\r\x0c\\", 1)]);
    assert_eq!(parse(b"a=\\u0041\\u00e9\\u00C9\\u20AC"), [kv("a", "A\u{e9}\u{c9}\u{20ac}", 1)]);
    // Any other escaped character is itself.
    assert_eq!(parse(b"a=\\=\\:\\ \\#\\!\\q"), [kv("a", "=: #!q", 1)]);
    // Escaped separators and whitespace stay in the key.
    assert_eq!(parse(b"my\\=key\\:x\\ y\\u0041=v"), [kv("my=key:x yA", "v", 1)]);
    // An escaped space at the start of the value is kept.
    assert_eq!(parse(b"a=\\  b"), [kv("a", "  b", 1)]);
}

#[test]
fn unicode_escape_surrogate_pairs() {
    assert_eq!(parse(b"a=\\uD83D\\uDE00"), [kv("a", "\u{1F600}", 1)]);
    let err = parse_err(b"x=1\na=\\uD83D");
    assert!(matches!(err, ConfigError::Syntax { line: 2, .. }), "{err}");
    assert!(err.to_string().contains("surrogate"), "{err}");
}

#[test]
fn malformed_unicode_escape_fails_whole_file() {
    for input in [&b"ok=1\na=\\u12G4"[..], b"ok=1\na=\\u12", b"ok=1\na\\u00=v", b"ok=1\na=\\u"] {
        let err = parse_err(input);
        assert!(matches!(err, ConfigError::Syntax { line: 2, .. }), "{err}");
        let msg = err.to_string();
        assert!(msg.starts_with("bad.conf:2: malformed \\uxxxx escape"), "{msg}");
    }
    // The physical line of the bad escape is reported, not the logical start.
    let err = parse_err(b"a=x\\\n  y\\\n  \\uZZZZ");
    assert_eq!(err.line(), Some(3), "{err}");
}

#[test]
fn duplicate_keys_last_wins() {
    let props = Properties::parse_bytes(b"a=1\nb=2\na=3", "d").unwrap();
    assert_eq!(props.get("a"), Some("3"));
    assert_eq!(props.len(), 2);
    assert_eq!(props.entry("a").map(|e| e.line), Some(3));
    assert_eq!(props.entries()[0].key, "b");
}

#[test]
fn stray_lines_become_keys() {
    assert_eq!(parse(b"<!--\nfoo bar baz"), [kv("<!--", "", 1), kv("foo", "bar baz", 2)]);
}

#[test]
fn empty_inputs() {
    assert!(parse(b"").is_empty());
    assert!(parse(b"\n\r\n# only\n!comments\n   ").is_empty());
}

#[test]
fn read_file_uses_path_as_origin_and_reports_io_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broker.conf");
    std::fs::write(&path, b"brokerName = broker-a\n").unwrap();
    let props = Properties::read_file(&path).unwrap();
    assert_eq!(props.origin(), path.display().to_string());
    assert_eq!(props.get("brokerName"), Some("broker-a"));

    let missing = dir.path().join("missing.conf");
    let err = Properties::read_file(&missing).unwrap_err();
    assert!(matches!(err, ConfigError::Io { .. }));
    assert!(err.to_string().contains("missing.conf"), "{err}");
}

#[test]
fn sample_broker_conf() {
    let input = b"brokerClusterName = DefaultCluster\nbrokerName = broker-a\nbrokerId = 0\n\
deleteWhen = 04\nfileReservedTime = 48\nbrokerRole = ASYNC_MASTER\nflushDiskType = ASYNC_FLUSH\n";
    let props = Properties::parse_bytes(input, "broker.conf").unwrap();
    assert_eq!(props.len(), 7);
    assert_eq!(props.get("deleteWhen"), Some("04"));
    assert_eq!(props.entry("flushDiskType").map(|e| e.line), Some(7));
}

#[test]
fn lone_backslash_line_at_end_of_input() {
    // JDK quirk (checked against java.util.Properties): a final `\` line,
    // with or without a `\n` after it, is an entry with empty key and value;
    // with `\r\n` after it, it is nothing.
    assert_eq!(parse(b"a=1\n\\"), [kv("a", "1", 1), kv("", "", 2)]);
    assert_eq!(parse(b"a=1\n\\\n"), [kv("a", "1", 1), kv("", "", 2)]);
    assert_eq!(parse(b"a=1\n\\\r\n"), [kv("a", "1", 1)]);
    assert_eq!(parse(b"a=1\\\n"), [kv("a", "1", 1)]);
}
