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

// The emulator's tenant tree.

use acronis_reports_emulator::{Emulator, TOKEN as EMULATOR_TOKEN};

const F1: &str = "f0f0f0f0-0000-4000-8000-000000000001";
const U1: &str = "e1e1e1e1-0000-4000-8000-000000000001";
const C3: &str = "c3c3c3c3-0000-4000-8000-000000000003";

/// A tree given children before parents: ROOT (partner) holds P2, P1 and a folder F1; P1
/// holds C1 and C2 (disabled), P2 holds C3 (deleted); C1 holds a unit U1.
fn tree() -> Vec<Value> {
    vec![
        json!({"id": U1, "parent_id": C1, "kind": "unit", "name": "Unit"}),
        json!({"id": C1, "parent_id": P1, "kind": "customer", "name": "Zeta"}),
        json!({"id": ROOT, "kind": "partner", "name": "Provider"}),
        json!({"id": P2, "parent_id": ROOT, "kind": "partner", "name": "Partner 2"}),
        json!({"id": P1, "parent_id": ROOT, "kind": "partner", "name": "Partner 1"}),
        json!({"id": C2, "parent_id": P1, "kind": "customer", "name": "Alpha", "enabled": false}),
        json!({"id": C3, "parent_id": P2, "kind": "customer", "deleted_at": "2026-11-01T00:00:00Z"}),
        json!({"id": F1, "parent_id": ROOT, "kind": "folder", "version": 7}),
    ]
}

fn tree_emulator(page_size: usize) -> Emulator {
    Emulator::builder()
        .tenants(tree())
        .tenant_page_size(page_size)
        .start()
        .unwrap()
}

/// `GET /api/2{path}` at `emulator` with its token: the status and the JSON body.
fn get(emulator: &Emulator, path: &str) -> (u16, Value) {
    let auth = format!("Bearer {EMULATOR_TOKEN}");
    common::ask(
        &emulator.base_url(),
        "GET",
        path,
        &[("authorization", &auth)],
        "",
    )
}

/// `text` percent-encoded but for letters and digits.
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The listing's requests the emulator saw: their queries, in order.
fn listing_queries(emulator: &Emulator) -> Vec<String> {
    emulator
        .requests()
        .iter()
        .filter(|r| r.path == "/api/2/tenants")
        .map(|r| r.query.clone().unwrap_or_default())
        .collect()
}

#[test]
fn the_emulators_tree_is_listed_by_level_over_pages_and_the_next_pages_send_only_the_cursor() {
    let emulator = tree_emulator(2);
    let client = common::emulator_client(&emulator, acronis_reports::RetryPolicy::none());
    let tenants = client.tenants_under(ROOT).unwrap();
    // By level; within one, the children of an earlier tenant first, each one's in the order
    // they were added. The deleted C3 is left out, the disabled C2 is not.
    assert_eq!(ids(&tenants), [ROOT, P2, P1, F1, C1, C2, U1]);
    assert_eq!(tenants[0].parent_id, Some(id(ROOT)), "a top names itself");
    assert_eq!(tenants[3].kind, TenantKind::Folder);
    assert_eq!(tenants[3].version, Some(7));
    assert!(!tenants[5].enabled);
    let queries = listing_queries(&emulator);
    assert_eq!(queries.len(), 4, "{queries:?}");
    assert_eq!(queries[0], format!("subtree_root_id={ROOT}&lod=basic"));
    for query in &queries[1..] {
        let cursor = query
            .strip_prefix("after=")
            .unwrap_or_else(|| panic!("{query}"));
        assert!(
            cursor
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)),
            "{query}"
        );
    }
    // Under a customer: itself and its unit.
    assert_eq!(ids(&client.tenants_under(C1).unwrap()), [C1, U1]);
}

