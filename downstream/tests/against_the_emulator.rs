//! The utility against the emulator, with faults injected: as a user tests their own code.

use acronis_reports::{Client, Report, ReportId, RetryPolicy, TenantId, Uuid};
use acronis_reports_emulator::{Emulator, MONTHLY_REPORT_ID, ONCE_REPORT_ID, TENANT_ID, TOKEN};
use downstream_check::{Action, Line, disable_listed, disabled_ids};

fn client(emulator: &Emulator) -> Client {
    Client::builder()
        .base_url(emulator.base_url())
        .bearer_token(TOKEN)
        .retry_policy(RetryPolicy::new().base_delay(std::time::Duration::from_millis(1)))
        .poll_interval(std::time::Duration::from_millis(10))
        .build()
        .unwrap()
}

#[test]
fn a_file_of_ids_is_disabled_and_each_failure_gets_its_action() {
    let emulator = Emulator::start().unwrap();
    let ids = emulator.add_monthly_reports(3);
    let text = format!(
        "# reports to switch off\n{}\n{}\n\n{ONCE_REPORT_ID}\n00000000-0000-4000-8000-000000000000\n{}\n",
        ids[0], ids[1], ids[2]
    );
    // The third report's calls all fail with 503: retried, then given up.
    emulator.fail_report(&ids[2], 503);
    let lines = disable_listed(&client(&emulator), &text, 2);
    assert_eq!(lines.len(), 5);
    let action = |id: &str| match &lines.iter().find(|(l, _)| l == id).unwrap().1 {
        Line::Disabled(_) => None,
        Line::Failed(_, action) => Some(*action),
    };
    assert_eq!(action(&ids[0]), None);
    assert_eq!(action(&ids[1]), None);
    assert_eq!(action(ONCE_REPORT_ID), Some(Action::Skip));
    assert_eq!(
        action("00000000-0000-4000-8000-000000000000"),
        Some(Action::Skip)
    );
    assert_eq!(action(&ids[2]), Some(Action::RetryLater));
    // The ids a run returns go to the next call as they are: no `.to_string()`.
    let c = client(&emulator);
    for id in disabled_ids(&lines) {
        assert!(!c.get_report(id).unwrap().schedule.enabled);
        let held: Report = emulator.report(id).unwrap();
        assert!(!held.schedule.enabled);
    }
}

#[test]
#[allow(clippy::needless_borrows_for_generic_args)] // references too, on purpose
fn ids_in_every_form_a_user_holds() {
    let emulator = Emulator::start().unwrap();
    let c = client(&emulator);
    let text: &str = MONTHLY_REPORT_ID;
    let owned: String = text.to_uppercase();
    let typed: ReportId = text.parse().unwrap();
    let uuid: Uuid = typed.into();
    let report = c.get_report(text).unwrap();
    c.get_report(&owned).unwrap();
    c.get_report(owned).unwrap();
    c.get_report(typed).unwrap();
    c.get_report(&typed).unwrap();
    c.get_report(uuid).unwrap();
    c.get_report(&report).unwrap();
    let tenant: TenantId = TENANT_ID.parse().unwrap();
    let listed = c.list_report_ids(tenant).unwrap();
    assert!(listed.contains(&typed));
    // A stored file is downloaded from the listing itself.
    let created = c
        .create_report(&acronis_reports::NewReport::new(
            tenant,
            acronis_reports::Level::Accounts,
            acronis_reports::ReportKind::UsageCurrent,
        ))
        .unwrap();
    let saved = c
        .wait_for_stored_report(&created, std::time::Duration::from_secs(10))
        .unwrap();
    let mut file = Vec::new();
    c.download_stored_report(&created, &saved, &mut file)
        .unwrap();
    assert_eq!(file, Emulator::file_content(created.id, 4096));
}
