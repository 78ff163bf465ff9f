//! The CommitLog record format (spec/store.md §3): encoding a message into a
//! record, and checking/decoding records read back from disk or the wire.
//! The same bytes are the wire format of pull, query and view-by-id bodies,
//! so the store, the broker and mqadmin all read them with this one codec.
//!
//! Pure and I/O-free. The encoder pre-builds the whole record outside the
//! append lock; only QUEUEOFFSET, PHYSICALOFFSET and STORETIMESTAMP are
//! patched in under the lock (`EncodedRecord::stamp`).
//!
//! Two readers share the field decoder: [`check_record`], the store's
//! strict check (lengths must add up to TOTALSIZE exactly, optionally the
//! CRC and torn tails), and [`decode`], a client's lenient read (Java's
//! `MessageDecoder.decode`) that names the field where a record falls short.
//! Neither panics on any input.

use std::borrow::Cow;
use std::net::{IpAddr, SocketAddr};

use bytes::Bytes;

pub const MAGIC_V1: i32 = 0xDAA3_20A7_u32 as i32;
pub const MAGIC_V2: i32 = 0xDAA3_20AB_u32 as i32;
/// End-of-file marker: an 8-byte record `(remaining, BLANK_MAGIC)`.
pub const BLANK_MAGIC: i32 = 0xCBD4_3194_u32 as i32;
/// A BLANK marker is this long; every record needs this much room after it.
pub const BLANK_LEN: usize = 8;
/// Longest property string a record can hold (i16 length).
pub const MAX_PROPERTIES_LEN: usize = i16::MAX as usize;
/// Topics longer than this are rejected by the store (2-byte V2 limit in practice).
pub const MAX_TOPIC_LEN: usize = 255;
/// Topics longer than this need the V2 magic (1-byte signed length in V1).
pub const MAX_V1_TOPIC_LEN: usize = 127;

pub const NAME_VALUE_SEPARATOR: char = '\u{1}';
pub const PROPERTY_SEPARATOR: char = '\u{2}';

/// SYSFLAG bits (spec/store.md §3.2).
pub mod sysflag {
    pub const COMPRESSED: i32 = 0x1;
    pub const MULTI_TAGS: i32 = 0x2;
    pub const TRANSACTION_MASK: i32 = 0xC;
    pub const TRANSACTION_NOT_TYPE: i32 = 0x0;
    pub const TRANSACTION_PREPARED: i32 = 0x4;
    pub const TRANSACTION_COMMIT: i32 = 0x8;
    pub const TRANSACTION_ROLLBACK: i32 = 0xC;
    pub const BORNHOST_V6: i32 = 0x10;
    pub const STOREHOST_V6: i32 = 0x20;
    pub const NEED_UNWRAP: i32 = 0x40;
    pub const INNER_BATCH: i32 = 0x80;
    /// Compression type of a COMPRESSED body (`>> 8`: 0/3 zlib, 1 LZ4, 2 ZSTD).
    pub const COMPRESSION_TYPE_MASK: i32 = 0x700;

    pub fn transaction_type(sys_flag: i32) -> i32 {
        sys_flag & TRANSACTION_MASK
    }
}

// Fixed field positions for an IPv4 born host (an IPv6 born host shifts
// everything after BORNHOST by 12).
const POS_QUEUE_OFFSET: usize = 20;
const POS_PHYSICAL_OFFSET: usize = 28;

/// RocketMQ's `UtilAll.crc32`: IEEE CRC-32 masked to 31 bits. BODYCRC, the
/// REGISTER_BROKER body checksum and the epoch file all use it.
pub fn crc32(bytes: &[u8]) -> i32 {
    (crc32fast::hash(bytes) & 0x7FFF_FFFF) as i32
}

/// Java's `String.hashCode` over UTF-16 code units, wrapping.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

fn host_len(addr: &SocketAddr) -> usize {
    match addr.ip() {
        IpAddr::V4(_) => 8,
        IpAddr::V6(_) => 20,
    }
}

