"""Drives the emulator's admin interface (/__admin/) from Python, as a test of a script would.

Standard library only. Run it with the path of the `acronis-reports` binary:

    cargo build --features cli
    python3 examples/python/emulator_admin.py target/debug/acronis-reports

It starts `acronis-reports --json emulator`, then injects faults over HTTP (503 twice, a 429
with Retry-After, a fault for one method and path, a refused token, an outage), checks that
the API answers them and then recovers, reads what the emulator received (the Authorization
values and the token request's body redacted), seeds a report, and resets. It exits non-zero
at the first check that fails.
"""

import base64
import json
import subprocess
import sys
import urllib.error
import urllib.request

MONTHLY = "20dffb36-d77b-45c6-b2fa-39276e98d5fc"
ONCE = "6d1d7a5e-3b43-4c8e-9f4b-8a1f0c2e9b71"

# No proxy, whatever the environment says: everything here is on loopback.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def check(condition, what):
    """Fails the script, saying what, unless condition holds."""
    if not condition:
        raise SystemExit(f"FAIL: {what}")


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body) if self.body else None

    def __repr__(self):
        return f"{self.status} {self.body[:300]!r}"


def call(method, url, token=None, body=None, headers=None):
    """One request: body is JSON (a dict or list) or bytes as they are."""
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if data is not None and not (headers and "Content-Type" in headers):
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with OPENER.open(request, timeout=10) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read())


