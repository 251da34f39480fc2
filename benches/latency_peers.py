#!/usr/bin/env python3
"""The bookkeeping of `benches/latency_peers.sh`, and its Python peer.

Subcommands (ADMIN is the emulator's admin URL, http://127.0.0.1:PORT/__admin; BASE its
base URL, http://127.0.0.1:PORT/api/2):

- `seed N SEED IDS`: writes N monthly reports, enabled, to SEED (a JSON array for
  `acronis-reports emulator --seed`) and their ids to IDS, one per line. Standard library.
- `reset ADMIN SEED`: stores SEED's reports again (all enabled, as seeded) and forgets the
  requests received (`POST /__admin/reports`, `POST /__admin/reset`), so that the next run
  really changes every report. Standard library.
- `count ADMIN IDS`: what the server saw since the reset, from `GET /__admin/requests`, and
  how many of the reports are now disabled (`GET /__admin/reports/{id}`), as one line:
  `requests=R tokens=T gets=G puts=P per_id=K disabled=D`, where `per_id` is the number of
  requests each id received, the same for every id (else the line says `per_id=uneven` and
  the command exits 1). Standard library.
- `requests BASE IDS CONCURRENCY CLIENT_ID CLIENT_SECRET`: the peer. A token from
  `POST /idp/token`, then a `PUT {"schedule": {"enabled": false}}` per id on a
  `concurrent.futures.ThreadPoolExecutor` of CONCURRENCY threads, each with its own
  `requests.Session` (keep-alive), each answer read as JSON and checked. Needs `requests`.
"""
import concurrent.futures
import http.client
import json
import sys
import threading
import urllib.parse

TENANT = "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc"
RECIPIENT = "ca451758-b48a-45d9-9ae6-8f1059f67619"


def report(n):
    """A monthly report like the emulator's seeded one, with an id of its own."""
    return {
        "id": f"{n:08x}-1111-4111-8111-{n:012x}",
        "version": 1,
        "result_action": "send",
        "recipients": [RECIPIENT],
        "parameters": {"tenant_id": TENANT, "kind": "usage_summary", "level": "accounts",
                       "formats": ["csv"], "period": {"start": "2026-10-01", "end": "2026-10-31"},
                       "hide_zero_usage": True, "show_skus": False},
        "schedule": {"type": "monthly", "enabled": True},
        "generation_date": "2026-11-01",
    }


def seed(n, seed_path, ids_path):
    reports = [report(i + 1) for i in range(n)]
    with open(seed_path, "w") as f:
        json.dump(reports, f)
    with open(ids_path, "w") as f:
        f.writelines(r["id"] + "\n" for r in reports)


class Admin:
    """One keep-alive connection to the admin interface (which answers at once)."""

    def __init__(self, admin):
        url = urllib.parse.urlsplit(admin)
        self.prefix = url.path.rstrip("/")
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)

    def call(self, method, path, body=None):
        data = None if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        self.conn.request(method, self.prefix + path, body=data, headers=headers)
        answer = self.conn.getresponse()
        text = answer.read()
        if answer.status >= 300 and answer.status != 404:
            raise SystemExit(f"{method} {path}: {answer.status} {text[:200]!r}")
        return answer.status, json.loads(text) if text else None


def reset(admin, seed_path):
    a = Admin(admin)
    with open(seed_path, "rb") as f:
        a.call("POST", "/reports", f.read())
    a.call("POST", "/reset")


def count(admin, ids_path):
    a = Admin(admin)
    with open(ids_path) as f:
        ids = [line.strip() for line in f if line.strip()]
    _, seen = a.call("GET", "/requests")
    requests = seen["requests"]
    if seen["dropped"]:
        raise SystemExit(f"the emulator dropped {seen['dropped']} requests: cannot count")
    per_id = {}
    tokens = gets = puts = 0
    for r in requests:
        path = r["path"]
        if r["method"] == "POST" and path.endswith("/idp/token"):
            tokens += 1
            continue
        gets += r["method"] == "GET"
        puts += r["method"] == "PUT"
        if "/reports/" in path:
            rid = path.split("/reports/", 1)[1].split("/")[0]
            per_id[rid] = per_id.get(rid, 0) + 1
    counts = {per_id.get(i, 0) for i in ids}
    disabled = 0
    for i in ids:
        status, held = a.call("GET", f"/reports/{i}")
        disabled += status == 200 and held["schedule"]["enabled"] is False
    even = len(counts) == 1 and len(per_id) == len(ids)
    k = counts.pop() if even else "uneven"
    print(f"requests={len(requests)} tokens={tokens} gets={gets} puts={puts} per_id={k} "
          f"disabled={disabled}")
    if not even:
        sys.exit(1)


def with_requests(base, ids_path, concurrency, client_id, client_secret):
    import requests

    with open(ids_path) as f:
        ids = [line.strip() for line in f if line.strip()]
    with requests.Session() as s:
        s.trust_env = False  # no proxy for loopback
        answer = s.post(f"{base}/idp/token", auth=(client_id, client_secret),
                        data={"grant_type": "client_credentials"})
        answer.raise_for_status()
        token = answer.json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = json.dumps({"schedule": {"enabled": False}})
    local = threading.local()

    def put(report_id):
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            session.trust_env = False
        answer = session.put(f"{base}/reports/{report_id}", data=body, headers=headers)
        return answer.status_code == 200 and answer.json()["schedule"]["enabled"] is False

    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        done = sum(pool.map(put, ids))
    print(f"{done} changed, {len(ids) - done} failed", file=sys.stderr)
    sys.exit(0 if done == len(ids) else 1)


def main(args):
    match args:
        case ["seed", n, seed_path, ids_path]:
            seed(int(n), seed_path, ids_path)
        case ["reset", admin, seed_path]:
            reset(admin, seed_path)
        case ["count", admin, ids_path]:
            count(admin, ids_path)
        case ["requests", base, ids_path, concurrency, client_id, client_secret]:
            with_requests(base, ids_path, int(concurrency), client_id, client_secret)
        case _:
            raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
