//! AutoSwitch HA frames (spec/ha.md §3): pure encoding and decoding, no I/O.
//!
//! Frames are concatenated on one TCP stream with no magic, version or
//! checksum, so the decoder is the only line of defence against a confused
//! peer. Decoding follows mini-redis: "not enough bytes yet" is `Ok(None)`,
//! bytes that can never become a valid frame are an error (the caller closes
//! the connection), and nothing here can panic on any input.
//!
//! Two deliberate differences from the reference reader, both wire
//! compatible: a slave HANDSHAKE is parsed only once all 16 bytes are there
//! (P-H1), and a handshake response may carry any number of epoch entries
//! up to [`MAX_EPOCH_ENTRIES`] (P-H10: the reference overflows at 1000).

use bytes::{Buf, BufMut, Bytes, BytesMut};

/// Slave → master HANDSHAKE: state, two i16 flags, i64 slave id (§3.1).
pub const SLAVE_HANDSHAKE_SIZE: usize = 16;
/// Slave → master TRANSFER ack: state, i64 max offset (§3.4).
pub const ACK_SIZE: usize = 12;
/// Master → slave handshake response header (§3.2).
pub const HANDSHAKE_HEADER_SIZE: usize = 20;
/// Master → slave transfer header (§3.3).
pub const TRANSFER_HEADER_SIZE: usize = 36;
/// One `{i32 epoch, i64 startOffset}` entry of a handshake response.
pub const EPOCH_ENTRY_SIZE: usize = 12;
/// Largest transfer body a slave accepts: the reference slave's receive
/// buffer (4 MiB), which is also the cap on `haTransferBatchSize` (§1).
pub const MAX_TRANSFER_BODY: usize = 4 * 1024 * 1024;
/// Largest epoch history a slave accepts in a handshake response. Far above
/// anything real (one entry per election), but still a bound.
pub const MAX_EPOCH_ENTRIES: usize = 1 << 20;

/// Connection state; its ordinal is the first i32 of every frame (§2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum HaState {
    Ready = 0,
    Handshake = 1,
    Transfer = 2,
    Suspend = 3,
    Shutdown = 4,
}

impl HaState {
    pub fn from_ordinal(ordinal: i32) -> Option<Self> {
        Some(match ordinal {
            0 => Self::Ready,
            1 => Self::Handshake,
            2 => Self::Transfer,
            3 => Self::Suspend,
            4 => Self::Shutdown,
            _ => return None,
        })
    }

    pub fn ordinal(self) -> i32 {
        self as i32
    }
}

/// Which side sent a frame, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    Master,
    Slave,
}

impl std::fmt::Display for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Master => "master",
            Self::Slave => "slave",
        })
    }
}

/// Bytes that can never become a valid frame. The connection must close.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("unknown HA state ordinal {0} from the {1}")]
    UnknownState(i32, Sender),
    #[error("a {0:?} frame is never sent by the {1}")]
    UnexpectedState(HaState, Sender),
    #[error("negative body size {0}")]
    NegativeBodySize(i32),
    #[error("body size {size} exceeds the limit of {limit} bytes")]
    BodyTooLarge { size: usize, limit: usize },
    #[error("handshake body of {0} bytes is not a whole number of 12-byte epoch entries")]
    RaggedEpochEntries(usize),
}

/// The slave's HANDSHAKE (§3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaveHandshake {
    pub sync_from_last_file: bool,
    pub async_learner: bool,
    /// The slave's controller id.
    pub slave_id: i64,
}

/// Everything a slave sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaveFrame {
    Handshake(SlaveHandshake),
    /// TRANSFER ack / heartbeat: the slave's written (not flushed) max offset.
    Ack {
        max_offset: i64,
    },
}

/// One epoch entry as the wire carries it (no end offset, §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireEpoch {
    pub epoch: i32,
    pub start_offset: i64,
}

/// The master's handshake response (§3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeResponse {
    /// Master `maxPhyOffset` when the response was built.
    pub master_max_offset: i64,
    /// Master's last epoch, −1 if its epoch file is empty.
    pub last_epoch: i32,
    /// All of the master's epoch entries, ascending.
    pub entries: Vec<WireEpoch>,
}

