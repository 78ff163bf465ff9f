//! The JSON command header (spec/remoting.md §2.2), decoded straight into a
//! `RemotingCommand` and encoded straight into the output buffer: this is
//! the hottest code of every request, so no intermediate `serde_json::Value`.

use std::fmt;

use bytes::{BufMut, BytesMut};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::command::{ExtFields, LanguageCode, RemotingCommand, SerializeType};

/// Decodes a JSON header, tolerant as fastjson: numbers may be strings,
/// `language` a name or an ordinal, extFields values any JSON scalar.
pub fn decode(header: &[u8]) -> Result<RemotingCommand, serde_json::Error> {
    let h: Header = serde_json::from_slice(header)?;
    Ok(RemotingCommand {
        code: h.code.0,
        language: h.language.0,
        version: h.version.0,
        opaque: h.opaque.0,
        flag: h.flag.0,
        remark: h.remark.and_then(|t| t.0),
        ext_fields: h.ext_fields.and_then(|e| e.0).filter(|e| !e.is_empty()),
        body: None,
        serialize_type: SerializeType::Json,
    })
}

/// Appends Java's layout (alphabetical keys, nulls omitted) to `out`.
pub fn encode(cmd: &RemotingCommand, out: &mut BytesMut) {
    out.put_slice(b"{\"code\":");
    put_int(out, cmd.code);
    if let Some(ext) = cmd.ext_fields.as_ref().filter(|e| !e.is_empty()) {
        let mut entries: Vec<(&String, &String)> = ext.iter().collect();
        entries.sort_unstable();
        out.put_slice(b",\"extFields\":{");
        for (i, (k, v)) in entries.into_iter().enumerate() {
            if i > 0 {
                out.put_u8(b',');
            }
            put_str(out, k);
            out.put_u8(b':');
            put_str(out, v);
        }
        out.put_u8(b'}');
    }
    out.put_slice(b",\"flag\":");
    put_int(out, cmd.flag);
    out.put_slice(b",\"language\":\"");
    out.put_slice(cmd.language.name().as_bytes());
    out.put_slice(b"\",\"opaque\":");
    put_int(out, cmd.opaque);
    if let Some(remark) = &cmd.remark {
        out.put_slice(b",\"remark\":");
        put_str(out, remark);
    }
    out.put_slice(b",\"serializeTypeCurrentRPC\":\"JSON\",\"version\":");
    put_int(out, cmd.version);
    out.put_u8(b'}');
}

fn put_int(out: &mut BytesMut, v: i32) {
    let mut buf = itoa_buf(v);
    out.put_slice(buf.as_bytes_mut());
}

/// Decimal text of `v` without allocating.
fn itoa_buf(v: i32) -> ItoaBuf {
    let mut b = ItoaBuf { bytes: [0; 11], start: 11 };
    let negative = v < 0;
    let mut n = i64::from(v).unsigned_abs();
    loop {
        b.start -= 1;
        b.bytes[b.start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if negative {
        b.start -= 1;
        b.bytes[b.start] = b'-';
    }
    b
}

struct ItoaBuf {
    bytes: [u8; 11],
    start: usize,
}

impl ItoaBuf {
    fn as_bytes_mut(&mut self) -> &[u8] {
        &self.bytes[self.start..]
    }
}

/// A JSON string literal: quotes, backslashes and control characters escaped
/// (`\u0001` stays `\u0001`, as Java writes the property separators).
fn put_str(out: &mut BytesMut, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.put_u8(b'"');
    let bytes = s.as_bytes();
    let mut plain_from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1F => b"",
            _ => continue,
        };
        out.put_slice(&bytes[plain_from..i]);
        if escape.is_empty() {
            out.put_slice(b"\\u00");
            out.put_u8(HEX[usize::from(b >> 4)]);
            out.put_u8(HEX[usize::from(b & 0xF)]);
        } else {
            out.put_slice(escape);
        }
        plain_from = i + 1;
    }
    out.put_slice(&bytes[plain_from..]);
    out.put_u8(b'"');
}

