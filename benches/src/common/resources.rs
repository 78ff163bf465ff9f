//! Resource accounting: getrusage, machine-wide jiffies from /proc/stat,
//! per-thread CPU from /proc/self/task, and a few facts about the machine.

use std::fs;
use std::path::Path;

/// Process-wide counters from getrusage(RUSAGE_SELF).
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    pub user: f64,
    pub sys: f64,
    pub minflt: i64,
    pub majflt: i64,
    pub nvcsw: i64,
    pub nivcsw: i64,
}

impl Usage {
    pub fn now() -> Self {
        // SAFETY: getrusage writes a plain struct we own.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
        let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        Self {
            user: secs(ru.ru_utime),
            sys: secs(ru.ru_stime),
            minflt: ru.ru_minflt,
            majflt: ru.ru_majflt,
            nvcsw: ru.ru_nvcsw,
            nivcsw: ru.ru_nivcsw,
        }
    }

    pub fn since(self, before: Self) -> Self {
        Self {
            user: self.user - before.user,
            sys: self.sys - before.sys,
            minflt: self.minflt - before.minflt,
            majflt: self.majflt - before.majflt,
            nvcsw: self.nvcsw - before.nvcsw,
            nivcsw: self.nivcsw - before.nivcsw,
        }
    }

    /// User + system CPU seconds.
    pub fn cpu(&self) -> f64 {
        self.user + self.sys
    }
}

/// User + system CPU seconds of this process so far.
pub fn cpu_secs() -> f64 {
    Usage::now().cpu()
}

/// Jiffies of the whole machine (first line of /proc/stat).
#[derive(Debug, Clone, Copy, Default)]
pub struct Jiffies {
    /// user nice system irq softirq steal (guest is inside user).
    pub busy: u64,
    /// The part of `busy` spent in (soft)interrupts. Loopback TCP does much
    /// of its receive work in softirq context, which getrusage does not
    /// charge to the process.
    pub irq: u64,
    /// `busy` plus idle and iowait.
    pub total: u64,
}

pub fn machine_jiffies() -> Jiffies {
    let stat = fs::read_to_string("/proc/stat").unwrap_or_default();
    let f: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let at = |i: usize| f.get(i).copied().unwrap_or(0);
    // user nice system idle iowait irq softirq steal.
    let busy = at(0) + at(1) + at(2) + at(5) + at(6) + at(7);
    Jiffies { busy, irq: at(5) + at(6), total: busy + at(3) + at(4) }
}

/// Clock ticks per second (the unit of /proc jiffies).
pub fn clock_ticks() -> f64 {
    // SAFETY: sysconf has no preconditions.
    unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64
}

/// Online CPU cores.
pub fn online_cores() -> libc::c_long {
    // SAFETY: sysconf has no preconditions.
    unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) }
}

/// The 1, 5 and 15 minute load averages, comma-separated.
pub fn loadavg() -> String {
    let loadavg = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    loadavg.split_whitespace().take(3).collect::<Vec<_>>().join(",")
}

/// CPU seconds (user + sys) of every live thread, as (tid, name, secs).
pub fn thread_cpu() -> Vec<(u32, String, f64)> {
    let tick = clock_ticks();
    let mut out = Vec::new();
    let Ok(dir) = fs::read_dir("/proc/self/task") else { return out };
    for e in dir.flatten() {
        let Some(tid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
        let Ok(stat) = fs::read_to_string(e.path().join("stat")) else { continue };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { continue };
        let name = stat[open + 1..close].to_owned();
        let f: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        // After "(comm)": state is field 3, utime 14, stime 15.
        let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        out.push((tid, name, (ticks(11) + ticks(12)) / tick));
    }
    out
}

/// CPU seconds per thread name between two `thread_cpu` snapshots, names
/// with more than `min_secs`, busiest first.
pub fn thread_cpu_delta(
    before: &[(u32, String, f64)],
    after: &[(u32, String, f64)],
    min_secs: f64,
) -> Vec<(String, f64)> {
    let mut by_name: Vec<(String, f64)> = Vec::new();
    for (tid, name, secs) in after {
        let base = before.iter().find(|(t, _, _)| t == tid).map_or(0.0, |b| b.2);
        match by_name.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 += secs - base,
            None => by_name.push((name.clone(), secs - base)),
        }
    }
    by_name.retain(|(_, s)| *s > min_secs);
    by_name.sort_by(|a, b| b.1.total_cmp(&a.1));
    by_name
}

/// The file system type of `path` by statfs magic ("?" when unknown).
pub fn fs_type(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else { return "?".into() };
    // SAFETY: statfs fills a plain struct from a NUL-terminated path.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statfs(c.as_ptr(), &mut st) } != 0 {
        return "?".into();
    }
    match st.f_type as i64 {
        0xEF53 => "ext2/3/4".into(),
        0x5846_5342 => "xfs".into(),
        0x9123_683E => "btrfs".into(),
        0x0102_1994 => "tmpfs".into(),
        0x8584_58F6 => "ramfs".into(),
        0x794C_7630 => "overlayfs".into(),
        0x2FC1_2FC1 => "zfs".into(),
        other => format!("0x{other:X}"),
    }
}