#[test]
fn the_last_page_has_paging_without_a_cursor_and_a_timestamp() {
    let emulator = tree_emulator(3);
    let (status, first) = get(
        &emulator,
        &format!("/tenants?subtree_root_id={ROOT}&lod=basic"),
    );
    assert_eq!(status, 200);
    assert!(
        first["timestamp"].as_str().unwrap().ends_with('Z'),
        "{first}"
    );
    let after = first["paging"]["cursors"]["after"].as_str().unwrap();
    let (_, second) = get(&emulator, &format!("/tenants?after={}", encoded(after)));
    let after = second["paging"]["cursors"]["after"].as_str().unwrap();
    let (status, last) = get(&emulator, &format!("/tenants?after={}", encoded(after)));
    assert_eq!(status, 200);
    assert_eq!(last["items"].as_array().unwrap().len(), 1);
    assert_eq!(last["paging"], json!({"cursors": {}}));
    // A cursor sent as it is, not percent-encoded: its `+` reads as a space, as a form's.
    let raw = first["paging"]["cursors"]["after"].as_str().unwrap();
    assert!(raw.starts_with("+/+/"), "{raw}");
    let (status, body) = get(&emulator, &format!("/tenants?after={raw}"));
    assert_eq!(status, 400, "{body}");
}

#[test]
fn each_level_of_detail_has_exactly_its_members() {
    let emulator = tree_emulator(100);
    let stamps = [
        "id",
        "parent_id",
        "version",
        "created_at",
        "updated_at",
        "deleted_at",
        "contacts",
        "offering_items",
    ];
    let basic: Vec<&str> = stamps
        .iter()
        .copied()
        .chain(["name", "kind", "enabled"])
        .collect();
    let full_required: Vec<&str> = basic
        .iter()
        .copied()
        .chain([
            "customer_type",
            "brand_id",
            "brand_uuid",
            "brand_enabled",
            "barrier",
            "internal_tag",
            "language",
            "has_children",
            "default_idp_id",
            "update_lock",
            "ancestral_access",
            "mfa_status",
            "pricing_mode",
            "contact",
        ])
        .collect();
    let members = |item: &Value| -> std::collections::BTreeSet<String> {
        item.as_object().unwrap().keys().cloned().collect()
    };
    let set = |names: &[&str]| -> std::collections::BTreeSet<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    };
    for (lod, expected) in [("stamps", &stamps[..]), ("basic", &basic[..])] {
        let (status, page) = get(
            &emulator,
            &format!("/tenants?subtree_root_id={ROOT}&lod={lod}"),
        );
        assert_eq!(status, 200, "{page}");
        let items = page["items"].as_array().unwrap();
        assert_eq!(items.len(), 7);
        for item in items {
            assert_eq!(members(item), set(expected), "lod={lod}: {item}");
        }
    }
    let (_, basic_page) = get(&emulator, &format!("/tenants?uuids={C2}&lod=basic"));
    assert_eq!(
        basic_page["items"][0],
        json!({"id": C2, "parent_id": P1, "version": 1, "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z", "deleted_at": null, "contacts": [],
            "offering_items": [], "name": "Alpha", "kind": "customer", "enabled": false})
    );
    // Full is the default, and holds every member the vendor's full variant requires.
    let (_, full) = get(&emulator, &format!("/tenants?subtree_root_id={ROOT}"));
    for item in full["items"].as_array().unwrap() {
        let have = members(item);
        for name in &full_required {
            assert!(have.contains(*name), "{name} missing: {item}");
        }
        let contact = &item["contact"];
        for name in [
            "id",
            "created_at",
            "updated_at",
            "types",
            "email",
            "firstname",
            "lastname",
        ] {
            assert!(contact.get(name).is_some(), "contact.{name}: {item}");
        }
    }
    assert_eq!(full["items"][0]["has_children"], true);
    assert_eq!(
        full["items"].as_array().unwrap().last().unwrap()["has_children"],
        false
    );
}