#[derive(Deserialize)]
struct Header {
    #[serde(default)]
    code: Int,
    #[serde(default)]
    language: Language,
    #[serde(default)]
    version: Int,
    #[serde(default)]
    opaque: Int,
    #[serde(default)]
    flag: Int,
    #[serde(default)]
    remark: Option<Text>,
    #[serde(default, rename = "extFields")]
    ext_fields: Option<Ext>,
}

/// An integer field given as a number, a numeric string, or junk (0).
#[derive(Default)]
struct Int(i32);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct IntVisitor;
        impl<'de> Visitor<'de> for IntVisitor {
            type Value = Int;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Int, E> {
                Ok(Int(v as i32))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Int, E> {
                Ok(Int(v as i32))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Int, E> {
                Ok(Int(v as i64 as i32))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Int, E> {
                Ok(Int(v.trim().parse::<f64>().map_or(0, |f| f as i64 as i32)))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Int, E> {
                Ok(Int(0))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Int, E> {
                Ok(Int(0))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Int, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Int(0))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Int, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Int(0))
            }
        }
        d.deserialize_any(IntVisitor)
    }
}

#[derive(Default)]
struct Language(LanguageCode);

impl<'de> Deserialize<'de> for Language {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = Text::deserialize(d)?.0.unwrap_or_default();
        Ok(Language(match text.parse::<u8>() {
            Ok(ordinal) => LanguageCode::from_code(ordinal),
            Err(_) => LanguageCode::from_name(&text),
        }))
    }
}

/// Any JSON value as the text Java would see in a String field; `None` for null.
struct Text(Option<String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
        Ok(Text(Some(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
        Ok(Text(Some(v)))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
        Ok(Text(Some(v.to_string())))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
        Ok(Text(Some(v.to_string())))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
        Ok(Text(Some(v.to_string())))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
        Ok(Text(Some(serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string()))))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Text, E> {
        Ok(Text(None))
    }
    fn visit_none<E: de::Error>(self) -> Result<Text, E> {
        Ok(Text(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Text, A::Error> {
        let v = serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Text(Some(v.to_string())))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Text, A::Error> {
        let v = serde_json::Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Text(Some(v.to_string())))
    }
}

/// extFields: an object of values read as text (nulls dropped); anything
/// other than an object reads as absent.
struct Ext(Option<ExtFields>);

impl<'de> Deserialize<'de> for Ext {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ExtVisitor;
        impl<'de> Visitor<'de> for ExtVisitor {
            type Value = Ext;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("extFields")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ext, A::Error> {
                let mut ext = ExtFields::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(key) = map.next_key::<String>()? {
                    if let Text(Some(value)) = map.next_value::<Text>()? {
                        ext.insert(key, value);
                    }
                }
                Ok(Ext(Some(ext)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Ext, E> {
                Ok(Ext(None))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Ext, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Ext(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Ext, E> {
                Ok(Ext(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Ext, E> {
                Ok(Ext(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Ext, E> {
                Ok(Ext(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Ext, E> {
                Ok(Ext(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Ext, E> {
                Ok(Ext(None))
            }
        }
        d.deserialize_any(ExtVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_like_serde_json() {
        for text in
            ["plain", "q\"uote", "back\\slash", "tab\tnew\nline\r", "UNIQ_KEY\u{1}7F\u{2}", "ünï😀", "\u{1f}"]
        {
            let mut out = BytesMut::new();
            put_str(&mut out, text);
            let expected = serde_json::to_string(text).unwrap();
            assert_eq!(std::str::from_utf8(&out).unwrap(), expected);
        }
    }

    #[test]
    fn integers_render_like_display() {
        for v in [0, 7, -1, 10, 479, i32::MAX, i32::MIN, -1_000_000] {
            let mut b = itoa_buf(v);
            assert_eq!(std::str::from_utf8(b.as_bytes_mut()).unwrap(), v.to_string());
        }
    }
}
