//! The tenant calls: `Client::tenant`, `tenant_children`, `tenant_pages` and `tenants_under`
//! against mockito (the exact requests, canned pages) and the emulator's tenant tree (what a
//! listing sees, and the emulator's own answers).
#![cfg(feature = "ureq")]

use crate::common::{self, client};

use acronis_reports::endpoint::Endpoint;
use acronis_reports::tenant::Tenant;
use acronis_reports::{Error, InputKind, TenantId, TenantKind};
use mockito::{Matcher, Server};
use serde_json::{Value, json};

const ROOT: &str = "f1f1f1f1-0000-4000-8000-000000000001";
const P1: &str = "a1a1a1a1-0000-4000-8000-000000000001";
const P2: &str = "a2a2a2a2-0000-4000-8000-000000000002";
const C1: &str = "c1c1c1c1-0000-4000-8000-000000000001";
const C2: &str = "c2c2c2c2-0000-4000-8000-000000000002";

fn id(text: &str) -> TenantId {
    text.parse().unwrap()
}

/// A tenant as `lod=basic` lists it.
fn basic(id: &str, parent: &str, kind: &str) -> Value {
    json!({"id": id, "parent_id": parent, "version": 1, "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z", "deleted_at": null, "contacts": [],
        "offering_items": [], "name": format!("{kind} {}", &id[..4]), "kind": kind,
        "enabled": true})
}

/// A `tenantBatch` page of `items`, with `paging.cursors.after` when `after` is given.
fn page(items: &[Value], after: Option<&str>) -> String {
    let mut body = json!({"timestamp": "2026-12-03T10:00:00Z", "items": items});
    if let Some(after) = after {
        body["paging"] = json!({"cursors": {"after": after}});
    }
    body.to_string()
}

fn first_page_path() -> String {
    format!("/api/2/tenants?subtree_root_id={ROOT}&lod=basic")
}

fn ids(tenants: &[Tenant]) -> Vec<String> {
    tenants.iter().map(|t| t.id.to_string()).collect()
}

#[test]
fn a_listing_follows_every_cursor_sending_only_it_and_stops_after_the_last_page() {
    let mut server = Server::new();
    let first = server
        .mock("GET", first_page_path().as_str())
        .match_header(
            "authorization",
            format!("Bearer {}", common::TOKEN).as_str(),
        )
        .match_header("accept", "application/json")
        .with_body(page(
            &[basic(ROOT, ROOT, "partner"), basic(P1, ROOT, "partner")],
            Some("c-2"),
        ))
        .expect(1)
        .create();
    // The second page lists P1 again (the listing shifted): it is kept once.
    let second = server
        .mock("GET", "/api/2/tenants?after=c-2")
        .with_body(page(
            &[basic(P1, ROOT, "partner"), basic(C1, P1, "customer")],
            Some("c-3"),
        ))
        .expect(1)
        .create();
    let third = server
        .mock("GET", "/api/2/tenants?after=c-3")
        .with_body(page(&[basic(C2, P1, "customer")], None))
        .expect(1)
        .create();
    let tenants = client(&server.url()).tenants_under(ROOT).unwrap();
    first.assert();
    second.assert();
    third.assert();
    assert_eq!(ids(&tenants), [ROOT, P1, C1, C2]);
    assert_eq!(tenants[2].kind, TenantKind::Customer);
    assert_eq!(tenants[2].parent_id, Some(id(P1)));
    assert_eq!(tenants[2].name, "customer c1c1");
}

