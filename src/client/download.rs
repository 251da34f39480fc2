//! Downloading a stored file: streamed, gzip decompressed, each failure told apart.

use std::io::{self, Write};
use std::sync::Arc;

use super::Client;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::id::{IntoId, ReportId, StoredReportId};
use crate::model;
use crate::transport::{TransportError, read_error_kind};

impl Client {
    /// Downloads a stored file (`GET /reports/{id}/stored/{stored_id}`) into `writer`,
    /// streaming it: the file is never held in memory. Files are served gzip-compressed; the
    /// client decompresses them, so `writer` gets the report itself. Returns the number of
    /// bytes written.
    ///
    /// Getting the answer is retried like any `GET`; once bytes have gone to `writer`, a
    /// failure is returned, not retried. The client's [`timeout`](crate::ClientBuilder::timeout)
    /// bounds each wait for data, not the whole body: a file that keeps arriving, however
    /// slowly, is never cut off by it, and a server that stops sending ends the download
    /// within it. The whole body is bounded by
    /// [`download_timeout`](crate::ClientBuilder::download_timeout) (1 hour by default).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for ids that are not UUIDs; [`Error::Write`] when `writer`
    /// fails; [`Error::Decode`] for a corrupt gzip stream; [`Error::Timeout`] or
    /// [`Error::Transport`] when the download breaks off; and the errors of every call.
    pub fn download_stored_report(
        &self,
        id: impl IntoId<ReportId>,
        stored_id: impl IntoId<StoredReportId>,
        writer: impl Write,
    ) -> Result<u64, Error> {
        let id = id.into_id()?;
        let stored_id = stored_id.into_id()?;
        let endpoint = Endpoint::StoredFile { id, stored_id };
        let (call, response) = self.open_body(&endpoint)?;
        let read_failed = |e: io::Error| {
            Error::from_transport(&endpoint, TransportError::new(read_error_kind(&e), e))
        };
        let mut body = Tracked {
            inner: response,
            error: None,
        };
        let mut source = crate::gzip::decoded(&mut body).map_err(read_failed)?;
        let mut out = Tracked {
            inner: writer,
            error: None,
        };
        let copied = io::copy(&mut source, &mut out);
        drop(source);
        let error = match copied.and_then(|n| out.flush().map(|()| n)) {
            Ok(n) => return Ok(n),
            Err(e) => e,
        };
        // Whose failure was it: the writer's, the network's, or the gzip stream's?
        Err(if let Some(e) = out.error.take() {
            Error::Write {
                source: Arc::new(e),
            }
        } else if let Some(e) = body.error.take() {
            read_failed(e)
        } else {
            Error::Decode {
                call,
                error: Box::new(model::DecodeError {
                    what: "stored report file",
                    path: String::new(),
                    message: format!("the gzip stream is corrupt: {error}"),
                    body: String::new(),
                }),
            }
        })
    }
}

/// A reader or writer that remembers its own failure (not `Interrupted`, which is retried),
/// to tell whose failure ended a copy.
struct Tracked<T> {
    inner: T,
    error: Option<io::Error>,
}

impl<T> Tracked<T> {
    fn remember(&mut self, e: io::Error) -> io::Error {
        if e.kind() == io::ErrorKind::Interrupted {
            return e;
        }
        let copy = io::Error::new(e.kind(), e.to_string());
        self.error = Some(e);
        copy
    }
}

impl<R: io::Read> io::Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| self.remember(e))
    }
}

impl<W: Write> Write for Tracked<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.inner.write(buf) {
            Ok(0) if !buf.is_empty() => Err(self.remember(io::Error::new(
                io::ErrorKind::WriteZero,
                "the writer took no bytes",
            ))),
            other => other.map_err(|e| self.remember(e)),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().map_err(|e| self.remember(e))
    }
}
