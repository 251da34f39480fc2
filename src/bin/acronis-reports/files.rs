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
}

impl AtomicFile {
    /// Creates the temporary file in the target's directory (`.NAME.XXXXXX.tmp`), with the
    /// permissions a new file gets (`0666` less the umask).
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
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
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let temp = builder.tempfile_in(dir)?;
        // A second interrupt exits at once, without drops: the temporary file must not be
        // left behind then either.
        signals::remove_on_exit(temp.path());
        Ok(AtomicFile {
            temp,
            target: target.to_owned(),
        })
    }

    /// The temporary file, to write to.
    pub fn file(&mut self) -> &mut File {
        self.temp.as_file_mut()
    }

    /// Flushes the file to disk and renames it over the target, keeping the target's
    /// permissions when it existed.
    pub fn commit(self) -> io::Result<()> {
        let path = self.temp.path().to_owned();
        let result = self.finish();
        signals::forget(&path);
        result
    }

    fn finish(self) -> io::Result<()> {
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
