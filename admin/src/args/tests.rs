//! Every command's flags, and every validation error naming its flag.

use super::*;

const NS: &str = "127.0.0.1:9876";

fn run(args: &[&str]) -> Result<Invocation, UsageError> {
    match parse(args, None)? {
        Parsed::Run(inv) => Ok(inv),
        Parsed::Help(text) => panic!("unexpected help: {text}"),
    }
}

fn cmd(args: &[&str]) -> Command {
    run(args).unwrap_or_else(|e| panic!("{args:?}: {e}")).command
}

fn err(args: &[&str]) -> String {
    run(args).expect_err("should be rejected").to_string()
}

fn help(args: &[&str]) -> String {
    match parse(args, None).unwrap() {
        Parsed::Help(text) => text,
        Parsed::Run(inv) => panic!("expected help, got {inv:?}"),
    }
}

#[test]
fn overview_and_help() {
    assert!(help(&[]).contains("   clusterList              List cluster infos."));
    assert_eq!(help(&["help"]), help(&[]));
    let h = help(&["updateTopic", "-h"]);
    assert!(
        h.starts_with("usage: mqadmin updateTopic -b <arg> | -c <arg> [-a <arg>] [-h] [-n <arg>]"),
        "{h}"
    );
    assert!(h.contains(" -t,--topic <arg>"), "{h}");
    assert!(h.contains(" -h,--help"), "{h}");
    assert_eq!(help(&["help", "topicRoute"]), help(&["topicRoute", "--help"]));
    // -h wins over anything else wrong on the line except unknown options.
    assert!(help(&["topicStatus", "-h", "-t", "bad name"]).contains("topicStatus"));
    for spec in COMMANDS {
        assert!(help(&[spec.name, "-h"]).contains(&format!("usage: mqadmin {}", spec.name)));
    }
}

#[test]
fn unknown_commands_and_options() {
    assert_eq!(
        err(&["clusterLst"]),
        "The sub command clusterLst does not exist. Run 'mqadmin' for the list of commands."
    );
    assert_eq!(err(&["clusterList", "-x"]), "mqadmin clusterList: unknown option -x");
    assert_eq!(err(&["clusterList", "--bogus=1"]), "mqadmin clusterList: unknown option --bogus=1");
    assert!(err(&["clusterList", "-n", NS, "extra"]).contains("unexpected argument \"extra\""));
    assert_eq!(err(&["topicRoute", "-n", NS, "-t"]), "mqadmin topicRoute: -t/--topic needs a value");
    assert_eq!(
        err(&["topicRoute", "-t", "-n", NS]),
        "mqadmin topicRoute: -t/--topic needs a value",
        "a following option is not taken as the value"
    );
    assert_eq!(
        err(&["clusterList", "-n", NS, "-m", "-m"]),
        "mqadmin clusterList: -m/--moreStats given more than once"
    );
    assert_eq!(
        err(&["clusterList", "-n", NS, "--moreStats=yes"]),
        "mqadmin clusterList: -m/--moreStats takes no value"
    );
}

#[test]
fn namesrv_from_flag_or_env() {
    let inv = run(&["clusterList", "-n", "10.0.0.1:9876;10.0.0.2:9876"]).unwrap();
    assert_eq!(inv.namesrv, vec!["10.0.0.1:9876", "10.0.0.2:9876"]);
    let Parsed::Run(inv) = parse(&["clusterList"], Some("ns1:9876")).unwrap() else { panic!() };
    assert_eq!(inv.namesrv, vec!["ns1:9876"]);
    let Parsed::Run(inv) = parse(&["clusterList", "--namesrvAddr=a:1"], Some("b:2")).unwrap() else {
        panic!()
    };
    assert_eq!(inv.namesrv, vec!["a:1"], "-n beats NAMESRV_ADDR");
    let Parsed::Run(inv) = parse(&["clusterList", "-na:1"], None).unwrap() else { panic!() };
    assert_eq!(inv.namesrv, vec!["a:1"], "attached value");
    assert_eq!(
        err(&["clusterList"]),
        "mqadmin clusterList: no name server address: pass -n/--namesrvAddr host:port[;host:port] or set NAMESRV_ADDR"
    );
    assert!(parse(&["clusterList"], Some("  ")).is_err(), "blank NAMESRV_ADDR is no address");
    assert_eq!(
        err(&["clusterList", "-n", "localhost"]),
        "mqadmin clusterList: -n/--namesrvAddr: \"localhost\" is not host:port"
    );
    assert!(err(&["clusterList", "-n", "h:99999"]).contains("invalid port \"99999\""));
    assert!(err(&["clusterList", "-n", ";"]).contains("-n/--namesrvAddr: the address list is empty"));
}

#[test]
fn cluster_list_flags() {
    assert_eq!(
        cmd(&["clusterList", "-n", NS]),
        Command::ClusterList { cluster: None, more_stats: false, interval_secs: None }
    );
    assert_eq!(
        cmd(&["clusterList", "-n", NS, "-m", "-c", "DefaultCluster", "-i", "5"]),
        Command::ClusterList {
            cluster: Some("DefaultCluster".into()),
            more_stats: true,
            interval_secs: Some(5)
        }
    );
    assert_eq!(
        err(&["clusterList", "-n", NS, "-i", "0"]),
        "mqadmin clusterList: -i/--interval: \"0\" is not a positive number of seconds"
    );
}

