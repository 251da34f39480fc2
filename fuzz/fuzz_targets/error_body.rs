//! The error-body parser (any status, any body, through the transport seam): never a panic,
//! and an error status always comes back as that status.
#![no_main]

use acronis_reports::Client;
use acronis_reports::transport::{Response, from_fn};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else { return };
    let status = 400 + u16::from(first) % 200;
    let body = body.to_vec();
    let client = Client::builder()
        .base_url("https://eu2-cloud.acronis.com/api/2")
        .bearer_token("fuzz")
        .retries(0)
        .transport(from_fn(move |_| Ok(Response::from_bytes(status, vec![], body.clone()))))
        .build()
        .expect("valid settings");
    let err = client.get_report("20dffb36-d77b-45c6-b2fa-39276e98d5fc").expect_err("an error status");
    assert_eq!(err.status(), Some(status));
});
