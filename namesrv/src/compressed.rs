//! The compressed REGISTER_BROKER body (header `compressed=true`; broker key
//! `compressedRegister`, deprecated, off by default; spec/remoting.md §4.9,
//! Java `RegisterBrokerBody.encode(true)/decode`).
//!
//! A zlib stream of big-endian, length-prefixed parts:
//! `i32 len + DataVersion JSON`, `i32 topicCount`, per topic `i32 len +
//! "name readQ writeQ perm FILTER_TYPE attributesJSON"`, `i32 len +
//! filterServerList JSON`, and from brokers ≥ V5_0_0 (413) `i32 count` and
//! per entry `i32 len + TopicQueueMappingInfo JSON`. The text form of a
//! topic carries no `order` / `topicSysFlag`: they decode as defaults.
//!
//! Limits: the inflated stream may not exceed [`MAX_INFLATED_BYTES`], and
//! every length is checked before it is read, so a hostile body costs at
//! most that much memory.

use std::io::Read;

use booster_model::lenient::LenientValue;
use booster_model::{
    DataVersion, RegisterBrokerBody, TopicConfig, TopicFilterType, TopicQueueMappingInfo, from_rocketmq_json,
    to_rocketmq_json,
};
use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;

/// First broker version whose compressed body has the mapping section.
pub const MAPPING_SECTION_MIN_VERSION: i32 = 413;

