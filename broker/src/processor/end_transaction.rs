//! END_TRANSACTION (37): spec/remoting.md §4.3. The producer reports the
//! outcome of a local transaction (or answers a CHECK_TRANSACTION_STATE):
//! COMMIT writes the half message to its real topic, ROLLBACK drops it;
//! both then mark the half message done with an op message. Usually sent
//! oneway, so the response often goes nowhere; it is still exact.

use std::sync::Arc;

use booster_remoting::headers::broker::{EndTransactionRequestHeader, transaction_type};
use booster_remoting::{Connection, RemotingCommand, ResponseCode, request};

use super::send::message::{PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS, PROPERTY_PRODUCER_GROUP};
use super::send::response::status_response;
use super::{ProcessorTable, Reply, decode_header, reply_error, response};
use crate::context::BrokerContext;
use crate::stored::StoredMessage;
use crate::topic::system;
use crate::transaction::{bridge, check, mark_resolved};
use crate::util::now_ms;

pub fn register(table: &mut ProcessorTable) {
    table.register(request::END_TRANSACTION, handle);
}

/// `checkPrepareMessage`: the request must name the half message exactly.
pub fn verify_half(half: &StoredMessage, h: &EndTransactionRequestHeader) -> Result<(), &'static str> {
    if half.property(PROPERTY_PRODUCER_GROUP).as_deref() != Some(h.producer_group.as_str()) {
        return Err("The producer group wrong");
    }
    if half.queue_offset != h.tran_state_table_offset {
        return Err("The transaction state table offset wrong");
    }
    if half.physical_offset != h.commit_log_offset {
        return Err("The commit log offset wrong");
    }
    Ok(())
}

async fn handle(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let h: EndTransactionRequestHeader = match decode_header(&req) {
        Ok(h) => h,
        Err(resp) => return Some(*resp),
    };
    if ctx.is_slave() {
        return Some(reply_error(
            &req,
            ResponseCode::SlaveNotAvailable,
            "Message store is slave mode, so end transaction is forbidden. ",
        ));
    }
    let from_check = h.from_transaction_check.unwrap_or(false);
    let commit = match h.commit_or_rollback {
        transaction_type::COMMIT => true,
        transaction_type::ROLLBACK => false,
        transaction_type::NOT_TYPE => {
            // "Unknown" from the producer: nothing to do; the check will ask again.
            tracing::debug!(group = %h.producer_group, from_check, msg_id = %h.msg_id, "transaction state unknown");
            return None;
        }
        other => {
            return Some(reply_error(
                &req,
                ResponseCode::InvalidParameter,
                format!("commitOrRollback {other} is none of 0, 8, 12"),
            ));
        }
    };
    let fail = |code, remark: &str| Some(reply_error(&req, code, remark));
    let half = ctx.store.message_at(h.commit_log_offset).and_then(|b| StoredMessage::decode(&b));
    let Some(half) = half.filter(|m| m.topic == system::TRANS_HALF_TOPIC) else {
        return fail(ResponseCode::SystemError, "Find prepared transaction message failed");
    };
    let immunity = half.property(PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS);
    let timeout_ms = i64::try_from(ctx.config.transaction_time_out).unwrap_or(i64::MAX);
    if check::rejects_late_end(from_check, immunity.as_deref(), half.born_timestamp, now_ms(), timeout_ms) {
        let what = if commit { "commit" } else { "rollback" };
        let remark = format!(
            "Message {what} fail [producerGroup:{}, msgId:{}]. Cannot {what} a message which is lingering in the queue for too long.",
            h.producer_group, h.msg_id
        );
        return fail(ResponseCode::IllegalOperation, &remark);
    }
    if let Err(why) = verify_half(&half, &h) {
        return fail(ResponseCode::SystemError, why);
    }
    if commit {
        let msg = match bridge::commit_message(&half) {
            Ok(m) => m,
            Err(why) => return fail(ResponseCode::SystemError, &why),
        };
        let outcome = ctx.put.put(std::slice::from_ref(&msg), false).await;
        if !outcome.status.is_stored() {
            let (code, remark) = status_response(outcome.status, ctx.store_config.max_message_size);
            tracing::warn!(status = ?outcome.status, "committed message not stored");
            return Some(match remark {
                Some(r) => reply_error(&req, code, r),
                None => response(&req, code),
            });
        }
        ctx.stats.add_put(1);
    }
    mark_resolved(&ctx, &half).await;
    tracing::debug!(group = %h.producer_group, commit, from_check, half_offset = half.queue_offset, "transaction ended");
    Some(response(&req, ResponseCode::Success))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stored::tests::{record_bytes, sample};

    #[test]
    fn the_request_must_name_the_half_exactly() {
        let m = sample("RMQ_SYS_TRANS_HALF_TOPIC", "PGROUP\u{1}pg\u{2}");
        let half = StoredMessage::decode(&record_bytes(&m, 3, 700, 1)).unwrap();
        let h = EndTransactionRequestHeader {
            producer_group: "pg".into(),
            tran_state_table_offset: 3,
            commit_log_offset: 700,
            commit_or_rollback: transaction_type::COMMIT,
            ..Default::default()
        };
        assert_eq!(verify_half(&half, &h), Ok(()));
        let wrong_group = EndTransactionRequestHeader { producer_group: "x".into(), ..h.clone() };
        assert_eq!(verify_half(&half, &wrong_group), Err("The producer group wrong"));
        let wrong_q = EndTransactionRequestHeader { tran_state_table_offset: 4, ..h.clone() };
        assert_eq!(verify_half(&half, &wrong_q), Err("The transaction state table offset wrong"));
        let wrong_phys = EndTransactionRequestHeader { commit_log_offset: 1, ..h };
        assert_eq!(verify_half(&half, &wrong_phys), Err("The commit log offset wrong"));
    }
}
