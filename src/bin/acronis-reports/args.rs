//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Where the crate's documents are read on the web (a user of `cargo install` has no copy).
macro_rules! docs_url {
    ($file:literal) => {
        concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/", $file)
    };
}

/// The end of `--help`: examples, the exit codes, a word on secrets.
pub const EXIT_CODES: &str = concat!(
    "\
Examples:
  export ACRONIS_BASE_URL=https://eu2-cloud.acronis.com/api/2 ACRONIS_CLIENT_ID=...
  read -rs ACRONIS_CLIENT_SECRET && export ACRONIS_CLIENT_SECRET
  acronis-reports list --tenant 2a91a14d-ffd3-4ac1-9b4d-3990162c5acc
  acronis-reports disable --tenant 2a91a14d-ffd3-4ac1-9b4d-3990162c5acc --dry-run
  acronis-reports emulator   # a local test server, no credentials needed
  acronis-reports completions bash > ~/.local/share/bash-completion/completions/acronis-reports
Each command's --help has its own examples. The documents: ",
    docs_url!("cli.md"),
    "

Exit codes:
  0    everything succeeded
  1    plan --exit-code: there are changes to make; apply: the confirmation was
       declined (nothing was changed)
  2    usage or invalid input: nothing was sent when the command line, a named file
       or a positional id is at fault; in a bulk run, lines of --ids-file that are
       not ids (the others were processed); plan and apply: a desired-state file
       that cannot be applied as written (nothing was changed), or a saved plan that
       cannot be read (nothing was sent)
  3    the API refused: 4xx (authentication included, 429 excepted) or a redirect;
       refused credentials also stop a bulk run
  4    the server accepted a change, but its answer does not show the change applied
  5    network, timeout, 429 or 5xx (after retries; a bulk run stops when the service
       keeps failing), an answer that is not the API's, or a local write failed
       (standard output, --failed-ids, download -o, export -o, plan -o)
  6    apply PLAN: the saved plan is stale (a report it read changed, appeared or
       disappeared, a selector takes other tenants, or the plan made now differs):
       nothing was changed; plan again
  130  interrupted (SIGINT); 143: terminated (SIGTERM); 129: hung up (SIGHUP)
  141  standard output was closed by its reader (| head)
With several reports, the highest code among the failures.

Secrets: prefer ACRONIS_CLIENT_SECRET / ACRONIS_TOKEN in the environment, or --token-file,
over --client-secret / --token, which other users of the machine can see in the process list."
);

// The examples of each command, at the end of its help.
const EXAMPLES_COMPLETIONS: &str = "\
Examples:
  acronis-reports completions bash > ~/.local/share/bash-completion/completions/acronis-reports
  acronis-reports completions zsh > \"${fpath[1]}/_acronis-reports\"
  acronis-reports completions fish > ~/.config/fish/completions/acronis-reports.fish
  acronis-reports completions powershell >> $PROFILE";
const EXAMPLES_DISABLE: &str = "\
Examples:
  acronis-reports disable 20dffb36-d77b-45c6-b2fa-39276e98d5fc
  acronis-reports disable --tenant 2a91a14d-ffd3-4ac1-9b4d-3990162c5acc --dry-run
  acronis-reports disable --ids-file ids.txt --failed-ids left.txt
  acronis-reports disable --ids-file left.txt --failed-ids left.txt   # what is left, later";

const EXAMPLES_ENABLE: &str = "\
Examples:
  acronis-reports enable 20dffb36-d77b-45c6-b2fa-39276e98d5fc
  acronis-reports enable --tenant 2a91a14d-ffd3-4ac1-9b4d-3990162c5acc
  grep -v '^#' ids.txt | acronis-reports --json enable --ids-file -";

const EXAMPLES_UPDATE: &str = "\
Examples:
  acronis-reports update 20dffb36-d77b-45c6-b2fa-39276e98d5fc --level all_customers
  acronis-reports update --tenant 2a91a14d-ffd3-4ac1-9b4d-3990162c5acc --show-skus true
  acronis-reports update --ids-file ids.txt --recipient ca451758-b48a-45d9-9ae6-8f1059f67619";

const EXAMPLES_PATCH: &str = "\
Examples:
  acronis-reports patch --enabled false --level accounts";

const EXAMPLES_SHOW: &str = "\
Examples:
  acronis-reports show 20dffb36-d77b-45c6-b2fa-39276e98d5fc
  acronis-reports --json show 20dffb36-d77b-45c6-b2fa-39276e98d5fc | jq .version";

