//! The frame codec (spec/remoting.md §1–§2.3): `length | type+headerLength |
//! header | body`, with JSON or ROCKETMQ binary headers. Pure functions over
//! byte buffers; `RemotingCodec` adapts them to tokio-util framing.
//!
//! Decoding is tolerant (extFields values as numbers or booleans, language
//! by name or ordinal, missing fields); encoding is strict and canonical.

use bytes::{Buf, BufMut, Bytes, BytesMut};

use crate::command::{ExtFields, LanguageCode, RemotingCommand, SerializeType};

/// RocketMQ's default `com.rocketmq.remoting.frameMaxLength`.
pub const DEFAULT_MAX_FRAME_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("frame of {0} bytes exceeds the {1}-byte limit")]
    FrameTooLarge(usize, usize),
    #[error("frame length {0} is smaller than the 4-byte header-length word")]
    BadLength(i32),
    #[error("header length {header} exceeds the frame's {available} bytes")]
    HeaderTooLong { header: usize, available: usize },
    #[error("unknown serialize type {0}")]
    UnknownSerializeType(u8),
    #[error("bad JSON header: {0}")]
    Json(String),
    #[error("bad ROCKETMQ header: {0}")]
    Binary(&'static str),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Takes one whole frame off the front of `buf`; `Ok(None)` if it is not all
/// there yet. Errors mean the stream is unusable: close the connection.
pub fn decode_frame(
    buf: &mut BytesMut,
    max_frame_bytes: usize,
) -> Result<Option<RemotingCommand>, CodecError> {
    if buf.len() < 4 {
        return Ok(None);
    }
    let length = i32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]);
    if length < 4 {
        return Err(CodecError::BadLength(length));
    }
    let length = length as usize;
    if length > max_frame_bytes {
        return Err(CodecError::FrameTooLarge(length, max_frame_bytes));
    }
    if buf.len() < 4 + length {
        buf.reserve(4 + length - buf.len());
        return Ok(None);
    }
    buf.advance(4);
    let mut frame = buf.split_to(length).freeze();
    let word = frame.get_u32();
    let serialize_type = SerializeType::from_byte((word >> 24) as u8)
        .ok_or(CodecError::UnknownSerializeType((word >> 24) as u8))?;
    let header_len = (word & 0x00FF_FFFF) as usize;
    if header_len > frame.len() {
        return Err(CodecError::HeaderTooLong { header: header_len, available: frame.len() });
    }
    let header = frame.split_to(header_len);
    let mut cmd = match serialize_type {
        SerializeType::Json => json_header::decode(&header).map_err(|e| CodecError::Json(e.to_string()))?,
        SerializeType::RocketMq => decode_binary_header(header)?,
    };
    cmd.serialize_type = serialize_type;
    cmd.body = (!frame.is_empty()).then_some(frame);
    Ok(Some(cmd))
}

/// Appends the frame of `cmd` to `dst`, with the header in `cmd.serialize_type`.
pub fn encode_frame(cmd: &RemotingCommand, dst: &mut BytesMut) {
    let body_len = cmd.body.as_ref().map_or(0, Bytes::len);
    dst.reserve(8 + 256 + body_len);
    // The header is written in place; its length is patched in afterwards.
    let start = dst.len();
    dst.put_u64(0);
    match cmd.serialize_type {
        SerializeType::Json => json_header::encode(cmd, dst),
        SerializeType::RocketMq => dst.put_slice(&encode_binary_header(cmd)),
    }
    let header_len = dst.len() - start - 8;
    dst[start..start + 4].copy_from_slice(&((4 + header_len + body_len) as u32).to_be_bytes());
    dst[start + 4..start + 8]
        .copy_from_slice(&(((cmd.serialize_type as u32) << 24) | header_len as u32).to_be_bytes());
    if let Some(body) = &cmd.body {
        dst.put_slice(body);
    }
}

struct BinReader {
    buf: Bytes,
}

