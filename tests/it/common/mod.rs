//! Helpers shared by the integration tests.

#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "ureq")]
pub mod raw;

#[cfg(feature = "ureq")]
use acronis_reports::transport::UreqTransport;
#[cfg(feature = "ureq")]
use acronis_reports::{Client, ClientBuilder, RetryPolicy};
#[cfg(feature = "ureq")]
use acronis_reports_emulator::Emulator;
use serde_json::{Value, json};

pub const TOKEN: &str = "t0k3n-VERY-secret.value_123";
pub const ID: &str = "20dffb36-d77b-45c6-b2fa-39276e98d5fc";
#[cfg(feature = "ureq")]
pub const OTHER_ID: &str = "0d6ba6b9-6f2d-4c42-9c5b-3f1e0a7c2d11";
pub const USER_A: &str = "ca451758-b48a-45d9-9ae6-8f1059f67619";
pub const USER_B: &str = "ab00e527-219b-481b-b01b-311b5be0ed3c";

#[cfg(feature = "ureq")]
/// A transport for loopback servers: the environment's proxy settings are ignored.
pub fn loopback_transport() -> UreqTransport {
    UreqTransport::builder()
        .proxy_from_env(false)
        .build()
        .expect("valid transport settings")
}

#[cfg(feature = "ureq")]
/// A client of the server at `server_url` (no path), with `/api/2` appended, that does not
/// retry (the retry tests make their own).
pub fn client(server_url: &str) -> Client {
    client_with_token(server_url, TOKEN)
}

#[cfg(feature = "ureq")]
pub fn client_with_token(server_url: &str, token: &str) -> Client {
    client_builder(server_url)
        .bearer_token(token)
        .build()
        .expect("valid client settings")
}

#[cfg(feature = "ureq")]
/// What [`client`] is built of, for a test that sets more: `/api/2` appended to `server_url`
/// (a mock or raw server, no path), [`TOKEN`], the [`loopback_transport`], no retries.
pub fn client_builder(server_url: &str) -> ClientBuilder {
    Client::builder()
        .base_url(format!("{server_url}/api/2"))
        .bearer_token(TOKEN)
        .transport(loopback_transport())
        .retries(0)
}

#[cfg(feature = "ureq")]
/// A client of `emulator` with the token it accepts, retrying by `policy`, over the built-in
/// transport (which skips proxies for a loopback base URL).
pub fn emulator_client(emulator: &Emulator, policy: RetryPolicy) -> Client {
    emulator_builder(emulator)
        .retry_policy(policy)
        .build()
        .expect("valid client settings")
}

#[cfg(feature = "ureq")]
/// What [`emulator_client`] is built of, for a test that sets more: the emulator's base URL
/// and the token it accepts, everything else the crate's defaults.
pub fn emulator_builder(emulator: &Emulator) -> ClientBuilder {
    Client::builder()
        .base_url(emulator.base_url())
        .bearer_token(acronis_reports_emulator::TOKEN)
}

/// A report as the API returns it, with `enabled` as given.
pub fn report_json(id: &str, enabled: bool) -> Value {
    json!({
        "id": id, "version": 1559561146224_i64, "result_action": "send",
        "recipients": [USER_A],
        "parameters": {"tenant_id": "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc", "kind": "usage_summary",
            "level": "accounts", "formats": ["csv"], "period": {"start": "2017-05-01", "end": "2017-05-07"},
            "hide_zero_usage": true, "show_skus": false},
        "schedule": {"type": "monthly", "enabled": enabled}, "generation_date": "2017-05-08"
    })
}

/// The vendor's schemas this crate is checked against: `tests/fixtures/vendor-schemas.json`,
/// our JSON transcription of part of the vendor's OpenAPI description (`tests/it/schema.rs`
/// checks it still matches the original).
pub fn vendor_schemas() -> Value {
    serde_json::from_str(include_str!("../../fixtures/vendor-schemas.json"))
        .expect("the fixture is JSON")
}

/// A validator for `components.schemas.<name>` of the vendor's schemas.
pub fn schema_validator(name: &str) -> jsonschema::Validator {
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/components/schemas/{name}"),
        "components": vendor_schemas()["components"].clone(),
    });
    jsonschema::validator_for(&root).expect("the vendor's schema compiles")
}

#[cfg(feature = "ureq")]
/// Asserts that `err` is `Error::InvalidInput` of `kind`.
#[track_caller]
pub fn assert_invalid_input(err: &acronis_reports::Error, kind: acronis_reports::InputKind) {
    match err {
        acronis_reports::Error::InvalidInput { kind: k, .. } => assert_eq!(*k, kind, "{err:?}"),
        other => panic!("expected InvalidInput({kind:?}), got {other:?}"),
    }
}

/// One request to `base_url` + `path` over plain ureq (no SDK in between, no proxy): the
/// status and the body as JSON (`null` when empty or not JSON).
pub fn ask(
    base_url: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Value) {
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .build(),
    );
    let mut request = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{base_url}{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut response = agent.run(request.body(body.to_owned()).unwrap()).unwrap();
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}
