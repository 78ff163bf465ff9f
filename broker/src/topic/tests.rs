//! TopicConfigManager: seeds, auto-creation, persistence.

use booster_conf::BrokerConfig;
use booster_model::TopicFilterType;
use booster_store::metadata::ConfigFile;

use super::*;

fn config() -> BrokerConfig {
    BrokerConfig { broker_cluster_name: "C".into(), broker_name: "B".into(), ..BrokerConfig::default() }
}

#[test]
fn seeds_system_topics() {
    let m = TopicConfigManager::new(&config(), None, 1);
    let tbw = m.select("TBW102").unwrap();
    assert_eq!((tbw.perm, tbw.write_queue_nums), (7, 8));
    assert_eq!(m.select("SCHEDULE_TOPIC_XXXX").unwrap().read_queue_nums, 18);
    assert_eq!(m.select("C").unwrap().perm, 7);
    assert_eq!(m.select("B").unwrap().write_queue_nums, 1);
    assert_eq!(m.select("rmq_sys_SYNC_BROKER_MEMBER_B").unwrap().perm, 1);
    assert!(m.contains("RMQ_SYS_TRANS_HALF_TOPIC") && m.contains("C_REPLY_TOPIC"));
    assert!(!m.contains("RMQ_SYS_TRACE_TOPIC"));

    let no_auto = BrokerConfig { auto_create_topic_enable: false, cluster_topic_enable: false, ..config() };
    let m = TopicConfigManager::new(&no_auto, None, 1);
    assert!(!m.contains("TBW102"));
    assert_eq!(m.select("C").unwrap().perm, 1);
}

#[test]
fn auto_create_from_template() {
    let m = TopicConfigManager::new(&config(), None, 1);
    let before = m.data_version();
    let t = m.create_in_send("NewTopic", "TBW102", 4, 0, 5).unwrap().unwrap();
    assert_eq!((t.read_queue_nums, t.write_queue_nums, t.perm), (4, 4, 6));
    assert_eq!(t.topic_filter_type, TopicFilterType::SingleTag);
    assert!(m.data_version() > before);
    // More queues than the template has are capped.
    let t = m.create_in_send("Big", "TBW102", 64, 0, 6).unwrap().unwrap();
    assert_eq!(t.write_queue_nums, 8);
    // A template without INHERIT, or no template, creates nothing.
    assert!(m.create_in_send("X", "SELF_TEST_TOPIC", 4, 0, 7).unwrap().is_none());
    assert!(m.create_in_send("X", "NoSuchTemplate", 4, 0, 7).unwrap().is_none());
    // Existing topics are returned as they are.
    assert_eq!(m.create_in_send("NewTopic", "TBW102", 8, 0, 8).unwrap().unwrap().write_queue_nums, 4);
}

#[test]
fn changes_persist_and_reload() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("topics.json");
    let m = TopicConfigManager::new(&config(), Some(ConfigFile::new(&path)), 1);
    m.load().unwrap();
    m.create_in_send("T1", "TBW102", 2, 0, 10).unwrap();
    let custom = TopicConfig { perm: 4, ..TopicConfig::new("SELF_TEST_TOPIC") };
    assert!(m.update(custom.clone(), 11).unwrap());
    assert!(!m.update(custom, 12).unwrap(), "unchanged update is a no-op");
    let version = m.data_version();

    let again = TopicConfigManager::new(&config(), Some(ConfigFile::new(&path)), 99);
    again.load().unwrap();
    assert_eq!(again.select("T1").unwrap().write_queue_nums, 2);
    assert_eq!(again.select("SELF_TEST_TOPIC").unwrap().perm, 4, "file overrides the seed");
    assert_eq!(again.data_version(), version);
    assert!(again.delete("T1", 100).unwrap());
    assert!(!again.delete("T1", 101).unwrap());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\t") && !text.contains("\"T1\""), "pretty JSON without T1: {text}");
}
