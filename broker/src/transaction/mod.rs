//! Transactional messages (spec §4.3). A prepared message is stored as a
//! *half* message on `RMQ_SYS_TRANS_HALF_TOPIC` (the send path does that);
//! END_TRANSACTION commits it (a copy on the real topic) or rolls it back,
//! and either way appends an *op* message to `RMQ_SYS_TRANS_OP_HALF_TOPIC`
//! marking the half done. The check service asks producers about half
//! messages left unresolved for too long.
//!
//! Both scans keep their progress as consumer offsets of the system group
//! `CID_RMQ_SYS_TRANS` on the half and op topics, as RocketMQ does, so
//! progress is persisted with `consumerOffset.json`.

pub mod bridge;
pub mod check;
pub mod service;

use crate::context::BrokerContext;
use crate::put::PutOutcome;
use crate::stored::StoredMessage;
use crate::util::now_ms;

/// The system group whose offsets record the check scan's progress.
pub const SYSTEM_GROUP: &str = "CID_RMQ_SYS_TRANS";
/// Tag of op messages that mark a half message done.
pub const REMOVE_TAG: &str = "d";

/// Appends the op message marking `half` done.
pub async fn mark_resolved(ctx: &BrokerContext, half: &StoredMessage) -> PutOutcome {
    let op = bridge::op_message(half, ctx.store_host, now_ms(), &ctx.uniq_keys.next());
    let outcome = ctx.put.put(std::slice::from_ref(&op), false).await;
    if !outcome.status.is_stored() {
        tracing::warn!(
            half_offset = half.queue_offset,
            status = ?outcome.status,
            "op message not stored; the half message will be checked again"
        );
    }
    outcome
}
