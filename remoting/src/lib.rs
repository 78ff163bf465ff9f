//! RocketMQ's remoting protocol (spec/remoting.md): the frame codec,
//! `RemotingCommand`, request and response codes, typed custom headers, and
//! a multiplexing client and a dispatching server over tokio. Knows nothing
//! of storage. [`process`] holds the startup bits the server binaries share
//! (stderr logging, waiting for ctrl-c/SIGTERM), [`prometheus`] their
//! metrics endpoint.

pub mod client;
pub mod code;
pub mod codec;
pub mod command;
pub mod connection;
pub mod header;
pub mod headers;
pub mod process;
pub mod prometheus;
pub mod server;

pub use client::RemotingClient;
pub use code::{ResponseCode, request};
pub use codec::{CodecError, DEFAULT_MAX_FRAME_BYTES, RemotingCodec};
pub use command::{ExtFields, LanguageCode, RemotingCommand, SerializeType};
pub use connection::{BoxFuture, Connection, ConnectionError, NoRequests, Router};
pub use header::{CommandHeader, HeaderError};
pub use server::RemotingServer;