fn put_host(buf: &mut Vec<u8>, addr: &SocketAddr) {
    match addr.ip() {
        IpAddr::V4(ip) => buf.extend_from_slice(&ip.octets()),
        IpAddr::V6(ip) => buf.extend_from_slice(&ip.octets()),
    }
    buf.extend_from_slice(&i32::from(addr.port()).to_be_bytes());
}

/// One message as the broker hands it to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageToStore {
    pub topic: String,
    pub queue_id: i32,
    pub flag: i32,
    pub body: Bytes,
    /// Encoded property string (`name\u1value\u2...`).
    pub properties: String,
    pub sys_flag: i32,
    pub born_timestamp: i64,
    pub born_host: SocketAddr,
    pub store_host: SocketAddr,
    pub reconsume_times: i32,
    pub prepared_transaction_offset: i64,
}

impl MessageToStore {
    /// Whether the record gets a ConsumeQueue entry and a queue offset.
    pub fn is_consumable(&self) -> bool {
        is_consumable_sys_flag(self.sys_flag)
    }
}

/// NOT_TYPE and COMMIT records are consumable; PREPARED/ROLLBACK are not.
pub fn is_consumable_sys_flag(sys_flag: i32) -> bool {
    matches!(sysflag::transaction_type(sys_flag), sysflag::TRANSACTION_NOT_TYPE | sysflag::TRANSACTION_COMMIT)
}

/// Why [`encode`] refused a message (the store reports these as its own
/// `MessageIllegal` / `PropertiesSizeExceeded` errors).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("message illegal: {0}")]
    MessageIllegal(String),
    #[error("properties too long: {0} bytes (max 32767)")]
    PropertiesSizeExceeded(usize),
}

/// Limits the encoder enforces (spec/store.md §3.6).
#[derive(Debug, Clone, Copy)]
pub struct EncodeLimits {
    pub max_message_size: usize,
    pub auto_message_version_on_topic_len: bool,
}

/// A fully encoded record waiting for its offsets and store timestamp.
#[derive(Debug, Clone)]
pub struct EncodedRecord {
    pub bytes: Vec<u8>,
    pos_store_timestamp: usize,
}

impl EncodedRecord {
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Fills the fields only known under the append lock.
    pub fn stamp(&mut self, queue_offset: i64, physical_offset: i64, store_timestamp: i64) {
        self.bytes[POS_QUEUE_OFFSET..POS_QUEUE_OFFSET + 8].copy_from_slice(&queue_offset.to_be_bytes());
        self.bytes[POS_PHYSICAL_OFFSET..POS_PHYSICAL_OFFSET + 8]
            .copy_from_slice(&physical_offset.to_be_bytes());
        let p = self.pos_store_timestamp;
        self.bytes[p..p + 8].copy_from_slice(&store_timestamp.to_be_bytes());
    }
}

