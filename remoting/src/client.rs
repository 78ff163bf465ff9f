//! A client that keeps one multiplexed connection per address and
//! reconnects on demand.
//!
//! Connections belong to the client: dropping the last clone of a
//! `RemotingClient` (or calling [`RemotingClient::shutdown`]) closes them.
//! Without that, a connection's I/O tasks would keep its socket open for as
//! long as the peer does, since they hold their own handle to it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::sync::Mutex;

use crate::codec::RemotingCodec;
use crate::command::RemotingCommand;
use crate::connection::{Connection, ConnectionError, NoRequests, Router};

#[derive(Clone)]
pub struct RemotingClient {
    connections: Arc<ConnectionTable>,
    codec: RemotingCodec,
    router: Arc<dyn Router>,
    connect_timeout: Duration,
}

/// The client's connections by address; closes them all when the last
/// client clone lets go of it.
#[derive(Default)]
struct ConnectionTable(Mutex<HashMap<String, Connection>>);

impl Drop for ConnectionTable {
    fn drop(&mut self) {
        for conn in self.0.get_mut().values() {
            conn.close();
        }
    }
}

impl std::fmt::Debug for RemotingClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemotingClient").finish_non_exhaustive()
    }
}

impl Default for RemotingClient {
    fn default() -> Self {
        Self::new(Arc::new(NoRequests))
    }
}

impl RemotingClient {
    /// A client whose connections pass inbound requests to `router`.
    pub fn new(router: Arc<dyn Router>) -> Self {
        Self {
            connections: Arc::default(),
            codec: RemotingCodec::default(),
            router,
            connect_timeout: Duration::from_secs(3),
        }
    }

    /// The live connection to `addr` (`host:port`), connecting if needed.
    pub async fn connection(&self, addr: &str) -> Result<Connection, ConnectionError> {
        let mut conns = self.connections.0.lock().await;
        if let Some(c) = conns.get(addr).filter(|c| !c.is_closed()) {
            return Ok(c.clone());
        }
        let connect = tokio::time::timeout(self.connect_timeout, TcpStream::connect(addr)).await;
        let stream = match connect {
            Ok(Ok(s)) => s,
            Ok(Err(source)) => return Err(ConnectionError::Connect { addr: addr.to_owned(), source }),
            Err(_) => {
                let source = std::io::Error::new(std::io::ErrorKind::TimedOut, "connect timed out");
                return Err(ConnectionError::Connect { addr: addr.to_owned(), source });
            }
        };
        let conn = Connection::start(stream, self.codec, Arc::clone(&self.router));
        conns.insert(addr.to_owned(), conn.clone());
        Ok(conn)
    }

    pub async fn invoke(
        &self,
        addr: &str,
        request: RemotingCommand,
        timeout: Duration,
    ) -> Result<RemotingCommand, ConnectionError> {
        self.connection(addr).await?.request(request, timeout).await
    }

    /// Closes every connection now (clones included: they share the
    /// table). Later calls reconnect, so this is also a "reset".
    pub async fn shutdown(&self) {
        let drained: Vec<Connection> = self.connections.0.lock().await.drain().map(|(_, c)| c).collect();
        for conn in drained {
            conn.close();
        }
    }

    pub async fn invoke_oneway(&self, addr: &str, request: RemotingCommand) -> Result<(), ConnectionError> {
        self.connection(addr).await?.oneway(request).await
    }
}
