//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Where the crate's documents are read on the web (a user of `cargo install` has no copy).
macro_rules! docs_url {
    ($file:literal) => {
        concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/", $file)
    };
}

/// Exit codes, shown at the end of `--help`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0    everything succeeded
  1    plan --exit-code: there are changes to make; apply: the confirmation was
       declined (nothing was changed)
  2    usage or invalid input: nothing was sent when the command line, a named file
       or a positional id is at fault; in a bulk run, lines of --ids-file that are
       not ids (the others were processed); plan and apply: a desired-state file
       that cannot be applied as written (nothing was changed)
  3    the API refused: 4xx (authentication included, 429 excepted) or a redirect;
       refused credentials also stop a bulk run
  4    the server accepted a change, but its answer does not show the change applied
  5    network, timeout, 429 or 5xx (after retries; a bulk run stops when the service
       keeps failing), an answer that is not the API's, or a local write failed
       (standard output, --failed-ids, download -o)
  130  interrupted (SIGINT); 143: terminated (SIGTERM); 129: hung up (SIGHUP)
  141  standard output was closed by its reader (| head)
With several reports, the highest code among the failures.

Secrets: prefer ACRONIS_CLIENT_SECRET / ACRONIS_TOKEN in the environment, or --token-file,
over --client-secret / --token, which other users of the machine can see in the process list.";

/// Manage Acronis Cyber Cloud usage reports: switch them off and on, change them, create,
/// delete and download them. Every change is verified against the report the API returns.
#[derive(Debug, Parser)]
#[command(name = "acronis-reports", version, after_long_help = EXIT_CODES, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

/// Options of every command.
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// The API's base URL, e.g. https://eu2-cloud.acronis.com/api/2.
    #[arg(long, env = "ACRONIS_BASE_URL", hide_env_values = true, global = true)]
    pub base_url: Option<String>,

    /// A bearer token (prefer ACRONIS_TOKEN or --token-file: a flag shows in the process list).
    #[arg(long, env = "ACRONIS_TOKEN", hide_env_values = true, global = true)]
    pub token: Option<String>,

    /// A file holding the bearer token.
    #[arg(long, value_name = "FILE", global = true)]
    pub token_file: Option<PathBuf>,

    /// The API client's id, for client-credentials authentication.
    #[arg(long, env = "ACRONIS_CLIENT_ID", hide_env_values = true, global = true)]
    pub client_id: Option<String>,

    /// The API client's secret (prefer ACRONIS_CLIENT_SECRET: a flag shows in the process list).
    #[arg(
        long,
        env = "ACRONIS_CLIENT_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub client_secret: Option<String>,

    /// The limit on each HTTP exchange, in seconds [default: 30].
    #[arg(long, value_name = "SECONDS", global = true)]
    pub timeout: Option<f64>,

    /// How many times a failed call is retried [default: 2].
    #[arg(long, value_name = "N", global = true)]
    pub retries: Option<u32>,

    /// Print one JSON object per line instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// For commands that write: change nothing. Reads are sent (the listing of --tenant, and
    /// each report read first); each write is printed (token redacted) instead of being sent.
    /// `apply --dry-run` plans (GET requests) and prints the writes it would send.
    #[arg(long, global = true)]
    pub dry_run: bool,

    /// Which credentials came from the command line rather than the environment (filled in
    /// after parsing).
    #[arg(skip)]
    pub from_command_line: FromCommandLine,
}

