//! The integration tests, as one crate: a change to the library rebuilds one test binary.
//! Each module is one area; `cargo test --all-features --test it cli::` runs one of them.
//! A module that needs a feature says so in its first lines (`#![cfg(feature = "...")]`), so
//! that without default features the rest still runs.

mod common;

mod apply;
mod auth;
mod bulk;
mod cli;
mod cli_desired;
mod cli_fail_safe;
mod cli_usage;
mod client;
mod desired;
mod emulator;
mod emulator_fidelity;
mod hardening;
mod lifecycle;
mod logging;
mod plan;
mod properties;
mod retry;
mod schema;
mod transport;
mod usage;