/// Upper bound of an inflated body (4× the largest frame).
pub const MAX_INFLATED_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum CompressedBodyError {
    #[error("compressed register body: {0}")]
    Truncated(String),
    #[error("compressed register body: bad {part}: {reason}")]
    Invalid { part: &'static str, reason: String },
}

/// Decodes a compressed body sent by a broker of `broker_version`.
pub fn decode(body: &[u8], broker_version: i32) -> Result<RegisterBrokerBody, CompressedBodyError> {
    let mut input = ZlibDecoder::new(body).take(MAX_INFLATED_BYTES);
    let mut out = RegisterBrokerBody::default();
    let wrapper = &mut out.topic_config_serialize_wrapper;

    wrapper.data_version = json_part::<DataVersion>(&mut input, "dataVersion")?;
    let topics = read_len(&mut input, "topic count")?;
    for _ in 0..topics {
        let text = text_part(&mut input, "topic config")?;
        let tc = decode_topic_config(&text)?;
        wrapper.topic_config_table.insert(tc.topic_name.clone(), tc);
    }
    // Java logs a bad filter list and carries on with an empty one.
    let filters = text_part(&mut input, "filterServerList")?;
    out.filter_server_list =
        from_rocketmq_json::<LenientValue<Vec<String>>>(&filters).map(|v| v.0).unwrap_or_default();
    if broker_version >= MAPPING_SECTION_MIN_VERSION {
        let count = read_len(&mut input, "mapping count")?;
        for _ in 0..count {
            let info = json_part::<TopicQueueMappingInfo>(&mut input, "topicQueueMappingInfo")?;
            out.topic_config_serialize_wrapper.topic_queue_mapping_info_map.insert(info.topic.clone(), info);
        }
    }
    Ok(out)
}

/// Encodes `body` the way a Java broker with `compressedRegister=true` does
/// (used by tests; a broker may use it too).
pub fn encode(body: &RegisterBrokerBody) -> Vec<u8> {
    let w = &body.topic_config_serialize_wrapper;
    let mut raw = Vec::new();
    put_part(&mut raw, to_rocketmq_json(&w.data_version, false).as_bytes());
    put_len(&mut raw, w.topic_config_table.len());
    for tc in w.topic_config_table.values() {
        put_part(&mut raw, encode_topic_config(tc).as_bytes());
    }
    put_part(&mut raw, to_rocketmq_json(&body.filter_server_list, false).as_bytes());
    put_len(&mut raw, w.topic_queue_mapping_info_map.len());
    for info in w.topic_queue_mapping_info_map.values() {
        put_part(&mut raw, to_rocketmq_json(info, false).as_bytes());
    }
    let mut enc = ZlibEncoder::new(Vec::new(), Compression::best());
    // Writing to a Vec cannot fail.
    let _ = std::io::Write::write_all(&mut enc, &raw);
    enc.finish().unwrap_or_default()
}

/// Java `TopicConfig.encode()`: space-separated, attributes as JSON.
pub fn encode_topic_config(tc: &TopicConfig) -> String {
    let filter = match tc.topic_filter_type {
        TopicFilterType::SingleTag => "SINGLE_TAG",
        TopicFilterType::MultiTag => "MULTI_TAG",
    };
    let attributes = to_rocketmq_json(&tc.attributes, false);
    format!(
        "{} {} {} {} {filter} {attributes}",
        tc.topic_name, tc.read_queue_nums, tc.write_queue_nums, tc.perm
    )
}

/// Java `TopicConfig.decode()`: at least five fields; unparseable
/// attributes are ignored (they may contain spaces Java cannot split).
pub fn decode_topic_config(text: &str) -> Result<TopicConfig, CompressedBodyError> {
    let invalid = |reason: String| CompressedBodyError::Invalid { part: "topic config", reason };
    let parts: Vec<&str> = text.splitn(6, ' ').collect();
    let [name, read, write, perm, filter, rest @ ..] = parts.as_slice() else {
        return Err(invalid(format!("{text:?} has fewer than 5 fields")));
    };
    let int = |s: &str| s.parse::<i32>().map_err(|_| invalid(format!("{s:?} is not an integer in {text:?}")));
    let mut tc = TopicConfig::new(*name);
    tc.read_queue_nums = int(read)?;
    tc.write_queue_nums = int(write)?;
    tc.perm = int(perm)?;
    tc.topic_filter_type = match *filter {
        "SINGLE_TAG" => TopicFilterType::SingleTag,
        "MULTI_TAG" => TopicFilterType::MultiTag,
        other => return Err(invalid(format!("unknown filter type {other:?}"))),
    };
    if let Some(attrs) = rest.first() {
        tc.attributes = from_rocketmq_json(attrs).unwrap_or_default();
    }
    Ok(tc)
}

fn read_len(input: &mut impl Read, part: &'static str) -> Result<usize, CompressedBodyError> {
    let mut word = [0u8; 4];
    input.read_exact(&mut word).map_err(|e| CompressedBodyError::Truncated(format!("{part}: {e}")))?;
    let n = i32::from_be_bytes(word);
    usize::try_from(n)
        .map_err(|_| CompressedBodyError::Invalid { part, reason: format!("negative length {n}") })
}

fn text_part(input: &mut impl Read, part: &'static str) -> Result<String, CompressedBodyError> {
    let len = read_len(input, part)?;
    let mut buf = Vec::new();
    // `take` bounds the allocation by what is really there.
    input
        .take(len as u64)
        .read_to_end(&mut buf)
        .map_err(|e| CompressedBodyError::Truncated(format!("{part}: {e}")))?;
    if buf.len() != len {
        return Err(CompressedBodyError::Truncated(format!("{part}: {} of {len} bytes", buf.len())));
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

fn json_part<T: serde::de::DeserializeOwned>(
    input: &mut impl Read,
    part: &'static str,
) -> Result<T, CompressedBodyError> {
    let text = text_part(input, part)?;
    from_rocketmq_json(&text).map_err(|e| CompressedBodyError::Invalid { part, reason: e.to_string() })
}

fn put_len(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&i32::try_from(n).unwrap_or(i32::MAX).to_be_bytes());
}

fn put_part(out: &mut Vec<u8>, bytes: &[u8]) {
    put_len(out, bytes.len());
    out.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> RegisterBrokerBody {
        let mut b = RegisterBrokerBody::default();
        let w = &mut b.topic_config_serialize_wrapper;
        w.data_version = DataVersion { counter: 7, state_version: 1, timestamp: 1_700_000_000_000 };
        let mut t = TopicConfig::new("TopicTest");
        t.read_queue_nums = 4;
        t.write_queue_nums = 4;
        t.attributes.insert("+message.type".into(), "NORMAL".into());
        w.topic_config_table.insert("TopicTest".into(), t);
        let mut tbw = TopicConfig::new("TBW102");
        tbw.perm = 7;
        tbw.topic_filter_type = TopicFilterType::MultiTag;
        w.topic_config_table.insert("TBW102".into(), tbw);
        let info = TopicQueueMappingInfo { topic: "S".into(), bname: "b".into(), ..Default::default() };
        w.topic_queue_mapping_info_map.insert("S".into(), info);
        b.filter_server_list = vec!["10.0.0.9:1".into()];
        b
    }

    #[test]
    fn round_trips_for_v5_brokers() {
        let b = body();
        assert_eq!(decode(&encode(&b), 479).unwrap(), b);
    }

    #[test]
    fn old_brokers_have_no_mapping_section() {
        let full = body();
        let mut without = full.clone();
        without.topic_config_serialize_wrapper.topic_queue_mapping_info_map.clear();
        assert_eq!(decode(&encode(&full), 400).unwrap(), without);
    }

    #[test]
    fn topic_config_text_form() {
        let tc = &body().topic_config_serialize_wrapper.topic_config_table["TopicTest"];
        assert_eq!(encode_topic_config(tc), r#"TopicTest 4 4 6 SINGLE_TAG {"+message.type":"NORMAL"}"#);
        let back = decode_topic_config("T 1 2 6 MULTI_TAG").unwrap();
        assert_eq!((back.read_queue_nums, back.write_queue_nums, back.perm), (1, 2, 6));
        assert!(decode_topic_config("T 1 2").is_err());
        assert!(decode_topic_config("T x 2 6 SINGLE_TAG").is_err());
        assert!(decode_topic_config("T 1 2 6 SOME_TAG").is_err());
        assert!(decode_topic_config("T 1 2 6 SINGLE_TAG {broken").unwrap().attributes.is_empty());
    }

    #[test]
    fn garbage_and_truncation_are_errors_not_panics() {
        assert!(decode(b"not zlib at all", 479).is_err());
        let full = encode(&body());
        // A cut body never yields a partial result. (A cut that only drops
        // the stream's end marker and Adler-32 trailer still decodes whole:
        // like Java's InflaterInputStream, nobody reads past the content.)
        for cut in 0..full.len() {
            if let Ok(b) = decode(&full[..cut], 479) {
                assert!(b == body() && cut + 8 > full.len(), "cut at {cut}");
            }
        }
        // A huge declared length is refused without allocating it.
        let mut raw = Vec::new();
        raw.extend_from_slice(&i32::MAX.to_be_bytes());
        let mut enc = ZlibEncoder::new(Vec::new(), Compression::fast());
        std::io::Write::write_all(&mut enc, &raw).unwrap();
        assert!(matches!(decode(&enc.finish().unwrap(), 479), Err(CompressedBodyError::Truncated(_))));
        let mut neg = Vec::new();
        neg.extend_from_slice(&(-1i32).to_be_bytes());
        let mut enc = ZlibEncoder::new(Vec::new(), Compression::fast());
        std::io::Write::write_all(&mut enc, &neg).unwrap();
        assert!(matches!(decode(&enc.finish().unwrap(), 479), Err(CompressedBodyError::Invalid { .. })));
    }
}
