//! `download ID STORED_ID [-o FILE]`: a stored file, decompressed, to a file (replaced only
//! once complete) or to standard output.

use std::io;
use std::path::Path;

use crate::args::Global;
use crate::connect::reader;
use crate::failure::{Failure, exit};
use crate::files::AtomicFile;
use crate::json;
use crate::output::{Output, note};

/// `download ID STORED_ID [-o FILE]`: the exit code.
pub fn run(
    global: &Global,
    id: &str,
    stored_id: &str,
    output: Option<&Path>,
    out: &Output,
) -> Result<u8, Failure> {
    let client = reader(global, out)?;
    let Some(path) = output else {
        // The file goes to standard output, so nothing else may.
        let written = client.download_stored_report(id, stored_id, out.stdout)?;
        note(format_args!("downloaded {written} bytes"));
        return Ok(exit::OK);
    };
    // The file arrives beside the target and replaces it only once complete: any failure
    // leaves an existing file as it was.
    let mut file = AtomicFile::before_sending(path)?;
    let written = client.download_stored_report(id, stored_id, io::BufWriter::new(file.file()))?;
    file.commit().map_err(|e| {
        Failure::write(format!(
            "the file was downloaded but could not replace {}: {e}; it was left as it was",
            path.display()
        ))
    })?;
    let done = out.done(
        &format!("downloaded {written} bytes to {}", path.display()),
        &json::Downloaded {
            bytes: written,
            file: path.to_string_lossy(),
            id,
            outcome: "downloaded",
            stored_id,
        },
    );
    done.map_err(|e| Failure::output(&e))?;
    Ok(exit::OK)
}
