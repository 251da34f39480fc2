//! What the examples share: a client for a real data centre (from the environment) or for
//! the local emulator (started here when `ACRONIS_BASE_URL` is unset), and the tenant to use.

use std::env::var;
use std::error::Error;
use std::time::Duration;

use acronis_reports::{Client, TenantId};
use acronis_reports_emulator::{CLIENT_ID, CLIENT_SECRET, Emulator, TENANT_ID};

/// The client, the tenant (the first argument against a real data centre), and the emulator
/// when one was started (it serves until dropped).
pub fn connect() -> Result<(Client, TenantId, Option<Emulator>), Box<dyn Error>> {
    if let Ok(base_url) = var("ACRONIS_BASE_URL") {
        let tenant = std::env::args()
            .nth(1)
            .ok_or("give the tenant id as the first argument")?;
        let client = Client::builder()
            .base_url(base_url)
            .client_credentials(var("ACRONIS_CLIENT_ID")?, var("ACRONIS_CLIENT_SECRET")?)
            .build()?;
        return Ok((client, tenant.parse()?, None));
    }
    let emulator = Emulator::start()?;
    println!(
        "local emulator of the reports API at {}",
        emulator.base_url()
    );
    let client = Client::builder()
        .base_url(emulator.base_url())
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .poll_interval(Duration::from_millis(200))
        .build()?;
    Ok((client, TENANT_ID.parse()?, Some(emulator)))
}