const EXAMPLES_LIST: &str = "\
Examples:
  acronis-reports list --tenant 2a91a14d-ffd3-4ac1-9b4d-3990162c5acc
  acronis-reports list --tenant 2a91a14d-ffd3-4ac1-9b4d-3990162c5acc --ids-only > ids.txt";

const EXAMPLES_CREATE: &str = "\
Examples:
  acronis-reports create --tenant 2a91a14d-ffd3-4ac1-9b4d-3990162c5acc --level accounts \\
      --kind usage_summary --format csv --start 2026-10-01 --end 2026-10-31
  acronis-reports create --tenant 2a91a14d-ffd3-4ac1-9b4d-3990162c5acc --level all_customers \\
      --kind usage_summary --monthly --send-to ca451758-b48a-45d9-9ae6-8f1059f67619";

const EXAMPLES_DELETE: &str = "\
Examples:
  acronis-reports delete 20dffb36-d77b-45c6-b2fa-39276e98d5fc
  acronis-reports delete 20dffb36-d77b-45c6-b2fa-39276e98d5fc --version 1559561146224";

const EXAMPLES_STORED: &str = "\
Examples:
  acronis-reports stored 20dffb36-d77b-45c6-b2fa-39276e98d5fc";

const EXAMPLES_EMULATOR: &str = "\
Examples:
  acronis-reports emulator --port 8080
  acronis-reports emulator --seed reports.json --tenant 7c0f2a6e-5b1d-4e8a-9f3c-1d2e3f4a5b6c
  acronis-reports emulator --delay-ms 50   # every answer a 50 ms round trip late";

const EXAMPLES_PLAN: &str = "\
Examples:
  acronis-reports plan reports.toml
  acronis-reports plan reports.toml --exit-code || echo \"the reports drifted\"
  acronis-reports plan reports.toml -o reports.plan.json   # review it, then: apply reports.plan.json";

const EXAMPLES_APPLY: &str = "\
Examples:
  acronis-reports apply reports.toml
  acronis-reports apply reports.toml --dry-run
  acronis-reports apply reports.toml --yes   # in CI, without a terminal
  acronis-reports apply reports.plan.json    # a saved plan: exactly it, or nothing (exit 6)";

const EXAMPLES_EXPORT: &str = "\
Examples:
  acronis-reports export --tenant 2a91a14d-ffd3-4ac1-9b4d-3990162c5acc -o reports.toml
  acronis-reports export --under f1f1f1f1-0000-4000-8000-000000000001 --group -o partner.toml";

const EXAMPLES_USAGE: &str = "\
Examples:
  acronis-reports usage report.csv.gz
  acronis-reports usage report.csv --billing
  acronis-reports --json usage 20dffb36-d77b-45c6-b2fa-39276e98d5fc 8f0e1d2c-3b4a-4596-8776-5a4b3c2d1e0f";

const EXAMPLES_BILLING: &str = "\
Examples:
  acronis-reports billing --tenant 2a91a14d-ffd3-4ac1-9b4d-3990162c5acc
  acronis-reports billing --tenant 2a91a14d-ffd3-4ac1-9b4d-3990162c5acc --month 2026-10 --format json_v2_0";

const EXAMPLES_DOWNLOAD: &str = "\
Examples:
  acronis-reports download 20dffb36-d77b-45c6-b2fa-39276e98d5fc 8f0e1d2c-3b4a-4596-8776-5a4b3c2d1e0f -o usage.csv";

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

/// Options of every command, under their own heading in each command's help.
///
/// The variables are read after parsing (see [`Global::fill_from_environment`]), not by clap: clap
/// would name an option set by the environment in the usage line of its errors, as if it had
/// to be given, and could show its value.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// The API's base URL, e.g. https://eu2-cloud.acronis.com/api/2 [env: ACRONIS_BASE_URL].
    #[arg(long, value_name = "URL", global = true)]
    pub base_url: Option<String>,

    /// A bearer token (prefer ACRONIS_TOKEN or --token-file: a flag shows in the process
    /// list) [env: ACRONIS_TOKEN].
    #[arg(long, global = true)]
    pub token: Option<String>,

    /// A file holding the bearer token.
    #[arg(long, value_name = "FILE", global = true)]
    pub token_file: Option<PathBuf>,

    /// The API client's id, for client-credentials authentication [env: ACRONIS_CLIENT_ID].
    #[arg(long, value_name = "ID", global = true)]
    pub client_id: Option<String>,

    /// The API client's secret (prefer ACRONIS_CLIENT_SECRET: a flag shows in the process
    /// list) [env: ACRONIS_CLIENT_SECRET].
    #[arg(long, value_name = "SECRET", global = true)]
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