/// Encodes `msg` as one record with zeroed QUEUEOFFSET, PHYSICALOFFSET and
/// STORETIMESTAMP. Sets the V6 sysflag bits from the actual address families.
pub fn encode(msg: &MessageToStore, limits: EncodeLimits) -> Result<EncodedRecord, EncodeError> {
    let topic = msg.topic.as_bytes();
    if topic.is_empty() || topic.len() > MAX_TOPIC_LEN {
        return Err(EncodeError::MessageIllegal(format!("topic length {} not in 1..=255", topic.len())));
    }
    if msg.body.len() > limits.max_message_size {
        return Err(EncodeError::MessageIllegal(format!(
            "body {} bytes exceeds maxMessageSize {}",
            msg.body.len(),
            limits.max_message_size
        )));
    }
    let properties = msg.properties.as_bytes();
    if properties.len() > MAX_PROPERTIES_LEN {
        return Err(EncodeError::PropertiesSizeExceeded(properties.len()));
    }
    let v2 = topic.len() > MAX_V1_TOPIC_LEN;
    if v2 && !limits.auto_message_version_on_topic_len {
        return Err(EncodeError::MessageIllegal(format!("topic length {} exceeds 127", topic.len())));
    }
    let mut sys_flag = msg.sys_flag & !(sysflag::BORNHOST_V6 | sysflag::STOREHOST_V6);
    if msg.born_host.is_ipv6() {
        sys_flag |= sysflag::BORNHOST_V6;
    }
    if msg.store_host.is_ipv6() {
        sys_flag |= sysflag::STOREHOST_V6;
    }
    let topic_len_size = if v2 { 2 } else { 1 };
    let total = RECORD_FIXED_LEN
        + host_len(&msg.born_host)
        + host_len(&msg.store_host)
        + msg.body.len()
        + topic_len_size
        + topic.len()
        + properties.len();
    if total > limits.max_message_size + 65_536 {
        return Err(EncodeError::MessageIllegal(format!("record {total} bytes too large")));
    }
    let mut b = Vec::with_capacity(total);
    b.extend_from_slice(&(total as i32).to_be_bytes());
    b.extend_from_slice(&(if v2 { MAGIC_V2 } else { MAGIC_V1 }).to_be_bytes());
    b.extend_from_slice(&crc32(&msg.body).to_be_bytes());
    b.extend_from_slice(&msg.queue_id.to_be_bytes());
    b.extend_from_slice(&msg.flag.to_be_bytes());
    b.extend_from_slice(&0i64.to_be_bytes()); // QUEUEOFFSET, stamped later
    b.extend_from_slice(&0i64.to_be_bytes()); // PHYSICALOFFSET, stamped later
    b.extend_from_slice(&sys_flag.to_be_bytes());
    b.extend_from_slice(&msg.born_timestamp.to_be_bytes());
    put_host(&mut b, &msg.born_host);
    let pos_store_timestamp = b.len();
    b.extend_from_slice(&0i64.to_be_bytes()); // STORETIMESTAMP, stamped later
    put_host(&mut b, &msg.store_host);
    b.extend_from_slice(&msg.reconsume_times.to_be_bytes());
    b.extend_from_slice(&msg.prepared_transaction_offset.to_be_bytes());
    b.extend_from_slice(&(msg.body.len() as i32).to_be_bytes());
    b.extend_from_slice(&msg.body);
    if v2 {
        b.extend_from_slice(&(topic.len() as i16).to_be_bytes());
    } else {
        b.push(topic.len() as u8);
    }
    b.extend_from_slice(topic);
    b.extend_from_slice(&(properties.len() as i16).to_be_bytes());
    b.extend_from_slice(properties);
    debug_assert_eq!(b.len(), total);
    Ok(EncodedRecord { bytes: b, pos_store_timestamp })
}

/// Bytes of every fixed-width field: TOTALSIZE, MAGICCODE, BODYCRC, QUEUEID,
/// FLAG (4 each), QUEUEOFFSET, PHYSICALOFFSET (8 each), SYSFLAG (4),
/// BORNTIMESTAMP, STORETIMESTAMP (8 each), RECONSUMETIMES (4), PREPARED
/// TRANSACTION OFFSET (8), BODYLENGTH (4), PROPERTIESLENGTH (2).
const RECORD_FIXED_LEN: usize = 74;

/// The 8-byte end-of-file marker covering `remaining` bytes.
pub fn blank_marker(remaining: usize) -> [u8; BLANK_LEN] {
    let mut m = [0u8; BLANK_LEN];
    m[..4].copy_from_slice(&(remaining as i32).to_be_bytes());
    m[4..].copy_from_slice(&BLANK_MAGIC.to_be_bytes());
    m
}

