#!/usr/bin/env python3
"""The vendor's recipe, timed: N PUTs of {"schedule": {"enabled": false}} with `requests`,
once as the vendor's example does it (requests.put, a new connection each time) and once
with a Session (keep-alive), against the server of `cargo run --release --example load -- --serve`.

Usage: python3 benches/python_requests.py BASE_URL [N]
"""
import json
import statistics
import sys
import time

import requests

base = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
body = json.dumps({"schedule": {"enabled": False}})
headers = {"Content-Type": "application/json", "Authorization": "Bearer load-test-token"}


def report_id(i):
    return f"20dffb36-d77b-45c6-b2fa-{i:012x}"


def timed(put):
    samples = []
    for i in range(n):
        t = time.perf_counter()
        response = put(f"{base}/reports/{report_id(i)}", data=body, headers=headers)
        response.json()  # the vendor's recipe reads the answer
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1e6


print(f"python requests, N = {n}")
print(f"  requests.put (the vendor's example): median {timed(requests.put):8.1f} µs")
with requests.Session() as session:
    print(f"  requests.Session().put (keep-alive): median {timed(session.put):8.1f} µs")
