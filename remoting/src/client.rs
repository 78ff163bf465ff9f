//! A client that keeps one multiplexed connection per address and
//! reconnects on demand.
//!
//! Connections belong to the client: dropping the last clone of a
//! `RemotingClient` (or calling [`RemotingClient::shutdown`]) closes them.
//! Without that, a connection's I/O tasks would keep its socket open for as
//! long as the peer does, since they hold their own handle to it.
//!
//! Each address connects on its own: a peer that hangs on connect (SYN
//! dropped) holds up only callers of that address, never a broker's calls
//! to its other controllers or name servers.

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

/// One address's connection; its lock is held while connecting, so
/// concurrent callers of the same address share one attempt.
type Slot = Arc<Mutex<Option<Connection>>>;

/// The client's connections by address; closes them all when the last
/// client clone lets go of it.
#[derive(Default)]
struct ConnectionTable(parking_lot::Mutex<HashMap<String, Slot>>);

impl ConnectionTable {
    fn slot(&self, addr: &str) -> Slot {
        Arc::clone(self.0.lock().entry(addr.to_owned()).or_default())
    }
}

impl Drop for ConnectionTable {
    fn drop(&mut self) {
        // Nobody can be connecting: every attempt borrows the client.
        for slot in self.0.get_mut().values() {
            if let Some(conn) = slot.try_lock().ok().and_then(|mut s| s.take()) {
                conn.close();
            }
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
        let slot = self.connections.slot(addr);
        let mut slot = slot.lock().await;
        if let Some(c) = slot.as_ref().filter(|c| !c.is_closed()) {
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
        *slot = Some(conn.clone());
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
        let drained: Vec<Slot> = self.connections.0.lock().drain().map(|(_, s)| s).collect();
        for slot in drained {
            if let Some(conn) = slot.lock().await.take() {
                conn.close();
            }
        }
    }

    pub async fn invoke_oneway(&self, addr: &str, request: RemotingCommand) -> Result<(), ConnectionError> {
        self.connection(addr).await?.oneway(request).await
    }
}