#[test]
fn exclusive_or_malformed_parameters_are_refused_with_400_in_the_vendors_error_shape() {
    let emulator = tree_emulator(100);
    let hundred_and_one: Vec<String> = (0..101)
        .map(|n| format!("00000000-0000-4000-8000-{n:012x}"))
        .collect();
    for query in [
        format!("subtree_root_id={ROOT}&parent_id={P1}"),
        format!("subtree_root_id={ROOT}&uuids={C1}"),
        format!("parent_id={P1}&uuids={C1}"),
        format!("parent_id={P1}&include_relative_path=true"),
        format!("uuids={}", hundred_and_one.join(",")),
        format!("uuids={C1},not-a-uuid"),
        format!("subtree_root_id={}", ROOT.to_uppercase()),
        format!("subtree_root_id={ROOT}&limit=0"),
        format!("subtree_root_id={ROOT}&limit=ten"),
        format!("subtree_root_id={ROOT}&limit=-1"),
        format!("subtree_root_id={ROOT}&lod=everything"),
        format!("subtree_root_id={ROOT}&allow_deleted=yes"),
        format!("subtree_root_id={ROOT}&lod=basic&lod=full"),
        "after=not-a-cursor".to_owned(),
        "after=%zz".to_owned(),
    ] {
        let (status, body) = get(&emulator, &format!("/tenants?{query}"));
        assert_eq!(status, 400, "{query}: {body}");
        let error = &body["error"];
        assert_eq!(error["code"], 400, "{query}: {body}");
        assert!(error["message"].is_string(), "{query}: {body}");
        assert!(error["domain"].is_string(), "{query}: {body}");
        assert!(error["details"]["info"].is_string(), "{query}: {body}");
    }
    // A hundred ids are allowed.
    let (status, _) = get(
        &emulator,
        &format!("/tenants?uuids={}", hundred_and_one[..100].join(",")),
    );
    assert_eq!(status, 200);
    // An unknown or deleted root: 404; no token: 401.
    for root in ["00000000-0000-4000-8000-000000000000", C3] {
        let (status, body) = get(&emulator, &format!("/tenants?subtree_root_id={root}"));
        assert_eq!(status, 404, "{body}");
    }
    let (status, _) = common::ask(
        &emulator.base_url(),
        "GET",
        &format!("/tenants?subtree_root_id={ROOT}"),
        &[],
        "",
    );
    assert_eq!(status, 401);
}

#[test]
fn uuids_parent_id_and_deleted_tenants() {
    let emulator = tree_emulator(100);
    let listed = |query: &str| -> Vec<String> {
        let (status, page) = get(&emulator, &format!("/tenants?{query}&lod=stamps"));
        assert_eq!(status, 200, "{query}: {page}");
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect()
    };
    // In the order asked, each once; unknown and deleted ones left out.
    let unknown = "00000000-0000-4000-8000-000000000000";
    assert_eq!(
        listed(&format!("uuids={C2},{unknown},{ROOT},{C2},{C3}")),
        [C2, ROOT]
    );
    assert_eq!(
        listed(&format!("uuids={C2},{C3}&allow_deleted=true")),
        [C2, C3]
    );
    // The children, not the parent.
    assert_eq!(listed(&format!("parent_id={ROOT}")), [P2, P1, F1]);
    assert_eq!(listed(&format!("parent_id={P2}")), Vec::<String>::new());
    assert_eq!(listed(&format!("parent_id={P2}&allow_deleted=true")), [C3]);
    // The whole tree with deleted tenants, and without a filter.
    assert_eq!(
        listed(&format!("subtree_root_id={ROOT}&allow_deleted=true")),
        [ROOT, P2, P1, F1, C3, C1, C2, U1]
    );
    assert_eq!(listed("limit=100"), [ROOT, P2, P1, F1, C1, C2, U1]);
    assert_eq!(emulator.tenant_ids(), [ROOT, P2, P1, F1, C3, C1, C2, U1]);
    // A limit of the request's own.
    let (_, page) = get(
        &emulator,
        &format!("/tenants?subtree_root_id={ROOT}&limit=5"),
    );
    assert_eq!(page["items"].as_array().unwrap().len(), 5);
    assert!(page["paging"]["cursors"]["after"].is_string());
}

