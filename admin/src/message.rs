//! Decoding one commit-log record (spec/store.md §3.1) the way a client
//! does (Java's `MessageDecoder.decode`): VIEW_MESSAGE_BY_ID answers with
//! the raw record bytes. Written here, independently of the store's own
//! codec, so that the admin tool is a second reader of the format rather
//! than the store judging itself. Every length is checked; a short or
//! inconsistent record is an error, never a panic.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// `0xDAA320A7`: 1-byte topic length.
const MAGIC_V1: i32 = 0xDAA3_20A7_u32 as i32;
/// `0xDAA320AB`: 2-byte topic length.
const MAGIC_V2: i32 = 0xDAA3_20AB_u32 as i32;

/// SYSFLAG bits used while decoding.
pub mod sys_flag {
    pub const COMPRESSED: i32 = 0x1;
    pub const BORNHOST_V6: i32 = 0x10;
    pub const STOREHOST_V6: i32 = 0x20;
    pub const COMPRESSION_TYPE_MASK: i32 = 0x700;
}

/// A decoded message, with the fields `queryMsgById` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedMessage {
    pub topic: String,
    pub flag: i32,
    pub queue_id: i32,
    pub queue_offset: i64,
    pub commit_log_offset: i64,
    pub sys_flag: i32,
    pub born_timestamp: i64,
    pub born_host: SocketAddr,
    pub store_timestamp: i64,
    pub store_host: SocketAddr,
    pub reconsume_times: i32,
    pub prepared_transaction_offset: i64,
    pub body_crc: i32,
    /// The body as stored (possibly compressed).
    pub body: Vec<u8>,
    pub properties: BTreeMap<String, String>,
}

impl DecodedMessage {
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties.get(name).map(String::as_str)
    }

    /// The body a consumer sees: zlib-compressed bodies (compression
    /// type 0 or 3) are inflated; LZ4/ZSTD are reported as unsupported.
    pub fn readable_body(&self) -> Result<Vec<u8>, RecordError> {
        if self.sys_flag & sys_flag::COMPRESSED == 0 {
            return Ok(self.body.clone());
        }
        match (self.sys_flag & sys_flag::COMPRESSION_TYPE_MASK) >> 8 {
            0 | 3 => {
                let mut out = Vec::new();
                flate2::read::ZlibDecoder::new(self.body.as_slice())
                    .read_to_end(&mut out)
                    .map_err(|e| RecordError::Decompress(e.to_string()))?;
                Ok(out)
            }
            1 => Err(RecordError::Compression("LZ4")),
            2 => Err(RecordError::Compression("ZSTD")),
            other => Err(RecordError::Compression(if other > 3 { "unknown" } else { "?" })),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("record is truncated: {field} needs {needed} bytes at {at}, only {len} present")]
    Truncated { field: &'static str, at: usize, needed: usize, len: usize },
    #[error("record has magic code {0:#010x}, not a message (expected 0xdaa320a7 or 0xdaa320ab)")]
    Magic(u32),
    #[error("record says it is {total} bytes long but {len} bytes arrived")]
    TotalSize { total: i32, len: usize },
    #[error("record has a negative {0} length")]
    NegativeLength(&'static str),
    #[error("body is compressed with {0}, which mqadmin cannot inflate")]
    Compression(&'static str),
    #[error("body cannot be inflated: {0}")]
    Decompress(String),
}

/// A bounds-checked big-endian reader.
struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], RecordError> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.data.len());
        let end =
            end.ok_or(RecordError::Truncated { field, at: self.pos, needed: n, len: self.data.len() })?;
        let out = &self.data[self.pos..end];
        self.pos = end;
        Ok(out)
    }
    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], RecordError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, field)?);
        Ok(out)
    }
    fn i16(&mut self, field: &'static str) -> Result<i16, RecordError> {
        self.array(field).map(i16::from_be_bytes)
    }
    fn i32(&mut self, field: &'static str) -> Result<i32, RecordError> {
        self.array(field).map(i32::from_be_bytes)
    }
    fn i64(&mut self, field: &'static str) -> Result<i64, RecordError> {
        self.array(field).map(i64::from_be_bytes)
    }
    fn host(&mut self, v6: bool, field: &'static str) -> Result<SocketAddr, RecordError> {
        let ip = if v6 {
            IpAddr::V6(Ipv6Addr::from(self.array::<16>(field)?))
        } else {
            IpAddr::V4(Ipv4Addr::from(self.array::<4>(field)?))
        };
        // Ports travel as i32; only the low 16 bits are meaningful.
        let port = self.i32(field)? as u16;
        Ok(SocketAddr::new(ip, port))
    }
    fn len(&mut self, width: usize, field: &'static str) -> Result<usize, RecordError> {
        let n = match width {
            1 => i64::from(self.take(1, field)?[0]),
            2 => i64::from(self.i16(field)?),
            _ => i64::from(self.i32(field)?),
        };
        usize::try_from(n).map_err(|_| RecordError::NegativeLength(field))
    }
}

