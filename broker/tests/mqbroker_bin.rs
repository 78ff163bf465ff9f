//! The `mqbroker` binary: config errors name file, line and key; `-p`
//! prints settings; `-h` prints usage; bad options exit 1.

use std::process::Command;

fn mqbroker() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mqbroker"))
}

#[test]
fn bad_config_names_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broker.conf");
    std::fs::write(&path, "brokerName=broker-a\n# comment\nlistenPort=ten\n").unwrap();
    let out = mqbroker().arg("-c").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:3", path.display())), "{err}");
    assert!(err.contains("listenPort") && err.contains("\"ten\""), "{err}");

    let missing = mqbroker().args(["-c", "/no/such/broker.conf"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/no/such/broker.conf"));

    let bad_n = mqbroker().args(["-n", "localhost", "-p"]).output().unwrap();
    assert_eq!(bad_n.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad_n.stderr).contains("namesrvAddr"));
}

#[test]
fn print_config_help_and_bad_options() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broker.conf");
    std::fs::write(&path, "brokerName=broker-z\nmappedFileSizeCommitLog=65536\n").unwrap();
    let out = mqbroker().arg("-c").arg(&path).args(["-n", "10.0.0.1:9876", "-p"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for line in [
        "brokerName=broker-z",
        "mappedFileSizeCommitLog=65536",
        "namesrvAddr=10.0.0.1:9876",
        "listenPort=10911",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line}: {text}");
    }
    let help = mqbroker().arg("-h").output().unwrap();
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("usage: mqbroker"));
    let bad = mqbroker().arg("--bogus").output().unwrap();
    assert_eq!(bad.status.code(), Some(1));
}