#[test]
fn one_tenant_and_the_children_of_one() {
    let emulator = tree_emulator(100);
    let client = common::emulator_client(&emulator, acronis_reports::RetryPolicy::none());
    let c2 = client.tenant(C2).unwrap();
    assert_eq!(
        (c2.id, c2.parent_id, c2.name.as_str(), &c2.kind, c2.enabled),
        (id(C2), Some(id(P1)), "Alpha", &TenantKind::Customer, false)
    );
    assert!(!c2.is_active());
    // A deleted tenant is not found, unless asked for.
    let err = client.tenant(C3).unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.endpoint(), Some(Endpoint::Tenant(id(C3))));
    let (status, c3) = get(&emulator, &format!("/tenants/{C3}?allow_deleted=true"));
    assert_eq!(status, 200);
    assert_eq!(c3["deleted_at"], "2026-11-01T00:00:00Z");
    let deleted: Tenant = serde_json::from_value(c3).unwrap();
    assert!(!deleted.is_active());
    // The vendor's `tenant` object, every member it requires.
    let (_, root) = get(&emulator, &format!("/tenants/{ROOT}"));
    for name in [
        "id",
        "version",
        "created_at",
        "updated_at",
        "deleted_at",
        "name",
        "customer_type",
        "parent_id",
        "kind",
        "contact",
        "contacts",
        "enabled",
        "brand_id",
        "brand_enabled",
        "internal_tag",
        "language",
        "has_children",
        "update_lock",
        "ancestral_access",
        "mfa_status",
        "pricing_mode",
    ] {
        assert!(root.get(name).is_some(), "{name}: {root}");
    }
    assert_eq!(emulator.tenant::<Tenant>(C1).unwrap().name, "Zeta");
    // Children: ids, by name by default (Alpha before Zeta), as added with `as_is`.
    assert_eq!(client.tenant_children(P1).unwrap(), [id(C2), id(C1)]);
    let (_, as_is) = get(&emulator, &format!("/tenants/{P1}/children?order=as_is"));
    assert_eq!(as_is, json!({"items": [C1, C2]}));
    let (_, reversed) = get(&emulator, &format!("/tenants/{P1}/children?order=-name"));
    assert_eq!(reversed, json!({"items": [C1, C2]}));
    assert!(client.tenant_children(P2).unwrap().is_empty());
    let (_, with_deleted) = get(
        &emulator,
        &format!("/tenants/{P2}/children?allow_deleted=true"),
    );
    assert_eq!(with_deleted, json!({"items": [C3]}));
    assert_eq!(
        get(&emulator, &format!("/tenants/{P1}/children?order=size")).0,
        400
    );
    let unknown = "00000000-0000-4000-8000-000000000000";
    assert_eq!(
        client.tenant_children(unknown).unwrap_err().status(),
        Some(404)
    );
    assert_eq!(client.tenant(unknown).unwrap_err().status(), Some(404));
    // A tenant of the tree exists for its reports' listing, with none yet.
    assert!(client.list_report_ids(F1).unwrap().is_empty());
}

#[test]
fn a_dry_run_lists_tenants_for_real_as_every_read() {
    let emulator = tree_emulator(3);
    let described = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = described.clone();
    let client = common::emulator_builder(&emulator)
        .dry_run(move |_| {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(())
        })
        .build()
        .unwrap();
    assert_eq!(client.tenants_under(ROOT).unwrap().len(), 7);
    assert_eq!(client.tenant(P1).unwrap().id, id(P1));
    assert_eq!(client.tenant_children(P1).unwrap().len(), 2);
    assert_eq!(described.load(std::sync::atomic::Ordering::SeqCst), 0);
    assert_eq!(listing_queries(&emulator).len(), 3);
}

