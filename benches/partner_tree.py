#!/usr/bin/env python3
"""The helpers of `benches/partner_tree_plan.sh` (standard library only):

- `seed PARTNERS CUSTOMERS`: prints a seed file for `acronis-reports emulator --seed`, the
  partner tree `Emulator::seed_partner_tree(PARTNERS, CUSTOMERS, 2)` makes
  (emulator/src/tenants.rs): one partner at the top, PARTNERS partners under it, CUSTOMERS
  customers under each, and two monthly reports per customer, saved, `csv_v2_0`, level
  `itself`: `usage_summary` and `usage_daily`. Ids as `seed_partner_tree` makes them for the
  emulator's first tree: `7ee00001-GGGG-4000-8000-<n>`, group 0 for the top, 1 partners,
  2 customers, 3 reports;
- `desired ROOT`: prints the desired-state file that matches those reports, two selector
  entries under ROOT;
- `base-url FILE`: the `base_url` of the emulator's `--json` banner in FILE, once it is there
  (waits up to 60 s for the emulator to read its seed);
- `clear ADMIN`: forgets the requests the emulator at ADMIN (its `/__admin` URL) kept;
- `requests ADMIN`: prints how many requests it received since, then how many of those it
  still holds by kind: `TOTAL listing=N tenant_reports=N report=N other=N` (it keeps the last
  10,000; the others are counted as dropped, their kind unknown).

Usage: python3 benches/partner_tree.py seed PARTNERS CUSTOMERS | desired ROOT |
       base-url FILE | clear ADMIN | requests ADMIN
"""
import json
import sys
import time
import urllib.request


def tenant_id(group, n):
    return f"7ee00001-{group:04x}-4000-8000-{n:012x}"


def seed(partners, per_partner):
    root = tenant_id(0, 0)
    tenants = [{"id": root, "kind": "partner", "name": "Service provider 1"}]
    customers = []
    for p in range(1, partners + 1):
        partner = tenant_id(1, p)
        tenants.append({"id": partner, "parent_id": root, "kind": "partner",
                        "name": f"Partner {p}"})
        for c in range(1, per_partner + 1):
            customer = tenant_id(2, len(customers) + 1)
            tenants.append({"id": customer, "parent_id": partner, "kind": "customer",
                            "name": f"Customer {p}.{c}"})
            customers.append(customer)
    reports = []
    for customer in customers:
        for kind in ("usage_summary", "usage_daily"):
            reports.append({
                "id": tenant_id(3, len(reports) + 1), "version": 1, "result_action": "save",
                "recipients": [],
                "parameters": {"tenant_id": customer, "kind": kind, "level": "itself",
                               "formats": ["csv_v2_0"],
                               "period": {"start": "2026-10-01", "end": "2026-10-31"},
                               "hide_zero_usage": False, "show_skus": False},
                "schedule": {"type": "monthly", "enabled": True},
                "generation_date": "2026-11-01"})
    json.dump({"tenants": tenants, "reports": reports}, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


def desired(root):
    for kind in ("usage_summary", "usage_daily"):
        print(f'[[report]]\ntenants_under = "{root}"\nkind = "{kind}"\nlevel = "itself"\n'
              f'result_action = "save"\nformats = ["csv_v2_0"]\n')


def base_url(path):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with open(path, encoding="utf-8") as f:
            line = f.readline()
        if line.endswith("\n"):
            print(json.loads(line)["base_url"])
            return
        time.sleep(0.1)
    sys.exit(f"partner_tree.py: no banner in {path} within 60 s")


def admin(method, url):
    request = urllib.request.Request(url, method=method)
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def requests(url):
    answer = admin("GET", url + "/requests")
    kinds = {"listing": 0, "tenant_reports": 0, "report": 0, "other": 0}
    for r in answer["requests"]:
        path = r["path"]
        if r["method"] != "GET":
            kinds["other"] += 1
        elif path == "/api/2/tenants":
            kinds["listing"] += 1
        elif path.startswith("/api/2/tenants/") and path.endswith("/reports"):
            kinds["tenant_reports"] += 1
        elif path.startswith("/api/2/reports/"):
            kinds["report"] += 1
        else:
            kinds["other"] += 1
    total = len(answer["requests"]) + answer["dropped"]
    print(total, " ".join(f"{k}={v}" for k, v in kinds.items()))


def main():
    args = sys.argv[1:]
    usage = __doc__.strip().splitlines()[-2:]
    if args[:1] == ["seed"] and len(args) == 3:
        seed(int(args[1]), int(args[2]))
    elif args[:1] == ["desired"] and len(args) == 2:
        desired(args[1])
    elif args[:1] == ["base-url"] and len(args) == 2:
        base_url(args[1])
    elif args[:1] == ["clear"] and len(args) == 2:
        admin("DELETE", args[1] + "/requests")
    elif args[:1] == ["requests"] and len(args) == 2:
        requests(args[1])
    else:
        sys.exit("\n".join(usage))


if __name__ == "__main__":
    main()
