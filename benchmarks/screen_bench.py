"""Benchmark: screen a generated million-row catalogue against a 1,402-entry list.

Generates, with a fixed seed, a list like Korea's Russia/Belarus list after the June
2024 revision (1,402 entries: HS-6 subheadings, some headings and 10-digit codes, a few
``ex`` entries and entries defined by name) and catalogues of ``--rows`` products:
SKU, a Korean description of three product words and a 10-digit HSK code (some
6/8-digit, blank and malformed codes), as CSV and as XLSX (written with xlsxwriter
``constant_memory``); the same SKUs and codes without descriptions (``codes_csv``,
``codes_xlsx``); and, when the Korea Customs HSK master is at hand, a CSV whose rows
are its tariff lines with their Korean names (``named_csv``).

Each case runs in its own subprocess, which reports its wall time and its peak
resident memory (``ru_maxrss``), so cases do not share caches or heap:

* ``read``: the bare read of the file (``csv`` module / ``fastexcel``);
* ``pandas``: ``pandas.read_csv`` with the pyarrow engine (every cell as text) /
  ``pandas.read_excel`` with calamine;
* ``floor``: a CSV read into a frame with pandas' pyarrow engine (every cell as text)
  and the frame written back out with ``to_csv``: the floor a CSV screening is held to;
* ``table``: exportctl's row reader alone (``read_table`` rows, header detection and
  cell cleaning, no screening);
* ``screen``: ``api.screen_catalogue``: the catalogue read into columns and every row
  screened, the summary complete (what ``exportctl screen`` does before writing);
* ``screen+csv``, ``screen+xlsx``: the same, writing the CSV (``excel`` dialect) or
  XLSX report in Korean, as ``exportctl screen -o FILE --lang ko`` does.

Peak memory is the child's ``VmHWM`` (Linux) or ``ru_maxrss``; it includes the
interpreter and the imported libraries (about 100–150 MB: exportctl, SQLAlchemy,
pandas, pyarrow) and, when descriptions are matched, the Korean analyser's model
(about 500 MB).

Each case imports exportctl from the checkout this file is in.

Usage::

    python benchmarks/screen_bench.py               # 1,000,000 rows
    python benchmarks/screen_bench.py --rows 50000  # quicker
    python benchmarks/screen_bench.py --json        # machine-readable

``run(rows)`` returns the result rows for ``benchmarks/run.py``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SEED = 2024
LIST_SIZE = 1_402
NAME_ENTRIES = 35
CASES = ("read", "pandas", "floor", "table", "screen", "screen+csv", "screen+xlsx")

_NAME_ENTRIES = [
    ("수치제어 공작기계용 스핀들", "Spindles for numerically controlled machine tools"),
    ("무인항공기(드론) 및 그 부분품", "Unmanned aerial vehicles (drones)"),
    ("승용차 (배기량 2,000cc 초과)", "Passenger cars over 2,000 cc"),
    ("요트 및 전장 20미터 이상 선박", "Yachts of 20 m or more"),
    ("열화상 카메라 모듈", "Thermal imaging camera modules"),
]
_PRODUCT_WORDS = [
    "산업용",
    "정밀",
    "소형",
    "대형",
    "고속",
    "자동",
    "휴대용",
    "펌프",
    "밸브",
    "모터",
    "센서",
    "케이블",
    "커넥터",
    "필터",
    "베어링",
    "기어",
    "컨트롤러",
    "조명",
    "배터리",
    "컴프레서",
    "호스",
    "패널",
    "부품",
    "세트",
    "키트",
    "module",
    "assembly",
    "unit",
]


def _hs6_codes() -> list[str]:
    from exportctl.hscode import Nomenclature

    return sorted(Nomenclature.load("2022").codes(6))


def make_list(rng: random.Random) -> list[Any]:
    """The 1,402 ``ItemRecord`` entries of the benchmark list."""
    from exportctl.models import ItemRecord

    codes = _hs6_codes()
    rng.shuffle(codes)
    items: list[ItemRecord] = []
    for serial in range(1, NAME_ENTRIES + 1):
        ko, en = _NAME_ENTRIES[(serial - 1) % len(_NAME_ENTRIES)]
        items.append(
            ItemRecord(str(serial), None, None, False, f"{ko} {serial}", en, row=serial + 5)
        )
    headings: set[str] = set()
    for code in codes:
        if len(items) == LIST_SIZE:
            break
        if code[:4] in headings:
            continue  # keep entries from nesting, as in the real list
        roll = rng.random()
        if roll < 0.03:
            code = code[:4]  # a heading
            headings.add(code)
        elif roll < 0.08:
            code += f"{rng.randrange(10_000):04d}"  # a 10-digit national line
        serial = len(items) + 1
        items.append(
            ItemRecord(
                str(serial),
                code,
                len(code),
                rng.random() < 0.02,
                f"품목 {code}",
                f"Item {code}",
                row=serial + 5,
            )
        )
    return items


def write_catalogues(directory: Path, rows: int, list_codes: list[str]) -> dict[str, Path]:
    """Write the catalogues of ``rows`` products; returns their paths by name.

    ``csv`` and ``xlsx``: SKU, a Korean description of three product words, HS code
    (the catalogue of earlier runs); ``codes_csv`` and ``codes_xlsx``: the same SKUs and
    codes without descriptions.
    """
    import xlsxwriter

    rng = random.Random(SEED + 1)
    hs6 = _hs6_codes()
    paths = {
        "csv": directory / f"catalogue-{rows}.csv",
        "xlsx": directory / f"catalogue-{rows}.xlsx",
        "codes_csv": directory / f"codes-{rows}.csv",
        "codes_xlsx": directory / f"codes-{rows}.xlsx",
    }
    books = {
        name: xlsxwriter.Workbook(str(paths[name]), {"constant_memory": True})
        for name in ("xlsx", "codes_xlsx")
    }
    sheets = {name: book.add_worksheet("제품목록") for name, book in books.items()}
    headers = {"xlsx": ["SKU", "제품명", "HS코드"], "codes_xlsx": ["SKU", "HS코드"]}
    for name, sheet in sheets.items():
        for col, text in enumerate(headers[name]):
            sheet.write_string(0, col, text)
    with (
        paths["csv"].open("w", encoding="utf-8", newline="") as handle,
        paths["codes_csv"].open("w", encoding="utf-8", newline="") as codes_handle,
    ):
        writer = csv.writer(handle)
        writer.writerow(headers["xlsx"])
        codes_writer = csv.writer(codes_handle)
        codes_writer.writerow(headers["codes_xlsx"])
        for n in range(1, rows + 1):
            roll = rng.random()
            if roll < 0.08:  # under a list entry
                base = rng.choice(list_codes)
            else:
                base = rng.choice(hs6)
            code: str | None = (base + f"{rng.randrange(10_000):04d}")[:10].ljust(10, "0")
            if roll > 0.999:
                code = None
            elif roll > 0.998:
                code = "84.7x"
            elif roll > 0.98:
                code = code[:6] if roll > 0.99 else code[:8]
            words = rng.sample(_PRODUCT_WORDS, 3)
            description = " ".join(words)
            if roll < 0.0005:
                description = "농업용 드론 키트"
            sku = f"KX-{n:07d}"
            writer.writerow([sku, description, code or ""])
            codes_writer.writerow([sku, code or ""])
            for name, sheet in sheets.items():
                sheet.write_string(n, 0, sku)
                if name == "xlsx":
                    sheet.write_string(n, 1, description)
                if code is not None:
                    sheet.write_string(n, len(headers[name]) - 1, code)
    for book in books.values():
        book.close()
    return paths


def write_named_catalogue(directory: Path, rows: int, hsk: Path) -> Path | None:
    """A CSV catalogue of ``rows`` products named in Korean as the Korea Customs HSK
    master names its tariff lines (each row one line of the master: its code and its
    한글품목명), or None when the master is absent."""
    import quality

    if not hsk.is_file():
        return None
    master = quality.read_hsk(hsk)
    rng = random.Random(SEED + 2)
    path = directory / f"named-{rows}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["SKU", "품목명", "HS코드"])
        for n in range(1, rows + 1):
            code, name = rng.choice(master)
            writer.writerow([f"KX-{n:07d}", name, code])
    return path


def make_database(directory: Path, items: list[Any]) -> str:
    """A SQLite database holding the list as ``bench`` version ``2024-06``."""
    import datetime as dt

    from exportctl import api, store

    url = f"sqlite:///{directory / 'bench.db'}"
    engine, _before, _after = api.init_database(url)
    with store.session_scope(engine) as session:
        store.store_version(
            session,
            store.NewVersion(
                slug="bench",
                label="2024-06",
                source_file="bench-list.xlsx",
                source_sha256="0" * 64,
                source_sheet="별표2의2",
                actor="bench",
                effective=dt.date(2024, 6, 28),
            ),
            items,
        )
    engine.dispose()
    return url


def prepare(directory: Path, rows: int, hsk: Path | None = None) -> dict[str, str]:
    """Generate the list, the database and the catalogues in ``directory``."""
    import quality

    items = make_list(random.Random(SEED))
    url = make_database(directory, items)
    codes = [i.code for i in items if i.code]
    paths = {name: str(path) for name, path in write_catalogues(directory, rows, codes).items()}
    named = write_named_catalogue(directory, rows, hsk or quality.DEFAULT_HSK)
    if named is not None:
        paths["named_csv"] = str(named)
    return {"db": url, **paths}


# --------------------------------------------------------------------------- cases


def _case(case: str, path: Path, url: str) -> dict[str, Any]:
    """Run one case in this process; returns rows read and extra figures."""
    extra: dict[str, Any] = {}
    if case == "read":
        if path.suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as handle:
                count = sum(1 for _ in csv.reader(handle)) - 1
        else:
            import fastexcel

            sheet = fastexcel.read_excel(str(path)).load_sheet(0, dtypes="string")
            count = sheet.height
        return {"rows": count}
    if case == "pandas":
        import pandas as pd

        if path.suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, engine="pyarrow")
        else:
            frame = pd.read_excel(path, dtype=str, engine="calamine")
        return {"rows": len(frame)}
    if case == "floor":
        # The floor a CSV screening is held to: the same file read into a frame with
        # pandas' pyarrow engine, every cell as text, and the frame written back out.
        import pandas as pd

        frame = pd.read_csv(path, dtype="string[pyarrow]", keep_default_na=False, engine="pyarrow")
        out = path.with_name(f"{path.stem}-floor.csv")
        frame.to_csv(out, index=False)
        extra["report_mb"] = round(out.stat().st_size / 1e6, 1)
        out.unlink()
        return {"rows": len(frame), **extra}
    if case == "table":
        from exportctl.readers import CATALOGUE_SCHEMA, read_table

        table = read_table(path, CATALOGUE_SCHEMA)
        count = sum(1 for _ in table.rows)
        return {"rows": count}
    start = time.perf_counter()
    from exportctl import api

    engine = api.open_database(url)
    report = api.screen_catalogue(engine, path, "bench", label="2024-06")
    # Imports, schema check, loading and indexing the list, opening the file.
    extra["setup_s"] = round(time.perf_counter() - start, 2)
    if case == "screen":
        summary = report.drain()
    else:
        from exportctl.reports.evidence import Evidence, ReportOptions
        from exportctl.reports.screening import write_screen_report

        fmt = "xlsx" if case == "screen+xlsx" else "csv"
        out = path.with_name(f"{path.stem}-screen.{fmt}")
        options = ReportOptions(lang="ko", evidence=Evidence.now(operator="bench"))
        summary = write_screen_report(report, fmt, out, options)
        extra["report_mb"] = round(out.stat().st_size / 1e6, 1)
        out.unlink()
    extra["summary"] = summary.to_json()
    return {"rows": summary.total, **extra}


def _child(case: str, path: str, url: str) -> None:
    start = time.perf_counter()
    result = _case(case, Path(path), url)
    result["seconds"] = time.perf_counter() - start
    result["peak_mb"] = peak_rss_mb()
    print(json.dumps(result))


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB.

    Linux keeps ``ru_maxrss`` across ``exec``, so a child forked from a big parent
    would report the parent's peak; ``VmHWM`` belongs to this process image only.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    # ru_maxrss is KiB on Linux, bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e6


CHECKOUT = Path(__file__).resolve().parents[1]
"""The checkout this file is in: its exportctl is the one measured."""


def run_case(case: str, path: str, url: str) -> dict[str, Any]:
    """Run one case in a fresh interpreter and return its figures.

    The interpreter imports exportctl from this checkout (first on ``PYTHONPATH``), not
    from wherever the environment installed it.
    """
    paths = [str(CHECKOUT), *filter(None, [os.environ.get("PYTHONPATH")])]
    done = subprocess.run(
        [sys.executable, __file__, "--child", case, path, url],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
    )
    if done.returncode != 0:
        raise RuntimeError(f"case {case} on {path} failed:\n{done.stderr}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def run(rows: int) -> list[dict[str, Any]]:
    """Generate the data for ``rows`` catalogue rows and run every case on CSV and XLSX.

    Returns:
        One dict per case: ``benchmark``, ``case``, ``format``, ``rows``, ``seconds``,
        ``rows_per_s``, ``peak_mb`` and, for screening cases, ``summary``.
    """
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="screen-bench-") as tmp:
        start = time.perf_counter()
        paths = prepare(Path(tmp), rows)
        generated = time.perf_counter() - start
        for fmt in ("csv", "xlsx"):
            size = Path(paths[fmt]).stat().st_size / 1e6
            for case in CASES:
                if case == "floor" and fmt != "csv":
                    continue
                figures = run_case(case, paths[fmt], paths["db"])
                seconds = figures.pop("seconds")
                results.append(
                    {
                        "benchmark": "screen",
                        "case": case,
                        "format": fmt,
                        "file_mb": round(size, 1),
                        "rows": figures["rows"],
                        "seconds": round(seconds, 2),
                        "rows_per_s": round(figures.pop("rows") / seconds),
                        "peak_mb": round(figures.pop("peak_mb"), 1),
                        **figures,
                    }
                )
        for result in results:
            result["generate_s"] = round(generated, 1)
    return results


def _table(results: list[dict[str, Any]]) -> str:
    lines = [
        f"{'format':<6} {'case':<11} {'rows':>10} {'seconds':>8} {'rows/s':>10} {'peak MB':>8}"
        "  vs read",
    ]
    base = {r["format"]: r["seconds"] for r in results if r["case"] == "read"}
    for r in results:
        ratio = r["seconds"] / base[r["format"]] if base.get(r["format"]) else float("nan")
        lines.append(
            f"{r['format']:<6} {r['case']:<11} {r['rows']:>10,} {r['seconds']:>8.2f} "
            f"{r['rows_per_s']:>10,} {r['peak_mb']:>8.1f}  {ratio:5.1f}x"
        )
    summaries = {json.dumps(r["summary"]) for r in results if "summary" in r}
    for summary in sorted(summaries):
        lines.append(f"summary: {summary}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Command line: ``--rows N`` (default 1,000,000), ``--json``."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--child"]:
        _child(args[1], args[2], args[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000, help="catalogue rows")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    options = parser.parse_args(args)
    results = run(options.rows)
    if options.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        print(f"screen benchmark: {options.rows:,} rows against a {LIST_SIZE:,}-entry list")
        print(_table(results))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