#[test]
fn topic_list_and_route() {
    assert_eq!(cmd(&["topicList", "-n", NS]), Command::TopicList { cluster_model: false });
    assert_eq!(cmd(&["topicList", "-n", NS, "-c"]), Command::TopicList { cluster_model: true });
    assert_eq!(
        cmd(&["topicRoute", "-n", NS, "-t", "TopicTest"]),
        Command::TopicRoute { topic: "TopicTest".into() }
    );
    assert_eq!(cmd(&["topicRoute", "-n", NS, "--topic", " T "]), Command::TopicRoute { topic: "T".into() });
    assert_eq!(err(&["topicRoute", "-n", NS]), "mqadmin topicRoute: -t/--topic is required");
    assert_eq!(
        err(&["topicRoute", "-n", NS, "-t", ""]),
        "mqadmin topicRoute: -t/--topic: the value is empty"
    );
    assert!(
        err(&["topicRoute", "-n", NS, "-t", "a b"])
            .starts_with("mqadmin topicRoute: -t/--topic: topic name \"a b\" contains ' '")
    );
    let long = "T".repeat(128);
    assert!(err(&["topicRoute", "-n", NS, "-t", &long]).contains("128 characters long, the limit is 127"));
    let retry = format!("%RETRY%{}", "g".repeat(200));
    assert!(run(&["topicRoute", "-n", NS, "-t", &retry]).is_ok(), "retry topics may be 255 long");
}

#[test]
fn update_topic_defaults_and_every_flag() {
    let Command::UpdateTopic(u) = cmd(&["updateTopic", "-n", NS, "-c", "DefaultCluster", "-t", "T"]) else {
        panic!()
    };
    assert_eq!(
        u,
        UpdateTopic {
            target: Target::Cluster("DefaultCluster".into()),
            topic: "T".into(),
            read_queue_nums: 8,
            write_queue_nums: 8,
            perm: 6,
            order: false,
            topic_sys_flag: 0,
            attributes: None,
        }
    );
    let Command::UpdateTopic(u) = cmd(&[
        "updateTopic",
        "-b",
        "127.0.0.1:10911",
        "-t",
        "T",
        "-r",
        "4",
        "-w",
        "2",
        "-p",
        "4",
        "-o",
        "FALSE",
        "-u",
        "true",
        "-s",
        "true",
        "-a",
        "+cleanup.policy=COMPACTION, -x",
    ]) else {
        panic!()
    };
    assert_eq!(u.target, Target::Broker("127.0.0.1:10911".into()));
    assert_eq!(
        (u.read_queue_nums, u.write_queue_nums, u.perm, u.order, u.topic_sys_flag),
        (4, 2, 4, false, 3)
    );
    assert_eq!(u.attributes.as_deref(), Some("+cleanup.policy=COMPACTION,-x"));
}

#[test]
fn update_topic_validation_names_the_flag() {
    let base = ["updateTopic", "-n", NS, "-t", "T"];
    let with = |extra: &[&str]| err(&[&base[..], extra].concat());
    assert_eq!(with(&[]), "mqadmin updateTopic: one of -b/--brokerAddr or -c/--clusterName is required");
    assert_eq!(
        with(&["-b", "h:1", "-c", "C"]),
        "mqadmin updateTopic: -b/--brokerAddr and -c/--clusterName cannot be used together"
    );
    assert_eq!(
        with(&["-c", "C", "-r", "x"]),
        "mqadmin updateTopic: -r/--readQueueNums: \"x\" is not a non-negative integer"
    );
    assert_eq!(
        with(&["-c", "C", "-w", "-1"]),
        "mqadmin updateTopic: -w/--writeQueueNums: \"-1\" is not a non-negative integer"
    );
    assert_eq!(
        with(&["-c", "C", "-p", "9"]),
        "mqadmin updateTopic: -p/--perm: \"9\" is not a permission: use 2 (W), 4 (R) or 6 (RW)"
    );
    assert_eq!(
        with(&["-c", "C", "-o", "yes"]),
        "mqadmin updateTopic: -o/--order: \"yes\" is neither true nor false"
    );
    assert!(with(&["-c", "C", "-u", "1"]).starts_with("mqadmin updateTopic: -u/--unit:"));
    assert!(with(&["-c", "C", "-s", "no"]).starts_with("mqadmin updateTopic: -s/--hasUnitSub:"));
    assert_eq!(
        with(&["-c", "C", "-a", "k=v"]),
        "mqadmin updateTopic: -a/--attributes: \"k=v\" must start with + (set) or - (remove)"
    );
    assert!(with(&["-c", "C", "-a", "+k"]).contains("must look like +key=value"));
    assert!(with(&["-c", "C", "-a", "-k=v"]).contains("removal takes no value"));
    assert_eq!(with(&["-b", "nohost"]), "mqadmin updateTopic: -b/--brokerAddr: \"nohost\" is not host:port");
    assert!(err(&["updateTopic", "-c", "C", "-t", "T"]).contains("no name server address"));
    assert_eq!(err(&["updateTopic", "-n", NS, "-c", "C"]), "mqadmin updateTopic: -t/--topic is required");
}

