//! The controller and HA commands' flags (RocketMQ's, `-bn` included) and
//! every validation error naming its flag.

use super::*;

const NS: &str = "127.0.0.1:9876";
const CTL: &str = "127.0.0.1:9878";

fn cmd(args: &[&str]) -> Command {
    match parse(args, None) {
        Ok(Parsed::Run(inv)) => inv.command,
        other => panic!("{args:?}: {other:?}"),
    }
}

fn err(args: &[&str]) -> String {
    match parse(args, None) {
        Err(e) => e.to_string(),
        Ok(other) => panic!("{args:?} should be rejected, got {other:?}"),
    }
}

#[test]
fn get_controller_meta_data() {
    assert_eq!(
        cmd(&["getControllerMetaData", "-a", CTL]),
        Command::GetControllerMetaData { controller: CTL.into() }
    );
    assert_eq!(
        err(&["getControllerMetaData"]),
        "mqadmin getControllerMetaData: -a/--controllerAddress is required"
    );
    assert_eq!(
        err(&["getControllerMetaData", "-a", "nohost"]),
        "mqadmin getControllerMetaData: -a/--controllerAddress: \"nohost\" is not host:port"
    );
}

#[test]
fn get_sync_state_set() {
    assert_eq!(
        cmd(&["getSyncStateSet", "-a", &format!("{CTL};127.0.0.1:9879"), "-b", "broker-a, broker-b"]),
        Command::GetSyncStateSet {
            controller: CTL.into(),
            brokers: BrokerSets::Names(vec!["broker-a".into(), "broker-b".into()]),
            interval_secs: None,
        }
    );
    let by_cluster = parse(&["getSyncStateSet", "-a", CTL, "-c", "C", "-i", "3", "-n", NS], None).unwrap();
    let Parsed::Run(inv) = by_cluster else { panic!() };
    assert_eq!(
        inv.command,
        Command::GetSyncStateSet {
            controller: CTL.into(),
            brokers: BrokerSets::Cluster("C".into()),
            interval_secs: Some(3)
        }
    );
    assert!(err(&["getSyncStateSet", "-a", CTL, "-c", "C"]).contains("no name server address"));
    assert_eq!(
        err(&["getSyncStateSet", "-a", CTL]),
        "mqadmin getSyncStateSet: one of -b/--brokerName or -c/--clusterName is required"
    );
    assert_eq!(
        err(&["getSyncStateSet", "-b", "broker-a"]),
        "mqadmin getSyncStateSet: -a/--controllerAddress is required"
    );
    assert_eq!(
        err(&["getSyncStateSet", "-a", CTL, "-b", ","]),
        "mqadmin getSyncStateSet: -b/--brokerName: no broker name given"
    );
}

#[test]
fn get_broker_epoch() {
    assert_eq!(
        cmd(&["getBrokerEpoch", "-b", "broker-a", "-n", NS]),
        Command::GetBrokerEpoch { brokers: BrokerSets::Names(vec!["broker-a".into()]), interval_secs: None }
    );
    assert_eq!(
        cmd(&["getBrokerEpoch", "-c", "C", "-n", NS, "-i", "2"]),
        Command::GetBrokerEpoch { brokers: BrokerSets::Cluster("C".into()), interval_secs: Some(2) }
    );
    assert!(err(&["getBrokerEpoch", "-b", "broker-a"]).contains("no name server address"));
    assert_eq!(
        err(&["getBrokerEpoch", "-n", NS, "-b", "a", "-c", "C"]),
        "mqadmin getBrokerEpoch: -b/--brokerName and -c/--clusterName cannot be used together"
    );
}

#[test]
fn elect_master_uses_rocketmq_flags() {
    let expected = Command::ElectMaster {
        controller: CTL.into(),
        cluster: "C".into(),
        broker_name: "broker-a".into(),
        broker_id: 2,
    };
    assert_eq!(cmd(&["electMaster", "-a", CTL, "-c", "C", "-bn", "broker-a", "-b", "2"]), expected);
    assert_eq!(
        cmd(&[
            "electMaster",
            "--controllerAddress",
            CTL,
            "--clusterName=C",
            "--brokerName",
            "broker-a",
            "-b2"
        ]),
        expected
    );
    assert_eq!(cmd(&["electMaster", "-a", CTL, "-c", "C", "-bnbroker-a", "-b", "2"]), expected, "attached");
    let base = ["electMaster", "-a", CTL, "-c", "C"];
    assert_eq!(err(&[&base[..], &["-b", "2"]].concat()), "mqadmin electMaster: -bn/--brokerName is required");
    assert_eq!(
        err(&[&base[..], &["-bn", "broker-a"]].concat()),
        "mqadmin electMaster: -b/--brokerId is required"
    );
    assert_eq!(
        err(&[&base[..], &["-bn", "broker-a", "-b", "x"]].concat()),
        "mqadmin electMaster: -b/--brokerId: \"x\" is not a broker id (a positive integer)"
    );
    assert_eq!(
        err(&[&base[..], &["-bn", "broker-a", "-b", "0"]].concat()),
        "mqadmin electMaster: -b/--brokerId: \"0\" is not a broker id (a positive integer)"
    );
    assert_eq!(
        err(&["electMaster", "-a", CTL, "-bn", "a", "-b", "1"]),
        "mqadmin electMaster: -c/--clusterName is required"
    );
    assert_eq!(
        err(&["electMaster", "-a", CTL, "-c", "C", "-bn", "a b", "-b", "1"]),
        "mqadmin electMaster: -bn/--brokerName: broker name \"a b\" contains ' '"
    );
}

