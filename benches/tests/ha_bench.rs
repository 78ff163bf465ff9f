//! Runs `ha_bench` briefly (1 and 2 slaves, a few MiB) and checks its
//! machine-readable lines: every run present, slaves verified byte for byte
//! (the binary asserts it), no allAck put timed out.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{bench_lines, num, run_ok};

#[test]
fn small_run_reports_every_run_for_one_and_two_slaves() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
    let started = Instant::now();
    let stdout = run_ok(
        Command::new(env!("CARGO_BIN_EXE_ha_bench"))
            .args(["--bytes", "4M", "--ack-bytes", "256K", "--file-size", "1M", "--concurrency", "4"])
            .arg("--dir")
            .arg(dir.path()),
        "ha_bench",
    );
    assert!(started.elapsed() < Duration::from_secs(60), "took {:?}", started.elapsed());

    let lines = bench_lines(&stdout, "ha_bench");
    assert_eq!(lines.len(), 6, "{stdout}");
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
