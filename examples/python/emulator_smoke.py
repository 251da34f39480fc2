"""Tests a script's use of the Acronis usage-reports API against the local emulator.

Standard library only. Run it with the path of the `acronis-reports` binary:

    cargo build --features cli
    python3 examples/python/emulator_smoke.py target/debug/acronis-reports

It starts `acronis-reports --json emulator`, reads where the emulator listens and its test
credentials from the first line, then does what a billing script does (get a token, disable a
report, read it back, look at a one-time report's refusal) and checks each answer.
"""

import base64
import json
import subprocess
import sys
import urllib.error
import urllib.request

MONTHLY = "20dffb36-d77b-45c6-b2fa-39276e98d5fc"
ONCE = "6d1d7a5e-3b43-4c8e-9f4b-8a1f0c2e9b71"


def call(method, url, token=None, body=None, content_type="application/json", basic=None):
    """One request: the status and the JSON answer (None when empty)."""
    data = None if body is None else body.encode()
    request = urllib.request.Request(url, data=data, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if basic:
        request.add_header("Authorization", f"Basic {basic}")
    if data is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    return status, (json.loads(text) if text else None)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "acronis-reports"
    emulator = subprocess.Popen(
        [binary, "--json", "emulator"], stdout=subprocess.PIPE, text=True
    )
    try:
        info = json.loads(emulator.stdout.readline())
        base = info["base_url"]

        # Client credentials, as the vendor's Python example gets a token.
        pair = f"{info['client_id']}:{info['client_secret']}".encode()
        status, answer = call(
            "POST",
            f"{base}/idp/token",
            body="grant_type=client_credentials",
            content_type="application/x-www-form-urlencoded",
            basic=base64.b64encode(pair).decode(),
        )
        assert status == 200, (status, answer)
        token = answer["access_token"]

        # Disable a monthly report: exactly the vendor's patch.
        status, report = call(
            "PUT", f"{base}/reports/{MONTHLY}", token, json.dumps({"schedule": {"enabled": False}})
        )
        assert status == 200 and report["schedule"]["enabled"] is False, (status, report)

        # Read it back: the change is kept.
        status, report = call("GET", f"{base}/reports/{MONTHLY}", token)
        assert status == 200 and report["schedule"]["enabled"] is False, (status, report)

        # A one-time report cannot be changed, and says so in the vendor's error shape.
        status, error = call(
            "PUT", f"{base}/reports/{ONCE}", token, json.dumps({"schedule": {"enabled": False}})
        )
        assert status == 400 and "error" in error, (status, error)

        # Without a token: 401.
        status, _ = call("GET", f"{base}/reports/{MONTHLY}")
        assert status == 401, status
        print("ok: the script's calls behave against the emulator")
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)


if __name__ == "__main__":
    main()
