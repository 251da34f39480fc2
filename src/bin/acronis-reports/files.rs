//! Files the tool writes (`download -o`, `--failed-ids`, `export -o`, `plan -o`), replaced
//! atomically: the content goes to a temporary file beside the target, which is renamed over
//! it only once complete. Any failure before that leaves the target as it was, and the temporary file is
//! removed.
//!
//! Only a regular file (or a path where nothing is) is replaced so. A target that is a device,
//! a FIFO or a socket (`/dev/null`, `/dev/stdout`, a named pipe a reader waits on) is written
//! in place, as a shell's `>` would: renaming over it would destroy it, and its reader would
//! get nothing. A directory is refused before anything is sent. A symbolic link, live or
//! dangling, is followed to the path it names.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::failure::Failure;
use crate::signals;

/// A file being written in place of `target`. Dropped without [`commit`](Self::commit), it
/// leaves the target untouched and removes the temporary file.
pub struct AtomicFile(Kind);

enum Kind {
    /// A regular file or a new path: a temporary file renamed over the target.
    Replace {
        temp: NamedTempFile,
        target: PathBuf,
        /// Takes the temporary file off the list of those removed on an immediate exit,
        /// once it is gone (renamed or removed).
        _listed: Listed,
    },
    /// A device, FIFO or socket: written in place.
    InPlace(File),
}

/// A temporary file on the list of those removed on an immediate exit; dropping this takes
/// it off.
struct Listed(PathBuf);

impl Drop for Listed {
    fn drop(&mut self) {
        signals::forget(&self.0);
    }
}

/// How many symbolic links are followed before giving up (as Linux's `MAXSYMLINKS`).
const MAX_LINKS: usize = 40;

/// The path `target` names once its symbolic links are followed, whether or not the last one
/// points at anything yet.
fn resolve(target: &Path) -> io::Result<PathBuf> {
    let mut path = target.to_owned();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                let points_to = std::fs::read_link(&path)?;
                path = match path.parent() {
                    Some(dir) => dir.join(points_to),
                    None => points_to,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links in a row"
    )))
}

impl AtomicFile {
    /// [`create`](Self::create) for an option of a command (`-o FILE`), before any request: a
    /// file that cannot be written is an input error saying nothing was sent.
    pub fn before_sending(path: &Path) -> Result<AtomicFile, Failure> {
        AtomicFile::create(path).map_err(|e| {
            Failure::usage(format!(
                "cannot write {}: {e}; nothing was sent",
                path.display()
            ))
        })
    }

    /// Writes `bytes`, the whole content, and [commits](Self::commit) it over `path`; a
    /// failure says the file was left as it was.
    pub fn write_whole(mut self, path: &Path, bytes: &[u8]) -> Result<(), Failure> {
        let failed = |e: io::Error| {
            Failure::write(format!(
                "cannot write {}: {e}; it was left as it was",
                path.display()
            ))
        };
        self.file().write_all(bytes).map_err(failed)?;
        self.commit().map_err(failed)
    }

    /// Creates the temporary file in the target's directory (`.NAME.XXXXXX.tmp`); for a
    /// device, FIFO or socket, opens it for writing. When the target is a symbolic link, the
    /// path it points to (followed to the end, even if nothing is there yet) is the one
    /// replaced. The temporary
    /// file gets the target's permissions when it exists (so that a file only its owner may
    /// read is not readable by others while it arrives), else those a new file gets (`0666`
    /// less the umask).
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        let target = resolve(target)?;
        if let Ok(existing) = std::fs::metadata(&target) {
            if existing.is_dir() {
                return Err(io::Error::other("it is a directory: name a file"));
            }
            if !existing.is_file() {
                // A device, FIFO or socket: written where it is, never replaced.
                let file = std::fs::OpenOptions::new().write(true).open(&target)?;
                return Ok(AtomicFile(Kind::InPlace(file)));
            }
        }
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
        Ok(AtomicFile(Kind::Replace {
            temp,
            target,
            _listed: listed,
        }))
    }

    /// The file to write to: the temporary file, or the device itself.
    pub fn file(&mut self) -> &mut File {
        match &mut self.0 {
            Kind::Replace { temp, .. } => temp.as_file_mut(),
            Kind::InPlace(file) => file,
        }
    }

    /// Flushes the file to disk and renames it over the target, with the target's permissions
    /// when it existed (a device is only flushed).
    pub fn commit(self) -> io::Result<()> {
        match self.0 {
            Kind::InPlace(mut file) => file.flush(),
            Kind::Replace { temp, target, .. } => {
                let mut file = temp.as_file();
                file.flush()?;
                if let Ok(existing) = std::fs::metadata(&target) {
                    file.set_permissions(existing.permissions())?;
                }
                file.sync_all()?;
                temp.persist(&target).map_err(|e| e.error)?;
                Ok(())
            }
        }
    }
}
