//! queryMsgById: Java's `printMsg` lines, except that the body is shown
//! inline (a preview, or all of it with `-f UTF-8`) instead of being
//! written to `/tmp/rocketmq/msgbodys`.

use std::fmt::Write as _;
use std::net::SocketAddr;

use super::TimeFmt;
use booster_model::record::StoredMessage;

use crate::message::{decode_properties, readable_body};

/// Characters of a text body shown without `-f`.
const PREVIEW_CHARS: usize = 200;
/// Bytes of a binary body shown as hex.
const PREVIEW_HEX_BYTES: usize = 64;

/// `RemotingHelper.parseSocketAddressAddr`: `ip:port`, no brackets.
fn host(addr: SocketAddr) -> String {
    format!("{}:{}", addr.ip(), addr.port())
}

fn line(out: &mut String, label: &str, value: impl std::fmt::Display) {
    let _ = writeln!(out, "{label:<20} {value}");
}

pub fn message(m: &StoredMessage, offset_msg_id: &str, tf: TimeFmt, full_body: bool) -> String {
    let mut out = String::new();
    let or_null = |v: Option<&str>| v.unwrap_or("null").to_owned();
    line(&mut out, "OffsetID:", offset_msg_id);
    line(&mut out, "Topic:", &m.topic);
    line(&mut out, "Tags:", format!("[{}]", or_null(m.property("TAGS").as_deref())));
    line(&mut out, "Keys:", format!("[{}]", or_null(m.property("KEYS").as_deref())));
    line(&mut out, "Queue ID:", m.queue_id);
    line(&mut out, "Queue Offset:", m.queue_offset);
    line(&mut out, "CommitLog Offset:", m.physical_offset);
    line(&mut out, "Reconsume Times:", m.reconsume_times);
    line(&mut out, "Born Timestamp:", tf.millis(m.born_timestamp));
    line(&mut out, "Store Timestamp:", tf.millis(m.store_timestamp));
    line(&mut out, "Born Host:", host(m.born_host));
    line(&mut out, "Store Host:", host(m.store_host));
    line(&mut out, "System Flag:", m.sys_flag);
    let props: Vec<String> =
        decode_properties(&m.properties_text).iter().map(|(k, v)| format!("{k}={v}")).collect();
    line(&mut out, "Properties:", format!("{{{}}}", props.join(", ")));
    line(&mut out, "Message Body:", body_text(m, full_body));
    out
}

/// The body for display: text (escaped control characters), or hex for
/// binary bodies; long bodies are cut unless `full`.
fn body_text(m: &StoredMessage, full: bool) -> String {
    let body = match readable_body(m) {
        Ok(b) => b,
        Err(e) => return format!("({} bytes; {e})", m.body.len()),
    };
    match std::str::from_utf8(&body) {
        Ok(text) => {
            let shown: String =
                if full { text.to_owned() } else { text.chars().take(PREVIEW_CHARS).collect() };
            // Control characters would garble the terminal; show them escaped.
            let escaped: String = shown
                .chars()
                .flat_map(|c| if c.is_control() { c.escape_default().collect::<Vec<_>>() } else { vec![c] })
                .collect();
            if shown.len() < text.len() {
                format!("{escaped}... ({} bytes, use -f UTF-8 for all of it)", body.len())
            } else {
                escaped
            }
        }
        Err(_) => {
            let n = if full { body.len() } else { body.len().min(PREVIEW_HEX_BYTES) };
            let mut hex = String::with_capacity(n * 2);
            for b in &body[..n] {
                let _ = write!(hex, "{b:02X}");
            }
            let more = if n < body.len() { "..." } else { "" };
            format!("(binary, {} bytes) {hex}{more}", body.len())
        }
    }
}
