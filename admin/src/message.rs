//! Decoding one commit-log record (spec/store.md §3.1) the way a client
//! does (Java's `MessageDecoder.decode`): VIEW_MESSAGE_BY_ID answers with
//! the raw record bytes. The decoding itself is the shared record codec's
//! lenient reader (`booster_model::record::decode`): every length is
//! checked, a short or inconsistent record is an error naming the field,
//! never a panic. This module adds what queryMsgById prints on top: the
//! properties as a sorted map and the inflated body. Its tests build
//! records by hand, field by field, so the codec is still checked against
//! the layout rather than against its own encoder.

use std::collections::BTreeMap;
use std::io::Read as _;

use booster_model::record::{self, DecodeError, StoredMessage, sysflag};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("body is compressed with {0}, which mqadmin cannot inflate")]
    Compression(&'static str),
    #[error("body cannot be inflated: {0}")]
    Decompress(String),
}

/// Decodes the first record of `data` (a VIEW_MESSAGE_BY_ID body).
pub fn decode_record(data: &[u8]) -> Result<StoredMessage, RecordError> {
    Ok(StoredMessage::from(&record::decode(data)?))
}

/// The body a consumer sees: zlib-compressed bodies (compression
/// type 0 or 3) are inflated; LZ4/ZSTD are reported as unsupported.
pub fn readable_body(m: &StoredMessage) -> Result<Vec<u8>, RecordError> {
    if m.sys_flag & sysflag::COMPRESSED == 0 {
        return Ok(m.body.to_vec());
    }
    match (m.sys_flag & sysflag::COMPRESSION_TYPE_MASK) >> 8 {
        0 | 3 => {
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(&m.body[..])
                .read_to_end(&mut out)
                .map_err(|e| RecordError::Decompress(e.to_string()))?;
            Ok(out)
        }
        1 => Err(RecordError::Compression("LZ4")),
        2 => Err(RecordError::Compression("ZSTD")),
        other => Err(RecordError::Compression(if other > 3 { "unknown" } else { "?" })),
    }
}

/// The property string (spec/remoting.md §5.7): `name\u1value\u2`…;
/// segments without a name or a value are skipped, as Java does; a
/// repeated name keeps its last value.
pub fn decode_properties(text: &str) -> BTreeMap<String, String> {
    record::properties_iter(text.as_bytes())
        .map(|(k, v)| (String::from_utf8_lossy(k).into_owned(), String::from_utf8_lossy(v).into_owned()))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests;