/// Which credential options were given on the command line.
#[derive(Debug, Default, Clone, Copy)]
pub struct FromCommandLine {
    pub client_id: bool,
    pub client_secret: bool,
    pub token: bool,
    pub token_file: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Switch monthly reports off.
    Disable(Bulk),
    /// Switch monthly reports on.
    Enable(Bulk),
    /// Change monthly reports: only the members given are sent.
    Update {
        #[command(flatten)]
        bulk: Bulk,
        #[command(flatten)]
        fields: UpdateFields,
    },
    /// Print the minimal JSON patch for these changes; touches no network.
    Patch {
        #[command(flatten)]
        fields: UpdateFields,
    },
    /// Show a report.
    Show {
        /// The report's id.
        id: String,
    },
    /// List a tenant's reports: a table of their key members (each report is read), or their
    /// ids.
    List {
        /// The tenant's id.
        #[arg(long)]
        tenant: String,
        /// Print only the ids, one per line, from the listing alone (no report is read): for
        /// scripts.
        #[arg(long)]
        ids_only: bool,
        /// How many reports are read at once (1 to 256).
        #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
        concurrency: u16,
    },
    /// Create a report (one-time and saved unless told otherwise).
    Create(CreateArgs),
    /// Delete a report: its current version, read first, unless --version pins one.
    Delete {
        /// The report's id.
        id: String,
        /// Delete only this version (see `show`): refused by the API when the report has
        /// changed since. Without it, the report is read and its current version deleted.
        #[arg(long)]
        version: Option<i64>,
    },
    /// List the files a report produced.
    Stored {
        /// The report's id.
        id: String,
    },
    /// Run a local emulator of the reports API, to try commands or test scripts without
    /// credentials: prints its base URL and credentials, serves until interrupted.
    Emulator {
        /// The port on 127.0.0.1 [default: any free one].
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Start with the reports in this JSON file (an array of reports, or `{"items": [...]}`)
        /// instead of the two seeded ones.
        #[arg(long, value_name = "FILE")]
        seed: Option<PathBuf>,
        /// Make this tenant exist with no reports (repeat for several), for `plan` and
        /// `apply` to create its first ones. Tenants of the seeded reports exist.
        #[arg(long = "tenant", value_name = "UUID")]
        tenants: Vec<String>,
    },
    /// Show what `apply` would change so that the tenants' monthly reports are as FILE says
    /// (`+` create, `~` update, `+/-` replace, `-` delete). Sends only GET requests.
    Plan {
        #[command(flatten)]
        desired: DesiredArgs,
        /// Exit 1 when there are changes to make, 0 when there are none.
        #[arg(long)]
        exit_code: bool,
    },
    /// Make the tenants' monthly reports as FILE says: plan, show the plan, ask for
    /// confirmation, apply (creates and updates, then replacements, then deletes), each write
    /// verified. With --dry-run: plan, and print the writes instead of sending them.
    Apply {
        #[command(flatten)]
        desired: DesiredArgs,
        /// Apply without asking (required when standard input is not a terminal).
        #[arg(long)]
        yes: bool,
    },
    /// Print the desired-state file (TOML; JSON with --json) that describes these tenants'
    /// monthly reports as they are now: `plan` on it finds no change.
    Export {
        /// A tenant's id (repeat for several).
        #[arg(long = "tenant", value_name = "UUID", required = true)]
        tenants: Vec<String>,
        /// Write to FILE (replaced only once complete) instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// How many requests are made at once (1 to 256).
        #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
        concurrency: u16,
    },
    /// Read usage data: a downloaded file (gzip or not; `-` for standard input), or a stored
    /// file straight from the API (ID STORED_ID). A table by default; --csv, --json (one
    /// record per line), or --billing for the billable totals by tenant and usage.
    Usage {
        /// FILE, or ID STORED_ID.
        #[arg(value_name = "FILE | ID STORED_ID", num_args = 1..=2, required = true)]
        source: Vec<String>,
        #[command(flatten)]
        view: UsageView,
    },
    /// The vendor's billing-report recipe: create a one-time usage report of the tenant for
    /// a month (saved, csv_v2_0 and json_v2_0, with SKUs), wait for its file, read it, print
    /// the billable totals by tenant and usage, and delete the report.
    Billing(BillingArgs),
    /// Download a stored file, decompressed.
    Download {
        /// The report's id.
        id: String,
        /// The stored file's id (see `stored`).
        stored_id: String,
        /// Where to write it [default: standard output].
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// Which reports a bulk command works on.
#[derive(Debug, Args)]
pub struct Bulk {
    /// Report ids.
    pub ids: Vec<String>,

    /// Every report of this tenant.
    #[arg(long, conflicts_with_all = ["ids", "ids_file"])]
    pub tenant: Option<String>,

    /// A file of report ids, one per line (`-` for standard input; blank lines and `#`
    /// comments are ignored; a repeated id is changed once).
    #[arg(long, value_name = "FILE", conflicts_with = "ids")]
    pub ids_file: Option<PathBuf>,

    /// Write the ids that did not end done (changed, unchanged or skipped) to FILE, one per
    /// line, to run again with --ids-file FILE. Replaced only when the run ends.
    #[arg(long, value_name = "FILE")]
    pub failed_ids: Option<PathBuf>,

    /// Send each change without reading the report first: one PUT per report, reported
    /// changed even when the report already was as asked (a one-time report fails: the API
    /// does not change these). Without it, each report is read first and only what differs is
    /// sent.
    #[arg(long, conflicts_with = "tenant")]
    pub no_read: bool,

    /// How many reports are changed at once (1 to 256).
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
}

/// The options of `billing`.
#[derive(Debug, Args)]
pub struct BillingArgs {
    /// The tenant (a partner, to bill its customers).
    #[arg(long, value_name = "UUID")]
    pub tenant: String,
    /// The month, YYYY-MM, one that has ended [default: the previous month, UTC].
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<String>,
    /// Which tenants the report covers [default: all_customers].
    #[arg(long, value_name = "LEVEL")]
    pub level: Option<String>,
    /// Keep the one-time report afterwards.
    #[arg(long)]
    pub keep_report: bool,
    /// Which generated file is read: csv_v2_0 (partners billed their production, the
    /// vendor's rule) or json_v2_0 (gives units, so totals in GiB and hours) [default:
    /// csv_v2_0].
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
}

/// How `usage` shows the records.
#[derive(Debug, Args)]
pub struct UsageView {
    /// One CSV row per record (tenant, tenant_kind, application, edition, usage_name, unit,
    /// absolute, delta, billable, infra_id).
    #[arg(long, conflicts_with = "billing")]
    pub csv: bool,

    /// The billable totals by tenant and usage instead of the records, by the vendor's rule.
    #[arg(long, long_help = concat!(
        "The billable totals by tenant and usage instead of the records, by the vendor's rule \
         (its source and the metrics: ",
        docs_url!("usage-data.md"),
        ")"
    ))]
    pub billing: bool,
}

