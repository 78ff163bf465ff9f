//! Long polling (spec/remoting.md §4.5.1): a pull that found nothing waits
//! until a message its filter accepts is dispatched to its queue, the hold
//! time passes, or the broker shuts down. Each held pull is its own task
//! awaiting the store's dispatched-offset watch, so nothing is polled and
//! no thread is blocked.

use std::time::Duration;

use booster_store::GetMessageStatus;
use tokio::time::Instant;

use crate::context::BrokerContext;
use crate::filter::TagFilter;

/// Returns once a matching message exists at or after `offset` in
/// `topic`/`queue_id`, or on timeout or shutdown (the caller re-reads
/// either way).
pub(super) async fn wait_for_arrival(
    ctx: &BrokerContext,
    topic: &str,
    queue_id: i32,
    offset: i64,
    filter: &TagFilter,
    hold: Duration,
) {
    let deadline = Instant::now() + hold;
    let mut dispatched = ctx.store.subscribe_dispatched();
    let mut shutdown = ctx.shutdown_signal();
    // Entries below `checked` were seen and did not match.
    let mut checked = offset;
    loop {
        if *shutdown.borrow_and_update() {
            return;
        }
        let max = ctx.store.max_offset_in_queue(topic, queue_id);
        if max > checked {
            let found =
                ctx.store.get_messages(topic, queue_id, checked, 1, usize::MAX, &|code| filter.matches(code));
            if found.status != GetMessageStatus::NoMatchedMessage {
                return; // found, or the offset moved: answer now
            }
            checked = found.next_begin_offset.max(checked);
        }
        tokio::select! {
            changed = dispatched.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            () = tokio::time::sleep_until(deadline) => return,
            _ = shutdown.changed() => return,
        }
    }
}
