//! Writing output files so that a reader never sees a half-written file: write
//! to a temporary name in the same folder, flush to disk, then rename over the
//! target. A failure leaves the previous file intact. Output names chosen in
//! a config are checked here too ([`check_name`]), so none escapes its folder.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use crate::error::{Error, Result};

static CANCEL: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// The process-wide cancellation flag. The binary has SIGINT and SIGTERM
/// raise it; writers check it before each file and before every rename, and
/// stop with [`Error::Interrupted`] (temporary files removed, nothing replaced).
pub fn cancel_flag() -> Arc<AtomicBool> {
    CANCEL.get_or_init(Default::default).clone()
}

/// `Err(Interrupted)` once the cancellation flag is raised.
pub fn check_cancelled() -> Result<()> {
    match CANCEL.get() {
        Some(flag) if flag.load(Ordering::SeqCst) => Err(Error::Interrupted),
        _ => Ok(()),
    }
}

/// The temporary name used while `path` is being written.
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Write `bytes` to `path` atomically (temporary file + rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// Like [`write_atomic`], with the content produced by `write`.
pub fn write_atomic_with(path: &Path, write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    check_cancelled()?;
    let tmp = temp_path(path);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        write(&mut f)?;
        f.sync_all()
    })()
    .map_err(|e| Error::io(path, e))
    .and_then(|_| check_cancelled())
    .and_then(|_| std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e)));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Output names become file names: no separators, no `..`, nothing hidden.
pub fn check_name(name: &str) -> std::result::Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if ok && !name.contains("..") {
        Ok(())
    } else {
        Err(format!("{name:?} must be letters, digits, '-', '_' or '.', not starting with '.'"))
    }
}
