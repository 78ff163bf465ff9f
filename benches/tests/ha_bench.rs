//! Runs `ha_bench` briefly (1 and 2 slaves, a few MiB) and checks its
//! machine-readable lines: every run present, slaves verified byte for byte
//! (the binary asserts it), no allAck put timed out.

use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, Instant};

fn bench_lines(stdout: &str) -> Vec<HashMap<String, String>> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("BENCH ha_bench "))
        .map(|l| {
            l.split_whitespace()
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

#[test]
fn small_run_reports_every_run_for_one_and_two_slaves() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_ha_bench"))
        .args(["--bytes", "4M", "--ack-bytes", "256K", "--file-size", "1M", "--concurrency", "4"])
        .arg("--dir")
        .arg(dir.path())
        .output()
        .expect("run ha_bench");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}", out.status);
    assert!(started.elapsed() < Duration::from_secs(60), "took {:?}", started.elapsed());

    let lines = bench_lines(&stdout);
    assert_eq!(lines.len(), 6, "{stdout}");
    let num = |l: &HashMap<String, String>, k: &str| -> f64 {
        l.get(k).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{k} in {l:?}"))
    };
    for slaves in ["1", "2"] {
        for run in ["stream", "catchup", "allack"] {
            let l = lines
                .iter()
                .find(|l| l["run"] == run && l["slaves"] == slaves)
                .unwrap_or_else(|| panic!("no run={run} slaves={slaves}\n{stdout}"));
            assert!(num(l, "mb_s") > 0.0 && num(l, "ratio_ref") > 0.0, "{stdout}");
            if run == "allack" {
                assert_eq!(num(l, "slave_timeouts"), 0.0, "{stdout}");
                assert!(num(l, "p50_us") > 0.0, "{stdout}");
            }
        }
    }
    // The temp stores are removed (no --keep).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "{stdout}");
}
