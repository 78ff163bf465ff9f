//! The slave's HA client (spec/ha.md §2.4, §6.1, §7.3): READY → HANDSHAKE →
//! TRANSFER, forever, with a back-off after every failure.
//!
//! * READY trims an incomplete tail (frames end at arbitrary bytes) and the
//!   epoch entries past it, then dials the master's HA address.
//! * HANDSHAKE sends the 16-byte handshake and truncates the CommitLog
//!   (durably, first) and then the epoch file to the consistent point, so a
//!   crash between the two leaves an epoch entry that the next start or
//!   handshake discards, never a stale tail the epochs vouch for.
//! * TRANSFER appends each body at exactly its offset, records epoch labels
//!   before the bytes they label, applies the master's confirm offset and
//!   acks at once (P-H2) and on the heartbeat interval.

use std::sync::Arc;

use booster_store::MessageStore;
use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::config::HaConfig;
use crate::epochs::Epochs;
use crate::error::HaError;
use crate::frame::{HaState, MAX_TRANSFER_BODY, MasterFrame, SlaveFrame, SlaveHandshake, TransferHeader};
use crate::truncation::{HandshakePlan, TransferStep, plan_handshake, plan_transfer};

/// Room made in the receive buffer before each read: large enough that a
/// 32 KiB frame arrives in a few reads, not hundreds of 64-byte ones.
const READ_CHUNK: usize = 256 * 1024;

/// What the slave client is doing, for admin and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaveStatus {
    pub state: HaState,
    /// The last error, if the last session failed.
    pub last_error: Option<String>,
    /// The handshake found no common history (P-H11): manual repair needed.
    pub diverged: bool,
}

impl Default for SlaveStatus {
    fn default() -> Self {
        Self { state: HaState::Ready, last_error: None, diverged: false }
    }
}

pub(crate) struct SlaveClient {
    pub(crate) store: Arc<MessageStore>,
    pub(crate) config: HaConfig,
    pub(crate) own_id: i64,
    pub(crate) epochs: Arc<Epochs>,
    pub(crate) master_addr: watch::Receiver<Option<String>>,
    pub(crate) status: Arc<watch::Sender<SlaveStatus>>,
}

