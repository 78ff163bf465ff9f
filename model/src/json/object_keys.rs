//! Reading maps whose keys are objects (spec/remoting.md §5.1 rule 4).
//!
//! fastjson writes a `Map<MessageQueue, X>` with the key object itself in
//! key position: `{{"brokerName":"b","queueId":0,"topic":"t"}:{…}}`
//! (TopicStatsTable, ConsumeStats, …). No standard JSON parser accepts
//! that, so [`quote_object_keys`] turns each such key into a JSON string
//! holding the key's text, `{"{\"brokerName\":…}":{…}}` — which is also
//! exactly what the standard-JSON writer emits for those maps. A field then
//! reads the map with [`object_key_map`], which parses every key string
//! back into the key type. Both dialects therefore read the same way.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};

use super::KeySpan;
use crate::lenient::{Lenient, LenientValue};

/// Turns object (or array) keys into JSON strings holding their text;
/// returns the input unchanged (borrowed) when it has none.
///
/// Strings are skipped whole, so braces inside string values are never
/// mistaken for keys. Nested object keys inside a key stay as they are;
/// they are handled when the key's own text is parsed. An unterminated key
/// is left alone for the JSON parser to report.
pub fn quote_object_keys(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    super::quote_keys(text, |start| match bytes[start] {
        b'{' | b'[' => matching_close(bytes, start).map_or(KeySpan::Stop, KeySpan::Quote),
        _ => KeySpan::Keep,
    })
}

/// `start` is at `{` or `[`; returns the index just past its matching
/// close, or `None` if the input ends first.
fn matching_close(bytes: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i = super::skip_string(bytes, i);
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// For `#[serde(deserialize_with = "…")]` on a `BTreeMap<K, V>` whose keys
/// fastjson writes as objects: each key (a string after
/// [`quote_object_keys`], or in standard JSON) is parsed as RocketMQ JSON
/// into `K`; values read leniently. `null` is an empty map.
pub fn object_key_map<'de, D, K, V>(d: D) -> Result<BTreeMap<K, V>, D::Error>
where
    D: Deserializer<'de>,
    K: DeserializeOwned + Ord,
    V: Lenient,
{
    let raw: Option<BTreeMap<String, LenientValue<V>>> = Option::deserialize(d)?;
    let mut out = BTreeMap::new();
    for (key, LenientValue(value)) in raw.unwrap_or_default() {
        let parsed = super::from_rocketmq_json::<K>(&key)
            .map_err(|e| D::Error::custom(format!("map key {key:?}: {e}")))?;
        out.insert(parsed, value);
    }
    Ok(out)
}