impl Global {
    /// Notes which credentials the command line gave, then fills the options it left out from
    /// the environment (`ACRONIS_BASE_URL`, `ACRONIS_TOKEN`, `ACRONIS_CLIENT_ID`,
    /// `ACRONIS_CLIENT_SECRET`; an empty variable counts as unset).
    ///
    /// # Errors
    ///
    /// A variable that is not valid Unicode, by name (its value is not shown).
    pub fn fill_from_environment(&mut self) -> Result<(), String> {
        self.from_command_line = FromCommandLine {
            client_id: self.client_id.is_some(),
            client_secret: self.client_secret.is_some(),
            token: self.token.is_some(),
            token_file: self.token_file.is_some(),
        };
        for (option, name) in [
            (&mut self.base_url, "ACRONIS_BASE_URL"),
            (&mut self.token, "ACRONIS_TOKEN"),
            (&mut self.client_id, "ACRONIS_CLIENT_ID"),
            (&mut self.client_secret, "ACRONIS_CLIENT_SECRET"),
        ] {
            if option.is_some() {
                continue;
            }
            match std::env::var(name) {
                Ok(value) if !value.is_empty() => *option = Some(value),
                Ok(_) | Err(std::env::VarError::NotPresent) => {}
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(format!("{name} is not valid Unicode text"));
                }
            }
        }
        Ok(())
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Switch monthly reports off.
    #[command(after_help = EXAMPLES_DISABLE)]
    Disable(Bulk),
    /// Switch monthly reports on.
    #[command(after_help = EXAMPLES_ENABLE)]
    Enable(Bulk),
    /// Change monthly reports: only the members given are sent.
    #[command(after_help = EXAMPLES_UPDATE)]
    Update {
        #[command(flatten)]
        bulk: Bulk,
        #[command(flatten)]
        fields: UpdateFields,
    },
    /// Print the minimal JSON patch for these changes; touches no network.
    #[command(after_help = EXAMPLES_PATCH)]
    Patch {
        #[command(flatten)]
        fields: UpdateFields,
    },
    /// Show a report.
    #[command(after_help = EXAMPLES_SHOW)]
    Show {
        /// The report's id.
        id: String,
    },
    /// List a tenant's reports.
    ///
    /// A table of their key members (each report is read), or with --ids-only their ids.
    #[command(after_help = EXAMPLES_LIST)]
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
    #[command(after_help = EXAMPLES_CREATE)]
    Create(CreateArgs),
    /// Delete a report: its current version, read first, unless --version pins one.
    #[command(after_help = EXAMPLES_DELETE)]
    Delete {
        /// The report's id.
        id: String,
        /// Delete only this version (see `show`): refused by the API when the report has
        /// changed since. Without it, the report is read and its current version deleted.
        #[arg(long)]
        version: Option<i64>,
    },
    /// List the files a report produced.
    #[command(after_help = EXAMPLES_STORED)]
    Stored {
        /// The report's id.
        id: String,
    },
    /// Run a local emulator of the reports API, for tries and tests.
    ///
    /// To try commands or test scripts without credentials: prints its base URL and
    /// credentials (and a line to paste), serves until interrupted.
    #[command(after_help = EXAMPLES_EMULATOR)]
    Emulator {
        /// The port on 127.0.0.1 [default: any free one].
        #[arg(long, default_value_t = 0, hide_default_value = true)]
        port: u16,
        /// Start with the reports in this JSON file (an array of reports, or `{"items": [...]}`)
        /// instead of the two seeded ones, or with a tenant tree and reports
        /// (`{"tenants": [...], "reports": [...]}`).
        #[arg(long, value_name = "FILE")]
        seed: Option<PathBuf>,
        /// Make this tenant exist with no reports (repeat for several), for `plan` and
        /// `apply` to create its first ones. Tenants of the seeded reports exist.
        #[arg(long = "tenant", value_name = "UUID")]
        tenants: Vec<String>,
        /// Send every answer of the API (not of the admin interface) N milliseconds after its
        /// request, as a distant data centre would: to measure a script or a bulk run against
        /// a round trip (0 to 600000) [default: 0, at once].
        #[arg(long, value_name = "N", default_value_t = 0, hide_default_value = true,
            value_parser = clap::value_parser!(u64).range(0..=600_000))]
        delay_ms: u64,
    },
    /// Show what `apply` would change (sends only GET requests).
    ///
    /// What would change so that the tenants' monthly reports are as FILE says (`+` create,
    /// `~` update, `+/-` replace, `-` delete). Sends only GET requests. With -o PLAN, the
    /// plan is saved for `apply PLAN`.
    #[command(after_help = EXAMPLES_PLAN)]
    Plan {
        #[command(flatten)]
        desired: DesiredArgs,
        /// Exit 1 when there are changes to make, 0 when there are none.
        #[arg(long)]
        exit_code: bool,
        /// Also save the plan to PLAN (JSON, replaced only once complete), for `apply PLAN`:
        /// that applies exactly this plan, and refuses (exit 6) if anything it read has
        /// changed.
        #[arg(
            short = 'o',
            long = "output",
            visible_alias = "out",
            value_name = "PLAN"
        )]
        out: Option<PathBuf>,
    },
    /// Make the tenants' monthly reports as FILE says.
    ///
    /// Plan, show the plan, ask for confirmation, apply (creates and updates, then
    /// replacements, then deletes), each write verified. With --dry-run: plan, and print the
    /// writes instead of sending them, in that order.
    ///
    /// FILE may be a plan saved by `plan FILE -o PLAN` (told by its content): the same reads
    /// are made again, and exactly that plan is applied; if any report it read has another
    /// version, appeared or disappeared, a selector takes other tenants, or the plan made
    /// now differs, nothing is written and the exit code is 6.
    #[command(after_help = EXAMPLES_APPLY)]
    Apply {
        #[command(flatten)]
        desired: DesiredArgs,
        /// Apply without asking (required when standard input is not a terminal).
        #[arg(long)]
        yes: bool,
    },
    /// Print the desired-state file of tenants' monthly reports as they are.
    ///
    /// The file (TOML; JSON with --json) describes these tenants' monthly reports as they are
    /// now: `plan` on it finds no change. --under T takes every tenant below T (customers,
    /// enabled ones, unless --tenant-kind says otherwise); with --group, reports alike in
    /// most of them become one entry with `tenants_under`.
    #[command(after_help = EXAMPLES_EXPORT)]
    #[command(group(clap::ArgGroup::new("scope").required(true).args(["tenants", "under"])))]
    Export {
        /// A tenant's id (repeat for several).
        #[arg(long = "tenant", value_name = "UUID")]
        tenants: Vec<String>,
        /// Every tenant below this one, listed from the API (not itself).
        #[arg(long, value_name = "UUID")]
        under: Option<String>,
        /// With --under: the kinds of tenant taken (repeat for several; default customer).
        #[arg(long = "tenant-kind", value_name = "KIND", requires = "under", value_parser = ["partner", "folder", "customer", "unit"])]
        tenant_kinds: Vec<String>,
        /// With --under: one entry with `tenants_under` for the reports most tenants have
        /// alike, the tenants that differ excluded and given entries of their own.
        #[arg(long, requires = "under")]
        group: bool,
        /// Write to FILE (replaced only once complete) instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// How many requests are made at once (1 to 256).
        #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
        concurrency: u16,
    },
    /// Read usage data from a file or straight from the API.
    ///
    /// A downloaded file (gzip or not; `-` for standard input), or a stored file straight from
    /// the API (ID STORED_ID). A table by default; --csv, --json (one record per line), or
    /// --billing for the billable totals by tenant and usage.
    #[command(after_help = EXAMPLES_USAGE)]
    Usage {
        /// FILE, or ID STORED_ID.
        #[arg(value_name = "FILE | ID STORED_ID", num_args = 1..=2, required = true)]
        source: Vec<String>,
        #[command(flatten)]
        view: UsageView,
    },
    /// Bill a month: the billable totals by tenant and usage.
    ///
    /// The vendor's billing-report recipe: create a one-time usage report of the tenant for a
    /// month (the previous one by default; saved, csv_v2_0 and json_v2_0, with SKUs), wait for
    /// its file, read it, print the billable totals by tenant and usage, and delete the
    /// report.
    #[command(after_help = EXAMPLES_BILLING)]
    Billing(BillingArgs),
    /// Print a completion script for a shell: the commands, options and values, on TAB.
    #[command(after_help = EXAMPLES_COMPLETIONS)]
    Completions {
        /// The shell.
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Download a stored file, decompressed.
    #[command(after_help = EXAMPLES_DOWNLOAD)]
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
    /// The desired-state file: TOML, or JSON of the same shape (`-`: standard input); for
    /// apply, also a plan saved by `plan -o`.
    #[arg(value_name = "FILE", long_help = concat!(
        "The desired-state file: TOML, or JSON of the same shape (`-`: standard input); for \
         apply, also a plan saved by `plan FILE -o PLAN`. \
         `acronis-reports export` writes one; the file, the plan's actions and saved plans: ",
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
