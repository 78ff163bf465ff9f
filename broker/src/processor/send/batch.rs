//! SEND_BATCH_MESSAGE body decoding (spec/remoting.md §4.2): inner messages
//! back to back, each `totalSize, magic, bodyCRC, flag, bodyLen+body,
//! propsLen(i16)+props`. Every length is checked against the bytes that are
//! really there; a malformed body is an error, never a panic.

use bytes::Bytes;

/// One inner message of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchEntry {
    pub flag: i32,
    pub body: Bytes,
    pub properties: String,
}

/// Most inner messages one batch may hold (a limit on everything).
pub const MAX_BATCH_MESSAGES: usize = 10_000;

/// Splits a batch body into its messages.
pub fn decode_batch(body: &Bytes) -> Result<Vec<BatchEntry>, String> {
    let mut entries = Vec::new();
    let mut pos = 0usize;
    while pos < body.len() {
        if entries.len() >= MAX_BATCH_MESSAGES {
            return Err(format!("more than {MAX_BATCH_MESSAGES} messages in one batch"));
        }
        let entry = decode_entry(body, pos)
            .map_err(|e| format!("batch message {} at byte {pos}: {e}", entries.len()))?;
        pos += entry.0;
        entries.push(entry.1);
    }
    if entries.is_empty() {
        return Err("empty batch".to_owned());
    }
    Ok(entries)
}

fn read_i32(b: &[u8], at: usize) -> Result<i32, String> {
    b.get(at..at + 4)
        .map(|s| i32::from_be_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or_else(|| "truncated".to_owned())
}

/// Decodes the entry at `start`; returns (its total size, the entry).
fn decode_entry(body: &Bytes, start: usize) -> Result<(usize, BatchEntry), String> {
    let total = usize::try_from(read_i32(body, start)?).map_err(|_| "negative total size".to_owned())?;
    let end = start.checked_add(total).filter(|&e| e <= body.len()).ok_or("total size beyond the body")?;
    let entry = &body[start..end];
    // totalSize, magic, bodyCRC, flag
    let flag = read_i32(entry, 12)?;
    let body_len = usize::try_from(read_i32(entry, 16)?).map_err(|_| "negative body length".to_owned())?;
    let body_start = 20usize;
    let body_end =
        body_start.checked_add(body_len).filter(|&e| e <= entry.len()).ok_or("body beyond the entry")?;
    let props_len_at = body_end;
    let props_len = entry
        .get(props_len_at..props_len_at + 2)
        .map(|s| i16::from_be_bytes([s[0], s[1]]))
        .ok_or("truncated properties length")?;
    let props_len = usize::try_from(props_len).map_err(|_| "negative properties length".to_owned())?;
    let props_start = props_len_at + 2;
    if props_start + props_len != entry.len() {
        return Err(format!(
            "lengths add up to {} bytes, total size says {}",
            props_start + props_len,
            entry.len()
        ));
    }
    let properties = std::str::from_utf8(&entry[props_start..])
        .map_err(|_| "properties are not UTF-8".to_owned())?
        .to_owned();
    Ok((total, BatchEntry { flag, body: body.slice(start + body_start..start + body_end), properties }))
}

/// Encodes messages as a batch body (what the Java client's
/// `MessageDecoder.encodeMessages` writes); used by tests and tools.
pub fn encode_batch(entries: &[BatchEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        let props = e.properties.as_bytes();
        let total = 4 + 4 + 4 + 4 + 4 + e.body.len() + 2 + props.len();
        out.extend_from_slice(&(total as i32).to_be_bytes());
        out.extend_from_slice(&0i32.to_be_bytes());
        out.extend_from_slice(&0i32.to_be_bytes());
        out.extend_from_slice(&e.flag.to_be_bytes());
        out.extend_from_slice(&(e.body.len() as i32).to_be_bytes());
        out.extend_from_slice(&e.body);
        out.extend_from_slice(&(props.len() as i16).to_be_bytes());
        out.extend_from_slice(props);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(flag: i32, body: &str, props: &str) -> BatchEntry {
        BatchEntry { flag, body: Bytes::copy_from_slice(body.as_bytes()), properties: props.into() }
    }

    #[test]
    fn round_trip() {
        let entries =
            vec![entry(1, "hello", "TAGS\u{1}A\u{2}"), entry(0, "", ""), entry(7, "x", "K\u{1}v\u{2}")];
        let body = Bytes::from(encode_batch(&entries));
        assert_eq!(decode_batch(&body).unwrap(), entries);
    }

    #[test]
    fn every_truncation_and_corruption_is_an_error() {
        let body = encode_batch(&[entry(1, "hello", "TAGS\u{1}A\u{2}"), entry(2, "world", "")]);
        for cut in 1..body.len() {
            let first_len = 4 + 4 + 4 + 4 + 4 + 5 + 2 + 7;
            if cut == first_len {
                continue; // a whole first message is a valid batch
            }
            assert!(decode_batch(&Bytes::copy_from_slice(&body[..cut])).is_err(), "cut at {cut}");
        }
        assert!(decode_batch(&Bytes::new()).is_err());
        let mut bad = body.clone();
        bad[16..20].copy_from_slice(&1000i32.to_be_bytes()); // body length too large
        assert!(decode_batch(&Bytes::from(bad)).is_err());
        let mut bad = body;
        bad[0..4].copy_from_slice(&(-5i32).to_be_bytes());
        assert!(decode_batch(&Bytes::from(bad)).is_err());
    }
}
