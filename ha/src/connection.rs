//! One master-side slave connection (spec/ha.md §2.3, §7.1, §7.4): a
//! reader that parses handshakes and acks and feeds them to the tracker,
//! and a writer that answers handshakes and streams the CommitLog. Both run
//! in one task; whichever stops first stops the other.
//!
//! Transfer bodies are `read_chunk` slices of the mapped file, written with
//! their 36-byte headers in one vectored write: no copy of the data into an
//! intermediate buffer. Each frame stays within one file (the chunk ends at
//! the file's written end), one epoch and `haTransferBatchSize`; the frames
//! ready at once (up to `MAX_WRITE` bytes) go out in one write, so a slave
//! behind by megabytes wakes, appends and acks once per write, not once per
//! 32 KiB frame (with two slaves on two cores, per-frame wake-ups cost more
//! than the copies).

use std::collections::VecDeque;
use std::io::IoSlice;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::error::HaError;
use crate::frame::{HandshakeResponse, SlaveFrame, SlaveHandshake, TransferHeader, WireEpoch};
use crate::master::{ConnLink, MasterCore};
use crate::sync_state::ConnId;
use crate::truncation::{bound_chunk, first_transfer_offset, heartbeat_label};

/// The reference master's receive buffer; slave frames are 12–16 bytes.
const MAX_READ_BUFFER: usize = 1024 * 1024;

/// Most body bytes gathered into one socket write.
const MAX_WRITE: usize = 1024 * 1024;

/// What the reader tells the writer (state mirroring, rule M0).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Signal {
    handshake: Option<SlaveHandshake>,
    /// Bumped by every HANDSHAKE frame: the writer (re)sends a response.
    handshake_seq: u64,
    /// The first ack after the first handshake (§7.4 step 1).
    request_offset: Option<i64>,
    /// Mirrors the slave: TRANSFER after an ack, HANDSHAKE after a handshake.
    transfer: bool,
}

pub(crate) async fn serve(
    core: &Arc<MasterCore>,
    stream: TcpStream,
    link: &ConnLink,
    conn: ConnId,
) -> Result<(), HaError> {
    let _ = stream.set_nodelay(true);
    let (rd, wr) = stream.into_split();
    let (tx, rx) = watch::channel(Signal::default());
    tokio::select! {
        r = read_loop(core, rd, link.peer, conn, tx) => r,
        r = write_loop(core, wr, link, conn, rx) => r,
    }
}

async fn read_loop(
    core: &Arc<MasterCore>,
    mut rd: OwnedReadHalf,
    peer: SocketAddr,
    conn: ConnId,
    signal: watch::Sender<Signal>,
) -> Result<(), HaError> {
    let idle = core.config.housekeeping_interval;
    let mut buf = BytesMut::with_capacity(4096);
    loop {
        buf.reserve(4096);
        match tokio::time::timeout(idle, rd.read_buf(&mut buf)).await {
            Err(_) => return Err(HaError::Idle { peer: peer.to_string(), idle_ms: idle.as_millis() as u64 }),
            Ok(Err(e)) => return Err(HaError::io(peer, e)),
            Ok(Ok(0)) => return Err(HaError::Closed { peer: peer.to_string() }),
            Ok(Ok(_)) => {}
        }
        while let Some(frame) = SlaveFrame::decode_from(&mut buf).map_err(|e| HaError::frame(peer, e))? {
            match frame {
                SlaveFrame::Handshake(h) => {
                    let known = signal.borrow().handshake;
                    if known.map(|k| (k.slave_id, k.async_learner)) != Some((h.slave_id, h.async_learner)) {
                        tracing::info!(%peer, slave_id = h.slave_id, learner = h.async_learner, "slave handshake");
                        core.on_handshake(conn, h.slave_id, h.async_learner);
                    }
                    signal.send_modify(|s| {
                        s.handshake = Some(h);
                        s.handshake_seq += 1;
                        s.transfer = false;
                    });
                }
                SlaveFrame::Ack { max_offset } => {
                    if signal.borrow().handshake.is_none() {
                        let what = "TRANSFER ack before any HANDSHAKE".to_string();
                        return Err(HaError::Protocol { peer: peer.to_string(), what });
                    }
                    core.with_tracker(|t, max, now| t.on_ack(conn, max_offset, max, now));
                    signal.send_if_modified(|s| {
                        let changed = !s.transfer || s.request_offset.is_none();
                        s.request_offset.get_or_insert(max_offset);
                        s.transfer = true;
                        changed
                    });
                }
            }
        }
        if buf.len() > MAX_READ_BUFFER {
            return Err(HaError::Protocol { peer: peer.to_string(), what: "read buffer overflow".into() });
        }
    }
}