/// A record decoded in place: fields by value, variable parts borrowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordView<'a> {
    pub total_size: i32,
    pub magic: i32,
    pub body_crc: i32,
    pub queue_id: i32,
    pub flag: i32,
    pub queue_offset: i64,
    pub physical_offset: i64,
    pub sys_flag: i32,
    pub born_timestamp: i64,
    pub born_host: SocketAddr,
    pub store_timestamp: i64,
    pub store_host: SocketAddr,
    pub reconsume_times: i32,
    pub prepared_transaction_offset: i64,
    pub body: &'a [u8],
    pub topic: &'a [u8],
    pub properties: &'a [u8],
}

impl<'a> RecordView<'a> {
    pub fn topic(&self) -> Cow<'a, str> {
        String::from_utf8_lossy(self.topic)
    }

    pub fn properties(&self) -> Cow<'a, str> {
        String::from_utf8_lossy(self.properties)
    }

    /// The value of property `name`, if present.
    pub fn property(&self, name: &str) -> Option<Cow<'a, str>> {
        property_value(self.properties, name)
    }

    /// RocketMQ's offset message id for this record (uppercase hex).
    pub fn msg_id(&self) -> String {
        offset_msg_id(&self.store_host, self.physical_offset)
    }
}

/// What one position of a CommitLog holds (spec/store.md §8 record check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordCheck<'a> {
    /// A whole valid record.
    Record(RecordView<'a>),
    /// The end-of-file marker: the rest of this file is padding.
    Blank,
    /// No valid record here (torn, corrupt, zero-filled or garbage).
    Invalid(Invalid),
}

/// Why bytes are not a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    /// Fewer than 8 bytes: the data ends inside the header.
    ShortHeader,
    /// TOTALSIZE reaches past the data: a torn or still-arriving record.
    Incomplete,
    BadMagic,
    BadCrc,
    /// The field lengths do not add up to TOTALSIZE.
    LengthMismatch,
    /// Zeroes where a torn write stopped: a NUL in the topic, or a property
    /// string that does not end with U+0002.
    TornTail,
}

impl Invalid {
    /// The bytes may become a record once more data arrives.
    pub fn is_incomplete(self) -> bool {
        matches!(self, Self::ShortHeader | Self::Incomplete)
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::ShortHeader => "fewer than 8 bytes left",
            Self::Incomplete => "total size beyond the data",
            Self::BadMagic => "bad magic code",
            Self::BadCrc => "body CRC mismatch",
            Self::LengthMismatch => "field lengths disagree with total size",
            Self::TornTail => "topic or properties cut short (torn write)",
        })
    }
}

/// Why [`decode`] could not read a record. Every length is checked, so a
/// short or inconsistent record is one of these, never a panic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("record is truncated: {field} needs {needed} bytes at {at}, only {len} present")]
    Truncated { field: &'static str, at: usize, needed: usize, len: usize },
    #[error("record has magic code {0:#010x}, not a message (expected 0xdaa320a7 or 0xdaa320ab)")]
    Magic(u32),
    #[error("record says it is {total} bytes long but {len} bytes arrived")]
    TotalSize { total: i32, len: usize },
    #[error("record has a negative {0} length")]
    NegativeLength(&'static str),
}

/// A bounds-checked big-endian reader; errors name the field being read.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], DecodeError> {
        let s = self.pos.checked_add(n).and_then(|end| self.buf.get(self.pos..end));
        let s = s.ok_or(DecodeError::Truncated { field, at: self.pos, needed: n, len: self.buf.len() })?;
        self.pos += n;
        Ok(s)
    }
    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, field)?);
        Ok(out)
    }
    fn i16(&mut self, field: &'static str) -> Result<i16, DecodeError> {
        self.array(field).map(i16::from_be_bytes)
    }
    fn i32(&mut self, field: &'static str) -> Result<i32, DecodeError> {
        self.array(field).map(i32::from_be_bytes)
    }
    fn i64(&mut self, field: &'static str) -> Result<i64, DecodeError> {
        self.array(field).map(i64::from_be_bytes)
    }
    fn host(&mut self, v6: bool, field: &'static str) -> Result<SocketAddr, DecodeError> {
        let ip: IpAddr = if v6 { self.array::<16>(field)?.into() } else { self.array::<4>(field)?.into() };
        // Ports travel as i32; only the low 16 bits are meaningful.
        let port = self.i32(field)?;
        Ok(SocketAddr::new(ip, port as u16))
    }
    /// A length field `width` bytes wide (1: unsigned byte, 2: i16, 4: i32).
    fn len(&mut self, width: usize, field: &'static str) -> Result<usize, DecodeError> {
        let n = match width {
            1 => i64::from(self.take(1, field)?[0]),
            2 => i64::from(self.i16(field)?),
            _ => i64::from(self.i32(field)?),
        };
        usize::try_from(n).map_err(|_| DecodeError::NegativeLength(field))
    }
}

