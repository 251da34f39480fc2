//! A blocking client for the usage-reports API of Acronis Cyber Cloud.
//!
//! Service providers schedule usage reports and switch them off and on, change their
//! recipients, level and kind from scripts and billing jobs. This crate does that job
//! the careful way:
//!
//! 1. a [`ReportUpdate`] builder produces the **minimal JSON patch** the API accepts
//!    (`ReportUpdate::disable()` is exactly `{"schedule":{"enabled":false}}`) and can hold
//!    nothing the API would reject;
//! 2. a [`Client`] sends it with the bearer token over a blocking [`Transport`]
//!    (ureq by default: no async runtime);
//! 3. the returned report is parsed into a typed [`Report`] and **verified** against the
//!    patch: a server that answers 200 without applying the change gives [`Error::Mismatch`].
//!
//! # Quick start
//!
//! ```no_run
//! use acronis_reports::{Client, Level, ReportUpdate};
//!
//! let client = Client::builder()
//!     .base_url("https://eu2-cloud.acronis.com/api/2")
//!     .bearer_token(std::env::var("ACRONIS_TOKEN")?)
//!     .build()?;
//!
//! // Switch a monthly report off; the returned report is checked to be disabled.
//! let report = client.disable_report("20dffb36-d77b-45c6-b2fa-39276e98d5fc")?;
//! assert!(!report.schedule.enabled);
//!
//! // Change several members at once; each is verified.
//! let update = ReportUpdate::enable().level(Level::AllCustomers).show_skus(true);
//! client.update_report("20dffb36-d77b-45c6-b2fa-39276e98d5fc", &update)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Layers
//!
//! Five layers, bottom up; a module names only modules of its own layer or those below (a
//! test keeps it so).
//!
//! | layer | modules | what | I/O |
//! |---|---|---|---|
//! | 1 vocabulary | `id`, [`enums`], `date`, `timestamp`, [`endpoint`], [`clock`], `stop`, [`transport`], `gzip`, `logging` | the API's ids ([`ReportId`], ...), open enums, days ([`Date`]) and instants; [`Endpoint`](endpoint::Endpoint), each API call described once; [`Clock`](clock::Clock); why a run stopped ([`StopReason`]); the one-method [`Transport`] trait and [`UreqTransport`](transport::UreqTransport); files told gzip or not by their first bytes | HTTP in `transport` only |
//! | 2 builders and models | [`patch`], [`new_report`], [`model`], [`tenant`], [`verify`], [`desired`], [`plan`], [`saved_plan`], [`usage`], [`billing`] | [`ReportUpdate`], the `PUT` body; [`NewReport`], the `POST` body; [`Report`] with errors that name the member; [`Tenant`](tenant::Tenant)s and their listing's pages; does a report reflect an update ([`Mismatch`])? reports as code ([`DesiredReports`](desired::DesiredReports), [`Plan`](plan::Plan), and a plan saved to apply later, [`SavedPlan`](saved_plan::SavedPlan)); usage files read as [`UsageRecord`](usage::UsageRecord)s and billed | none (`Read` for usage) |
//! | 3 the error | `error` | [`Error`], wrapping each module's own error | none |
//! | 4 calls | `exchange`, `base_url`, [`auth`], `retry`, [`client`] | one request sent and its answer sorted (shared by the API and the token endpoint); tokens; which failed calls are retried ([`RetryPolicy`], within a [`RetryBudget`]); [`Client`]: ids checked, requests built, errors mapped, results verified; [`Client::stored_usage`], [`Client::billing_report`]; the tenants under a tenant, page by page ([`Client::tenants_under`], [`TenantPages`]) | via transport |
//! | 5 runs | [`bulk`], [`apply`] | one job per id on bounded threads, runs that stop by themselves or when told to; [`Client::plan`], [`Client::apply`], [`Client::check_saved`] and [`Client::export`] | via client |
//!
//! The command-line tool (`src/bin`, feature `cli`) stands on top, a presentation layer.
//!
//! Building patches and parsing reports need no network: with `default-features = false`
//! the crate builds without ureq and TLS, and the client runs over a transport you supply.
//!
//! # Errors
//!
//! Every call returns [`Error`]. Bad input (a report id that is not a UUID, an empty update, a
//! malformed base URL or token) is refused as [`Error::InvalidInput`] before anything is sent.
//! An id a bulk run did not take up, because it stopped, is [`Error::NotAttempted`].
//! A status outside 2xx is [`Error::Api`] with the vendor's `code`, `message`, `domain` and
//! `details.info` (or the start of the body when it is not the vendor's JSON). Messages never
//! contain the token.
//!
//! # Features
//!
//! - `ureq` (default): the built-in transport, ureq 3 with rustls and gzip.
//! - `toml`: desired-state files in TOML ([`DesiredReports::from_toml`](desired::DesiredReports::from_toml));
//!   JSON needs no feature.
//! - `log`: each request (method, path, status, time; never a token) and each retry is logged
//!   through the `log` facade.
//! - `cli`: the `acronis-reports` command-line tool (`cargo install acronis-reports --features
//!   cli`); it adds nothing to the library.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod apply;
pub mod auth;
mod base_url;
pub mod billing;
pub mod bulk;
pub mod client;
pub mod clock;
mod date;
pub mod desired;
pub mod endpoint;
pub mod enums;
mod error;
mod exchange;
mod gzip;
mod id;
mod logging;
pub mod model;
pub mod new_report;
pub mod patch;
pub mod plan;
mod retry;
pub mod saved_plan;
mod stop;
pub mod tenant;
mod timestamp;
pub mod transport;
pub mod usage;
pub mod verify;

pub use client::{
    BillingOptions, BillingReport, Client, ClientBuilder, Reports, StoredUsage, TenantPages,
    UpdateOutcome,
};
pub use date::{Date, NotADay, ParseDateError, ReportDate};
pub use enums::{
    Level, ReportFormat, ReportKind, ResultAction, ScheduleType, StoredStatus, TenantKind,
};
pub use error::{ApiError, AuthError, CallInfo, Error, ErrorKind, InputKind};
pub use id::{IntoId, ParseIdError, ReportId, StoredReportId, TenantId, UserId};
pub use model::{DecodeError, Field, Parameters, Period, Report, Schedule, StoredReport};
pub use new_report::{InvalidReport, NewReport};
pub use patch::ReportUpdate;
pub use retry::{RetryBudget, RetryPolicy};
pub use stop::StopReason;
pub use timestamp::Timestamp;
pub use transport::Transport;
pub use uuid::Uuid;
pub use verify::{FieldMismatch, Mismatch};

/// The Rust examples of the README and `docs/`, compiled as doc tests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
#[doc = include_str!("../docs/guide.md")]
#[doc = include_str!("../docs/from-python.md")]
#[doc = include_str!("../docs/auth.md")]
#[doc = include_str!("../docs/retries-and-errors.md")]
#[doc = include_str!("../docs/api.md")]
#[doc = include_str!("../docs/testing.md")]
#[doc = include_str!("../docs/desired-state.md")]
#[doc = include_str!("../docs/usage-data.md")]
pub struct DocsDoctests;
