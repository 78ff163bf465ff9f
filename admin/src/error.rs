//! Typed errors: [`UsageError`] for command lines rejected before anything
//! is sent (each names the command and the flag), [`AdminError`] for what
//! goes wrong talking to servers or reading their answers.

use booster_conf::ConfigError;
use booster_remoting::{ConnectionError, HeaderError};

use crate::message::RecordError;
use crate::msg_id::MsgIdError;

/// A command line that cannot run. `flag` is rendered `-t/--topic`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsageError {
    #[error("The sub command {0} does not exist. Run 'mqadmin' for the list of commands.")]
    UnknownCommand(String),
    #[error("mqadmin {command}: unknown option {option}")]
    UnknownOption { command: &'static str, option: String },
    #[error("mqadmin {command}: unexpected argument {arg:?} (options take the form -x value)")]
    Unexpected { command: &'static str, arg: String },
    #[error("mqadmin {command}: {flag} needs a value")]
    MissingValue { command: &'static str, flag: String },
    #[error("mqadmin {command}: {flag} takes no value")]
    UnwantedValue { command: &'static str, flag: String },
    #[error("mqadmin {command}: {flag} given more than once")]
    Repeated { command: &'static str, flag: String },
    #[error("mqadmin {command}: {flag} is required")]
    Missing { command: &'static str, flag: String },
    #[error("mqadmin {command}: one of {flags} is required")]
    MissingOneOf { command: &'static str, flags: String },
    #[error("mqadmin {command}: {flags} cannot be used together")]
    Conflict { command: &'static str, flags: String },
    #[error("mqadmin {command}: {flag}: {reason}")]
    Invalid { command: &'static str, flag: String, reason: String },
    #[error(
        "mqadmin {command}: no name server address: pass -n/--namesrvAddr host:port[;host:port] or set NAMESRV_ADDR"
    )]
    NoNamesrv { command: &'static str },
}

impl UsageError {
    /// The command whose usage should follow the message, if known.
    pub fn command(&self) -> Option<&'static str> {
        match self {
            UsageError::UnknownCommand(_) => None,
            UsageError::UnknownOption { command, .. }
            | UsageError::Unexpected { command, .. }
            | UsageError::MissingValue { command, .. }
            | UsageError::UnwantedValue { command, .. }
            | UsageError::Repeated { command, .. }
            | UsageError::Missing { command, .. }
            | UsageError::MissingOneOf { command, .. }
            | UsageError::Conflict { command, .. }
            | UsageError::Invalid { command, .. }
            | UsageError::NoNamesrv { command } => Some(command),
        }
    }
}

/// A failed request or an answer that cannot be understood.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("cannot reach {addr}: {source}")]
    Connect {
        addr: String,
        #[source]
        source: ConnectionError,
    },
    #[error("{request} to {addr} failed: {code_name} ({code}){}", remark_suffix(.remark))]
    Remote { request: &'static str, addr: String, code: i32, code_name: &'static str, remark: Option<String> },
    #[error("{addr} does not support {request} (request code {code}) yet")]
    NotSupported { request: &'static str, code: i32, addr: String },
    #[error("{request} answer from {addr} is not valid JSON of the expected shape: {source}")]
    Decode {
        request: &'static str,
        addr: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{request} answer from {addr} has no body")]
    NoBody { request: &'static str, addr: String },
    #[error("{request} answer from {addr} has a bad header: {source}")]
    BadHeader {
        request: &'static str,
        addr: String,
        #[source]
        source: HeaderError,
    },
    #[error("{request} answer from {addr} is not properties text: {source}")]
    BadProperties {
        request: &'static str,
        addr: String,
        #[source]
        source: Box<ConfigError>,
    },
    #[error(
        "controller {addr} knows no leader (controllerLeaderAddress is empty); try again once one is elected"
    )]
    NoControllerLeader { addr: String },
    #[error("cluster {cluster:?} not found in the name server (known clusters: {known})")]
    UnknownCluster { cluster: String, known: String },
    #[error("no broker with address {0} is registered in the name server")]
    UnknownBroker(String),
    #[error("no broker of {0} is registered in the name server")]
    UnknownBrokerSets(String),
    #[error("topic {topic:?} has no broker{}", cluster_suffix(.cluster))]
    NoBrokers { topic: String, cluster: Option<String> },
    #[error(
        "no consume stats for group {group}: the offset table is empty, maybe the consumer has not consumed any message"
    )]
    EmptyConsumeStats { group: String },
    #[error("message {msg_id}: {source}")]
    BadMessage {
        msg_id: String,
        #[source]
        source: RecordError,
    },
    #[error(transparent)]
    MsgId(#[from] MsgIdError),
    #[error("writing output: {0}")]
    Output(#[from] std::io::Error),
}

fn remark_suffix(remark: &Option<String>) -> String {
    match remark.as_deref().map(str::trim) {
        Some(r) if !r.is_empty() => format!(": {r}"),
        _ => String::new(),
    }
}

fn cluster_suffix(cluster: &Option<String>) -> String {
    cluster.as_ref().map(|c| format!(" in cluster {c:?}")).unwrap_or_default()
}

/// RocketMQ's name for a response code, for error messages.
pub fn response_code_name(code: i32) -> &'static str {
    match code {
        0 => "SUCCESS",
        1 => "SYSTEM_ERROR",
        2 => "SYSTEM_BUSY",
        3 => "REQUEST_CODE_NOT_SUPPORTED",
        13 => "MESSAGE_ILLEGAL",
        14 => "SERVICE_NOT_AVAILABLE",
        16 => "NO_PERMISSION",
        17 => "TOPIC_NOT_EXIST",
        18 => "TOPIC_EXIST_ALREADY",
        22 => "QUERY_NOT_FOUND",
        24 => "SUBSCRIPTION_NOT_EXIST",
        26 => "SUBSCRIPTION_GROUP_NOT_EXIST",
        29 => "INVALID_PARAMETER",
        206 => "CONSUMER_NOT_ONLINE",
        208 => "NO_MESSAGE",
        604 => "ILLEGAL_OPERATION",
        1500 => "GO_AWAY",
        2000 => "CONTROLLER_FENCED_MASTER_EPOCH",
        2001 => "CONTROLLER_FENCED_SYNC_STATE_SET_EPOCH",
        2002 => "CONTROLLER_INVALID_MASTER",
        2003 => "CONTROLLER_INVALID_REPLICAS",
        2004 => "CONTROLLER_MASTER_NOT_AVAILABLE",
        2005 => "CONTROLLER_INVALID_REQUEST",
        2006 => "CONTROLLER_BROKER_NOT_ALIVE",
        2007 => "CONTROLLER_NOT_LEADER",
        2008 => "CONTROLLER_BROKER_METADATA_NOT_EXIST",
        2009 => "CONTROLLER_INVALID_CLEAN_BROKER_METADATA",
        2010 => "CONTROLLER_BROKER_NEED_TO_BE_REGISTERED",
        2011 => "CONTROLLER_MASTER_STILL_EXIST",
        2012 => "CONTROLLER_ELECT_MASTER_FAILED",
        2013 => "CONTROLLER_ALTER_SYNC_STATE_SET_FAILED",
        2014 => "CONTROLLER_BROKER_ID_INVALID",
        2015 => "CONTROLLER_JRAFT_INTERNAL_ERROR",
        2016 => "CONTROLLER_BROKER_LIVE_INFO_NOT_EXISTS",
        _ => "error",
    }
}