/// Checks and decodes the record at the start of `buf` (which may extend past
/// it). `check_crc` is recovery's strict mode: it verifies BODYCRC and also
/// rejects a record whose tail (topic, properties) was zeroed by a torn
/// write — BODYCRC alone cannot see that, because it covers only the body.
pub fn check_record(buf: &[u8], check_crc: bool) -> RecordCheck<'_> {
    let mut r = Reader { buf, pos: 0 };
    let (Ok(total_size), Ok(magic)) = (r.i32("TOTALSIZE"), r.i32("MAGICCODE")) else {
        return RecordCheck::Invalid(Invalid::ShortHeader);
    };
    if magic == BLANK_MAGIC {
        return RecordCheck::Blank;
    }
    if magic != MAGIC_V1 && magic != MAGIC_V2 {
        return RecordCheck::Invalid(Invalid::BadMagic);
    }
    if total_size <= 0 || total_size as usize > buf.len() {
        return RecordCheck::Invalid(Invalid::Incomplete);
    }
    match decode_fields(&buf[..total_size as usize], magic) {
        Ok((view, end)) if end == total_size as usize => {
            if check_crc && crc32(view.body) != view.body_crc {
                return RecordCheck::Invalid(Invalid::BadCrc);
            }
            let torn_properties = view.properties.last().is_some_and(|b| *b != PROPERTY_SEPARATOR as u8);
            if check_crc && (view.topic.contains(&0) || torn_properties) {
                return RecordCheck::Invalid(Invalid::TornTail);
            }
            RecordCheck::Record(view)
        }
        _ => RecordCheck::Invalid(Invalid::LengthMismatch),
    }
}

/// Decodes the first record of `buf` the way a client does (Java's
/// `MessageDecoder.decode`, e.g. on a VIEW_MESSAGE_BY_ID body): TOTALSIZE
/// must fit in `buf`, the magic code must be a message's and every field
/// must fit in TOTALSIZE. Unlike [`check_record`], the CRC is not checked,
/// bytes left after the properties are ignored, and an error says which
/// field fell short.
pub fn decode(buf: &[u8]) -> Result<RecordView<'_>, DecodeError> {
    let total = Reader { buf, pos: 0 }.i32("TOTALSIZE")?;
    let record_len = usize::try_from(total).ok().filter(|t| *t <= buf.len());
    let record_len = record_len.ok_or(DecodeError::TotalSize { total, len: buf.len() })?;
    // Fields never reach past this record's own length.
    let record = &buf[..record_len];
    let magic = Reader { buf: record, pos: 4 }.i32("MAGICCODE")?;
    if magic != MAGIC_V1 && magic != MAGIC_V2 {
        return Err(DecodeError::Magic(magic as u32));
    }
    decode_fields(record, magic).map(|(view, _)| view)
}

