//! Framing of the Raft log file, I/O-free:
//! `u32 LE payload length | u32 LE crc32(payload) | payload`.
//!
//! A crash can leave the last record half written. Decoding stops at the
//! first record that is short, oversized or fails its checksum and reports
//! how many bytes were intact, so the caller can cut the file there.

/// Bytes before each payload.
pub const HEADER_BYTES: usize = 8;
/// Upper bound on one payload; a larger length is garbage, not a record.
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024 * 1024;

/// Appends one framed record to `out`.
pub fn encode(payload: &[u8], out: &mut Vec<u8>) {
    assert!(payload.len() <= MAX_PAYLOAD_BYTES, "raft log record of {} bytes", payload.len());
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
}

/// The intact prefix of a log file.
#[derive(Debug, PartialEq, Eq)]
pub struct Decoded<'a> {
    pub payloads: Vec<&'a [u8]>,
    /// Length of the intact prefix; `< buf.len()` means a torn or corrupt tail.
    pub valid_bytes: usize,
}

/// Decodes records until the end of `buf` or the first damaged one.
pub fn decode_all(buf: &[u8]) -> Decoded<'_> {
    let mut payloads = Vec::new();
    let mut pos = 0;
    while let Some(payload) = decode_at(buf, pos) {
        payloads.push(payload);
        pos += HEADER_BYTES + payload.len();
    }
    Decoded { payloads, valid_bytes: pos }
}

fn decode_at(buf: &[u8], pos: usize) -> Option<&[u8]> {
    let header = buf.get(pos..pos + HEADER_BYTES)?;
    let len = u32::from_le_bytes(header[..4].try_into().ok()?) as usize;
    let crc = u32::from_le_bytes(header[4..].try_into().ok()?);
    if len > MAX_PAYLOAD_BYTES {
        return None;
    }
    let start = pos + HEADER_BYTES;
    let payload = buf.get(start..start + len)?;
    (crc32fast::hash(payload) == crc).then_some(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(payloads: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for p in payloads {
            encode(p, &mut out);
        }
        out
    }

    #[test]
    fn round_trips_records() {
        let buf = framed(&[b"one", b"", b"three"]);
        let decoded = decode_all(&buf);
        assert_eq!(decoded.payloads, vec![&b"one"[..], b"", b"three"]);
        assert_eq!(decoded.valid_bytes, buf.len());
    }

    #[test]
    fn a_tail_cut_at_any_byte_keeps_exactly_the_whole_records() {
        let buf = framed(&[b"first record", b"second record"]);
        let first_end = HEADER_BYTES + b"first record".len();
        for cut in 0..buf.len() {
            let decoded = decode_all(&buf[..cut]);
            let expect = if cut >= first_end { 1 } else { 0 };
            assert_eq!(decoded.payloads.len(), expect, "cut at {cut}");
            assert_eq!(decoded.valid_bytes, if expect == 1 { first_end } else { 0 }, "cut at {cut}");
        }
    }

    #[test]
    fn a_flipped_bit_or_garbage_length_ends_the_log() {
        let mut buf = framed(&[b"good", b"damaged", b"after"]);
        let second = HEADER_BYTES + 4;
        buf[second + HEADER_BYTES + 2] ^= 0x01;
        let decoded = decode_all(&buf);
        assert_eq!(decoded.payloads, vec![&b"good"[..]]);
        assert_eq!(decoded.valid_bytes, second);

        let mut garbage = framed(&[b"good"]);
        garbage.extend_from_slice(&u32::MAX.to_le_bytes());
        garbage.extend_from_slice(&[0; 12]);
        assert_eq!(decode_all(&garbage).valid_bytes, second);
    }
}
