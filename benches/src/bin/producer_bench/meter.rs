//! Per-window resource accounting (wall time, own CPU, other cores).

#[allow(clippy::wildcard_imports)]
use super::*;

/// Wall time, own CPU and the cores everything else kept busy, over one
/// measured window.
pub(crate) struct Meter {
    pub(crate) t0: Instant,
    pub(crate) usage: Usage,
    pub(crate) busy: Jiffies,
    pub(crate) threads: Vec<(u32, String, f64)>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Measured {
    pub(crate) secs: f64,
    pub(crate) usage: Usage,
    /// Cores busy outside this process meanwhile (softirq time excluded).
    pub(crate) others_cores: f64,
    /// Cores spent in (soft)interrupts, machine-wide.
    pub(crate) irq_cores: f64,
    pub(crate) threads: Vec<(String, f64)>,
}

impl Meter {
    pub(crate) fn start() -> Self {
        Self { threads: thread_cpu(), busy: machine_jiffies(), usage: Usage::now(), t0: Instant::now() }
    }

    pub(crate) fn stop(&self) -> Measured {
        let secs = self.t0.elapsed().as_secs_f64();
        let usage = Usage::now().since(self.usage);
        let Jiffies { busy, irq, .. } = machine_jiffies();
        let per_sec = |j: u64| j as f64 / clock_ticks() / secs;
        let irq_cores = per_sec(irq - self.busy.irq);
        let busy_cores = per_sec(busy - self.busy.busy);
        let others_cores = (busy_cores - irq_cores - (usage.user + usage.sys) / secs).max(0.0);
        let threads = thread_cpu_delta(&self.threads, &thread_cpu(), 0.005);
        Measured { secs, usage, others_cores, irq_cores, threads }
    }
}