#[test]
fn update_topic_on_a_broker_needs_no_namesrv_unless_ordered() {
    assert!(run(&["updateTopic", "-b", "127.0.0.1:10911", "-t", "T"]).is_ok());
    assert!(
        err(&["updateTopic", "-b", "127.0.0.1:10911", "-t", "T", "-o", "true"])
            .contains("no name server address")
    );
}

#[test]
fn delete_topic_and_topic_status() {
    assert_eq!(
        cmd(&["deleteTopic", "-n", NS, "-t", "T", "-c", "C"]),
        Command::DeleteTopic { topic: "T".into(), cluster: "C".into() }
    );
    assert_eq!(
        err(&["deleteTopic", "-n", NS, "-t", "T"]),
        "mqadmin deleteTopic: -c/--clusterName is required"
    );
    assert_eq!(
        cmd(&["topicStatus", "-n", NS, "-t", "T"]),
        Command::TopicStatus { topic: "T".into(), cluster: None }
    );
    assert_eq!(
        cmd(&["topicStatus", "-n", NS, "-t", "T", "-c", "C"]),
        Command::TopicStatus { topic: "T".into(), cluster: Some("C".into()) }
    );
    assert_eq!(err(&["topicStatus", "-n", NS]), "mqadmin topicStatus: -t/--topic is required");
}

#[test]
fn consumer_progress_flags() {
    assert_eq!(cmd(&["consumerProgress", "-n", NS]), Command::ConsumerProgress { group: None, topic: None });
    assert_eq!(
        cmd(&["consumerProgress", "-n", NS, "-g", "G", "-t", "T"]),
        Command::ConsumerProgress { group: Some("G".into()), topic: Some("T".into()) }
    );
    assert_eq!(
        err(&["consumerProgress", "-n", NS, "-t", "T"]),
        "mqadmin consumerProgress: -g/--groupName is required"
    );
    assert!(
        err(&["consumerProgress", "-n", NS, "-g", "G!"])
            .starts_with("mqadmin consumerProgress: -g/--groupName: group name")
    );
    let long = "g".repeat(121);
    assert!(err(&["consumerProgress", "-n", NS, "-g", &long]).contains("the limit is 120"));
}

#[test]
fn broker_status_flags() {
    assert_eq!(
        cmd(&["brokerStatus", "-b", "127.0.0.1:10911"]),
        Command::BrokerStatus { target: Target::Broker("127.0.0.1:10911".into()) }
    );
    assert_eq!(
        cmd(&["brokerStatus", "-n", NS, "-c", "C"]),
        Command::BrokerStatus { target: Target::Cluster("C".into()) }
    );
    assert!(err(&["brokerStatus", "-c", "C"]).contains("no name server address"));
    assert_eq!(
        err(&["brokerStatus", "-n", NS]),
        "mqadmin brokerStatus: one of -b/--brokerAddr or -c/--clusterName is required"
    );
}

#[test]
fn query_msg_by_id_checks_ids_before_sending() {
    let id = "7F00000100002A9F0000000000001234";
    assert_eq!(
        cmd(&["queryMsgById", "-i", id]),
        Command::QueryMsgById { msg_ids: vec![id.into()], print_body: false }
    );
    assert_eq!(
        cmd(&["queryMsgById", "-i", &format!("{id}, {id},"), "-f", "utf-8"]),
        Command::QueryMsgById { msg_ids: vec![id.into(), id.into()], print_body: true }
    );
    assert!(
        err(&["queryMsgById", "-i", "XYZ"])
            .starts_with("mqadmin queryMsgById: -i/--msgId: message id \"XYZ\" has 3 characters")
    );
    assert!(
        err(&["queryMsgById", "-i", "7F0000011F4018B4AAC2051A2B3C0001"]).contains("not an offset message id")
    );
    assert_eq!(err(&["queryMsgById", "-i", ","]), "mqadmin queryMsgById: -i/--msgId: no message id given");
    assert_eq!(
        err(&["queryMsgById", "-i", id, "-f", "GBK"]),
        "mqadmin queryMsgById: -f/--bodyFormat: charset \"GBK\" is not supported; use UTF-8"
    );
    assert_eq!(err(&["queryMsgById"]), "mqadmin queryMsgById: -i/--msgId is required");
}

#[test]
fn which_commands_need_a_namesrv() {
    let id = "7F00000100002A9F0000000000001234";
    assert!(run(&["queryMsgById", "-i", id]).unwrap().namesrv.is_empty());
    for line in [
        &["topicList"][..],
        &["topicRoute", "-t", "T"],
        &["deleteTopic", "-t", "T", "-c", "C"],
        &["topicStatus", "-t", "T"],
        &["consumerProgress"],
    ] {
        assert!(err(line).contains("no name server address"), "{line:?}");
    }
}