/// The desired-state file of `plan` and `apply`.
#[derive(Debug, Args)]
pub struct DesiredArgs {
    /// The desired-state file: TOML, or JSON of the same shape (`-`: standard input).
    #[arg(value_name = "FILE", long_help = concat!(
        "The desired-state file: TOML, or JSON of the same shape (`-`: standard input). \
         `acronis-reports export` writes one; the file and the plan's actions: ",
        docs_url!("desired-state.md")
    ))]
    pub file: PathBuf,

    /// How many requests are made at once (1 to 256).
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
}

/// The members `update` and `patch` can change.
#[derive(Debug, Args)]
pub struct UpdateFields {
    /// schedule.enabled.
    #[arg(long, value_name = "true|false")]
    pub enabled: Option<bool>,

    /// A recipient's user id (repeat for several; replaces the recipients).
    #[arg(long = "recipient", value_name = "UUID")]
    pub recipients: Vec<String>,

    /// parameters.level: itself, direct_partners, all_partners, all_customers, accounts.
    #[arg(long, value_name = "LEVEL")]
    pub level: Option<String>,

    /// parameters.kind: usage_daily, usage_summary, usage_current, usage_breakdown.
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,

    /// parameters.hide_zero_usage.
    #[arg(long, value_name = "true|false")]
    pub hide_zero_usage: Option<bool>,

    /// parameters.show_skus.
    #[arg(long, value_name = "true|false")]
    pub show_skus: Option<bool>,
}

/// The members of a new report.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The tenant the report is about.
    #[arg(long)]
    pub tenant: String,

    /// parameters.level.
    #[arg(long, value_name = "LEVEL")]
    pub level: String,

    /// parameters.kind.
    #[arg(long, value_name = "KIND")]
    pub kind: String,

    /// E-mail the report to this user id (repeat for several) instead of saving it.
    #[arg(long = "send-to", value_name = "UUID")]
    pub send_to: Vec<String>,

    /// Generate it every month instead of once.
    #[arg(long)]
    pub monthly: bool,

    /// schedule.enabled.
    #[arg(long, value_name = "true|false")]
    pub enabled: Option<bool>,

    /// A format to generate (repeat for several): csv, html, json_v1, csv_v2_0, json_v2_0.
    #[arg(long = "format", value_name = "FORMAT")]
    pub formats: Vec<String>,

    /// The first day of the period, YYYY-MM-DD (with --end).
    #[arg(long, requires = "end", value_name = "DATE")]
    pub start: Option<String>,

    /// The last day of the period, YYYY-MM-DD (with --start).
    #[arg(long, requires = "start", value_name = "DATE")]
    pub end: Option<String>,

    /// parameters.hide_zero_usage.
    #[arg(long, value_name = "true|false")]
    pub hide_zero_usage: Option<bool>,

    /// parameters.show_skus.
    #[arg(long, value_name = "true|false")]
    pub show_skus: Option<bool>,

    /// The day a one-time report is generated, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub generation_date: Option<String>,
}
