//! The printed table and BENCH lines.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(crate) fn opt(v: Option<f64>, prec: usize) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.prec$}"))
}

pub(crate) fn print_results(results: &[RunResult], args: &Args, target_desc: &str, send_frame: usize) {
    // The reference is the better of the echo runs before and after the
    // load (the machine's limit; the two bracket how much it moved): the
    // echo of the send frame for sends, the pull-sized one for pulls.
    let best = |prefix: &str| {
        results
            .iter()
            .filter(|r| r.name == prefix || r.name.strip_suffix("_after") == Some(prefix))
            .map(RunResult::msgs_s)
            .reduce(f64::max)
    };
    let reference = |r: &RunResult| -> Option<f64> {
        match r.name {
            "loopback_pull" | "loopback_pull_after" | "consume" => best("loopback_pull"),
            _ => best("loopback"),
        }
    };
    println!();
    println!(
        "{:<44} {:>5} {:>9} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7}",
        "run",
        "conc",
        "msgs/s",
        "MB/s",
        "vs loop",
        "p50 us",
        "p99 us",
        "p999 us",
        "max us",
        "mean us",
        "failed"
    );
    println!("{}", "-".repeat(133));
    for r in results {
        let ratio = reference(r).map(|x| r.msgs_s() / x);
        println!(
            "{:<44} {:>5} {:>9.0} {:>7.1} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7}",
            r.label,
            r.concurrency,
            r.msgs_s(),
            r.mb_s(),
            opt(ratio, 2),
            opt(r.stats.lat.quantile_us(0.5), 0),
            opt(r.stats.lat.quantile_us(0.99), 0),
            opt(r.stats.lat.quantile_us(0.999), 0),
            opt(r.stats.lat.quantile_us(1.0), 0),
            opt(r.stats.lat.mean_us(), 0),
            r.stats.failed(),
        );
        if r.stats.e2e.total > 0 {
            let e = &r.stats.e2e;
            println!(
                "{:<44} {:>5} {:>9} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7}",
                "  end-to-end (send -> pulled)",
                "",
                "",
                "",
                "",
                opt(e.quantile_us(0.5), 0),
                opt(e.quantile_us(0.99), 0),
                opt(e.quantile_us(0.999), 0),
                opt(e.quantile_us(1.0), 0),
                opt(e.mean_us(), 0),
                "",
            );
        }
    }
    println!(
        "  msgs/s: sends answered SUCCESS / messages pulled (raw echo: round trips, x pull batch for the pull-sized echo)."
    );
    println!(
        "  MB/s = 10^6 message-body bytes/s (raw echo: reply bytes/s). vs loop = msgs/s / raw echo msgs/s."
    );
    println!(
        "  latency: per request, successful ones (pulls: those that found messages); send frame = {send_frame} B."
    );
    for r in results.iter().filter(|r| r.drained) {
        println!(
            "  {}: the backlog ran out after {:.2} s (measured window ended there)",
            r.label, r.measured.secs
        );
    }

    println!();
    println!("failures by response code:");
    for r in results {
        if r.stats.failures.is_empty() {
            println!("  {:<12} none ({} requests)", r.name, r.stats.requests);
        }
        for (code, (n, remark)) in &r.stats.failures {
            println!("  {:<12} {code} {}: {n} (first: {remark})", r.name, code_name(*code));
        }
        if !r.stats.pull_codes.is_empty() {
            let codes: Vec<String> =
                r.stats.pull_codes.iter().map(|(c, n)| format!("{}={n}", code_name(*c))).collect();
            println!("  {:<12} pull responses: {}", "", codes.join(" "));
        }
    }

    println!();
    println!("resources over each measured window (this process; cores = CPU-seconds per second;");
    println!(
        "  irq = machine-wide (soft)interrupt cores, mostly loopback TCP receive work done for this process;"
    );
    println!("  others = cores busy outside this process and irq, e.g. neighbours, kworkers):");
    for r in results {
        let m = &r.measured;
        let threads: Vec<String> = m.threads.iter().map(|(n, s)| format!("{n}={:.2}", s / m.secs)).collect();
        println!(
            "  {:<10} {:.2} s user {:.2} s sys = {:.2} cores, irq {:.2}, others {:.2}, vol-cs/s {:.0}, invol-cs/s {:.0}; per thread (cores): {}",
            r.name,
            m.usage.user,
            m.usage.sys,
            (m.usage.user + m.usage.sys) / m.secs,
            m.irq_cores,
            m.others_cores,
            m.usage.nvcsw as f64 / m.secs,
            m.usage.nivcsw as f64 / m.secs,
            threads.join(" "),
        );
    }

    println!();
    for r in results {
        let m = &r.measured;
        let ratio = reference(r).map(|x| r.msgs_s() / x);
        let failures: Vec<String> = r.stats.failures.iter().map(|(c, (n, _))| format!("{c}:{n}")).collect();
        println!(
            "BENCH producer_bench run={} mode={} target={} flush={} concurrency={} size={} secs={:.3} msgs={} \
             tps={:.0} mb_s={:.2} ratio_loopback={} p50_us={} p99_us={} p999_us={} max_us={} mean_us={} \
             e2e_p50_us={} e2e_p99_us={} failures={} failure_codes={} requests={} cpu_cores={:.2} irq_cores={:.2} \
             others_cores={:.2} send_frame={} drained={}",
            r.name,
            args.mode.name(),
            target_desc,
            if args.standalone {
                match args.flush {
                    FlushDiskType::AsyncFlush => "ASYNC_FLUSH",
                    FlushDiskType::SyncFlush => "SYNC_FLUSH",
                }
            } else {
                "-"
            },
            r.concurrency,
            args.size,
            m.secs,
            r.stats.msgs,
            r.msgs_s(),
            r.mb_s(),
            opt(ratio, 3),
            opt(r.stats.lat.quantile_us(0.5), 1),
            opt(r.stats.lat.quantile_us(0.99), 1),
            opt(r.stats.lat.quantile_us(0.999), 1),
            opt(r.stats.lat.quantile_us(1.0), 1),
            opt(r.stats.lat.mean_us(), 1),
            opt(r.stats.e2e.quantile_us(0.5), 1),
            opt(r.stats.e2e.quantile_us(0.99), 1),
            r.stats.failed(),
            if failures.is_empty() { "-".to_owned() } else { failures.join(",") },
            r.stats.requests,
            (m.usage.user + m.usage.sys) / m.secs,
            m.irq_cores,
            m.others_cores,
            send_frame,
            r.drained,
        );
    }
}
