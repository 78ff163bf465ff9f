//! Background threads of the store: CommitLog flush (group commit or
//! interval), dispatch, and housekeeping (checkpoint, ConsumeQueue and index
//! flush, retention). Each is a plain thread sleeping on a `Signal`, so a
//! put only has to bump a counter to wake the one it needs.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

/// A wake-up counter with a stop flag. `kick` is on every put's path, so it
/// only touches the mutex when the service is actually asleep.
#[derive(Debug, Default)]
pub struct Signal {
    kicks: AtomicU64,
    sleeping: AtomicBool,
    stopped: AtomicBool,
    lock: Mutex<()>,
    cv: Condvar,
}

impl Signal {
    pub fn kick(&self) {
        self.kicks.fetch_add(1, Ordering::SeqCst);
        if self.sleeping.load(Ordering::SeqCst) {
            let _guard = self.lock.lock();
            self.cv.notify_all();
        }
    }

    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        let _guard = self.lock.lock();
        self.cv.notify_all();
    }

    /// Sleeps until kicked, stopped or `timeout`; returns false once stopped.
    pub fn wait(&self, seen: &mut u64, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut guard = self.lock.lock();
        // Announce the sleep before re-checking: a kicker either sees the flag
        // (and takes the lock to notify) or its kick is seen here.
        self.sleeping.store(true, Ordering::SeqCst);
        while self.kicks.load(Ordering::SeqCst) == *seen && !self.stopped.load(Ordering::SeqCst) {
            if self.cv.wait_until(&mut guard, deadline).timed_out() {
                break;
            }
        }
        self.sleeping.store(false, Ordering::SeqCst);
        *seen = self.kicks.load(Ordering::SeqCst);
        !self.stopped.load(Ordering::SeqCst)
    }
}

/// Runs `step` on a named thread until `signal` stops, waking every
/// `interval` or on a kick. Errors are logged, never fatal: the next round retries.
pub fn spawn_loop(
    name: &str,
    signal: Arc<Signal>,
    interval: Duration,
    mut step: impl FnMut() -> crate::Result<()> + Send + 'static,
) -> std::io::Result<JoinHandle<()>> {
    let thread_name = name.to_owned();
    std::thread::Builder::new().name(thread_name.clone()).spawn(move || {
        let mut seen = 0;
        loop {
            if let Err(e) = step() {
                tracing::error!(service = %thread_name, error = %e, "store service round failed");
            }
            if !signal.wait(&mut seen, interval) {
                break;
            }
        }
    })
}

/// Something that happens every `period`, judged against an explicit `now`.
#[derive(Debug, Clone, Copy)]
pub struct Every {
    period: Duration,
    last: Instant,
}

impl Every {
    pub fn new(period: Duration, now: Instant) -> Self {
        Self { period, last: now }
    }

    pub fn due(&mut self, now: Instant) -> bool {
        if now.duration_since(self.last) >= self.period {
            self.last = now;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fires_once_per_period() {
        let t0 = Instant::now();
        let mut e = Every::new(Duration::from_secs(10), t0);
        assert!(!e.due(t0 + Duration::from_secs(9)));
        assert!(e.due(t0 + Duration::from_secs(10)));
        assert!(!e.due(t0 + Duration::from_secs(19)));
        assert!(e.due(t0 + Duration::from_secs(21)));
    }

    #[test]
    fn signal_wakes_and_stops() {
        let s = Arc::new(Signal::default());
        let mut seen = 0;
        s.kick();
        assert!(s.wait(&mut seen, Duration::from_secs(5)), "a pending kick returns at once");
        assert_eq!(seen, 1);
        s.stop();
        assert!(!s.wait(&mut seen, Duration::from_secs(5)));
    }
}