impl SlaveClient {
    pub(crate) async fn run(mut self) {
        loop {
            match self.session().await {
                Ok(()) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "HA client session failed");
                    let diverged = matches!(e, HaError::Diverged { .. });
                    self.status.send_modify(|s| {
                        s.state = HaState::Ready;
                        s.last_error = Some(e.to_string());
                        s.diverged = diverged;
                    });
                    self.wait_for_address_or(self.config.reconnect_backoff).await;
                }
            }
        }
    }

    fn set_state(&self, state: HaState) {
        self.status.send_if_modified(|s| std::mem::replace(&mut s.state, state) != state);
    }

    /// Sleeps `d`, woken early by a new master HA address.
    async fn wait_for_address_or(&mut self, d: std::time::Duration) {
        let _ = tokio::time::timeout(d, self.master_addr.changed()).await;
    }

    async fn session(&mut self) -> Result<(), HaError> {
        self.set_state(HaState::Ready);
        if let Some(point) = self.store.trim_tail()? {
            tracing::info!(point, "trimmed an incomplete CommitLog tail");
            self.epochs.truncate_suffix_by_offset(point)?;
        }
        let Some(addr) = self.master_addr.borrow_and_update().clone() else {
            self.wait_for_address_or(self.config.reconnect_backoff).await;
            return Ok(());
        };
        let connect = tokio::time::timeout(self.config.handshake_timeout, TcpStream::connect(&addr)).await;
        let mut stream = match connect {
            Ok(r) => r.map_err(|e| HaError::io(&addr, e))?,
            Err(_) => {
                return Err(HaError::Idle {
                    peer: addr,
                    idle_ms: self.config.handshake_timeout.as_millis() as u64,
                });
            }
        };
        let _ = stream.set_nodelay(true);
        let mut buf = BytesMut::with_capacity(64 * 1024);

        self.set_state(HaState::Handshake);
        let reported = self.handshake(&mut stream, &mut buf, &addr).await?;
        self.set_state(HaState::Transfer);
        self.status.send_modify(|s| {
            s.last_error = None;
            s.diverged = false;
        });
        self.transfer(&mut stream, &mut buf, &addr, reported).await
    }

    /// Sends handshakes until a response arrives, then truncates (§6.1).
    /// Returns the offset to report.
    async fn handshake(
        &self,
        stream: &mut TcpStream,
        buf: &mut BytesMut,
        addr: &str,
    ) -> Result<i64, HaError> {
        let hello = SlaveFrame::Handshake(SlaveHandshake {
            sync_from_last_file: self.config.sync_from_last_file,
            async_learner: self.config.async_learner,
            slave_id: self.own_id,
        });
        let resp = loop {
            stream.write_all(&hello.to_bytes()).await.map_err(|e| HaError::io(addr, e))?;
            let deadline = Instant::now() + self.config.handshake_timeout;
            match read_frame(stream, buf, addr, deadline).await? {
                None => continue,
                Some(MasterFrame::Handshake(r)) => break r,
                Some(MasterFrame::Transfer { .. }) => {
                    let what = "TRANSFER frame before the handshake response".into();
                    return Err(HaError::Protocol { peer: addr.into(), what });
                }
            }
        };
        let max = self.store.max_phy_offset();
        match plan_handshake(&self.epochs.snapshot(), max, &resp) {
            HandshakePlan::KeepAll => Ok(0),
            HandshakePlan::Diverged => Err(HaError::Diverged { master: addr.into() }),
            HandshakePlan::TruncateTo(t) => {
                if t < max {
                    tracing::warn!(from = max, to = t, "truncating to the consistent point with the master");
                }
                self.store.truncate(t)?;
                self.epochs.truncate_suffix_by_offset(t)?;
                Ok(t.min(self.store.max_phy_offset()))
            }
        }
    }

    async fn transfer(
        &self,
        stream: &mut TcpStream,
        buf: &mut BytesMut,
        addr: &str,
        mut reported: i64,
    ) -> Result<(), HaError> {
        let heartbeat = self.config.heartbeat_interval;
        let housekeeping = self.config.housekeeping_interval;
        let mut received_epoch = -1;
        let mut confirm = i64::MIN;
        // P-H2: the first ack goes out at once, not after a heartbeat period.
        let mut ack = Some(self.store.max_phy_offset().max(reported));
        let mut last_read = Instant::now();
        let mut last_write = Instant::now();
        loop {
            if ack.is_none() && last_write.elapsed() >= heartbeat {
                ack = Some(reported);
            }
            if let Some(offset) = ack.take() {
                let frame = SlaveFrame::Ack { max_offset: offset }.to_bytes();
                stream.write_all(&frame).await.map_err(|e| HaError::io(addr, e))?;
                reported = offset;
                last_write = Instant::now();
            }
            let deadline = (last_write + heartbeat).min(last_read + housekeeping);
            let Some(frame) = read_frame(stream, buf, addr, deadline).await? else {
                if last_read.elapsed() > housekeeping {
                    let idle_ms = housekeeping.as_millis() as u64;
                    return Err(HaError::Idle { peer: addr.into(), idle_ms });
                }
                continue;
            };
            last_read = Instant::now();
            let mut next = Some(frame);
            while let Some(frame) = next {
                let MasterFrame::Transfer { header, body } = frame else {
                    let what = "handshake response in TRANSFER state".into();
                    return Err(HaError::Protocol { peer: addr.into(), what });
                };
                self.apply(&header, &body, &mut received_epoch, &mut confirm)?;
                // Drain whatever else already arrived before acking.
                next =
                    MasterFrame::decode_from(buf, MAX_TRANSFER_BODY).map_err(|e| HaError::frame(addr, e))?;
            }
            let max = self.store.max_phy_offset();
            if max > reported {
                ack = Some(max);
            }
        }
    }

    /// §7.3 for one frame.
    fn apply(
        &self,
        h: &TransferHeader,
        body: &[u8],
        received_epoch: &mut i32,
        confirm: &mut i64,
    ) -> Result<(), HaError> {
        let file_size = self.store.commit_log().file_size() as i64;
        let step = plan_transfer(self.store.max_phy_offset(), h.offset, body.len(), file_size)?;
        if let TransferStep::ResetThenAppend(offset) = step {
            tracing::info!(offset, "empty store starts at the master's file boundary");
            self.store.reset_to(offset)?;
        }
        // Record the label before the bytes it labels; only a label that is
        // consistent with the frame's position (P-H7 guard).
        if h.epoch >= 0 && h.epoch != *received_epoch && h.offset >= 0 && h.epoch_start_offset <= h.offset {
            *received_epoch = h.epoch;
            if !self.epochs.append(h.epoch, h.epoch_start_offset)? {
                tracing::debug!(epoch = h.epoch, start = h.epoch_start_offset, "epoch entry not appended");
            }
        }
        if !body.is_empty() {
            self.store.append_raw(h.offset, body)?;
        }
        let c = h.confirm_offset.min(self.store.max_phy_offset());
        if c != *confirm {
            *confirm = c;
            self.store.set_confirm_offset(c);
        }
        Ok(())
    }
}

/// Reads until one whole master frame is buffered; `None` at `deadline`.
async fn read_frame(
    stream: &mut TcpStream,
    buf: &mut BytesMut,
    addr: &str,
    deadline: Instant,
) -> Result<Option<MasterFrame>, HaError> {
    loop {
        if let Some(frame) =
            MasterFrame::decode_from(buf, MAX_TRANSFER_BODY).map_err(|e| HaError::frame(addr, e))?
        {
            return Ok(Some(frame));
        }
        buf.reserve(READ_CHUNK);
        match tokio::time::timeout_at(deadline, stream.read_buf(buf)).await {
            Err(_) => return Ok(None),
            Ok(Err(e)) => return Err(HaError::io(addr, e)),
            Ok(Ok(0)) => return Err(HaError::Closed { peer: addr.into() }),
            Ok(Ok(_)) => {}
        }
    }
}
