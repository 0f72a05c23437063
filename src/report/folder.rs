//! Writing a report folder so readers never see half a report: every file
//! is written into a temporary sibling folder, which then replaces the old
//! folder by rename. A lock file keeps two runs from writing the same folder
//! at once. On any failure the temporary folder is removed and the previous
//! report is left as it was.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::atomic::check_name;
use crate::error::{Error, Result};

struct Lock(PathBuf);

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Write `files` (name, bytes) as the folder `root/name`, replacing any previous one.
pub fn write_folder(root: &Path, name: &str, files: &[(String, Vec<u8>)]) -> Result<PathBuf> {
    check_name(name).map_err(|m| Error::Usage(format!("report folder name: {m}")))?;
    std::fs::create_dir_all(root).map_err(|e| Error::io(root, e))?;
    let lock_path = root.join(format!(".{name}.lock"));
    let open = || std::fs::OpenOptions::new().write(true).create_new(true).open(&lock_path);
    let mut lock = match open() {
        // A run killed outright (SIGKILL, power cut) leaves its lock: take it
        // over when the process that wrote it is gone, and clear its leftovers.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && stale(&lock_path) => {
            remove_leftovers(root, name);
            let _ = std::fs::remove_file(&lock_path);
            open()
        }
        other => other,
    }
    .map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Error::Locked { lock: lock_path.clone() }
        } else {
            Error::io(&lock_path, e)
        }
    })?;
    let _ = writeln!(lock, "{}", std::process::id());
    let _guard = Lock(lock_path);
    let tmp = root.join(format!(".{name}.tmp-{}", std::process::id()));
    let target = root.join(name);
    let result = (|| -> Result<()> {
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
        }
        std::fs::create_dir(&tmp).map_err(|e| Error::io(&tmp, e))?;
        for (file, bytes) in files {
            crate::atomic::check_cancelled()?;
            check_name(file).map_err(|m| Error::Usage(format!("report file name: {m}")))?;
            let p = tmp.join(file);
            let mut f = std::fs::File::create(&p).map_err(|e| Error::io(&p, e))?;
            f.write_all(bytes).and_then(|_| f.sync_all()).map_err(|e| Error::io(&p, e))?;
        }
        crate::atomic::check_cancelled()?;
        let old = root.join(format!(".{name}.old-{}", std::process::id()));
        let had_old = target.exists();
        if had_old {
            std::fs::rename(&target, &old).map_err(|e| Error::io(&target, e))?;
        }
        if let Err(e) = std::fs::rename(&tmp, &target) {
            if had_old {
                let _ = std::fs::rename(&old, &target);
            }
            return Err(Error::io(&target, e));
        }
        if had_old {
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result.map(|_| target)
}

/// Whether a lock file names a process that no longer runs (Linux: no
/// `/proc/PID`). Elsewhere, or when the file cannot be read, a lock is never
/// presumed stale.
fn stale(lock: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(lock) else { return false };
    let Ok(pid) = text.trim().parse::<u32>() else { return false };
    cfg!(target_os = "linux") && Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists()
}

/// Temporary and old folders a killed run left for report `name`.
fn remove_leftovers(root: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(root) else { return };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        if file.starts_with(&format!(".{name}.tmp-")) || file.starts_with(&format!(".{name}.old-")) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_midway_leaves_the_previous_report_intact() {
        let dir = tempfile::tempdir().unwrap();
        let first = vec![("summary.md".to_string(), b"old".to_vec())];
        write_folder(dir.path(), "2024-W05", &first).unwrap();
        // The second file's name is refused after the first was written.
        let bad = vec![("summary.md".to_string(), b"new".to_vec()), ("../escape.md".to_string(), b"x".to_vec())];
        assert!(write_folder(dir.path(), "2024-W05", &bad).is_err());
        assert_eq!(std::fs::read(dir.path().join("2024-W05/summary.md")).unwrap(), b"old");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, vec![std::ffi::OsString::from("2024-W05")], "no temporary or lock files left");
        assert!(!dir.path().join("escape.md").exists());
    }

    #[test]
    fn a_second_writer_is_refused_while_the_lock_is_held() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".2024-W05.lock"), std::process::id().to_string()).unwrap();
        let err = write_folder(dir.path(), "2024-W05", &[]).unwrap_err().to_string();
        assert!(err.contains("another run is writing this report"), "{err}");
        assert!(write_folder(dir.path(), "../x", &[]).is_err());
    }

    #[test]
    fn a_lock_left_by_a_dead_process_is_taken_over_and_its_leftovers_removed() {
        let dir = tempfile::tempdir().unwrap();
        // Above the Linux pid_max, so no process has this PID.
        std::fs::write(dir.path().join(".2024-W05.lock"), "4194305").unwrap();
        std::fs::create_dir(dir.path().join(".2024-W05.tmp-4194305")).unwrap();
        let files = vec![("summary.md".to_string(), b"new".to_vec())];
        write_folder(dir.path(), "2024-W05", &files).unwrap();
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, vec![std::ffi::OsString::from("2024-W05")]);
    }
}