/// The fixed part of a TRANSFER frame (§3.3); the body follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferHeader {
    /// Offset of the first body byte (heartbeat: the next offset, maybe −1).
    pub offset: i64,
    pub epoch: i32,
    pub epoch_start_offset: i64,
    pub confirm_offset: i64,
}

/// Everything a master sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MasterFrame {
    Handshake(HandshakeResponse),
    /// An empty body is a heartbeat.
    Transfer {
        header: TransferHeader,
        body: Bytes,
    },
}

fn i16_at(src: &[u8], at: usize) -> i16 {
    let mut b = [0u8; 2];
    b.copy_from_slice(&src[at..at + 2]);
    i16::from_be_bytes(b)
}

fn i32_at(src: &[u8], at: usize) -> i32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&src[at..at + 4]);
    i32::from_be_bytes(b)
}

fn i64_at(src: &[u8], at: usize) -> i64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&src[at..at + 8]);
    i64::from_be_bytes(b)
}

impl SlaveFrame {
    pub fn encode(&self, dst: &mut BytesMut) {
        match *self {
            Self::Handshake(h) => {
                dst.reserve(SLAVE_HANDSHAKE_SIZE);
                dst.put_i32(HaState::Handshake.ordinal());
                dst.put_i16(i16::from(h.sync_from_last_file));
                dst.put_i16(i16::from(h.async_learner));
                dst.put_i64(h.slave_id);
            }
            Self::Ack { max_offset } => {
                dst.reserve(ACK_SIZE);
                dst.put_i32(HaState::Transfer.ordinal());
                dst.put_i64(max_offset);
            }
        }
    }

    pub fn to_bytes(&self) -> Bytes {
        let mut b = BytesMut::new();
        self.encode(&mut b);
        b.freeze()
    }

    /// The frame at the front of `src` and its length, `Ok(None)` if more
    /// bytes are needed. A flag counts as set only when it is exactly 1.
    pub fn decode(src: &[u8]) -> Result<Option<(Self, usize)>, FrameError> {
        if src.len() < 4 {
            return Ok(None);
        }
        let ordinal = i32_at(src, 0);
        match HaState::from_ordinal(ordinal) {
            Some(HaState::Handshake) if src.len() >= SLAVE_HANDSHAKE_SIZE => {
                let h = SlaveHandshake {
                    sync_from_last_file: i16_at(src, 4) == 1,
                    async_learner: i16_at(src, 6) == 1,
                    slave_id: i64_at(src, 8),
                };
                Ok(Some((Self::Handshake(h), SLAVE_HANDSHAKE_SIZE)))
            }
            Some(HaState::Transfer) if src.len() >= ACK_SIZE => {
                Ok(Some((Self::Ack { max_offset: i64_at(src, 4) }, ACK_SIZE)))
            }
            Some(HaState::Handshake | HaState::Transfer) => Ok(None),
            Some(other) => Err(FrameError::UnexpectedState(other, Sender::Slave)),
            None => Err(FrameError::UnknownState(ordinal, Sender::Slave)),
        }
    }

    /// Decodes and consumes one frame from the front of `src`.
    pub fn decode_from(src: &mut BytesMut) -> Result<Option<Self>, FrameError> {
        let Some((frame, len)) = Self::decode(src)? else { return Ok(None) };
        src.advance(len);
        Ok(Some(frame))
    }
}

impl HandshakeResponse {
    pub fn encode(&self, dst: &mut BytesMut) {
        let body = self.entries.len() * EPOCH_ENTRY_SIZE;
        dst.reserve(HANDSHAKE_HEADER_SIZE + body);
        dst.put_i32(HaState::Handshake.ordinal());
        // The entry count is bounded by the epoch file; saturate rather than
        // wrap if a caller ever hands over an absurd list.
        dst.put_i32(i32::try_from(body).unwrap_or(i32::MAX));
        dst.put_i64(self.master_max_offset);
        dst.put_i32(self.last_epoch);
        for e in &self.entries {
            dst.put_i32(e.epoch);
            dst.put_i64(e.start_offset);
        }
    }
}

