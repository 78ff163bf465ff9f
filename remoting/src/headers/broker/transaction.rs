//! END_TRANSACTION (37) and CHECK_TRANSACTION_STATE (39) headers
//! (spec/remoting.md §4.3).

use crate::command_header;

/// `commitOrRollback` values of END_TRANSACTION.
pub mod transaction_type {
    pub const NOT_TYPE: i32 = 0;
    pub const COMMIT: i32 = 8;
    pub const ROLLBACK: i32 = 12;
}

command_header! {
    /// END_TRANSACTION request.
    pub struct EndTransactionRequestHeader {
        "topic" => topic: Option<String>,
        "producerGroup" => producer_group: String,
        "tranStateTableOffset" => tran_state_table_offset: i64,
        "commitLogOffset" => commit_log_offset: i64,
        "commitOrRollback" => commit_or_rollback: i32,
        "fromTransactionCheck" => from_transaction_check: Option<bool>,
        "msgId" => msg_id: String,
        "transactionId" => transaction_id: Option<String>,
    }
}

command_header! {
    /// CHECK_TRANSACTION_STATE (broker → producer, oneway).
    pub struct CheckTransactionStateRequestHeader {
        "topic" => topic: Option<String>,
        "tranStateTableOffset" => tran_state_table_offset: i64,
        "commitLogOffset" => commit_log_offset: i64,
        "msgId" => msg_id: Option<String>,
        "transactionId" => transaction_id: Option<String>,
        "offsetMsgId" => offset_msg_id: Option<String>,
        "bname" => broker_name: Option<String>,
    }
}
