//! The transport under faults a mock cannot make: a body that stalls, a body that never
//! ends, redirects on reads, and plain HTTP to another host.
#![cfg(feature = "ureq")]

use crate::common;

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use acronis_reports::transport::{TransportErrorKind, from_fn};
use acronis_reports::{Client, Error, InputKind};
use common::raw::{RawServer, read_request};
use common::{ID, TOKEN};

/// Like `common::client_builder`, but over the built-in transport, as a user gets it (the
/// client's timeout and caps set on it), not the loopback transport given as one's own.
fn client(url: &str) -> acronis_reports::ClientBuilder {
    Client::builder()
        .base_url(format!("{url}/api/2"))
        .bearer_token(TOKEN)
        .retries(0)
}

#[test]
fn a_body_that_stalls_ends_in_a_timeout() {
    // Headers promise 1000 bytes; the body then comes a byte every 100 ms, for at most 10 s.
    let server = RawServer::start(1, |_, mut stream| {
        read_request(&mut stream);
        let head =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{";
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        for _ in 0..100 {
            std::thread::sleep(Duration::from_millis(100));
            if stream.write_all(b" ").is_err() {
                return;
            }
        }
    });
    let c = client(&server.url())
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let err = c.get_report(ID).unwrap_err();
    let Error::Timeout { source, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(source.kind(), TransportErrorKind::Timeout);
}

#[test]
fn a_200_mb_body_is_refused_after_the_cap() {
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    let server = RawServer::start(1, move |_, mut stream| {
        read_request(&mut stream);
        let total: u64 = 200 * 1024 * 1024;
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {total}\r\n\r\n"
        );
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        let chunk = vec![b' '; 64 * 1024];
        while counter.load(Ordering::SeqCst) < total {
            if stream.write_all(&chunk).is_err() {
                return; // the client hung up
            }
            counter.fetch_add(chunk.len() as u64, Ordering::SeqCst);
        }
    });
    let err = client(&server.url())
        .build()
        .unwrap()
        .get_report(ID)
        .unwrap_err();
    let Error::ResponseTooLarge { limit, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*limit, acronis_reports::client::DEFAULT_MAX_RESPONSE_BYTES);
    // The client stopped reading at its 4 MiB cap: the server could push only what the
    // socket buffers took on top of that, nowhere near 200 MB.
    let pushed = sent.load(Ordering::SeqCst);
    assert!(pushed < 64 * 1024 * 1024, "{pushed} bytes were sent");
}

#[test]
fn a_redirected_read_is_not_followed_and_carries_no_token_elsewhere() {
    // The other server would record any request it got.
    let elsewhere = RawServer::start(1, |_, mut stream| {
        read_request(&mut stream);
    });
    for status in [302, 307] {
        let location = format!("{}/api/2/reports/{ID}", elsewhere.url());
        let server = RawServer::start(1, move |_, mut stream| {
            read_request(&mut stream);
            let head = format!(
                "HTTP/1.1 {status} Moved\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes());
        });
        let err = client(&server.url())
            .build()
            .unwrap()
            .get_report(ID)
            .unwrap_err();
        assert!(
            matches!(err, Error::Redirect { status: s, .. } if s == status),
            "{err:?}"
        );
    }
    assert_eq!(elsewhere.connections(), 0);
}

#[test]
fn plain_http_to_another_host_is_refused_before_sending() {
    let err = Client::builder()
        .base_url("http://reports.example.com/api/2")
        .bearer_token(TOKEN)
        .transport(from_fn(|_| panic!("nothing may be sent")))
        .build()
        .unwrap_err();
    let Error::InvalidInput { kind, message, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*kind, InputKind::PlainHttp);
    assert!(
        message.contains("plain http:// to a host that is not this machine"),
        "{message}"
    );

    // With the loud opt-in it is accepted.
    Client::builder()
        .base_url("http://reports.example.com/api/2")
        .bearer_token(TOKEN)
        .danger_accept_plain_http(true)
        .transport(from_fn(|_| panic!("nothing is sent by build")))
        .build()
        .unwrap();
}