def get_with_retries(url, token, attempts=3):
    """The code under test: a GET that retries 429 and 503 (here Retry-After is 0)."""
    for _ in range(attempts):
        answer = call("GET", url, token)
        if answer.status not in (429, 503):
            return answer
    return answer


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "acronis-reports"
    emulator = subprocess.Popen(
        [binary, "--json", "emulator"], stdout=subprocess.PIPE, text=True
    )
    try:
        line = emulator.stdout.readline()
        check(line, f"the emulator did not start (exit status {emulator.poll()})")
        info = json.loads(line)
        base, token = info["base_url"], info["token"]
        # The admin interface is beside the API: the base URL without /api/2, then /__admin.
        admin = base.removesuffix("/api/2") + "/__admin"
        report_url = f"{base}/reports/{MONTHLY}"

        # 503 twice, then the API answers.
        answer = call("POST", f"{admin}/faults", body={"status": 503, "times": 2})
        check(answer.status == 201, f"registering a fault: {answer}")
        check(answer.json()["fault"]["times"] == 2, f"the fault as registered: {answer}")
        for expected in (503, 503, 200):
            answer = call("GET", report_url, token)
            check(answer.status == expected, f"expected {expected}: {answer}")
        check(answer.json()["id"] == MONTHLY, f"the report after the faults: {answer}")
        error = call("GET", report_url, token)  # no fault left: 200
        check(error.status == 200, f"the faults are used up: {error}")

        # The vendor's error shape, and a client that retries through two 503s.
        call("POST", f"{admin}/faults", body={"status": 503, "times": 2, "retry_after": 0})
        answer = get_with_retries(report_url, token)
        check(answer.status == 200, f"a retrying GET gets through two 503s: {answer}")

        # A 429 with Retry-After in seconds.
        call("POST", f"{admin}/faults", body={"status": 429, "retry_after": 3})
        answer = call("GET", report_url, token)
        check(answer.status == 429, f"expected 429: {answer}")
        check(answer.headers.get("Retry-After") == "3", f"Retry-After: {answer.headers}")
        check(answer.json()["error"]["code"] == 429, f"the vendor's error body: {answer}")

        # A fault for one method and path: a GET of the report and a PUT of another pass.
        call("POST", f"{admin}/faults",
             body={"status": 409, "method": "PUT", "path": f"/api/2/reports/{MONTHLY}"})
        disable = {"schedule": {"enabled": False}}
        check(call("GET", report_url, token).status == 200, "a GET is not the PUT's fault")
        check(call("PUT", f"{base}/reports/{ONCE}", token, disable).status == 400,
              "a PUT of another report is answered by the API (a one-time report: 400)")
        answer = call("PUT", report_url, token, disable)
        check(answer.status == 409, f"the PUT's fault: {answer}")

        # A refused token request, then a token.
        pair = base64.b64encode(f"{info['client_id']}:{info['client_secret']}".encode()).decode()
        form = {"Authorization": f"Basic {pair}",
                "Content-Type": "application/x-www-form-urlencoded"}
        call("POST", f"{admin}/faults", body={"token": True, "status": 401})
        answer = call("POST", f"{base}/idp/token", body=b"grant_type=client_credentials",
                      headers=form)
        check(answer.status == 401, f"the token fault: {answer}")
        answer = call("POST", f"{base}/idp/token", body=b"grant_type=client_credentials",
                      headers=form)
        check(answer.status == 200, f"a token after the fault: {answer}")
        issued = answer.json()["access_token"]

        # An outage answers everything (token requests too) but the admin interface.
        answer = call("POST", f"{admin}/faults", body={"outage": True, "status": 503})
        check(answer.status == 201, f"registering an outage: {answer}")
        check(call("GET", report_url, issued).status == 503, "the outage answers the API")
        answer = call("POST", f"{base}/idp/token", body=b"grant_type=client_credentials",
                      headers=form)
        check(answer.status == 503, f"the outage answers token requests: {answer}")
        answer = call("DELETE", f"{admin}/faults")
        check(answer.json() == {"cleared": {"faults": 0, "outage": True}},
              f"ending the outage: {answer}")
        check(call("GET", report_url, issued).status == 200, "served again after the outage")

        # A malformed fault is refused, and changes nothing.
        answer = call("POST", f"{admin}/faults", body={"statuss": 503})
        check(answer.status == 400 and "statuss" in answer.json()["error"],
              f"an unknown member is refused: {answer}")
        check(call("GET", report_url, token).status == 200, "nothing was registered")

        # What the emulator received: every call above, secrets redacted, no admin request.
        answer = call("GET", f"{admin}/requests")
        check(answer.status == 200, f"reading the requests: {answer}")
        text = answer.body.decode()
        for secret in (token, issued, info["client_secret"], pair):
            check(secret not in text, "a secret shows in /__admin/requests")
        seen = answer.json()
        requests = seen["requests"]
        check(seen["dropped"] == 0, f"nothing dropped: {seen['dropped']}")
        check(not any(r["path"].startswith("/__admin") for r in requests),
              "the admin requests are not recorded")
        gets = [r for r in requests
                if r["method"] == "GET" and r["path"] == f"/api/2/reports/{MONTHLY}"]
        check(len(gets) == 12, f"12 GETs of the report, got {len(gets)}")
        check(all(r["headers"]["authorization"] == "Bearer [redacted]" for r in gets),
              "the bearer token is redacted")
        puts = [r for r in requests if r["method"] == "PUT"]
        check(puts and puts[-1]["json"] == disable, f"the PUT's body as JSON: {puts}")
        tokens = [r for r in requests if r["path"] == "/api/2/idp/token"]
        check(len(tokens) == 3, f"three token requests, got {len(tokens)}")
        check(all(r["body"] == "[redacted]" and r["headers"]["authorization"] == "Basic [redacted]"
                  for r in tokens), f"the token requests' credentials are redacted: {tokens}")

        # Seed a report as the API shows it; the API serves it.
        mine = dict(call("GET", report_url, token).json(),
                    id="0d6ba6b9-6f2d-4c42-9c5b-3f1e0a7c2d11")
        answer = call("POST", f"{admin}/reports", body=mine)
        check(answer.json() == {"reports": [mine["id"]]}, f"seeding a report: {answer}")
        answer = call("GET", f"{base}/reports/{mine['id']}", token)
        check(answer.status == 200 and answer.json() == mine, f"the seeded report: {answer}")

        # A reset clears the faults and the requests; the reports stay.
        call("POST", f"{admin}/faults", body={"status": 503, "times": 5})
        answer = call("POST", f"{admin}/reset")
        check(answer.status == 200 and answer.json()["cleared"]["faults"] == 1,
              f"the reset: {answer}")
        check(call("GET", f"{admin}/requests").json() == {"requests": [], "dropped": 0},
              "no request left after the reset")
        answer = call("GET", f"{base}/reports/{mine['id']}", token)
        check(answer.status == 200, f"no fault after the reset, the report stays: {answer}")
        print("ok: faults, requests, reports and the reset over /__admin/ behave")
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)


if __name__ == "__main__":
    main()