impl TransferHeader {
    /// The 36-byte header of a frame whose body is `body_len` bytes; the body
    /// is written after it without copying (a slice of the mapped file).
    pub fn encode(&self, body_len: usize) -> [u8; TRANSFER_HEADER_SIZE] {
        let mut out = [0u8; TRANSFER_HEADER_SIZE];
        let mut w = &mut out[..];
        w.put_i32(HaState::Transfer.ordinal());
        w.put_i32(i32::try_from(body_len).unwrap_or(i32::MAX));
        w.put_i64(self.offset);
        w.put_i32(self.epoch);
        w.put_i64(self.epoch_start_offset);
        w.put_i64(self.confirm_offset);
        out
    }
}

impl MasterFrame {
    pub fn encode(&self, dst: &mut BytesMut) {
        match self {
            Self::Handshake(h) => h.encode(dst),
            Self::Transfer { header, body } => {
                dst.extend_from_slice(&header.encode(body.len()));
                dst.extend_from_slice(body);
            }
        }
    }

    /// Length of the complete frame at the front of `src`; `Ok(None)` if
    /// more bytes are needed. Transfer bodies above `max_body` are errors.
    pub fn check(src: &[u8], max_body: usize) -> Result<Option<usize>, FrameError> {
        if src.len() < 8 {
            return Ok(None);
        }
        let ordinal = i32_at(src, 0);
        let (header, limit) = match HaState::from_ordinal(ordinal) {
            Some(HaState::Handshake) => (HANDSHAKE_HEADER_SIZE, MAX_EPOCH_ENTRIES * EPOCH_ENTRY_SIZE),
            Some(HaState::Transfer) => (TRANSFER_HEADER_SIZE, max_body),
            Some(other) => return Err(FrameError::UnexpectedState(other, Sender::Master)),
            None => return Err(FrameError::UnknownState(ordinal, Sender::Master)),
        };
        let raw = i32_at(src, 4);
        let size = usize::try_from(raw).map_err(|_| FrameError::NegativeBodySize(raw))?;
        if size > limit {
            return Err(FrameError::BodyTooLarge { size, limit });
        }
        if header == HANDSHAKE_HEADER_SIZE && size % EPOCH_ENTRY_SIZE != 0 {
            return Err(FrameError::RaggedEpochEntries(size));
        }
        let total = header + size;
        Ok((src.len() >= total).then_some(total))
    }

    /// Decodes and consumes one frame from the front of `src`. A transfer
    /// body is split off the buffer, not copied.
    pub fn decode_from(src: &mut BytesMut, max_body: usize) -> Result<Option<Self>, FrameError> {
        let Some(len) = Self::check(src, max_body)? else { return Ok(None) };
        let mut frame = src.split_to(len).freeze();
        let state = frame.get_i32();
        let _body_size = frame.get_i32();
        if state == HaState::Handshake.ordinal() {
            let master_max_offset = frame.get_i64();
            let last_epoch = frame.get_i32();
            let mut entries = Vec::with_capacity(frame.len() / EPOCH_ENTRY_SIZE);
            while frame.remaining() >= EPOCH_ENTRY_SIZE {
                entries.push(WireEpoch { epoch: frame.get_i32(), start_offset: frame.get_i64() });
            }
            return Ok(Some(Self::Handshake(HandshakeResponse { master_max_offset, last_epoch, entries })));
        }
        let header = TransferHeader {
            offset: frame.get_i64(),
            epoch: frame.get_i32(),
            epoch_start_offset: frame.get_i64(),
            confirm_offset: frame.get_i64(),
        };
        Ok(Some(Self::Transfer { header, body: frame }))
    }

    /// [`MasterFrame::decode_from`] on a slice, for tests and fuzzing.
    pub fn decode(src: &[u8], max_body: usize) -> Result<Option<(Self, usize)>, FrameError> {
        let mut buf = BytesMut::from(src);
        let before = buf.len();
        Ok(Self::decode_from(&mut buf, max_body)?.map(|f| (f, before - buf.len())))
    }
}

#[cfg(test)]
#[path = "frame_tests.rs"]
mod tests;