#[test]
fn clean_broker_metadata() {
    assert_eq!(
        cmd(&["cleanBrokerMetadata", "-a", CTL, "-bn", "broker-a", "-c", "C", "-b", "1; 2"]),
        Command::CleanBrokerMetadata(CleanBrokerMetadata {
            controller: CTL.into(),
            broker_name: "broker-a".into(),
            cluster: Some("C".into()),
            broker_ids: Some("1;2".into()),
            clean_living: false,
        })
    );
    assert_eq!(
        cmd(&["cleanBrokerMetadata", "-a", CTL, "-bn", "broker-a", "-l"]),
        Command::CleanBrokerMetadata(CleanBrokerMetadata {
            controller: CTL.into(),
            broker_name: "broker-a".into(),
            cluster: None,
            broker_ids: None,
            clean_living: true,
        })
    );
    assert_eq!(
        err(&["cleanBrokerMetadata", "-a", CTL, "-bn", "broker-a"]),
        "mqadmin cleanBrokerMetadata: -c/--clusterName: required unless -l/--cleanLivingBroker is given"
    );
    assert!(err(&["cleanBrokerMetadata", "-a", CTL, "-bn", "a", "-l", "-b", "1;x"]).starts_with(
        "mqadmin cleanBrokerMetadata: -b/--brokerControllerIdsToClean: \"x\" is not a broker id"
    ));
    assert_eq!(
        err(&["cleanBrokerMetadata", "-a", CTL, "-bn", "a", "-l", "-b", ";"]),
        "mqadmin cleanBrokerMetadata: -b/--brokerControllerIdsToClean: no broker id given (use 1;2;3)"
    );
    assert_eq!(
        err(&["cleanBrokerMetadata", "-a", CTL, "-bn", "a", "-l", "yes"]),
        "mqadmin cleanBrokerMetadata: unexpected argument \"yes\" (options take the form -x value)"
    );
}

#[test]
fn controller_config_commands() {
    assert_eq!(
        cmd(&["getControllerConfig", "-a", &format!("{CTL};127.0.0.1:9879")]),
        Command::GetControllerConfig { controllers: vec![CTL.into(), "127.0.0.1:9879".into()] }
    );
    assert_eq!(
        err(&["getControllerConfig", "-a", ";"]),
        "mqadmin getControllerConfig: -a/--controllerAddress: the address list is empty"
    );
    assert_eq!(
        cmd(&["updateControllerConfig", "-a", CTL, "-k", "notifyBrokerRoleChanged", "-v", "false"]),
        Command::UpdateControllerConfig {
            controllers: vec![CTL.into()],
            key: "notifyBrokerRoleChanged".into(),
            value: "false".into()
        }
    );
    let base = ["updateControllerConfig", "-a", CTL];
    assert_eq!(
        err(&[&base[..], &["-v", "1"]].concat()),
        "mqadmin updateControllerConfig: -k/--key is required"
    );
    assert_eq!(
        err(&[&base[..], &["-k", "a"]].concat()),
        "mqadmin updateControllerConfig: -v/--value is required"
    );
    assert_eq!(
        err(&[&base[..], &["-k", "a=b", "-v", "1"]].concat()),
        "mqadmin updateControllerConfig: -k/--key: key \"a=b\" contains '='"
    );
    assert_eq!(
        err(&[&base[..], &["-k", "a", "-v", "1\n2"]].concat()),
        "mqadmin updateControllerConfig: -v/--value: the value contains a line break"
    );
}

#[test]
fn ha_status() {
    assert_eq!(
        cmd(&["haStatus", "-b", "127.0.0.1:10911"]),
        Command::HaStatus { target: Target::Broker("127.0.0.1:10911".into()), interval_secs: None }
    );
    assert_eq!(
        cmd(&["haStatus", "-c", "C", "-n", NS, "-i", "1"]),
        Command::HaStatus { target: Target::Cluster("C".into()), interval_secs: Some(1) }
    );
    assert!(err(&["haStatus", "-c", "C"]).contains("no name server address"));
    assert_eq!(
        err(&["haStatus", "-b", "broker-a"]),
        "mqadmin haStatus: -b/--brokerAddr: \"broker-a\" is not host:port"
    );
    assert_eq!(
        err(&["haStatus"]),
        "mqadmin haStatus: one of -b/--brokerAddr or -c/--clusterName is required"
    );
}

#[test]
fn help_shows_two_letter_options() {
    let Ok(Parsed::Help(h)) = parse(&["electMaster", "-h"], None) else { panic!() };
    assert!(
        h.starts_with("usage: mqadmin electMaster -a <arg> -b <arg> -bn <arg> -c <arg> [-h] [-n <arg>]"),
        "{h}"
    );
    assert!(h.contains(" -bn,--brokerName <arg>"), "{h}");
}
