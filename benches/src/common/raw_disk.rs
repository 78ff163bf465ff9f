//! The raw-disk reference: record-sized writes to a preallocated file.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::Path;

/// Writes `n` records of `record_len` bytes to a fresh, fallocated file at
/// `path`, `fdatasync`ing every `sync_every` bytes (if given) and once at
/// the end, then removes the file. `start` is called right before the first
/// write and `stop` (with its result) right after the final `fdatasync`;
/// returns what `stop` returns.
pub fn raw_write<M, R>(
    path: &Path,
    record_len: usize,
    n: u64,
    sync_every: Option<u64>,
    start: impl FnOnce() -> M,
    stop: impl FnOnce(M) -> R,
) -> R {
    let total = record_len as u64 * n;
    let mut f =
        OpenOptions::new().create(true).truncate(true).write(true).open(path).expect("create raw file");
    // SAFETY: fallocate on an fd we own.
    let rc = unsafe { libc::fallocate(f.as_raw_fd(), 0, 0, total as libc::off_t) };
    assert_eq!(rc, 0, "fallocate: {}", std::io::Error::last_os_error());
    f.sync_all().expect("fsync after fallocate");
    let chunk: Vec<u8> = (0..record_len).map(|i| (i * 31 + 7) as u8).collect();

    let meter = start();
    let mut since_sync = 0u64;
    for _ in 0..n {
        f.write_all(&chunk).expect("write");
        since_sync += record_len as u64;
        if sync_every.is_some_and(|every| since_sync >= every) {
            f.sync_data().expect("fdatasync");
            since_sync = 0;
        }
    }
    f.sync_data().expect("fdatasync");
    let out = stop(meter);
    drop(f);
    fs::remove_file(path).expect("remove raw file");
    out
}
