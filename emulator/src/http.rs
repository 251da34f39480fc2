//! The emulator's HTTP/1.1 server on loopback: keep-alive, `Content-Length` bodies, one thread
//! per connection. Crate-private: the public API speaks of reports and faults, not of HTTP.
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

/// A running server; it stops when dropped.
pub(crate) struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    connections: Arc<AtomicUsize>,
    accept_thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds `port` (0: any free one) on 127.0.0.1 and serves each request with `handler`.
    pub(crate) fn start<H>(port: u16, handler: H) -> io::Result<Server>
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
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    connections.fetch_add(1, Ordering::SeqCst);
                    let handler = handler.clone();
                    thread::spawn(move || {
                        let _ = serve_connection(stream, &*handler);
                    });
                }
            })
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

    /// Serves until the process ends (for a command that runs the emulator).
    pub(crate) fn wait(mut self) {
        if let Some(t) = self.accept_thread.take() {
            let _ = t.join();
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

fn serve_connection(
    stream: TcpStream,
    handler: &dyn Fn(&HttpRequest) -> HttpResponse,
) -> io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        let Some((request, close)) = read_request(&mut reader)? else {
            return Ok(());
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

fn bad(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.to_owned())
}

/// Reads one request; `None` when the client closed the connection between requests.
fn read_request(reader: &mut BufReader<TcpStream>) -> io::Result<Option<(HttpRequest, bool)>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.trim_end().splitn(3, ' ');
    let (method, target, version) = match (parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v)) => (m.to_owned(), t.to_owned(), v.to_owned()),
        _ => return Err(bad("bad request line")),
    };
    let mut headers = Vec::new();
    let mut head_len = line.len();
    loop {
        let mut h = String::new();
        let n = reader.read_line(&mut h)?;
        head_len += n;
        if n == 0 || head_len > MAX_HEAD {
            return Err(bad("truncated or oversized head"));
        }
        let h = h.trim_end_matches(['\r', '\n']);
        if h.is_empty() {
            break;
        }
        let (name, value) = h.split_once(':').ok_or_else(|| bad("bad header"))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v): &(String, String)| v.clone())
    };
    if find("transfer-encoding").is_some() {
        return Err(bad("chunked request bodies are not supported"));
    }
    let len: usize = find("content-length")
        .map(|v| v.parse().map_err(|_| bad("bad content-length")))
        .transpose()?
        .unwrap_or(0);
    if len > MAX_BODY {
        return Err(bad("body too large"));
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
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => return None,
    })
}

fn write_response(w: &mut TcpStream, r: &HttpResponse, close: bool) -> io::Result<()> {
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
