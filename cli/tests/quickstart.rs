//! `booster quickstart` as a user runs it: start on free ports in a temp
//! directory, wait for the printed addresses, ask the cluster through
//! mqadmin's command layer, stop it with SIGINT and expect a clean exit.
//!
//! (`mqadmin` is another package's binary, which Cargo does not build for
//! this test; the test runs the same parser and command code the binary
//! wraps, `booster_admin::args::parse` + `booster_admin::run::run`.)

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use booster_admin::args::{self, Parsed};
use booster_admin::format::TimeFmt;
use booster_admin::run::{Output, run};

fn booster(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_booster"));
    cmd.args(args).env_remove("NAMESRV_ADDR").env_remove("RUST_LOG");
    cmd
}

/// Lines of the child's stdout, as they arrive.
fn stdout_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits for a line starting with `prefix`; returns the rest of it.
fn wait_for(lines: &mpsc::Receiver<String>, prefix: &str, seen: &mut Vec<String>) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) => {
                seen.push(line.clone());
                if let Some(rest) = line.strip_prefix(prefix) {
                    return rest.to_owned();
                }
            }
            Err(_) => break,
        }
    }
    panic!("no line starting with {prefix:?}; got {seen:?}");
}

fn mqadmin(argv: &[&str]) -> String {
    let Parsed::Run(inv) = args::parse(argv, None).unwrap() else { panic!("help") };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (mut out, mut warn) = (Vec::new(), Vec::new());
    let mut o = Output { out: &mut out, warn: &mut warn, tf: TimeFmt::utc() };
    rt.block_on(run(&inv, Duration::from_secs(5), &mut o)).unwrap();
    assert!(warn.is_empty(), "warnings: {}", String::from_utf8_lossy(&warn));
    String::from_utf8(out).unwrap()
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("booster did not exit after SIGINT");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A quickstart on free ports with small files under `dir`, plus `extra`
/// arguments: the child, its stdout lines, and its stderr once it exits.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    stderr: std::thread::JoinHandle<String>,
}

fn spawn_quickstart(dir: &std::path::Path, extra: &[&str]) -> Running {
    let mut argv = vec![
        "quickstart",
        "--dir",
        dir.to_str().unwrap(),
        "--namesrv-port",
        "0",
        "--broker-port",
        "0",
        "--set",
        "mappedFileSizeCommitLog=1048576",
        "--set",
        "mappedFileSizeConsumeQueue=6000",
    ];
    argv.extend_from_slice(extra);
    let mut child = booster(&argv).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let lines = stdout_lines(&mut child);
    Running { child, lines, stderr }
}

/// SIGINT, then a clean exit within the bound.
fn interrupt(run: Running) -> mpsc::Receiver<String> {
    let Running { mut child, lines, stderr } = run;
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), nix::sys::signal::Signal::SIGINT)
        .unwrap();
    let status = wait_exit(&mut child);
    let stderr = stderr.join().unwrap();
    assert!(status.success(), "exit {status:?}; stderr:\n{stderr}");
    lines
}

#[test]
fn quickstart_serves_mqadmin_and_stops_on_sigint() {
    let dir = tempfile::tempdir().unwrap();
    let dir_arg = dir.path().join("qs");
    let run = spawn_quickstart(&dir_arg, &[]);
    let lines = &run.lines;
    let mut seen = Vec::new();

    let namesrv = wait_for(lines, "name server: ", &mut seen);
    let broker = wait_for(lines, "broker: ", &mut seen);
    let broker_addr = broker.split_whitespace().next().unwrap().to_owned();
    wait_for(lines, "Press Ctrl-C to stop.", &mut seen);
    assert!(seen.iter().any(|l| l == &format!("  mqadmin clusterList -n {namesrv}")), "{seen:?}");

    let table = mqadmin(&["clusterList", "-n", &namesrv]);
    let row = table.lines().find(|l| l.contains(&broker_addr)).unwrap_or_else(|| panic!("{table}"));
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(&cols[..4], ["DefaultCluster", "broker-a", "0", broker_addr.as_str()], "{table}");
    assert!(dir_arg.join("store").join("commitlog").is_dir(), "store under --dir");

    let lines = interrupt(run);
    let rest: Vec<String> = lines.try_iter().collect();
    assert_eq!(rest.last().map(String::as_str), Some("Booster quickstart stopped."), "{rest:?}");
    assert!(dir_arg.join("store").join("config").join("topics.json").is_file(), "metadata persisted");
}

/// `--replicas 3`: an embedded controller elects one master, the other two
/// join its SyncStateSet, the watcher prints each change, and the name
/// server lists the master as brokerId 0 beside two slaves.
#[test]
fn replicas_run_in_controller_mode_and_print_the_sync_state_set() {
    let dir = tempfile::tempdir().unwrap();
    let dir_arg = dir.path().join("qs");
    let run = spawn_quickstart(
        &dir_arg,
        &["--replicas", "3", "--controller-port", "0", "--set", "haMaxTimeSlaveNotCatchup=2000"],
    );
    let lines = &run.lines;
    let mut seen = Vec::new();
    let namesrv = wait_for(lines, "name server: ", &mut seen);
    let controller = wait_for(lines, "controller: ", &mut seen);
    let controller = controller.split_whitespace().next().unwrap().to_owned();
    wait_for(lines, "Press Ctrl-C to stop.", &mut seen);
    assert!(
        seen.iter().any(|l| l == &format!("  mqadmin getSyncStateSet -a {controller} -b broker-a")),
        "{seen:?}"
    );
    // The watcher's lines: first a master, eventually all three in sync.
    let full = loop {
        let line = wait_for(lines, "broker-a: ", &mut seen);
        if line.starts_with("master ") && line.contains("SyncStateSet {1, 2, 3}") {
            break line;
        }
    };
    let master_id = full.split_whitespace().nth(1).unwrap().to_owned();

    let table = mqadmin(&["getSyncStateSet", "-a", &controller, "-b", "broker-a"]);
    assert!(table.contains(&format!("#MasterBrokerId\t{master_id}\n")), "{table}");
    assert!(table.contains("#SyncStateSetNums\t3\n"), "{table}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let ids = loop {
        let table = mqadmin(&["clusterList", "-n", &namesrv]);
        let mut ids: Vec<String> = table
            .lines()
            .filter(|l| l.contains("broker-a"))
            .filter_map(|l| l.split_whitespace().nth(2).map(str::to_owned))
            .collect();
        ids.sort();
        if ids.len() == 3 || Instant::now() > deadline {
            break ids;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(ids.len(), 3, "three replicas registered: {ids:?}");
    assert_eq!(ids[0], "0", "the master registers as brokerId 0: {ids:?}");
    assert!(dir_arg.join("controller").is_dir() && dir_arg.join("store-3").join("brokerIdentity").is_file());

    interrupt(run);
}

#[test]
fn bad_arguments_and_settings_are_refused() {
    let out = booster(&["quickstart", "--port", "1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("booster quickstart: unknown option \"--port\"")
    );

    let dir = tempfile::tempdir().unwrap();
    let out = booster(&[
        "quickstart",
        "--dir",
        dir.path().to_str().unwrap(),
        "--namesrv-port",
        "0",
        "--broker-port",
        "0",
        "--set",
        "brokerIp1=1.2.3.4",
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--set brokerIp1: not a broker setting"), "{stderr}");

    let help = booster(&["quickstart", "--help"]).output().unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--namesrv-port PORT"));
}
