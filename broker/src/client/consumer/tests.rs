//! ConsumerManager: membership changes, subscription versions, expiry.

use booster_model::heartbeat::{ConsumerData, SubscriptionData};

use super::*;
use crate::client::test_channel as channel;

fn sub(topic: &str, expr: &str, version: i64) -> SubscriptionData {
    crate::filter::build_subscription(topic, Some(expr), None, version).unwrap()
}

fn consumer(group: &str, subs: Vec<SubscriptionData>) -> ConsumerData {
    ConsumerData { group_name: group.into(), subscription_data_set: subs, ..Default::default() }
}

#[test]
fn membership_and_subscriptions() {
    let mut m = ConsumerManager::default();
    let data = consumer("g", vec![sub("T", "TagA", 1)]);
    assert!(m.register(&data, channel(1, 0), true, 0), "first member is a change");
    assert!(!m.register(&data, channel(1, 5), true, 0), "a repeated heartbeat is not");
    assert!(m.register(&data, channel(2, 5), true, 0), "a second member is");
    assert_eq!(m.client_ids("g"), vec!["client-1", "client-2"]);
    assert_eq!(m.subscription("g", "T").unwrap().tags_set, vec!["TagA"]);

    // An older version never replaces a newer one; a newer one does.
    let old = consumer("g", vec![sub("T", "TagB", 0)]);
    assert!(!m.register(&old, channel(1, 6), true, 0));
    assert_eq!(m.subscription("g", "T").unwrap().sub_string, "TagA");
    let newer = consumer("g", vec![sub("T", "TagB", 2), sub("U", "*", 2)]);
    assert!(m.register(&newer, channel(1, 7), true, 0));
    assert_eq!(m.subscription("g", "T").unwrap().sub_string, "TagB");
    // Omitted subscriptions (V2 withoutSub) keep the stored ones.
    assert!(!m.register(&consumer("g", vec![]), channel(1, 8), false, 9));
    assert!(m.subscription("g", "U").is_some());
    assert_eq!(m.group("g").unwrap().fingerprint, 9);
    // A full set without U drops it.
    assert!(m.register(&newer_without_u(), channel(1, 9), true, 0));
    assert!(m.subscription("g", "U").is_none());
}

fn newer_without_u() -> ConsumerData {
    consumer("g", vec![sub("T", "TagB", 2)])
}

#[test]
fn expiry_close_and_unregister() {
    let mut m = ConsumerManager::default();
    let data = consumer("g", vec![sub("T", "*", 1)]);
    m.register(&data, channel(1, 0), true, 0);
    m.register(&data, channel(2, 100_000), true, 0);
    m.register(&consumer("h", vec![]), channel(1, 0), true, 0);
    assert_eq!(m.scan_expired(120_001, 120_000), vec!["g", "h"]);
    assert_eq!(m.channels("g"), vec![2]);
    assert!(m.group("h").is_none(), "empty groups are dropped");
    assert_eq!(m.remove_channel(2), vec!["g"]);
    assert!(m.client_ids("g").is_empty());
    m.register(&data, channel(3, 0), true, 0);
    assert!(m.unregister("g", 3));
    assert!(!m.unregister("g", 3));
}