#[test]
fn the_pages_come_one_by_one_each_with_its_cursor_and_nothing_is_sent_before_the_first() {
    let mut server = Server::new();
    let nothing = server.mock("GET", Matcher::Any).expect(0).create();
    let client = client(&server.url());
    let mut pages = client.tenant_pages(ROOT).unwrap();
    assert_eq!(pages.root(), id(ROOT));
    assert_eq!(pages.pages_read(), 0);
    nothing.assert();
    nothing.remove();
    let _first = server
        .mock("GET", first_page_path().as_str())
        .with_body(page(&[basic(ROOT, ROOT, "partner")], Some("next")))
        .create();
    let _second = server
        .mock("GET", "/api/2/tenants?after=next")
        .with_body(page(&[basic(P1, ROOT, "partner")], None))
        .create();
    let one = pages.next().unwrap().unwrap();
    assert_eq!(
        (ids(&one.items), one.after.as_deref()),
        (vec![ROOT.to_owned()], Some("next"))
    );
    let two = pages.next().unwrap().unwrap();
    assert_eq!((ids(&two.items), two.after), (vec![P1.to_owned()], None));
    assert!(pages.next().is_none());
    assert!(pages.next().is_none());
    assert_eq!(pages.pages_read(), 2);
}

#[test]
fn a_page_without_paging_is_the_last() {
    let mut server = Server::new();
    let only = server
        .mock("GET", first_page_path().as_str())
        .with_body(r#"{"timestamp": "2026-12-03T10:00:00Z", "items": []}"#)
        .expect(1)
        .create();
    let others = server
        .mock("GET", Matcher::Regex("after=".into()))
        .expect(0)
        .create();
    let mut pages = client(&server.url()).tenant_pages(ROOT).unwrap();
    let page = pages.next().unwrap().unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.after, None);
    assert!(pages.next().is_none());
    only.assert();
    others.assert();
}

#[test]
fn a_cursor_given_again_ends_the_listing_with_a_decode_error_naming_the_call() {
    // Straight back to the same cursor, and round a circle of two.
    for cursors in [&["c1", "c1"][..], &["c1", "c2", "c1"][..]] {
        let mut server = Server::new();
        let _first = server
            .mock("GET", first_page_path().as_str())
            .with_body(page(&[basic(ROOT, ROOT, "partner")], Some(cursors[0])))
            .expect(1)
            .create();
        let mut mocks = Vec::new();
        for pair in cursors.windows(2) {
            mocks.push(
                server
                    .mock("GET", format!("/api/2/tenants?after={}", pair[0]).as_str())
                    .with_body(page(&[basic(P1, ROOT, "partner")], Some(pair[1])))
                    .expect(1)
                    .create(),
            );
        }
        let err = client(&server.url()).tenants_under(ROOT).unwrap_err();
        for mock in &mocks {
            mock.assert();
        }
        let Error::Decode { call, error, .. } = &err else {
            panic!("{cursors:?}: expected Decode, got {err:?}");
        };
        let last_sent = cursors[cursors.len() - 2];
        assert_eq!(
            call.endpoint,
            Endpoint::TenantsUnderNext {
                root: id(ROOT),
                after: last_sent.to_owned()
            }
        );
        assert_eq!(err.endpoint().and_then(|e| e.tenant_id()), Some(id(ROOT)));
        assert_eq!(error.what, "tenant page");
        assert_eq!(error.path, "paging.cursors.after");
        assert!(error.message.contains("given before"), "{}", error.message);
        assert!(
            err.to_string()
                .starts_with(&format!("GET /tenants?after={last_sent}")),
            "{err}"
        );
    }
}

#[test]
fn the_iterator_ends_after_an_error() {
    let mut server = Server::new();
    let _first = server
        .mock("GET", first_page_path().as_str())
        .with_status(503)
        .with_body(r#"{"error": {"code": 503, "message": "busy"}}"#)
        .expect(1)
        .create();
    let mut pages = client(&server.url()).tenant_pages(ROOT).unwrap();
    let err = pages.next().unwrap().unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.endpoint(), Some(Endpoint::TenantsUnder(id(ROOT))));
    assert!(pages.next().is_none());
}

