//! Offset message ids (spec/remoting.md §4.2.2): uppercase hex of the
//! store host's IP (4 or 16 bytes), its port (i32) and the record's
//! commit-log offset (i64). They locate a message without any index, which
//! is why `queryMsgById` can go straight to the broker.
//!
//! A client-side UNIQ_KEY has the same length for IPv4 but a different
//! layout (pid and counters where the port and offset would be); it
//! decodes to a port above 65535 or a negative offset, which is rejected
//! here with a hint rather than sent to a broker that does not exist.

use std::net::SocketAddr;

use booster_model::record;

/// Where a message lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageId {
    /// The broker that stored it (`brokerIP1:listenPort`).
    pub addr: SocketAddr,
    /// Physical commit-log offset of the record.
    pub offset: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MsgIdError {
    #[error(
        "message id {id:?} has {len} characters; an offset message id has 32 (IPv4 broker) or 56 (IPv6 broker) hex digits"
    )]
    Length { id: String, len: usize },
    #[error("message id {id:?} has a non-hex character {ch:?} at position {pos}")]
    NotHex { id: String, ch: char, pos: usize },
    #[error(
        "message id {id:?} is not an offset message id ({what}); a client UNIQ_KEY cannot be looked up by queryMsgById"
    )]
    NotOffsetId { id: String, what: String },
}

/// Decodes an offset message id (hex digits in either case).
pub fn decode(id: &str) -> Result<MessageId, MsgIdError> {
    let len = id.chars().count();
    if len != 32 && len != 56 {
        return Err(MsgIdError::Length { id: id.to_owned(), len });
    }
    if let Some((pos, ch)) = id.chars().enumerate().find(|(_, c)| !c.is_ascii_hexdigit()) {
        return Err(MsgIdError::NotHex { id: id.to_owned(), ch, pos });
    }
    // 32 or 56 hex digits from here on, which always decode.
    let (ip, port, offset) =
        record::offset_msg_id_fields(id).ok_or_else(|| MsgIdError::Length { id: id.to_owned(), len })?;
    let not_offset = |what: String| MsgIdError::NotOffsetId { id: id.to_owned(), what };
    let port = u16::try_from(port)
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| not_offset(format!("its port field is {port}")))?;
    if offset < 0 {
        return Err(not_offset(format!("its offset field is {offset}")));
    }
    Ok(MessageId { addr: SocketAddr::new(ip, port), offset })
}

/// The offset message id of the record at `offset` stored by `addr`.
pub fn encode(addr: SocketAddr, offset: i64) -> String {
    record::offset_msg_id(&addr, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_ipv4_offset_ids() {
        // 127.0.0.1:10911, offset 0x1234.
        let id = decode("7F00000100002A9F0000000000001234").unwrap();
        assert_eq!(id.addr, "127.0.0.1:10911".parse().unwrap());
        assert_eq!(id.offset, 0x1234);
        assert_eq!(decode("7f00000100002a9f0000000000001234").unwrap(), id, "lower case accepted");
        assert_eq!(encode(id.addr, id.offset), "7F00000100002A9F0000000000001234");
    }

    #[test]
    fn decodes_ipv6_offset_ids() {
        let addr: SocketAddr = "[2001:db8::7]:10911".parse().unwrap();
        let id = encode(addr, 987_654_321);
        assert_eq!(id.len(), 56);
        assert_eq!(decode(&id).unwrap(), MessageId { addr, offset: 987_654_321 });
    }

    #[test]
    fn rejects_what_is_not_an_offset_id() {
        let e = decode("ABC").unwrap_err();
        assert!(e.to_string().contains("has 3 characters"), "{e}");
        let e = decode("7F00000100002A9F000000000000123Z").unwrap_err();
        assert_eq!(e, MsgIdError::NotHex { id: "7F00000100002A9F000000000000123Z".into(), ch: 'Z', pos: 31 });
        // A UNIQ_KEY: IP, pid 0x1F40, class-loader hash, time, counter.
        let e = decode("7F0000011F4018B4AAC2051A2B3C0001").unwrap_err();
        assert!(matches!(e, MsgIdError::NotOffsetId { .. }), "{e}");
        assert!(e.to_string().contains("port field is 524294324"), "{e}");
        let e = decode("7F00000100002A9FF000000000001234").unwrap_err();
        assert!(e.to_string().contains("offset field is -"), "{e}");
        assert!(decode("7F0000010000000000000000000012€4").is_err(), "non-ASCII never panics");
    }
}
