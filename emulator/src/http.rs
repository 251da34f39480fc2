//! The emulator's HTTP/1.1 server on loopback: keep-alive, `Content-Length` bodies, one thread
//! per connection. Crate-private: the public API speaks of reports and faults, not of HTTP.
//!
//! It stands up to its users: at most [`MAX_CONNECTIONS`] connections at once by default
//! (more are answered 503 and closed), idle connections closed after [`IDLE_TIMEOUT`], a request head
//! capped at [`MAX_HEAD`] (431), a body at [`MAX_BODY`] (413); a thread that cannot be
//! started closes its connection instead of ending the server.
//!
//! Hand-written rather than on a server crate: `tiny_http` 0.12, tried first, left one to four
//! of eight keep-alive connections opened at the same instant by ureq without an answer (seven
//! runs out of seven), which a test kit for bulk runs cannot have.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// A request as the server read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HttpRequest {
    /// The method, like `PUT`.
    pub(crate) method: String,
    /// The request target as sent: path and query.
    pub(crate) target: String,
    /// Headers in the order received, names lowercased.
    pub(crate) headers: Vec<(String, String)>,
    /// The body bytes.
    pub(crate) body: Vec<u8>,
}

impl HttpRequest {
    /// The value of header `name` (lowercase), if sent.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The values of list header `name` (lowercase), every line of it joined with `, `, as
    /// RFC 9110 reads a field sent more than once; `None` if not sent.
    pub(crate) fn header_list(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }
}

/// A response to write.
#[derive(Debug, Clone)]
pub(crate) struct HttpResponse {
    /// The status code.
    pub(crate) status: u16,
    /// Extra headers; `Content-Length` is added.
    pub(crate) headers: Vec<(String, String)>,
    /// The body.
    pub(crate) body: Vec<u8>,
    /// A wait before answering.
    pub(crate) delay: Option<Duration>,
}

impl HttpResponse {
    /// A response with a JSON body.
    pub(crate) fn json(status: u16, body: &serde_json::Value) -> Self {
        HttpResponse {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
            delay: None,
        }
    }

    /// A response with no body.
    pub(crate) fn empty(status: u16) -> Self {
        HttpResponse {
            status,
            headers: vec![],
            body: vec![],
            delay: None,
        }
    }
}

/// The most connections served at once by default; the next are answered 503 and closed.
pub(crate) const MAX_CONNECTIONS: usize = 512;

/// How long a connection may sit idle (no request arriving) before it is closed, by default.
pub(crate) const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// How many connections a server takes at once, and how long one may sit idle.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_connections: usize,
    pub(crate) idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: MAX_CONNECTIONS,
            idle_timeout: IDLE_TIMEOUT,
        }
    }
}

/// One of the connections served at once, given back when dropped.
struct Slot(Arc<AtomicUsize>);