#[test]
fn a_cursor_is_sent_percent_encoded() {
    let cursor = "eyJ0IjoxfQ==+/ a&b?é";
    let mut server = Server::new();
    let _first = server
        .mock("GET", first_page_path().as_str())
        .with_body(page(&[basic(ROOT, ROOT, "partner")], Some(cursor)))
        .create();
    let next = server
        .mock(
            "GET",
            "/api/2/tenants?after=eyJ0IjoxfQ%3D%3D%2B%2F%20a%26b%3F%C3%A9",
        )
        .with_body(page(&[basic(P1, ROOT, "partner")], None))
        .expect(1)
        .create();
    let tenants = client(&server.url()).tenants_under(ROOT).unwrap();
    next.assert();
    assert_eq!(ids(&tenants), [ROOT, P1]);
}

#[test]
fn a_page_that_is_not_the_apis_is_a_decode_error_naming_the_member() {
    let mut server = Server::new();
    let _first = server
        .mock("GET", first_page_path().as_str())
        .with_body(r#"{"timestamp": "t", "items": [{"id": "f1f1f1f1-0000-4000-8000-000000000001", "enabled": true}]}"#)
        .create();
    let err = client(&server.url()).tenants_under(ROOT).unwrap_err();
    let Error::Decode { call, error, .. } = &err else {
        panic!("expected Decode, got {err:?}");
    };
    assert_eq!(call.endpoint, Endpoint::TenantsUnder(id(ROOT)));
    assert!(error.path.starts_with("items[0]"), "{}", error.path);
}

#[test]
fn a_root_that_is_no_uuid_is_refused_before_anything_is_sent() {
    let mut server = Server::new();
    let nothing = server.mock("GET", Matcher::Any).expect(0).create();
    let client = client(&server.url());
    common::assert_invalid_input(
        &client.tenant_pages("not-a-uuid").unwrap_err(),
        InputKind::Id,
    );
    common::assert_invalid_input(
        &client.tenants_under("not-a-uuid").unwrap_err(),
        InputKind::Id,
    );
    common::assert_invalid_input(&client.tenant("x").unwrap_err(), InputKind::Id);
    common::assert_invalid_input(&client.tenant_children("x").unwrap_err(), InputKind::Id);
    nothing.assert();
}

#[test]
fn a_tenant_is_fetched_and_an_unknown_one_is_an_api_error_with_its_endpoint() {
    let mut server = Server::new();
    let _found = server
        .mock("GET", format!("/api/2/tenants/{C1}").as_str())
        .with_body(basic(C1, P1, "customer").to_string())
        .expect(1)
        .create();
    let _missing = server
        .mock("GET", format!("/api/2/tenants/{C2}").as_str())
        .with_status(404)
        .with_body(r#"{"error": {"code": 404, "message": "Tenant not found", "domain": "PlatformAccountServer", "details": {"info": null}}}"#)
        .expect(1)
        .create();
    let client = client(&server.url());
    let tenant = client.tenant(C1.to_uppercase()).unwrap();
    assert_eq!(tenant.id, id(C1));
    assert_eq!(tenant.kind, TenantKind::Customer);
    let err = client.tenant(C2).unwrap_err();
    let Error::Api(api) = &err else {
        panic!("expected Api, got {err:?}");
    };
    assert_eq!(api.status, 404);
    assert_eq!(api.endpoint, Endpoint::Tenant(id(C2)));
    assert_eq!(api.path, format!("/tenants/{C2}"));
    assert_eq!(api.message.as_deref(), Some("Tenant not found"));
    assert_eq!(err.endpoint().and_then(|e| e.tenant_id()), Some(id(C2)));
    assert!(err.to_string().contains("check the tenant id"), "{err}");
}

#[test]
fn a_tenant_answered_for_another_is_a_decode_error() {
    let mut server = Server::new();
    let _other = server
        .mock("GET", format!("/api/2/tenants/{C1}").as_str())
        .with_body(basic(C2, P1, "customer").to_string())
        .create();
    let err = client(&server.url()).tenant(C1).unwrap_err();
    let Error::Decode { call, error, .. } = &err else {
        panic!("expected Decode, got {err:?}");
    };
    assert_eq!(call.endpoint, Endpoint::Tenant(id(C1)));
    assert_eq!(error.path, "id");
    assert!(error.message.contains(C2), "{}", error.message);
}

#[test]
fn children_are_ids_each_once_and_a_list_pointing_to_a_next_page_is_refused() {
    let mut server = Server::new();
    let _children = server
        .mock("GET", format!("/api/2/tenants/{P1}/children").as_str())
        .with_body(json!({"items": [C2, C1, C2]}).to_string())
        .expect(1)
        .create();
    let _paged = server
        .mock("GET", format!("/api/2/tenants/{P2}/children").as_str())
        .with_body(json!({"items": [C1], "paging": {"cursors": {"after": "x"}}}).to_string())
        .create();
    let client = client(&server.url());
    assert_eq!(client.tenant_children(P1).unwrap(), [id(C2), id(C1)]);
    let err = client.tenant_children(P2).unwrap_err();
    let Error::Decode { call, error, .. } = &err else {
        panic!("expected Decode, got {err:?}");
    };
    assert_eq!(call.endpoint, Endpoint::TenantChildren(id(P2)));
    assert_eq!(error.path, "paging.cursors.after");
}

#[test]
fn the_pages_can_go_to_another_thread() {
    fn assert_send<T: Send + 'static>() {}
    assert_send::<acronis_reports::TenantPages>();
}

#[test]
fn a_saved_plan_whose_selector_now_takes_another_tenant_is_stale_before_any_write() {
    use acronis_reports::desired::{DesiredReport, DesiredReports, TenantSelector};
    use acronis_reports::saved_plan::{SavedPlan, Stale};
    use acronis_reports::{Level, ReportKind};

    const C3: &str = "c3c3c3c3-0000-4000-8000-000000000003";
    let mut server = Server::new();
    let subtree = |customers: &[&str]| {
        let mut items = vec![basic(ROOT, ROOT, "partner")];
        items.extend(customers.iter().map(|c| basic(c, ROOT, "customer")));
        page(&items, None)
    };
    let listing = server
        .mock("GET", first_page_path().as_str())
        .with_body(subtree(&[C1, C2]))
        .create();
    for tenant in [C1, C2, C3] {
        server
            .mock("GET", format!("/api/2/tenants/{tenant}/reports").as_str())
            .with_body(r#"{"items": []}"#)
            .create();
    }
    let writes = server.mock("POST", Matcher::Any).expect(0).create();
    let desired = DesiredReports::new([DesiredReport::under(
        TenantSelector::under(id(ROOT)),
        Level::Itself,
        ReportKind::UsageSummary,
    )
    .save()]);
    let client = client(&server.url());
    let plan = client.plan(&desired, 2).unwrap();
    assert_eq!(plan.summary().create, 2);
    let saved = SavedPlan::new(&plan, &desired, desired.to_json_string().as_bytes());
    let text = saved.to_json_string();
    let file: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        file["reads"]["selectors"],
        json!([{"entry": 1, "tenants": [C1, C2]}])
    );
    let saved = SavedPlan::from_json(text.as_bytes()).unwrap();
    assert!(client.check_saved(&saved, 2).is_ok(), "nothing changed yet");

    // A customer arrives under the root.
    listing.remove();
    server
        .mock("GET", first_page_path().as_str())
        .with_body(subtree(&[C1, C2, C3]))
        .create();
    let err = client.apply_saved(&saved, 2).unwrap_err();
    let Error::Stale(stale) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        stale.reasons(),
        [Stale::SelectorChanged {
            entry: 1,
            tenants: 3,
            added: vec![id(C3)],
            removed: vec![],
        }]
    );
    assert_eq!(
        stale.reasons()[0].to_string(),
        format!("entry 1's selector now resolves to 3 tenants: added {C3}")
    );
    writes.assert();
}
