//! Bytes per one-second window, with explicit time: what a connection sent
//! in the current window (the `haFlowControlEnable` budget, §7.1 step 4) and
//! in the last complete one (`transferredByteInSecond` in the HA status, as
//! the reference's flow monitor reports it). A window opens at the first
//! send after the previous one ended, so a fresh connection gets a whole
//! second's budget.

const WINDOW_MS: i64 = 1000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TransferRate {
    /// Start of the current window; `None` before the first send.
    window_start: Option<i64>,
    current: u64,
    previous: u64,
}

impl TransferRate {
    pub(crate) fn add(&mut self, bytes: u64, now_ms: i64) {
        match self.window_start {
            Some(start) if now_ms - start < WINDOW_MS => {}
            Some(start) => {
                self.previous = if now_ms - start < 2 * WINDOW_MS { self.current } else { 0 };
                self.current = 0;
                self.window_start = Some(now_ms);
            }
            None => self.window_start = Some(now_ms),
        }
        self.current = self.current.saturating_add(bytes);
    }

    /// Bytes counted so far in the window open at `now_ms` (0 if none is).
    pub(crate) fn current(&self, now_ms: i64) -> u64 {
        match self.window_start {
            Some(start) if now_ms - start < WINDOW_MS => self.current,
            _ => 0,
        }
    }

    /// Bytes of the last window that ended before `now_ms`, if it ended
    /// less than a second ago.
    pub(crate) fn last_second(&self, now_ms: i64) -> u64 {
        let Some(start) = self.window_start else { return 0 };
        match now_ms - start {
            e if e < WINDOW_MS => self.previous,
            e if e < 2 * WINDOW_MS => self.current,
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_the_current_window_and_reports_the_last_complete_one() {
        let mut r = TransferRate::default();
        assert_eq!((r.current(0), r.last_second(0)), (0, 0));
        r.add(100, 300);
        r.add(50, 1_299);
        assert_eq!((r.current(1_299), r.last_second(1_299)), (150, 0), "the window opened at 300");
        assert_eq!((r.current(1_300), r.last_second(1_300)), (0, 150));
        r.add(7, 1_800);
        assert_eq!((r.current(2_799), r.last_second(2_799)), (7, 150), "the next one opened at 1800");
        assert_eq!((r.current(2_800), r.last_second(2_800)), (0, 7));
        assert_eq!(r.last_second(3_800), 0, "an idle second reports nothing");
    }

    #[test]
    fn a_long_pause_forgets_the_old_counts() {
        let mut r = TransferRate::default();
        r.add(100, 0);
        r.add(5, 5_250);
        assert_eq!((r.current(5_250), r.last_second(5_250)), (5, 0));
        assert_eq!(r.last_second(6_250), 5);
    }
}
