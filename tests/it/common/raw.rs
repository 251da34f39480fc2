//! A TCP server on loopback whose connections a test scripts byte by byte, for the faults
//! an HTTP mock cannot produce: resets, stalls, endless bodies.

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
