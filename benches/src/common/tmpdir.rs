//! The bench's scratch directory under `--dir`.

use std::fs;
use std::path::Path;

use tempfile::TempDir;

/// Creates `base` (`--dir`) if needed and a fresh `prefix`-named temp
/// directory in it.
pub fn bench_tmpdir(base: &Path, prefix: &str) -> TempDir {
    fs::create_dir_all(base).expect("create --dir");
    tempfile::Builder::new().prefix(prefix).tempdir_in(base).expect("temp dir")
}

/// Removes the temp directory, or keeps it (`--keep`) and says where.
pub fn finish(tmp: TempDir, keep: bool) {
    if keep {
        println!("kept {}", tmp.keep().display());
    }
}