/// Reads the fields after TOTALSIZE and MAGICCODE of `record` (exactly the
/// record's TOTALSIZE bytes; `magic` is V1 or V2). Returns the view and
/// where the properties end.
fn decode_fields(record: &[u8], magic: i32) -> Result<(RecordView<'_>, usize), DecodeError> {
    let mut r = Reader { buf: record, pos: 8 };
    let body_crc = r.i32("BODYCRC")?;
    let queue_id = r.i32("QUEUEID")?;
    let flag = r.i32("FLAG")?;
    let queue_offset = r.i64("QUEUEOFFSET")?;
    let physical_offset = r.i64("PHYSICALOFFSET")?;
    let sys_flag = r.i32("SYSFLAG")?;
    let born_timestamp = r.i64("BORNTIMESTAMP")?;
    let born_host = r.host(sys_flag & sysflag::BORNHOST_V6 != 0, "BORNHOST")?;
    let store_timestamp = r.i64("STORETIMESTAMP")?;
    let store_host = r.host(sys_flag & sysflag::STOREHOST_V6 != 0, "STOREHOST")?;
    let reconsume_times = r.i32("RECONSUMETIMES")?;
    let prepared_transaction_offset = r.i64("PREPARED TRANSACTION OFFSET")?;
    let body_len = r.len(4, "BODY")?;
    let body = r.take(body_len, "BODY")?;
    let topic_len = r.len(if magic == MAGIC_V2 { 2 } else { 1 }, "TOPIC")?;
    let topic = r.take(topic_len, "TOPIC")?;
    let properties_len = r.len(2, "PROPERTIES")?;
    let properties = r.take(properties_len, "PROPERTIES")?;
    let view = RecordView {
        total_size: record.len() as i32,
        magic,
        body_crc,
        queue_id,
        flag,
        queue_offset,
        physical_offset,
        sys_flag,
        born_timestamp,
        born_host,
        store_timestamp,
        store_host,
        reconsume_times,
        prepared_transaction_offset,
        body,
        topic,
        properties,
    };
    Ok((view, r.pos))
}

/// A record decoded into owned fields: RocketMQ's `MessageExt` as far as
/// the paths that read a message back need it (send-back, delay delivery,
/// transactions, queryMsgById).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    pub topic: String,
    pub queue_id: i32,
    pub flag: i32,
    pub queue_offset: i64,
    /// Where the record starts in the CommitLog ("commitLogOffset").
    pub physical_offset: i64,
    pub sys_flag: i32,
    pub born_timestamp: i64,
    pub born_host: SocketAddr,
    pub store_timestamp: i64,
    pub store_host: SocketAddr,
    pub reconsume_times: i32,
    pub prepared_transaction_offset: i64,
    pub body_crc: i32,
    /// The body as stored (possibly compressed, see [`sysflag::COMPRESSED`]).
    pub body: Bytes,
    /// The property string exactly as stored.
    pub properties_text: String,
}

impl From<&RecordView<'_>> for StoredMessage {
    fn from(v: &RecordView<'_>) -> Self {
        Self {
            topic: v.topic().into_owned(),
            queue_id: v.queue_id,
            flag: v.flag,
            queue_offset: v.queue_offset,
            physical_offset: v.physical_offset,
            sys_flag: v.sys_flag,
            born_timestamp: v.born_timestamp,
            born_host: v.born_host,
            store_timestamp: v.store_timestamp,
            store_host: v.store_host,
            reconsume_times: v.reconsume_times,
            prepared_transaction_offset: v.prepared_transaction_offset,
            body_crc: v.body_crc,
            body: Bytes::copy_from_slice(v.body),
            properties_text: v.properties().into_owned(),
        }
    }
}

