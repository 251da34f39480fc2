//! Sockets on loopback for the faults an HTTP mock cannot produce: a server whose connections
//! a test scripts byte by byte (resets, stalls, endless bodies), a port that refuses
//! connections, and a listener that never answers. No test makes a socket server of its own:
//! it takes one of these.

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// A running server: connection `n` (from 0) is handed to the script, in its own thread.
/// Stops accepting once `max_connections` have come, so no thread outlives the test by much.
pub struct RawServer {
    pub addr: SocketAddr,
    connections: Arc<AtomicUsize>,
}

impl RawServer {
    pub fn start<F>(max_connections: usize, script: F) -> RawServer
    where
        F: Fn(usize, TcpStream) + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let count = connections.clone();
        let script = Arc::new(script);
        thread::spawn(move || {
            for (n, stream) in listener.incoming().take(max_connections).enumerate() {
                let Ok(stream) = stream else { return };
                count.fetch_add(1, Ordering::SeqCst);
                let script = script.clone();
                thread::spawn(move || script(n, stream));
            }
        });
        RawServer { addr, connections }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// A loopback port nothing listens on: bound a moment ago and let go, so a connection to it
/// is refused (the system hands out ephemeral ports in turn, so it is not soon reused). Also
/// the way to find a free port for a server that needs a fixed one.
pub fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `http://127.0.0.1:<port>` (no path) of a [`closed_port`]: a server that refuses every
/// connection.
pub fn closed_url() -> String {
    format!("http://127.0.0.1:{}", closed_port())
}

/// A loopback listener that never accepts: the system completes each connection into its
/// backlog, and nothing ever reads or answers, so a client waits for an answer (or a TLS
/// handshake) that never comes. Listens until dropped.
pub struct SilentListener {
    pub addr: SocketAddr,
    _listener: TcpListener,
}

impl SilentListener {
    /// `http://` and the address (no path).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

pub fn silent_listener() -> SilentListener {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    SilentListener {
        addr: listener.local_addr().unwrap(),
        _listener: listener,
    }
}

/// Reads one request's head and body (by `Content-Length`); returns the head's lines.
pub fn read_request(stream: &mut TcpStream) -> Vec<String> {
    let mut reader = BufReader::new(stream);
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return lines;
        }
        let line = line.trim_end().to_owned();
        if line.is_empty() {
            break;
        }
        lines.push(line);
    }
    let len = lines
        .iter()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    let mut body = vec![0; len];
    let _ = reader.read_exact(&mut body);
    lines
}