#[test]
fn tenants_are_seeded_from_the_crates_type_or_json_and_refused_all_or_nothing() {
    let emulator = Emulator::start().unwrap();
    let mut partner = Tenant::new(id(P1), TenantKind::Partner);
    partner.name = "From the crate".to_owned();
    let mut customer = Tenant::new(id(C1), TenantKind::Customer);
    customer.parent_id = Some(id(P1));
    customer.enabled = false;
    assert_eq!(
        emulator.add_tenants([&partner, &customer]).unwrap(),
        [P1, C1]
    );
    let back: Tenant = emulator.tenant(C1).unwrap();
    assert_eq!(
        (back.parent_id, back.enabled, back.version),
        (Some(id(P1)), false, Some(1))
    );
    // Replaced: its place kept, its version up by one.
    customer.name = "Renamed".to_owned();
    emulator.add_tenants([&customer]).unwrap();
    let back: Tenant = emulator.tenant(C1).unwrap();
    assert_eq!((back.name.as_str(), back.version), ("Renamed", Some(2)));
    // A circle, an unknown member, an id that is no UUID, a kind that is not text: nothing
    // of the batch is added.
    for bad in [
        vec![
            json!({"id": C2, "parent_id": C1}),
            json!({"id": P1, "parent_id": C2}),
        ],
        vec![json!({"id": C2}), json!({"id": P2, "parent": P1})],
        vec![json!({"id": C2}), json!({"id": "P2"})],
        vec![json!({"id": C2}), json!({"id": P2, "kind": 3})],
        vec![json!({"id": C2}), json!("not an object")],
    ] {
        let err = emulator.add_tenants(&bad).unwrap_err();
        assert!(err.to_string().contains("tenant"), "{err}");
        assert!(emulator.tenant::<Value>(C2).is_none(), "{bad:?}");
    }
    assert_eq!(emulator.tenant_ids(), [P1, C1]);
    let err = Emulator::builder()
        .tenants([json!({"id": C1, "kind": ""})])
        .start()
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("tenant 1"), "{err}");
    // A kind the crate does not know is kept, and read as one.
    emulator
        .add_tenants([json!({"id": C2, "parent_id": P1, "kind": "reseller"})])
        .unwrap();
    let client = common::emulator_client(&emulator, acronis_reports::RetryPolicy::none());
    let listed = client.tenants_under(P1).unwrap();
    assert_eq!(listed[2].kind.as_str(), "reseller");
    assert!(listed[2].kind.is_unknown());
}

#[test]
fn a_seeded_partner_tree_is_deterministic_listed_whole_and_has_its_reports() {
    let emulator = Emulator::start().unwrap();
    let tree = emulator.seed_partner_tree(3, 4, 2);
    assert_eq!(tree.root, "7ee00001-0000-4000-8000-000000000000");
    assert_eq!(tree.partners[2], "7ee00001-0001-4000-8000-000000000003");
    assert_eq!(tree.customers[11], "7ee00001-0002-4000-8000-00000000000c");
    assert_eq!(tree.reports.len(), 24);
    // Another tree has ids of its own.
    let other = emulator.seed_partner_tree(1, 1, 0);
    assert_eq!(other.root, "7ee00002-0000-4000-8000-000000000000");
    assert!(other.reports.is_empty());
    emulator.set_tenant_page_size(5);
    let client = common::emulator_client(&emulator, acronis_reports::RetryPolicy::none());
    let tenants = client.tenants_under(&tree.root).unwrap();
    let expected: Vec<String> = std::iter::once(tree.root.clone())
        .chain(tree.partners.iter().cloned())
        .chain(tree.customers.iter().cloned())
        .collect();
    assert_eq!(ids(&tenants), expected);
    assert_eq!(listing_queries(&emulator).len(), 4, "16 tenants, 5 a page");
    assert_eq!(tenants[0].kind, TenantKind::Partner);
    assert_eq!(tenants[1].name, "Partner 1");
    assert_eq!(tenants[5].name, "Customer 1.2");
    assert_eq!(tenants[5].parent_id, Some(id(&tree.partners[0])));
    // Each customer's two reports, of two identities.
    let reports: Vec<_> = client
        .reports(&tree.customers[5])
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        reports
            .iter()
            .map(|r| (r.id.to_string(), r.parameters.kind.as_str().to_owned()))
            .collect::<Vec<_>>(),
        [
            (tree.reports[10].clone(), "usage_summary".to_owned()),
            (tree.reports[11].clone(), "usage_daily".to_owned())
        ]
    );
}