impl StoredMessage {
    /// Decodes the record at the start of `bytes` ([`check_record`] without
    /// the CRC check); `None` if it is not one.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let RecordCheck::Record(v) = check_record(bytes, false) else { return None };
        Some(Self::from(&v))
    }

    /// The value of property `name`, if present.
    pub fn property(&self, name: &str) -> Option<String> {
        property_value(self.properties_text.as_bytes(), name).map(Cow::into_owned)
    }

    /// RocketMQ's offset message id (what `MessageExt.getMsgId()` returns
    /// for a message read from the store).
    pub fn offset_msg_id(&self) -> String {
        offset_msg_id(&self.store_host, self.physical_offset)
    }

    /// A copy to append elsewhere: same body, flag, born fields, sysFlag,
    /// reconsume count and property string; topic and queue as given.
    /// Callers adjust what their path changes.
    pub fn to_store(&self, topic: &str, queue_id: i32) -> MessageToStore {
        MessageToStore {
            topic: topic.to_owned(),
            queue_id,
            flag: self.flag,
            body: self.body.clone(),
            properties: self.properties_text.clone(),
            sys_flag: self.sys_flag,
            born_timestamp: self.born_timestamp,
            born_host: self.born_host,
            store_host: self.store_host,
            reconsume_times: self.reconsume_times,
            prepared_transaction_offset: self.prepared_transaction_offset,
        }
    }
}

/// Iterates `name`/`value` pairs of a property string, skipping malformed entries.
pub fn properties_iter(properties: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    properties.split(|b| *b == PROPERTY_SEPARATOR as u8).filter_map(|entry| {
        let sep = entry.iter().position(|b| *b == NAME_VALUE_SEPARATOR as u8)?;
        let (name, value) = (&entry[..sep], &entry[sep + 1..]);
        (!name.is_empty() && !value.is_empty()).then_some((name, value))
    })
}

pub fn property_value<'a>(properties: &'a [u8], name: &str) -> Option<Cow<'a, str>> {
    properties_iter(properties).find(|(n, _)| *n == name.as_bytes()).map(|(_, v)| String::from_utf8_lossy(v))
}

/// Encodes properties in RocketMQ's `name\u1value\u2` form.
pub fn encode_properties<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut s = String::new();
    for (name, value) in pairs {
        s.push_str(name);
        s.push(NAME_VALUE_SEPARATOR);
        s.push_str(value);
        s.push(PROPERTY_SEPARATOR);
    }
    s
}

/// Offset message id: store host IP + port (i32) + physical offset (i64), uppercase hex.
pub fn offset_msg_id(store_host: &SocketAddr, physical_offset: i64) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut raw = Vec::with_capacity(28);
    put_host(&mut raw, store_host);
    raw.extend_from_slice(&physical_offset.to_be_bytes());
    let mut hex = Vec::with_capacity(raw.len() * 2);
    for b in raw {
        hex.push(HEX[usize::from(b >> 4)]);
        hex.push(HEX[usize::from(b & 0xF)]);
    }
    String::from_utf8(hex).expect("hex digits are ASCII")
}

/// Decodes an offset message id into (store host, physical offset).
pub fn decode_offset_msg_id(id: &str) -> Option<(SocketAddr, i64)> {
    let (ip, port, offset) = offset_msg_id_fields(id)?;
    Some((SocketAddr::new(ip, port as u16), offset))
}

/// The fields of an offset message id as written: store host IP, the port
/// field (an i32, not yet checked to be a port) and the physical offset.
/// `None` unless `id` is 32 (IPv4) or 56 (IPv6) hex digits.
pub fn offset_msg_id_fields(id: &str) -> Option<(IpAddr, i32, i64)> {
    if !id.is_ascii() || !id.len().is_multiple_of(2) {
        return None;
    }
    let raw: Vec<u8> = (0..id.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&id[i..i + 2], 16))
        .collect::<Result<_, _>>()
        .ok()?;
    let ip: IpAddr = match raw.len() {
        16 => <[u8; 4]>::try_from(&raw[..4]).ok()?.into(),
        28 => <[u8; 16]>::try_from(&raw[..16]).ok()?.into(),
        _ => return None,
    };
    let p = raw.len() - 12;
    let port = i32::from_be_bytes(raw[p..p + 4].try_into().ok()?);
    let offset = i64::from_be_bytes(raw[p + 4..].try_into().ok()?);
    Some((ip, port, offset))
}

#[cfg(test)]
mod tests;