impl Slot {
    fn take(open: &Arc<AtomicUsize>) -> Slot {
        open.fetch_add(1, Ordering::SeqCst);
        Slot(open.clone())
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A running server; it stops when dropped.
pub(crate) struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    connections: Arc<AtomicUsize>,
    accept_thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds `port` (0: any free one) on 127.0.0.1 and serves each request with `handler`.
    pub(crate) fn start<H>(port: u16, limits: Limits, handler: H) -> io::Result<Server>
    where
        H: Fn(&HttpRequest) -> HttpResponse + Send + Sync + 'static,
    {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(AtomicUsize::new(0));
        let handler = Arc::new(handler);
        let accept_thread = {
            let (stop, connections) = (stop.clone(), connections.clone());
            let open = Arc::new(AtomicUsize::new(0));
            thread::Builder::new()
                .name("emulator-accept".into())
                .spawn(move || {
                    for stream in listener.incoming() {
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        let Ok(stream) = stream else {
                            // Out of descriptors, say: a pause, not a spin.
                            thread::sleep(Duration::from_millis(10));
                            continue;
                        };
                        connections.fetch_add(1, Ordering::SeqCst);
                        if open.load(Ordering::SeqCst) >= limits.max_connections {
                            let _ = refuse(&stream, 503, "too many connections");
                            continue;
                        }
                        // Counted while its thread lives, however the thread ends (a panic
                        // of the handler included), or at once if none could be started.
                        let slot = Slot::take(&open);
                        let handler = handler.clone();
                        let spawned = thread::Builder::new()
                            .name("emulator-connection".into())
                            .spawn(move || {
                                let _slot = slot;
                                let _ = serve_connection(stream, limits.idle_timeout, &*handler);
                            });
                        // No thread to be had (a process limit): this connection is closed
                        // (the stream and the slot went with the closure), the server goes on.
                        drop(spawned);
                    }
                })?
        };
        Ok(Server {
            addr,
            stop,
            connections,
            accept_thread: Some(accept_thread),
        })
    }

    /// The address served.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many TCP connections have been accepted so far.
    pub(crate) fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Serves until the process ends (for a command that runs the emulator); returns only
    /// if serving failed.
    pub(crate) fn wait(mut self) -> io::Error {
        match self.accept_thread.take().map(JoinHandle::join) {
            Some(Ok(())) | None => io::Error::other("the emulator stopped accepting connections"),
            Some(Err(_)) => io::Error::other("the emulator's accept loop failed"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.accept_thread.take() {
            let _ = t.join();
        }
    }
}

const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Answers `status` with the vendor's error body and closes the connection.
fn refuse(mut stream: &TcpStream, status: u16, why: &str) -> io::Result<()> {
    let body = serde_json::json!({"error": {"code": status, "message": reason(status).unwrap_or("Error"),
        "domain": "PlatformAccountServer", "details": {"info": why}, "context": {}}});
    let mut response = HttpResponse::json(status, &body);
    response.delay = None;
    write_response(&mut stream, &response, true)
}

fn serve_connection(
    stream: TcpStream,
    idle_timeout: Duration,
    handler: &dyn Fn(&HttpRequest) -> HttpResponse,
) -> io::Result<()> {
    // An idle connection is closed: a client that opens many and sends nothing costs a
    // thread each only for a while.
    stream.set_read_timeout(Some(idle_timeout))?;
    // One descriptor per connection, read and written through shared references.
    let mut writer = &stream;
    let mut reader = BufReader::new(&stream);
    loop {
        let (request, close) = match read_request(&mut reader) {
            Ok(Some(read)) => read,
            Ok(None) => return Ok(()),
            Err(Refused(0, _)) => return Ok(()),
            Err(Refused(status, why)) => return refuse(writer, status, why),
        };
        let response = handler(&request);
        if let Some(delay) = response.delay {
            thread::sleep(delay);
        }
        write_response(&mut writer, &response, close)?;
        if close {
            return Ok(());
        }
    }
}

/// Why a request is refused before it reaches the API: the status, and the reason. A
/// connection that breaks (or sits idle too long) is refused with no answer (status 0).
struct Refused(u16, &'static str);

impl From<io::Error> for Refused {
    fn from(_: io::Error) -> Refused {
        Refused(0, "")
    }
}

/// Reads one line of the head, at most `left` bytes of it (`left` shrinks by what was read).
fn head_line(reader: &mut BufReader<&TcpStream>, left: &mut usize) -> Result<String, Refused> {
    let mut line = Vec::new();
    let n = reader
        .by_ref()
        .take(u64::try_from(*left).unwrap_or(u64::MAX))
        .read_until(b'\n', &mut line)?;
    *left = left.saturating_sub(n);
    if n > 0 && !line.ends_with(b"\n") {
        // The cap was reached before the line ended (or the client went away mid-line).
        return Err(if *left == 0 {
            Refused(431, "the request head is larger than 64 KiB")
        } else {
            Refused(0, "")
        });
    }
    String::from_utf8(line).map_err(|_| Refused(400, "the request head is not UTF-8"))
}

/// Reads one request; `None` when the client closed the connection between requests.
fn read_request(
    reader: &mut BufReader<&TcpStream>,
) -> Result<Option<(HttpRequest, bool)>, Refused> {
    let mut left = MAX_HEAD;
    let line = match head_line(reader, &mut left) {
        Ok(line) if line.is_empty() => return Ok(None),
        Ok(line) => line,
        // Idle too long between requests, or gone: closed without an answer.
        Err(Refused(0, _)) => return Ok(None),
        Err(refused) => return Err(refused),
    };
    let mut parts = line.trim_end().splitn(3, ' ');
    let (method, target, version) = match (parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v)) => (m.to_owned(), t.to_owned(), v.to_owned()),
        _ => return Err(Refused(400, "bad request line")),
    };
    let mut headers = Vec::new();
    loop {
        let h = head_line(reader, &mut left)?;
        if h.is_empty() {
            return Err(Refused(0, ""));
        }
        let h = h.trim_end_matches(['\r', '\n']);
        if h.is_empty() {
            break;
        }
        let (name, value) = h
            .split_once(':')
            .ok_or(Refused(400, "a header line without ':'"))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v): &(String, String)| v.clone())
    };
    if find("transfer-encoding").is_some() {
        return Err(Refused(
            411,
            "chunked request bodies are not supported: send Content-Length",
        ));
    }
    let len: usize = find("content-length")
        .map(|v| v.parse().map_err(|_| Refused(400, "bad Content-Length")))
        .transpose()?
        .unwrap_or(0);
    if len > MAX_BODY {
        return Err(Refused(413, "the body is larger than 16 MiB"));
    }
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    let close = find("connection").is_some_and(|v| v.eq_ignore_ascii_case("close"))
        || version == "HTTP/1.0";
    Ok(Some((
        HttpRequest {
            method,
            target,
            headers,
            body,
        },
        close,
    )))
}

/// The reason phrase of a status, as the server writes it, if the emulator uses the status.
pub(crate) fn reason(status: u16) -> Option<&'static str> {
    Some(match status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => return None,
    })
}

fn write_response(w: &mut &TcpStream, r: &HttpResponse, close: bool) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        r.status,
        reason(r.status).unwrap_or("")
    );
    for (n, v) in &r.headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n", r.body.len()));
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(&r.body);
    w.write_all(&out)?;
    w.flush()
}
