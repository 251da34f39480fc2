#!/usr/bin/env python3
"""The vendor's billing rule over a csv_v2_0 file (gzip or not), as a Python user would write
it, for `benches/usage_peers.sh` to time beside the CLI's `usage --billing`:

- `csv`: the standard library's csv.DictReader, every number a decimal.Decimal (exact: a sum
  that would round raises);
- `pandas`: read_csv of the columns the rule needs (numbers as 64-bit integers, exact for the
  whole numbers of the benchmark's file) and a groupby.

The rule, as the crate's `billing` module and the vendor's billing module apply it: the delta
for compute points, the absolute amount otherwise; the total for customers, production for
every other kind; summed by tenant and metric (the usage name, then `_` and the backend type
when there is one).

Prints one line per tenant and metric, sorted: TENANT<TAB>METRIC<TAB>QUANTITY.

Usage: python3 benches/usage_peers.py csv|pandas FILE
"""
import csv
import decimal
import gzip
import io
import sys

BY_DELTA = {"compute_points", "pw_compute_points", "dre_compute_points", "p_dre_compute_points"}


def text_of(path):
    with open(path, "rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
    raw = gzip.open(path, "rb") if gzipped else open(path, "rb")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def plain(q):
    """A decimal as the CLI prints it: no exponent, no trailing zeros after the point."""
    text = format(q, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def with_csv(path):
    context = decimal.getcontext()
    context.prec = 60
    context.traps[decimal.Inexact] = True
    totals = {}
    for row in csv.DictReader(text_of(path)):
        name = row["name"].strip()
        amount = "delta" if name in BY_DELTA else "absolute"
        part = "total" if row["tenant.kind"].strip() == "customer" else "production"
        quantity = decimal.Decimal(row[f"usage.{amount}.{part}"].strip())
        backend = row["infra.backend_type"].strip()
        key = (row["tenant.id"].strip().lower(), f"{name}_{backend}" if backend else name)
        totals[key] = totals.get(key, 0) + quantity
    return sorted((tenant, metric, plain(q)) for (tenant, metric), q in totals.items())


def with_pandas(path):
    import numpy as np
    import pandas as pd

    text = ["tenant.id", "tenant.kind", "name", "infra.backend_type"]
    numbers = [
        "usage.absolute.production",
        "usage.absolute.total",
        "usage.delta.production",
        "usage.delta.total",
    ]
    df = pd.read_csv(
        path,
        usecols=text + numbers,
        dtype={**{c: str for c in text}, **{c: np.int64 for c in numbers}},
        keep_default_na=False,
        compression="infer",
    )
    customer = (df["tenant.kind"] == "customer").to_numpy()
    by_delta = df["name"].isin(BY_DELTA).to_numpy()
    quantity = np.where(
        by_delta,
        np.where(customer, df["usage.delta.total"], df["usage.delta.production"]),
        np.where(customer, df["usage.absolute.total"], df["usage.absolute.production"]),
    )
    backend = df["infra.backend_type"]
    metric = df["name"].where(backend == "", df["name"] + "_" + backend)
    sums = (
        pd.DataFrame({"tenant": df["tenant.id"].str.lower(), "metric": metric, "q": quantity})
        .groupby(["tenant", "metric"], sort=True)["q"]
        .sum()
    )
    return [(tenant, metric, str(int(q))) for (tenant, metric), q in sums.items()]


def main():
    how, path = sys.argv[1], sys.argv[2]
    lines = {"csv": with_csv, "pandas": with_pandas}[how](path)
    out = sys.stdout
    for tenant, metric, q in lines:
        out.write(f"{tenant}\t{metric}\t{q}\n")


if __name__ == "__main__":
    main()
