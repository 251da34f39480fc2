//! The client over its own transport, with no sockets: what it hands the transport, and how
//! it maps what the transport returns. Runs with and without the `ureq` feature.

use crate::common;

use std::io::{self, Read};
use std::sync::{Arc, Mutex};

use acronis_reports::transport::{
    Method, Request, Response, TransportError, TransportErrorKind, from_fn,
};
use acronis_reports::{Client, Error};
use common::{ID, TOKEN, report_json};

/// What the transport saw of one request.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

/// A client whose transport records each request and answers with `answer(call_index)`.
fn recording_client<F>(answer: F) -> (Client, Arc<Mutex<Vec<Seen>>>)
where
    F: Fn(usize) -> Result<Response, TransportError> + Send + Sync + 'static,
{
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let client = Client::builder()
        .base_url("https://eu2-cloud.acronis.com/api/2/")
        .bearer_token(TOKEN)
        .retries(0)
        .transport(from_fn(move |request: Request| {
            let mut log = log.lock().unwrap();
            log.push(Seen {
                method: request.method(),
                url: request.url().to_owned(),
                headers: request
                    .headers()
                    .map(|(n, v)| (n.to_owned(), v.to_owned()))
                    .collect(),
                body: request.body().map(<[u8]>::to_vec),
            });
            answer(log.len() - 1)
        }))
        .build()
        .unwrap();
    (client, seen)
}

fn ok(body: serde_json::Value) -> Result<Response, TransportError> {
    Ok(Response::from_bytes(
        200,
        vec![("content-type".into(), "application/json".into())],
        body.to_string().into_bytes(),
    ))
}

#[test]
fn the_transport_gets_the_complete_request() {
    let (client, seen) = recording_client(|_| ok(report_json(ID, false)));
    client.disable_report(ID).unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(
        *seen,
        vec![Seen {
            method: Method::Put,
            url: format!("https://eu2-cloud.acronis.com/api/2/reports/{ID}"),
            headers: vec![
                ("accept".into(), "application/json".into()),
                ("authorization".into(), format!("Bearer {TOKEN}")),
                (
                    "user-agent".into(),
                    concat!("acronis-reports/", env!("CARGO_PKG_VERSION")).into()
                ),
                ("content-type".into(), "application/json".into()),
            ],
            body: Some(br#"{"schedule":{"enabled":false}}"#.to_vec()),
        }]
    );
}

#[test]
fn a_get_has_no_body_and_no_content_type() {
    let (client, seen) = recording_client(|_| ok(report_json(ID, true)));
    client.get_report(ID).unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0].method, Method::Get);
    assert_eq!(seen[0].body, None);
    assert!(!seen[0].headers.iter().any(|(n, _)| n == "content-type"));
}

#[test]
fn a_204_leads_to_a_get_through_the_same_transport() {
    let (client, seen) = recording_client(|i| match i {
        0 => Ok(Response::from_bytes(204, vec![], vec![])),
        _ => ok(report_json(ID, true)),
    });
    let report = client.enable_report(ID).unwrap();
    assert!(report.schedule.enabled);
    let methods: Vec<Method> = seen.lock().unwrap().iter().map(|s| s.method).collect();
    assert_eq!(methods, [Method::Put, Method::Get]);
}

#[test]
fn transport_failures_map_to_timeout_and_transport_errors() {
    let (client, _) = recording_client(|_| {
        Err(TransportError::new(
            TransportErrorKind::Timeout,
            "deadline passed",
        ))
    });
    let err = client.get_report(ID).unwrap_err();
    let Error::Timeout {
        method,
        path,
        source,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (*method, path.as_str()),
        (Method::Get, format!("/reports/{ID}").as_str())
    );
    assert_eq!(source.to_string(), "the request timed out");
    assert_eq!(
        std::error::Error::source(source).unwrap().to_string(),
        "deadline passed"
    );
    assert!(err.is_retryable());

    let (client, _) = recording_client(|_| {
        Err(TransportError::new(
            TransportErrorKind::Tls,
            "bad certificate",
        ))
    });
    let err = client.get_report(ID).unwrap_err();
    let Error::Transport { source, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(source.kind(), TransportErrorKind::Tls);
    assert!(!err.is_retryable());
    assert_eq!(
        err.to_string(),
        format!("GET /reports/{ID}: no response; check the base URL, the network and any proxy")
    );
    assert_eq!(source.to_string(), "the TLS connection failed");
}

/// A body that yields some bytes, then fails.
struct Failing(io::ErrorKind, bool);

impl Read for Failing {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.1 {
            self.1 = true;
            buf[..5].copy_from_slice(b"{\"id\"");
            return Ok(5);
        }
        Err(io::Error::new(self.0, "stalled"))
    }
}

#[test]
fn a_body_that_fails_midway_is_a_timeout_or_transport_error() {
    let (client, _) = recording_client(|_| {
        Ok(Response::new(
            200,
            vec![],
            Failing(io::ErrorKind::TimedOut, false),
        ))
    });
    assert!(matches!(client.get_report(ID), Err(Error::Timeout { .. })));
    let (client, _) = recording_client(|_| {
        Ok(Response::new(
            200,
            vec![],
            Failing(io::ErrorKind::ConnectionReset, false),
        ))
    });
    let err = client.get_report(ID).unwrap_err();
    let Error::Transport { source, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(source.kind(), TransportErrorKind::Connect);
}

#[test]
fn the_client_is_send_sync_and_cheap_to_clone() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<Client>();
}

#[cfg(not(feature = "ureq"))]
#[test]
fn without_ureq_a_transport_is_required() {
    let err = Client::builder()
        .base_url("https://eu2-cloud.acronis.com/api/2")
        .bearer_token(TOKEN)
        .retries(0)
        .build()
        .unwrap_err();
    let Error::InvalidInput { kind, message, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*kind, acronis_reports::InputKind::Settings);
    assert!(
        message.starts_with("no transport: the `ureq` feature is off"),
        "{message}"
    );
}