/// Decodes the first record of `data` (a VIEW_MESSAGE_BY_ID body).
pub fn decode_record(data: &[u8]) -> Result<DecodedMessage, RecordError> {
    let mut c = Cursor { data, pos: 0 };
    let total = c.i32("TOTALSIZE")?;
    let record_len = usize::try_from(total).ok().filter(|t| *t <= data.len());
    let record_len = record_len.ok_or(RecordError::TotalSize { total, len: data.len() })?;
    // Fields never reach past this record's own length.
    c.data = &data[..record_len];
    let magic = c.i32("MAGICCODE")?;
    let topic_len_width = match magic {
        MAGIC_V1 => 1,
        MAGIC_V2 => 2,
        other => return Err(RecordError::Magic(other as u32)),
    };
    let body_crc = c.i32("BODYCRC")?;
    let queue_id = c.i32("QUEUEID")?;
    let flag = c.i32("FLAG")?;
    let queue_offset = c.i64("QUEUEOFFSET")?;
    let commit_log_offset = c.i64("PHYSICALOFFSET")?;
    let sys_flag = c.i32("SYSFLAG")?;
    let born_timestamp = c.i64("BORNTIMESTAMP")?;
    let born_host = c.host(sys_flag & sys_flag::BORNHOST_V6 != 0, "BORNHOST")?;
    let store_timestamp = c.i64("STORETIMESTAMP")?;
    let store_host = c.host(sys_flag & sys_flag::STOREHOST_V6 != 0, "STOREHOST")?;
    let reconsume_times = c.i32("RECONSUMETIMES")?;
    let prepared_transaction_offset = c.i64("PREPARED TRANSACTION OFFSET")?;
    let body_len = c.len(4, "BODY")?;
    let body = c.take(body_len, "BODY")?.to_vec();
    let topic_len = c.len(topic_len_width, "TOPIC")?;
    let topic = String::from_utf8_lossy(c.take(topic_len, "TOPIC")?).into_owned();
    let props_len = c.len(2, "PROPERTIES")?;
    let properties = decode_properties(&String::from_utf8_lossy(c.take(props_len, "PROPERTIES")?));
    Ok(DecodedMessage {
        topic,
        flag,
        queue_id,
        queue_offset,
        commit_log_offset,
        sys_flag,
        born_timestamp,
        born_host,
        store_timestamp,
        store_host,
        reconsume_times,
        prepared_transaction_offset,
        body_crc,
        body,
        properties,
    })
}

/// The property string (spec/remoting.md §5.7): `name\u1value\u2`…;
/// segments without a name or a value are skipped, as Java does.
pub fn decode_properties(text: &str) -> BTreeMap<String, String> {
    text.split('\u{2}')
        .filter_map(|seg| seg.split_once('\u{1}'))
        .filter(|(k, v)| !k.is_empty() && !v.is_empty())
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests;