struct Writer<'a> {
    core: &'a Arc<MasterCore>,
    wr: OwnedWriteHalf,
    peer: SocketAddr,
    link: &'a ConnLink,
    conn: ConnId,
    /// `nextTransferFromWhere`; −1 until known (mirrored in `link`).
    next: i64,
    last_write: Instant,
}

/// What one transfer iteration found.
enum Step {
    Sent,
    /// Caught up: wait for new data.
    Idle,
    /// Cannot send yet (no start, below retention, no epoch): retry later.
    Retry,
}

async fn write_loop(
    core: &Arc<MasterCore>,
    wr: OwnedWriteHalf,
    link: &ConnLink,
    conn: ConnId,
    mut signal: watch::Receiver<Signal>,
) -> Result<(), HaError> {
    let peer = link.peer;
    let mut w = Writer { core, wr, peer, link, conn, next: -1, last_write: Instant::now() };
    let mut max_rx = core.store.commit_log().subscribe_max_offset();
    let mut answered = 0u64;
    loop {
        let s = signal.borrow_and_update().clone();
        if s.handshake_seq != answered {
            answered = s.handshake_seq;
            w.send_handshake_response().await?;
            continue;
        }
        let (Some(h), Some(request), true) = (s.handshake, s.request_offset, s.transfer) else {
            if signal.changed().await.is_err() {
                return Ok(());
            }
            continue;
        };
        if w.next < 0 {
            let cl = core.store.commit_log();
            let min = (!cl.files().is_empty()).then(|| cl.min_offset());
            let size = cl.file_size() as i64;
            w.set_next(
                first_transfer_offset(request, h.sync_from_last_file, min, cl.max_offset(), size)
                    .unwrap_or(-1),
            );
            if w.next >= 0 {
                tracing::info!(%peer, slave_id = h.slave_id, from = w.next, "transfer starts");
            }
        }
        let step = w.transfer_step().await?;
        if !matches!(step, Step::Sent) && w.last_write.elapsed() > core.config.heartbeat_interval {
            w.send_heartbeat().await?;
        }
        let wait = match step {
            Step::Sent => continue,
            Step::Idle => core.config.heartbeat_interval,
            Step::Retry => core.config.transfer_retry,
        };
        let deadline = (w.last_write + core.config.heartbeat_interval).min(Instant::now() + wait);
        tokio::select! {
            r = max_rx.changed(), if matches!(step, Step::Idle) => if r.is_err() { return Ok(()) },
            r = signal.changed() => if r.is_err() { return Ok(()) },
            _ = tokio::time::sleep_until(deadline) => {}
        }
    }
}

impl Writer<'_> {
    fn set_next(&mut self, next: i64) {
        self.next = next;
        self.link.transfer_from_where.store(next, Ordering::Relaxed);
    }

    /// The `haFlowControlEnable` budget left in this second (§7.1 step 4).
    fn flow_budget(&self) -> usize {
        let Some(limit) = self.core.config.flow_control else { return usize::MAX };
        let used = self.link.sent.lock().current(self.core.clock.now_ms());
        usize::try_from(limit.saturating_sub(used)).unwrap_or(usize::MAX)
    }

    async fn write(&mut self, mut frames: impl Buf) -> Result<(), HaError> {
        self.wr.write_all_buf(&mut frames).await.map_err(|e| HaError::io(self.peer, e))?;
        self.last_write = Instant::now();
        Ok(())
    }

    async fn send_handshake_response(&mut self) -> Result<(), HaError> {
        let epochs = self.core.epochs.snapshot();
        let resp = HandshakeResponse {
            master_max_offset: self.core.store.max_phy_offset(),
            last_epoch: epochs.last_epoch(),
            entries: epochs
                .entries()
                .iter()
                .map(|e| WireEpoch { epoch: e.epoch, start_offset: e.start_offset })
                .collect(),
        };
        let mut buf = BytesMut::new();
        resp.encode(&mut buf);
        self.write(buf).await
    }

    async fn send_heartbeat(&mut self) -> Result<(), HaError> {
        let (epoch, epoch_start_offset) = heartbeat_label(&self.core.epochs.snapshot(), self.next);
        let header = TransferHeader {
            offset: self.next,
            epoch,
            epoch_start_offset,
            confirm_offset: self.core.confirm_offset(),
        };
        self.write(&header.encode(0)[..]).await
    }

    /// §7.1 steps 2–7, for every frame ready now (up to `MAX_WRITE` bytes).
    async fn transfer_step(&mut self) -> Result<Step, HaError> {
        if self.next < 0 {
            // Nothing to start from: the master is empty (§6.3). Idle, not
            // Retry: the first append must wake the writer at once; a
            // retry sleep ignores appends, so a fresh cluster's first puts
            // waited up to `transfer_retry` (allAck puts even outlived
            // haMaxTimeSlaveNotCatchup and dropped the slave from the set).
            return Ok(Step::Idle);
        }
        let cl = self.core.store.commit_log();
        if self.next >= cl.max_offset() {
            self.core.on_nothing_to_send(self.conn);
            return Ok(Step::Idle);
        }
        if self.next < cl.min_offset() {
            tracing::warn!(peer = %self.peer, next = self.next, min = cl.min_offset(), "slave is behind the retained CommitLog; manual action needed");
            return Ok(Step::Retry);
        }
        let epochs = self.core.epochs.snapshot();
        let confirm_offset = self.core.on_data_sent(self.conn);
        let mut frames = Frames::default();
        while frames.len < MAX_WRITE && self.next < cl.max_offset() {
            let batch = self.core.config.transfer_batch_size.min(self.flow_budget());
            let Some(data) = cl.read_chunk(self.next, batch).filter(|d| !d.is_empty()) else { break };
            let Some(chunk) = bound_chunk(&epochs, self.next, data.len(), batch) else {
                if frames.len == 0 {
                    tracing::warn!(peer = %self.peer, next = self.next, "no epoch entry covers the next offset; not sending");
                }
                break;
            };
            let header = TransferHeader {
                offset: self.next,
                epoch: chunk.epoch,
                epoch_start_offset: chunk.epoch_start_offset,
                confirm_offset,
            };
            frames.push(&header.encode(chunk.size), data.slice(..chunk.size));
            self.set_next(self.next + chunk.size as i64);
            self.link.sent.lock().add(chunk.size as u64, self.core.clock.now_ms());
        }
        if frames.len == 0 {
            return Ok(Step::Retry);
        }
        self.write(frames).await?;
        Ok(Step::Sent)
    }
}

