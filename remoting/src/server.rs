//! The accept loop: every accepted socket becomes a `Connection` whose
//! requests go to one `Router`.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::codec::RemotingCodec;
use crate::connection::{Connection, Router};

#[derive(Debug)]
pub struct RemotingServer {
    local_addr: SocketAddr,
    accept_task: JoinHandle<()>,
}

impl RemotingServer {
    /// Binds `addr` (port 0 picks a free port) and serves until dropped.
    pub async fn bind(
        addr: SocketAddr,
        codec: RemotingCodec,
        router: Arc<dyn Router>,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let accept_task = tokio::spawn(async move {
            loop {
                match listener.accept().await {
                    Ok((stream, _)) => {
                        Connection::start(stream, codec, Arc::clone(&router));
                    }
                    Err(e) => {
                        // Out of descriptors and the like: back off, keep serving.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    }
                }
            }
        });
        Ok(Self { local_addr, accept_task })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }
}

impl Drop for RemotingServer {
    fn drop(&mut self) {
        self.accept_task.abort();
    }
}
