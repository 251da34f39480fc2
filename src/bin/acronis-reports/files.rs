//! Files the tool writes (`download -o`, `--failed-ids`), replaced atomically: the content
//! goes to a temporary file beside the target, which is renamed over it only once complete.
//! Any failure before that leaves the target as it was, and the temporary file is removed.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::signals;

/// A file being written in place of `target`. Dropped without [`commit`](Self::commit), it
/// leaves the target untouched and removes the temporary file.
pub struct AtomicFile {
    temp: NamedTempFile,
    target: PathBuf,
    /// Takes the temporary file off the list of those removed on an immediate exit, once it
    /// is gone (renamed or removed).
    _listed: Listed,
}

/// A temporary file on the list of those removed on an immediate exit; dropping this takes
/// it off.
struct Listed(PathBuf);

impl Drop for Listed {
    fn drop(&mut self) {
        signals::forget(&self.0);
    }
}

impl AtomicFile {
    /// Creates the temporary file in the target's directory (`.NAME.XXXXXX.tmp`). When the
    /// target is a symbolic link, the file it points to is the one replaced. The temporary
    /// file gets the target's permissions when it exists (so that a file only its owner may
    /// read is not readable by others while it arrives), else those a new file gets (`0666`
    /// less the umask).
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        let is_link = std::fs::symlink_metadata(target).is_ok_and(|m| m.file_type().is_symlink());
        let target = if is_link {
            std::fs::canonicalize(target)?
        } else {
            target.to_owned()
        };
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        match std::fs::metadata(&target) {
            Ok(existing) => {
                builder.permissions(existing.permissions());
            }
            #[cfg(unix)]
            Err(_) => {
                use std::os::unix::fs::PermissionsExt;
                builder.permissions(std::fs::Permissions::from_mode(0o666));
            }
            #[cfg(not(unix))]
            Err(_) => {}
        }
        let temp = builder.tempfile_in(dir)?;
        // A second interrupt exits at once, without drops: the temporary file must not be
        // left behind then either.
        signals::remove_on_exit(temp.path());
        let listed = Listed(temp.path().to_owned());
        Ok(AtomicFile {
            temp,
            target,
            _listed: listed,
        })
    }

    /// The temporary file, to write to.
    pub fn file(&mut self) -> &mut File {
        self.temp.as_file_mut()
    }

    /// Flushes the file to disk and renames it over the target, with the target's permissions
    /// when it existed.
    pub fn commit(self) -> io::Result<()> {
        let mut file = self.temp.as_file();
        file.flush()?;
        if let Ok(existing) = std::fs::metadata(&self.target) {
            file.set_permissions(existing.permissions())?;
        }
        file.sync_all()?;
        self.temp.persist(&self.target).map_err(|e| e.error)?;
        Ok(())
    }
}