/// Transfer frames queued for one vectored write.
#[derive(Default)]
struct Frames {
    parts: VecDeque<Bytes>,
    len: usize,
}

impl Frames {
    fn push(&mut self, header: &[u8], body: Bytes) {
        self.len += header.len() + body.len();
        self.parts.push_back(Bytes::copy_from_slice(header));
        if !body.is_empty() {
            self.parts.push_back(body);
        }
    }
}

impl Buf for Frames {
    fn remaining(&self) -> usize {
        self.len
    }

    fn chunk(&self) -> &[u8] {
        self.parts.front().map_or(&[], |p| p)
    }

    fn chunks_vectored<'a>(&'a self, dst: &mut [IoSlice<'a>]) -> usize {
        let n = dst.len().min(self.parts.len());
        for (slot, part) in dst.iter_mut().zip(&self.parts) {
            *slot = IoSlice::new(part);
        }
        n
    }

    fn advance(&mut self, mut cnt: usize) {
        assert!(cnt <= self.len, "advance past the end of the frames");
        self.len -= cnt;
        while let Some(front) = self.parts.front_mut() {
            if cnt < front.len() {
                front.advance(cnt);
                return;
            }
            cnt -= front.len();
            self.parts.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_write_out_in_order_across_partial_advances() {
        let mut frames = Frames::default();
        frames.push(b"h1", Bytes::from_static(b"body-one"));
        frames.push(b"h2", Bytes::new());
        frames.push(b"h3", Bytes::from_static(b"xyz"));
        assert_eq!(frames.remaining(), 17);
        let mut slices = [IoSlice::new(&[]); 8];
        assert_eq!(frames.chunks_vectored(&mut slices), 5, "empty bodies are not queued");
        assert_eq!(frames.chunks_vectored(&mut slices[..2]), 2, "bounded by the caller's slots");
        let mut out = Vec::new();
        for step in [1, 4, 0, 7, 5] {
            out.extend_from_slice(&frames.chunk()[..step.min(frames.chunk().len())]);
            frames.advance(step.min(frames.chunk().len()));
        }
        while frames.has_remaining() {
            let n = frames.chunk().len();
            out.extend_from_slice(frames.chunk());
            frames.advance(n);
        }
        assert_eq!(out, b"h1body-oneh2h3xyz");
        assert_eq!(frames.chunk(), b"");
    }

    #[test]
    fn frames_advance_spans_several_parts() {
        let mut frames = Frames::default();
        frames.push(b"ab", Bytes::from_static(b"cd"));
        frames.push(b"ef", Bytes::from_static(b"gh"));
        frames.advance(5);
        assert_eq!((frames.remaining(), frames.chunk()), (3, &b"f"[..]));
        frames.advance(3);
        assert!(!frames.has_remaining());
    }
}
