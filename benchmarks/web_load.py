"""Load benchmark of the web view: look-ups stay quick while item masters are screened.

Builds a database from the bundled samples (Korea's Russia/Belarus list, February 2024
and the June additions, 1,402 entries), a viewer and an officer, and a 50,000-row item
master (the sample catalogue's rows repeated under new SKUs, as CSV); starts
``exportctl serve`` (uvicorn, its screening worker processes) on loopback; then, for
``--seconds``:

* ``--users`` simulated people (20) each log in and look codes up in a loop
  (``/check``, one to three codes from the list and the catalogue), every answer
  checked;
* ``--screeners`` officers (2) each upload the item master in a loop (``POST
  /screen``) and open its result page.

Reports the look-ups' latency (p50, p95, p99, max) and throughput, the screenings'
times, and every error; exits 1 on any error (a status other than expected, a
connection failure, a page without its answer).

Usage::

    python benchmarks/web_load.py                 # 20 users, 2 screeners, 60 s
    python benchmarks/web_load.py --seconds 20 --json
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import io
import itertools
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

import httpx
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "exportctl" / "samples"
PASSWORD = "load benchmark password"
SEED = 2024
_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


def build(folder: Path, rows: int) -> tuple[str, Path, list[str]]:
    """The database, the item master, and codes to look up."""
    sys.path.insert(0, str(ROOT))
    from exportctl import api
    from exportctl.validate import Declared

    url = f"sqlite:///{folder / 'load.db'}"
    engine = api.open_database(url, create=True)
    api.create_list(engine, "kr-russia", name="러시아·벨라루스 상황허가 대상 품목", actor="kim")
    feb = api.ImportOptions(
        slug="kr-russia",
        label="2024-02",
        effective=dt.date(2024, 2, 24),
        declared=Declared(total=1159),
        actor="kim",
    )
    api.import_workbook(engine, SAMPLES / "러시아벨라루스_상황허가_2024-02.xlsx", feb)
    june = api.ImportOptions(
        slug="kr-russia",
        label="2024-06",
        effective=dt.date(2024, 8, 28),
        base="2024-02",
        additions=True,
        declared=Declared(total=1402, added=243),
        actor="kim",
    )
    api.import_workbook(engine, SAMPLES / "러시아벨라루스_상황허가_2024-06_추가.xlsx", june)
    for label in ("2024-02", "2024-06"):
        api.approve_version(engine, "kr-russia", label, actor="lee")
    api.add_user(engine, "viewer", role="viewer", password=PASSWORD, actor="bench")
    api.add_user(engine, "officer", role="officer", password=PASSWORD, actor="bench")
    _version, items = api.show_version(engine, "kr-russia", label="2024-06")
    engine.dispose()

    sheet = load_workbook(SAMPLES / "catalogue.xlsx", read_only=True).worksheets[0]
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    # The sample opens with a title line; the header is the row that starts with SKU.
    top = next(n for n, row in enumerate(table) if row and row[0] == "SKU")
    header, body = table[top], [row for row in table[top + 1 :] if any(row) and row[0] != "SKU"]
    master = folder / "item-master-50k.csv"
    with master.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for n, row in zip(range(rows), itertools.cycle(body), strict=False):
            writer.writerow([f"SKU-{n:06d}", *("" if v is None else v for v in row[1:])])
    codes = [item.code for item in items if item.code]
    codes += [str(row[3]) for row in body if row[3]]
    return url, master, codes


def start_server(url: str, workers: int) -> tuple[subprocess.Popen[str], str]:
    """``exportctl serve`` on a free loopback port; its base address."""
    process = subprocess.Popen(
        [sys.executable, "-m", "exportctl", "--db", url, "serve", "--port", "0",
         "--screen-workers", str(workers)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    assert process.stdout is not None
    for line in process.stdout:
        found = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
        if found:
            # Whatever the server says later is read (and shown), so its pipe never fills.
            threading.Thread(target=_echo, args=(process.stdout,), daemon=True).start()
            return process, found.group(1)
    raise SystemExit(f"the server did not start (exit {process.wait()})")


def _echo(stream: IO[str]) -> None:
    for line in stream:
        print(f"server: {line}", end="", file=sys.stderr)


async def log_in(client: httpx.AsyncClient, name: str) -> str:
    page = await client.get("/login")
    token = _TOKEN.search(page.text)
    assert token is not None
    done = await client.post(
        "/login", data={"name": name, "password": PASSWORD, "csrf": token.group(1)}
    )
    if done.status_code != 303:
        raise RuntimeError(f"log-in of {name} answered {done.status_code}")
    lists = await client.get("/lists")
    found = _TOKEN.search(lists.text)
    assert found is not None
    return found.group(1)


async def looker(
    client: httpx.AsyncClient, codes: list[str], until: float, seed: int, out: dict[str, Any]
) -> None:
    rng = random.Random(seed)
    while time.monotonic() < until:
        asked = rng.sample(codes, rng.randint(1, 3))
        started = time.perf_counter()
        try:
            answer = await client.get(
                "/check", params={"list": "kr-russia", "codes": "\n".join(asked)}
            )
        except httpx.HTTPError as exc:
            out["errors"].append(f"look-up: {type(exc).__name__}: {exc}")
            continue
        took = time.perf_counter() - started
        rows = answer.text.count('<tr class="')
        if answer.status_code != 200 or rows != len(asked):
            out["errors"].append(f"look-up {asked}: {answer.status_code}, {rows} rows")
            continue
        out["latencies"].append(took)


async def screener(
    client: httpx.AsyncClient,
    token: str,
    master: Path,
    rows: int,
    until: float,
    out: dict[str, Any],
) -> None:
    body = master.read_bytes()
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            posted = await client.post(
                "/screen",
                data={"csrf": token, "list": "kr-russia", "compare": "2024-02"},
                files={"file": (master.name, io.BytesIO(body), "text/csv")},
            )
            if posted.status_code != 303:
                out["errors"].append(f"screen: {posted.status_code} {posted.text[:200]}")
                continue
            result = await client.get(posted.headers["location"])
        except httpx.HTTPError as exc:
            out["errors"].append(f"screen: {type(exc).__name__}: {exc}")
            continue
        # The page counts every row of the upload.
        if result.status_code != 200 or f"<b>{rows:,}</b>" not in result.text:
            out["errors"].append(f"screening result: {result.status_code}")
            continue
        out["screenings"].append(time.perf_counter() - started)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def load(
    base: str, master: Path, codes: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    out: dict[str, Any] = {"latencies": [], "screenings": [], "errors": []}
    # Connections idle longer than the server keeps them (uvicorn: 5 s) are not reused,
    # as a browser does not: a log-in may wait that long for the others'.
    limits = httpx.Limits(keepalive_expiry=4)
    lookers = [
        httpx.AsyncClient(base_url=base, timeout=60, limits=limits) for _ in range(args.users)
    ]
    screeners = [
        httpx.AsyncClient(base_url=base, timeout=600, limits=limits) for _ in range(args.screeners)
    ]
    try:
        # Everyone logs in first (an Argon2 check each): the clock starts after.
        for client in lookers:
            await log_in(client, "viewer")
        tokens = [await log_in(client, "officer") for client in screeners]
        out["started"] = time.monotonic()
        until = out["started"] + args.seconds
        tasks = [looker(c, codes, until, SEED + n, out) for n, c in enumerate(lookers)]
        tasks += [
            screener(c, t, master, args.rows, until, out)
            for c, t in zip(screeners, tokens, strict=True)
        ]
        await asyncio.gather(*tasks)
    finally:
        for client in lookers + screeners:
            await client.aclose()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--screeners", type=int, default=2)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--screen-workers", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="exportctl-load-") as folder:
        url, master, codes = build(Path(folder), args.rows)
        process, base = start_server(url, args.screen_workers)
        try:
            out = asyncio.run(load(base, master, codes, args))
            elapsed = time.monotonic() - out["started"]
        finally:
            process.terminate()
            process.wait(30)
    lat = out["latencies"]
    figures = {
        "seconds": round(elapsed, 1),
        "users": args.users,
        "screeners": args.screeners,
        "rows": args.rows,
        "screen_workers": args.screen_workers,
        "cpus": os.cpu_count(),
        "lookups": len(lat),
        # The look-ups stop at --seconds; a screening under way is let finish.
        "lookups_per_second": round(len(lat) / min(elapsed, args.seconds), 1),
        "lookup_ms": {
            "p50": round(1000 * statistics.median(lat), 1) if lat else None,
            "p95": round(1000 * percentile(lat, 0.95), 1) if lat else None,
            "p99": round(1000 * percentile(lat, 0.99), 1) if lat else None,
            "max": round(1000 * max(lat), 1) if lat else None,
        },
        "screenings": len(out["screenings"]),
        "screening_s": {
            "mean": round(statistics.mean(out["screenings"]), 1) if out["screenings"] else None,
            "max": round(max(out["screenings"]), 1) if out["screenings"] else None,
        },
        "errors": out["errors"][:20],
        "error_count": len(out["errors"]),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        ms = figures["lookup_ms"]
        print(
            f"{args.users} users looking up, {args.screeners} screening {args.rows:,}-row "
            f"uploads, {figures['seconds']} s on loopback ({figures['cpus']} CPUs)"
        )
        print(
            f"  look-ups: {figures['lookups']:,} ({figures['lookups_per_second']}/s); "
            f"p50 {ms['p50']} ms, p95 {ms['p95']} ms, p99 {ms['p99']} ms, max {ms['max']} ms"
        )
        sc = figures["screening_s"]
        print(f"  screenings: {figures['screenings']} (mean {sc['mean']} s, max {sc['max']} s)")
        print(f"  errors: {figures['error_count']}")
        for error in figures["errors"]:
            print(f"    {error}")
    return 1 if out["errors"] or not lat or not out["screenings"] else 0


if __name__ == "__main__":
    sys.exit(main())