#[test]
fn the_scale_tree_of_five_thousand_customers_is_listed_in_two_default_pages() {
    let emulator = Emulator::start().unwrap();
    let tree = emulator.seed_partner_tree(50, 100, 2);
    assert_eq!((tree.customers.len(), tree.reports.len()), (5000, 10_000));
    let client = common::emulator_client(&emulator, acronis_reports::RetryPolicy::none());
    let tenants = client.tenants_under(&tree.root).unwrap();
    assert_eq!(tenants.len(), 5051);
    assert_eq!(
        listing_queries(&emulator).len(),
        2,
        "5000 a page by default"
    );
    assert_eq!(
        client.list_report_ids(&tree.customers[4999]).unwrap().len(),
        2
    );
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

#[test]
#[cfg(feature = "cli")]
fn the_emulator_command_seeds_a_tree_and_reports_from_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.json");
    let mut report = common::report_json("aaaaaaaa-0000-4000-8000-000000000001", true);
    report["parameters"]["tenant_id"] = json!(C1);
    std::fs::write(
        &seed,
        json!({"tenants": tree(), "reports": [report]}).to_string(),
    )
    .unwrap();
    let seed = seed.to_str().unwrap();
    let (lines, serving) = common::cli::emulator_banner(&["--json", "emulator", "--seed", seed]);
    let started: Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(
        started["tenants"],
        json!([ROOT, P2, P1, F1, C3, C1, C2, U1]),
        "the tree's, in its order"
    );
    assert_eq!(started["tenant_id"], ROOT);
    assert_eq!(
        started["reports"],
        json!(["aaaaaaaa-0000-4000-8000-000000000001"])
    );
    let base = started["base_url"].as_str().unwrap();
    let client = acronis_reports::Client::builder()
        .base_url(base)
        .bearer_token(EMULATOR_TOKEN)
        .build()
        .unwrap();
    assert_eq!(ids(&client.tenants_under(P1).unwrap()), [P1, C1, C2, U1]);
    assert_eq!(client.list_report_ids(C1).unwrap().len(), 1);
    drop(serving);

    // The banner says each tenant's kind.
    let (lines, serving) = common::cli::emulator_banner(&["emulator", "--seed", seed]);
    drop(serving);
    let tenants: Vec<&str> = lines
        .iter()
        .skip_while(|l| !l.starts_with("tenants:"))
        .take(2)
        .map(String::as_str)
        .collect();
    assert_eq!(
        tenants,
        [
            format!("tenants:       {ROOT} (partner, no reports)"),
            format!("               {P2} (partner, no reports)"),
        ],
        "{lines:#?}"
    );
    let c1 = lines.iter().any(|l| l.contains(C1));
    assert!(!c1, "past five tenants, a count: {lines:#?}");
    assert!(
        lines.iter().any(|l| l.contains("... and 3 more")),
        "{lines:#?}"
    );
}

#[test]
#[cfg(feature = "cli")]
fn a_seed_file_with_tenants_that_are_not_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.json");
    for (body, says) in [
        (
            json!({"tenants": [{"id": "nope"}]}),
            "tenant 1: `id` must be a UUID",
        ),
        (
            json!({"tenants": [{"id": C1, "parent_id": C2}, {"id": C2, "parent_id": C1}]}),
            "its own ancestor",
        ),
        (json!({"tenants": {}}), "`tenants` must be an array"),
        (json!({"tenant": []}), "unknown member `tenant`"),
        (
            json!({"items": [], "tenants": []}),
            "`tenants` beside `items`",
        ),
    ] {
        std::fs::write(&seed, body.to_string()).unwrap();
        let o = common::cli::run(&["emulator", "--seed", seed.to_str().unwrap()], &[], None);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{body}: {}",
            common::cli::stderr(&o)
        );
        let err = common::cli::stderr(&o);
        assert!(err.contains(says), "{body}: {err}");
    }
    // Without tenants, the forms of before: an array, or the API's {"items": [...]}.
    let report = common::report_json("aaaaaaaa-0000-4000-8000-000000000001", true);
    for body in [json!([report]), json!({"items": [report], "paging": {}})] {
        std::fs::write(&seed, body.to_string()).unwrap();
        let (lines, serving) =
            common::cli::emulator_banner(&["--json", "emulator", "--seed", seed.to_str().unwrap()]);
        drop(serving);
        let started: Value = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(
            started["reports"],
            json!(["aaaaaaaa-0000-4000-8000-000000000001"])
        );
    }
}
