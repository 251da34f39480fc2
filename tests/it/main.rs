//! The integration tests, as one crate: a change to the library rebuilds one test binary.
//! Each module is one area; `cargo test --all-features --test it cli::` runs one of them.
//! A module that needs a feature says so in its first lines (`#![cfg(feature = "...")]`), so
//! that without default features the rest still runs.
//!
//! Fake servers, one tool per job:
//! - mockito, for canned answers and for matching what a request must be;
//! - the emulator (`acronis_reports_emulator::Emulator`), for what the server saw and holds,
//!   end to end;
//! - `acronis_reports::transport::from_fn`, where no socket is needed;
//! - `common::raw`, for faults at the byte level (`RawServer`), a port that refuses
//!   connections (`closed_port`, `closed_url`) and a listener that never answers
//!   (`silent_listener`). No test makes a socket server of its own.
//!
//! Clients of them: `common::client` and `client_builder` for a mock or raw server,
//! `common::emulator_client` and `emulator_builder` for the emulator.

mod common;

mod apply;
mod auth;
mod bulk;
mod cli;
mod cli_desired;
mod cli_fail_safe;
mod cli_saved_plan;
mod cli_usage;
mod client;
mod desired;
mod emulator;
mod emulator_fidelity;
mod hardening;
mod layers;
mod lifecycle;
mod logging;
mod partner_tree;
mod plan;
mod properties;
mod retry;
mod schema;
mod selectors;
mod tenants;
mod transport;
mod usage;
mod usage_scale;
