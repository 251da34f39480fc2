//! Runs the emulator until interrupted, for trying the crate (or any HTTP client) by hand.

fn main() -> std::io::Result<()> {
    let emulator = acronis_reports_emulator::Emulator::start()?;
    println!("emulator of the Acronis usage-reports API");
    println!("base URL: {}", emulator.base_url());
    println!("token:    {}", acronis_reports_emulator::TOKEN);
    println!(
        "reports:  {} (monthly), {} (once)",
        acronis_reports_emulator::MONTHLY_REPORT_ID,
        acronis_reports_emulator::ONCE_REPORT_ID
    );
    println!("press Ctrl-C to stop");
    loop {
        std::thread::park();
    }
}
