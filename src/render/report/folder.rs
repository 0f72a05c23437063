//! Writing a report folder so readers never see half a report: every file
//! is written into a temporary sibling folder, which then replaces the old
//! folder by rename. A lock file keeps two runs from writing the same folder
//! at once. On any failure the temporary folder is removed and the previous
//! report is left as it was.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::check_name;
use crate::error::{Error, Result};

struct Lock(PathBuf);

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Write `files` (name, bytes) as the folder `root/name`, replacing any previous one.
pub fn write_folder(root: &Path, name: &str, files: &[(String, Vec<u8>)]) -> Result<PathBuf> {
    check_name(name).map_err(|m| Error::Invalid(format!("report folder name: {m}")))?;
    std::fs::create_dir_all(root).map_err(|e| Error::io(root, e))?;
    let lock_path = root.join(format!(".{name}.lock"));
    let mut lock = std::fs::OpenOptions::new().write(true).create_new(true).open(&lock_path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Error::Invalid(format!(
                "{}: another run is writing this report (remove the lock file if no sitrep is running)",
                lock_path.display()
            ))
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
            check_name(file).map_err(|m| Error::Invalid(format!("report file name: {m}")))?;
            let p = tmp.join(file);
            let mut f = std::fs::File::create(&p).map_err(|e| Error::io(&p, e))?;
            f.write_all(bytes).and_then(|_| f.sync_all()).map_err(|e| Error::io(&p, e))?;
        }
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
        std::fs::write(dir.path().join(".2024-W05.lock"), "123").unwrap();
        let err = write_folder(dir.path(), "2024-W05", &[]).unwrap_err().to_string();
        assert!(err.contains("another run is writing this report"), "{err}");
        assert!(write_folder(dir.path(), "../x", &[]).is_err());
    }
}