impl BinReader {
    fn need(&self, n: usize) -> Result<(), CodecError> {
        if self.buf.remaining() < n {
            Err(CodecError::Binary("header shorter than its fields"))
        } else {
            Ok(())
        }
    }
    fn i16(&mut self) -> Result<i16, CodecError> {
        self.need(2)?;
        Ok(self.buf.get_i16())
    }
    fn i32(&mut self) -> Result<i32, CodecError> {
        self.need(4)?;
        Ok(self.buf.get_i32())
    }
    fn u8(&mut self) -> Result<u8, CodecError> {
        self.need(1)?;
        Ok(self.buf.get_u8())
    }
    fn len(&mut self, n: i64) -> Result<usize, CodecError> {
        let n = usize::try_from(n).map_err(|_| CodecError::Binary("negative length"))?;
        self.need(n)?;
        Ok(n)
    }
    fn text(&mut self, n: i64) -> Result<Option<String>, CodecError> {
        let n = self.len(n)?;
        if n == 0 {
            return Ok(None);
        }
        let bytes = self.buf.split_to(n);
        String::from_utf8(bytes.to_vec()).map(Some).map_err(|_| CodecError::Binary("text is not UTF-8"))
    }
}

fn decode_binary_header(header: Bytes) -> Result<RemotingCommand, CodecError> {
    let mut r = BinReader { buf: header };
    let code = i32::from(r.i16()?);
    let language = LanguageCode::from_code(r.u8()?);
    let version = i32::from(r.i16()?);
    let opaque = r.i32()?;
    let flag = r.i32()?;
    let remark_len = r.i32()?;
    let remark = r.text(i64::from(remark_len))?;
    let ext_len = r.i32()?;
    let ext_len = r.len(i64::from(ext_len))?;
    let ext_fields = if ext_len == 0 {
        None
    } else {
        let mut er = BinReader { buf: r.buf.split_to(ext_len) };
        let mut ext = ExtFields::new();
        while er.buf.has_remaining() {
            let key_len = er.i16()?;
            let key = er.text(i64::from(key_len))?;
            let value_len = er.i32()?;
            let value = er.text(i64::from(value_len))?;
            if let (Some(k), Some(v)) = (key, value) {
                ext.insert(k, v);
            }
        }
        // No usable entry means no extFields, as in the JSON form.
        (!ext.is_empty()).then_some(ext)
    };
    Ok(RemotingCommand {
        code,
        language,
        version,
        opaque,
        flag,
        remark,
        ext_fields,
        body: None,
        serialize_type: SerializeType::RocketMq,
    })
}

fn encode_binary_header(cmd: &RemotingCommand) -> Vec<u8> {
    let mut b = Vec::with_capacity(64);
    b.put_i16(cmd.code as i16);
    b.put_u8(cmd.language as u8);
    b.put_i16(cmd.version as i16);
    b.put_i32(cmd.opaque);
    b.put_i32(cmd.flag);
    match &cmd.remark {
        Some(r) if !r.is_empty() => {
            b.put_i32(r.len() as i32);
            b.put_slice(r.as_bytes());
        }
        _ => b.put_i32(0),
    }
    let mut ext = Vec::new();
    let mut entries: Vec<_> =
        cmd.ext_fields.iter().flatten().filter(|(k, v)| !k.is_empty() && !v.is_empty()).collect();
    entries.sort();
    for (k, v) in entries {
        ext.put_i16(k.len() as i16);
        ext.put_slice(k.as_bytes());
        ext.put_i32(v.len() as i32);
        ext.put_slice(v.as_bytes());
    }
    b.put_i32(ext.len() as i32);
    b.put_slice(&ext);
    b
}

/// tokio-util adapter: frames in, frames out, with a maximum frame size.
#[derive(Debug, Clone, Copy)]
pub struct RemotingCodec {
    pub max_frame_bytes: usize,
}

impl Default for RemotingCodec {
    fn default() -> Self {
        Self { max_frame_bytes: DEFAULT_MAX_FRAME_BYTES }
    }
}

impl tokio_util::codec::Decoder for RemotingCodec {
    type Item = RemotingCommand;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<RemotingCommand>, CodecError> {
        decode_frame(src, self.max_frame_bytes)
    }
}

impl tokio_util::codec::Encoder<RemotingCommand> for RemotingCodec {
    type Error = CodecError;

    fn encode(&mut self, cmd: RemotingCommand, dst: &mut BytesMut) -> Result<(), CodecError> {
        encode_frame(&cmd, dst);
        Ok(())
    }
}

mod json_header;

#[cfg(test)]
mod tests;
