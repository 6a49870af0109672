"""Benchmark exportctl against the cost of reading its inputs, case by case.

Generates its own inputs with a fixed seed under ``benchmarks/out/`` (cached by case,
size and seed, so a rerun does not regenerate them) and prints one table row per case:
wall time, rows per second, peak memory, the baseline measured in the same run, the
ratio of the two, the target and whether it is met.

Cases (``--only`` takes these names, comma-separated):

``startup``
    ``exportctl --help`` and ``exportctl lists`` (the installed console script, median
    of five runs after a warm-up) beside ``python -c pass``. Target: ``--help`` < 0.25 s.
``import-small``
    ``exportctl import`` of a 1,402-row list workbook in the real layout (title rows,
    two-row merged header 연번 | HS코드 | 품목명 국문/영문 | 구분 | 비고, real HS-6 codes)
    into a fresh SQLite database, end to end, beside a bare ``fastexcel`` read of the
    same file in a fresh interpreter. Target: < 1 s.
``import``
    ``api.import_workbook`` of a ``--rows``-row list workbook (unique 10-digit codes:
    HS-6 subheadings × 4-digit national suffixes) into a fresh database, beside a bare
    ``fastexcel`` read of the same file. The list is plain (one part, one entry a row),
    so it is read and checked a column at a time (``exportctl.listcolumns``); the file
    checks, the header search, the insert and the digests read back are all in the
    time. Target: ≤ 3× the read, peak < 1 GB.
``screen``
    ``api.screen_catalogue`` of ``--rows``-row catalogues against a 1,402-entry list (the
    data and cases of ``screen_bench.py``), each beside its floor in the same run: a CSV
    screened and its Korean report written, beside pandas reading the file (pyarrow
    engine, every cell as text) and writing the frame back (codes only: target ≤ 1.5×;
    Korean names from the HSK master: ≤ 3×); a workbook screened, beside a bare
    fastexcel read (≤ 1.5×). Peak memory < 1 GB for each.
``diff``
    ``api.diff_versions`` of two stored ``--rows``-item versions (the second with ~3%
    changes: adds, removes, description edits), loading from the database included,
    beside a DuckDB full outer join of the same two tables on part and code keeping
    the rows that differ (``diff_bench.py``; read into DuckDB first, untimed). Target:
    ≤ 2× the join, peak < 1 GB.
``report``
    ``api.write_change_report`` of 2,000 changes as PDF (target < 2 s) and of 100,000
    changes as XLSX (target < 5 s), beside the CSV report of the same changes; and the
    PDF of a 200,000-change diff (200,000 items against 185,000: removals, additions
    and description edits) with the default rows per kind (target < 10 s, peak
    < 500 MB), beside the CSV of the same changes.
``documents``
    The annex as the notice publishes it: ``exportctl import`` of a 1,402-entry annex
    PDF (A4, ruled table, two-row header repeated on every page; target < 3 s) and of
    the same annex as HWPX (target < 2 s) into a fresh SQLite database, end to end
    (median of three runs, start-up included), the PDF beside a bare pdfplumber table
    extraction of the same file; and reading every table row of a 200-page PDF with
    exportctl's PDF reader (target: peak memory < 300 MB).
``quality``
    Screening quality rather than speed (``quality.py``): the Korea Customs HSK master
    screened against the 2024-06 sample list (targets: no row a coded entry controls
    missed, ≤ 3 % of the other rows sent to review; skipped when the file named by
    ``--hsk`` is absent) and the labelled item names of
    ``tests/data/screening_labels.csv`` (targets: recall 100 %, ≤ 5 % of the hard
    negatives sent to review). Wall time is the screening's alone.

``arrow``
    A Parquet file of the HSK-named catalogue 8 times over (8,000,000 rows at the default
    ``--rows``) streamed by DuckDB through an ``exportctl.screener`` a batch at a time and
    written back to Parquet (``arrow_bench.py``), beside DuckDB copying the same file; its
    peak memory beside that of pandas reading the file whole. Target: peak < 1 GB.

The ``import`` and ``diff`` cases also run on PostgreSQL when a server is reachable
(``--postgres URL``, else ``EXPORTCTL_BENCH_POSTGRES_URL``, else the URL the tests use),
each in a fresh schema that is dropped afterwards; ``--no-postgres`` skips them.

Every case runs in its own interpreter. Wall time of a library case is measured inside
the child from before exportctl is imported to the end of the work (interpreter start-up
excluded, as for the baseline; the checkout's modules are compiled first, as an installed
copy's are); console-script cases are timed from outside, start-up
included. Peak memory is the child's ``VmHWM`` (or, for console scripts, the ``ru_maxrss``
of ``wait4``), interpreter and libraries included. Numbers on a shared machine are noisy:
compare ratios from the same run rather than seconds across runs.

Usage::

    python benchmarks/run.py                      # 1,000,000 rows; several minutes
    python benchmarks/run.py --rows 20000         # quick run
    python benchmarks/run.py --only startup,report --no-postgres
    python benchmarks/run.py --json results.json  # also write the results as JSON
    python benchmarks/run.py --only quality       # screening quality figures
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import arrow_bench
import diff_bench
import quality
import screen_bench

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
SEED = screen_bench.SEED
SMALL_LIST = screen_bench.LIST_SIZE
DEFAULT_ROWS = 1_000_000
STARTUP_RUNS = 5
SMALL_IMPORT_RUNS = 3
DIFF_CHANGE_SHARE = 0.01
"""Share of items removed, of items added and of items edited between diff versions."""
DIFF_MAX_RATIO = 2.0
PDF_CHANGES = 2_000
XLSX_CHANGES = 100_000
LARGE_PDF_ITEMS = (200_000, 185_000)
"""Items before and after of the large PDF case (200,000 changes between them)."""
LARGE_PDF_CHANGES = 200_000
LARGE_PDF_SECONDS = 10.0
LARGE_PDF_PEAK_MB = 500.0
MAX_RATIO = 3.0
MAX_PEAK_MB = 1_000.0
DEFAULT_POSTGRES = os.environ.get(
    "EXPORTCTL_BENCH_POSTGRES_URL",
    os.environ.get(
        "EXPORTCTL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    ),
)
CASE_GROUPS = (
    "startup",
    "import-small",
    "import",
    "screen",
    "diff",
    "report",
    "documents",
    "quality",
    "arrow",
)
ARROW_COPIES = 8
"""The ``arrow`` case's Parquet file holds the named catalogue this many times over
(8,000,000 rows at the default ``--rows``: more than pandas holds in 1 GB)."""
DOCUMENT_RUNS = 3
LONG_PDF_PAGES = 200
LONG_PDF_PEAK_MB = 300.0

_CATEGORIES = ("사치품", "산업용 품목", "전략물자 관련", "기계류", "전자기기")
_KO_WORDS = ("부분품", "기계", "장치", "부속품", "조립품", "모듈", "기기", "재료")
_EN_WORDS = ("parts", "machines", "apparatus", "accessories", "assemblies", "modules")


# --------------------------------------------------------------------------- results


@dataclass
class Result:
    """One row of the table."""

    case: str
    rows: int | None = None
    seconds: float | None = None
    peak_mb: float | None = None
    baseline: str = ""
    baseline_s: float | None = None
    target: str = ""
    max_seconds: float | None = None
    max_ratio: float | None = None
    max_peak_mb: float | None = None
    goals: dict[str, bool] = field(default_factory=dict)
    """Targets that are not about time or memory, by name: met or not (quality figures)."""
    note: str = ""
    error: str = ""

    @property
    def rows_per_s(self) -> float | None:
        """Rows handled per second of wall time."""
        if self.rows and self.seconds:
            return self.rows / self.seconds
        return None

    @property
    def ratio(self) -> float | None:
        """Wall time over the baseline's."""
        if self.seconds is not None and self.baseline_s:
            return self.seconds / self.baseline_s
        return None

    @property
    def verdict(self) -> str:
        """``pass``, ``FAIL`` naming the missed targets (``FAIL: ratio``), ``error``
        or ``-`` (no target)."""
        if self.error:
            return "error"
        checks: dict[str, bool] = {}
        if self.max_seconds is not None and self.seconds is not None:
            checks["time"] = self.seconds < self.max_seconds
        if self.max_ratio is not None and self.ratio is not None:
            checks["ratio"] = self.ratio <= self.max_ratio
        if self.max_peak_mb is not None and self.peak_mb is not None:
            checks["memory"] = self.peak_mb < self.max_peak_mb
        checks.update(self.goals)
        if not checks:
            return "-"
        missed = [name for name, ok in checks.items() if not ok]
        return "FAIL: " + ", ".join(missed) if missed else "pass"

    def to_json(self) -> dict[str, Any]:
        """The result with its derived figures."""
        data = asdict(self)
        data.update(rows_per_s=self.rows_per_s, ratio=self.ratio, verdict=self.verdict)
        return data


def format_table(results: list[Result]) -> str:
    """The results as a fixed-width text table."""
    header = (
        f"{'case':<40} {'wall s':>7} {'rows/s':>10} {'peak MB':>8}  {'baseline':<18} "
        f"{'base s':>7} {'ratio':>7}  {'target':<18} result"
    )
    lines = [header, "-" * len(header)]

    def num(value: float | None, spec: str) -> str:
        return "-" if value is None else format(value, spec)

    for r in results:
        if r.error:
            lines.append(f"{r.case:<40} {'error: ' + r.error.splitlines()[0][:80]}")
            continue
        if r.seconds is None:
            lines.append(f"{r.case:<40} {r.note}")
            continue
        ratio = "-" if r.ratio is None else f"{r.ratio:.2f}x"
        lines.append(
            f"{r.case:<40} {num(r.seconds, '.2f'):>7} {num(r.rows_per_s, ',.0f'):>10} "
            f"{num(r.peak_mb, '.0f'):>8}  {r.baseline:<18} {num(r.baseline_s, '.2f'):>7} "
            f"{ratio:>7}  {r.target:<18} {r.verdict}"
        )
    notes = [f"  {r.case}: {r.note}" for r in results if r.note and r.seconds is not None]
    if notes:
        lines += ["", "notes:", *notes]
    return "\n".join(lines)


# --------------------------------------------------------------------------- processes


def _child_command(kind: str, **params: Any) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--child", kind, json.dumps(params)]


def spawn(kind: str, **params: Any) -> dict[str, Any]:
    """Run ``kind`` in a fresh interpreter; returns the JSON it printed last."""
    done = subprocess.run(
        _child_command(kind, **params), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{kind} failed:\n{done.stderr.strip()[-2000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def run_command(argv: list[str]) -> tuple[float, float, int, str]:
    """Run a program; returns wall seconds, peak MB (``wait4``), exit code and stderr.

    Timed from outside, so interpreter start-up is included.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    # ru_maxrss is KiB on Linux, bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return seconds, usage.ru_maxrss * scale / 1e6, proc.returncode, stderr


def median_command(argv: list[str], runs: int) -> tuple[float, float]:
    """Median wall seconds and largest peak MB of ``runs`` runs, after one warm-up run."""
    timings: list[float] = []
    peaks: list[float] = []
    for attempt in range(runs + 1):
        seconds, peak, code, stderr = run_command(argv)
        if code != 0:
            raise RuntimeError(f"{' '.join(argv[-3:])} exited {code}:\n{stderr.strip()[-2000:]}")
        if attempt:
            timings.append(seconds)
            peaks.append(peak)
    return statistics.median(timings), max(peaks)


def console_script() -> str:
    """The installed ``exportctl`` console script (next to this interpreter, else on PATH)."""
    beside = Path(sys.executable).parent / "exportctl"
    if beside.exists():
        return str(beside)
    found = shutil.which("exportctl")
    if found is None:
        raise RuntimeError("the exportctl console script is not installed: pip install -e .")
    return found


# --------------------------------------------------------------------------- inputs


def cached(case: str, rows: int, seed: int, make: Callable[[Path], None]) -> Path:
    """The folder of generated inputs for ``(case, rows, seed)``, made once."""
    folder = OUT / f"{case}-{rows}-s{seed}"
    marker = folder / ".complete"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        started = time.perf_counter()
        make(folder)
        marker.write_text(f"{time.perf_counter() - started:.1f} s\n", encoding="utf-8")
    return folder


def hs6_codes() -> list[str]:
    """HS 2022 subheadings from the packaged nomenclature, sorted."""
    from exportctl.hscode import Nomenclature

    return sorted(Nomenclature.load("2022").codes(6))


def national_codes(count: int, rng: random.Random) -> list[str]:
    """``count`` distinct 10-digit codes (HS-6 × 4-digit suffix), sorted."""
    hs6 = hs6_codes()
    picks = sorted(rng.sample(range(len(hs6) * 10_000), count))
    return [f"{hs6[n // 10_000]}{n % 10_000:04d}" for n in picks]


def _describe(code: str, rng: random.Random) -> tuple[str, str, str]:
    """Korean and English descriptions and a category for a code."""
    ko = f"{rng.choice(_KO_WORDS)} {rng.choice(_KO_WORDS)} ({code[:4]}.{code[4:6]})"
    en = f"{rng.choice(_EN_WORDS)} of heading {code[:4]}, line {code[6:] or code[4:]}"
    return ko, en, rng.choice(_CATEGORIES)


def _dotted(code: str) -> str:
    return f"{code[:4]}.{code[4:6]}" + (f"-{code[6:]}" if len(code) > 6 else "")


def write_list_workbook(path: Path, codes: list[str], rng: random.Random) -> None:
    """A list workbook in the published layout: title, date, two-row merged header, rows.

    Written with xlsxwriter ``constant_memory``: rows strictly in order, strings inline.
    """
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("별표2의2")
    sheet.merge_range(0, 0, 0, 5, "러시아·벨라루스 상황허가 대상 품목 (벤치마크용 생성 목록)")
    sheet.merge_range(1, 0, 1, 5, "2024. 6. 개정 기준")
    # Without a format a merge writes no blank cells, so the writer stays on row 4 until
    # every range starting there is recorded (constant_memory drops earlier rows' ranges).
    sheet.merge_range(3, 2, 3, 3, "품목명")
    for col, text in ((0, "연번"), (1, "HS코드"), (4, "구분"), (5, "비고")):
        sheet.merge_range(3, col, 4, col, text)
    sheet.write_string(4, 2, "국문")
    sheet.write_string(4, 3, "영문")
    for row, code in enumerate(codes, start=5):
        ko, en, category = _describe(code, rng)
        sheet.write_number(row, 0, row - 4)
        sheet.write_string(row, 1, _dotted(code))
        sheet.write_string(row, 2, ko)
        sheet.write_string(row, 3, en)
        sheet.write_string(row, 4, category)
        if rng.random() < 0.02:
            sheet.write_string(row, 5, "세부 사양은 고시 참조")
    book.close()


def make_items(codes: list[str], rng: random.Random) -> list[Any]:
    """``ItemRecord`` entries for ``codes``, numbered from 1."""
    from exportctl.models import ItemRecord

    items = []
    for serial, code in enumerate(codes, start=1):
        ko, en, category = _describe(code, rng)
        items.append(
            ItemRecord(str(serial), code, len(code), False, ko, en, category, None, "", serial + 5)
        )
    return items


def revise(items: list[Any], changes: int, spare: list[str], rng: random.Random) -> list[Any]:
    """A later version of ``items`` with ``changes`` changes.

    A third of them removals, a third additions (codes from ``spare``) and a third
    description edits; serial numbers stay with their items.
    """
    import dataclasses

    from exportctl.models import ItemRecord

    edits = changes // 3
    removes = changes // 3
    adds = changes - edits - removes
    picked = rng.sample(range(len(items)), edits + removes)
    gone = set(picked[:removes])
    edited = set(picked[removes:])
    kept = []
    for n, item in enumerate(items):
        if n in gone:
            continue
        if n in edited:
            item = dataclasses.replace(item, description=item.description + " (개정)")
        kept.append(item)
    serial = len(items)
    for code in spare[:adds]:
        serial += 1
        ko, en, category = _describe(code, rng)
        kept.append(ItemRecord(str(serial), code, len(code), False, ko, en, category, None, "", 0))
    kept.sort(key=lambda item: item.code)
    return kept


def large_pair(before: int, after: int, changes: int, seed: int) -> tuple[list[Any], list[Any]]:
    """Two versions of ``before`` and ``after`` items with ``changes`` changes between them.

    Removals and additions make up the difference in size; the rest are description
    edits (e.g. 200,000 → 185,000 items with 200,000 changes: 40,000 removed, 25,000
    added, 135,000 edited).
    """
    import dataclasses

    rng = random.Random(seed)
    removes = (changes - (after - before)) // 3
    adds = removes + after - before
    edits = changes - removes - adds
    codes = national_codes(before + adds, rng)
    spare = set(rng.sample(codes, adds))
    old = make_items([c for c in codes if c not in spare], rng)
    picked = rng.sample(range(len(old)), removes + edits)
    gone = set(picked[:removes])
    edited = set(picked[removes:])
    new = [
        dataclasses.replace(item, description=item.description + " (개정)") if n in edited else item
        for n, item in enumerate(old)
        if n not in gone
    ]
    new += [
        dataclasses.replace(item, serial=str(before + n))
        for n, item in enumerate(make_items(sorted(spare), rng), start=1)
    ]
    new.sort(key=lambda item: item.code)
    return old, new


def version_pair(rows: int, changes: int, seed: int) -> tuple[list[Any], list[Any]]:
    """Two versions: ``rows`` items, then the same with ``changes`` changes."""
    rng = random.Random(seed)
    adds = changes - 2 * (changes // 3)
    codes = national_codes(rows + adds, rng)
    spare = rng.sample(codes, adds)
    spare_set = set(spare)
    old = make_items([c for c in codes if c not in spare_set], rng)
    return old, revise(old, changes, sorted(spare), rng)


def store_versions(url: str, slug: str, old: list[Any], new: list[Any]) -> None:
    """Create the schema at ``url`` and store ``old`` and ``new`` as versions v1 and v2."""
    import datetime as dt

    from exportctl import api, store

    engine, _before, _after = api.init_database(url)
    try:
        for n, items in enumerate((old, new), start=1):
            with store.session_scope(engine) as session:
                store.store_version(
                    session,
                    store.NewVersion(
                        slug=slug,
                        label=f"v{n}",
                        source_file=f"{slug}-v{n}.xlsx",
                        source_sha256=f"{n:064d}",
                        source_sheet="별표2의2",
                        actor="bench",
                        effective=dt.date(2024, 2 * n, 1),
                    ),
                    items,
                )
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- child cases


def _gen_list(path: str, rows: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    if rows == SMALL_LIST:
        # Real HS-6 subheadings, none a prefix of another, in code order.
        codes = sorted(rng.sample(hs6_codes(), rows))
    else:
        codes = national_codes(rows, rng)
    write_list_workbook(Path(path), codes, rng)
    return {"rows": rows}


def _gen_screen(folder: str, rows: int, seed: int, hsk: str | None = None) -> dict[str, Any]:
    screen_bench.SEED = seed
    paths = screen_bench.prepare(Path(folder), rows, Path(hsk) if hsk else None)
    (Path(folder) / "paths.json").write_text(json.dumps(paths), encoding="utf-8")
    return {"rows": rows}


def _gen_diff(url: str, rows: int, seed: int) -> dict[str, Any]:
    from sqlalchemy import create_engine

    old, new = version_pair(rows, round(rows * DIFF_CHANGE_SHARE * 3), seed)
    store_versions(url, "bench-diff", old, new)
    engine = create_engine(url)
    if engine.dialect.name == "postgresql":
        # As autovacuum would within a minute: the planner sizes the joins by these.
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE item")
    engine.dispose()
    return {"rows": rows}


def _init(url: str) -> dict[str, Any]:
    from exportctl import api

    api.init_database(url)
    return {}


def _schema(url: str, schema: str, action: str) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        if action == "create":
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        else:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()
    return {}


def _read_xlsx(path: str) -> dict[str, Any]:
    import fastexcel

    table = fastexcel.read_excel(path).load_sheet(0, header_row=None, dtypes="string").to_arrow()
    return {"rows": table.num_rows}


def _import(url: str, path: str, label: str) -> dict[str, Any]:
    from exportctl import api

    engine = api.open_database(url)
    try:
        result = api.import_workbook(
            engine, Path(path), api.ImportOptions(slug="bench", label=label, create_list=True)
        )
    finally:
        engine.dispose()
    if not result.stored:
        errors = "; ".join(str(f) for f in result.report.errors[:3])
        raise RuntimeError(f"import not stored: {errors}")
    return {"rows": result.report.item_count, "warnings": len(result.report.warnings)}


def _diff(url: str) -> dict[str, Any]:
    from exportctl import api

    engine = api.open_database(url)
    try:
        changes = api.diff_versions(engine, "bench-diff", "v1", "v2")
    finally:
        engine.dispose()
    counts = {kind: n for kind, n in changes.counts().items() if n}
    rows = changes.old_version.item_count if changes.old_version else 0
    return {"rows": rows, "changes": counts}


def _report(
    folder: str, fmt: str, changes: int, seed: int, items: list[int] | None = None
) -> dict[str, Any]:
    """Build the change set (untimed), then time ``write_change_report``.

    ``items`` (before, after) asks for versions of those sizes (:func:`large_pair`);
    otherwise the old version has ``2 × changes`` items.
    """
    import dataclasses
    import datetime as dt

    from exportctl import api
    from exportctl.diff import VersionInfo, compare

    if items:
        old, new = large_pair(items[0], items[1], changes, seed)
    else:
        old, new = version_pair(changes * 2, changes, seed)
    change_set = dataclasses.replace(
        compare(old, new),
        list_slug="bench",
        list_name="Benchmark list",
        old_version=VersionInfo(label="v1", effective=dt.date(2024, 2, 1), item_count=len(old)),
        new_version=VersionInfo(label="v2", effective=dt.date(2024, 4, 1), item_count=len(new)),
    )
    db = Path(folder) / f"report-{fmt}.db"
    for stale in db.parent.glob(db.name + "*"):
        stale.unlink()
    engine = api.open_database(f"sqlite:///{db}", create=True)
    out = Path(folder) / f"changes-{changes}.{fmt}"
    out.unlink(missing_ok=True)
    start, cpu = time.perf_counter(), time.process_time()
    api.write_change_report(engine, change_set, fmt, out)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    engine.dispose()
    return {
        "rows": len(change_set.changes),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "file_mb": out.stat().st_size / 1e6,
    }


def _annex_rows(codes: list[str], rng: random.Random) -> list[list[str]]:
    """Table rows of a one-part annex: 연번, HS코드, 국문, 영문, 구분, 비고."""
    rows = []
    for serial, code in enumerate(codes, start=1):
        ko, en, category = _describe(code, rng)
        note = "세부 사양은 고시 참조" if rng.random() < 0.02 else ""
        rows.append([str(serial), _dotted(code), ko, en, category, note])
    return rows


_DOC_HEADER = (["연번", "HS코드", "품목명", "", "구분", "비고"], ["", "", "국문", "영문", "", ""])
_DOC_NOTICE = ("[별표 2의2] <개정 2024. 6. 28.>", "벤치마크용 생성 목록 (2024. 6. 28.)")


def write_annex_pdf(path: Path, rows: list[list[str]], *, paragraphs: bool = True) -> int:
    """The annex as the notice's PDF prints it: A4, one ruled table, header on every page.

    With ``paragraphs`` cells wrap (as the notice's do); without, each cell is one line
    (quicker to lay out for the long document). Returns the number of pages.
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    from exportctl.reports.pdf_document import escape, register_hangul_font

    regular, _bold = register_hangul_font()
    style = ParagraphStyle("cell", fontName=regular, fontSize=7, leading=8.6)

    def cell(text: str) -> Any:
        return Paragraph(escape(text), style) if paragraphs and text else text

    data = [[cell(t) for t in row] for row in (*_DOC_HEADER, *rows)]
    table = Table(
        data, colWidths=[30, 48, 150, 170, 60, 65], repeatRows=2, splitByRow=0, splitInRow=1
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("FONTNAME", (0, 0), (-1, -1), regular),
                ("FONTSIZE", (0, 0), (-1, -1), 7),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("SPAN", (0, 0), (0, 1)),
                ("SPAN", (1, 0), (1, 1)),
                ("SPAN", (2, 0), (3, 0)),
                ("SPAN", (4, 0), (4, 1)),
                ("SPAN", (5, 0), (5, 1)),
                ("LINEBELOW", (0, 1), (-1, 1), 0.5, colors.black),
            ]
        )
    )
    body = ParagraphStyle("body", fontName=regular, fontSize=9, leading=12)
    story = [Paragraph(escape(line), body) for line in _DOC_NOTICE] + [table]
    document = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=36, rightMargin=36, invariant=1)
    document.build(story)
    return int(document.page)


def write_annex_hwpx(path: Path, rows: list[list[str]]) -> None:
    """The same annex as the notice's HWPX (``tests/hwpx_builder.py``)."""
    sys.path.append(str(HERE.parent / "tests"))
    from hwpx_builder import Cell, Table, write_hwpx

    table: list[list[Any]] = [
        [Cell("연번", rows=2), Cell("HS코드", rows=2), Cell("품목명", columns=2)]
        + [Cell("구분", rows=2), Cell("비고", rows=2)],
        ["국문", "영문"],
    ]
    table += [[text or None for text in row] for row in rows]
    write_hwpx(path, [*_DOC_NOTICE, Table(table)])


def _gen_documents(folder: str, rows: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    codes = sorted(rng.sample(hs6_codes(), rows))
    annex = _annex_rows(codes, rng)
    pages = write_annex_pdf(Path(folder) / "annex.pdf", annex)
    write_annex_hwpx(Path(folder) / "annex.hwpx", annex)
    # The long document: one-line rows, repeated codes (reading, not importing).
    long_rows: list[list[str]] = []
    while True:
        long_rows += _annex_rows(codes, rng)
        long_pages = write_annex_pdf(Path(folder) / "long.pdf", long_rows, paragraphs=False)
        if long_pages >= LONG_PDF_PAGES:
            break
        per_page = len(long_rows) / long_pages
        long_rows = long_rows[: max(0, int(per_page * LONG_PDF_PAGES) - rows)]
    return {"rows": rows, "pages": pages, "long_pages": long_pages}


def _read_pdf(path: str) -> dict[str, Any]:
    """Every row of every table of a PDF, through exportctl's reader."""
    from exportctl.readers.guard import check_file
    from exportctl.readers.pdf import open_book

    book = open_book(check_file(Path(path)))
    rows = sum(1 for name in book.sheet_names for _ in book.rows(name))
    return {"rows": rows, "pages": book.pages, "tables": len(book.sheet_names)}


def _quality(hsk: str, labels: str) -> dict[str, Any]:
    """Both screening-quality figures (``quality.run``)."""
    return {"figures": quality.run(Path(hsk), Path(labels))}


def _extract_pdf(path: str) -> dict[str, Any]:
    """pdfplumber's ruled tables of every page, nothing else."""
    import pdfplumber

    settings = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
    rows = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            rows += sum(len(table) for table in page.extract_tables(settings))
            page.close()
    return {"rows": rows}


CHILDREN: dict[str, Callable[..., dict[str, Any]]] = {
    "gen-list": _gen_list,
    "gen-screen": _gen_screen,
    "gen-diff": _gen_diff,
    "init": _init,
    "schema": _schema,
    "read-xlsx": _read_xlsx,
    "import": _import,
    "duckdb-join": diff_bench.duckdb_join,
    "diff": _diff,
    "report": _report,
    "gen-documents": _gen_documents,
    "read-pdf": _read_pdf,
    "extract-pdf": _extract_pdf,
    "quality": _quality,
    "gen-arrow": arrow_bench.write_parquet,
    "arrow-screen": arrow_bench.screen,
    "arrow-copy": arrow_bench.copy,
    "arrow-hold": arrow_bench.hold,
}


def child(kind: str, params: str) -> None:
    """Run one child case and print its figures as JSON (the last line of stdout)."""
    start = time.perf_counter()
    figures = CHILDREN[kind](**json.loads(params))
    figures.setdefault("seconds", time.perf_counter() - start)
    figures["peak_mb"] = screen_bench.peak_rss_mb()
    print(json.dumps(figures, ensure_ascii=False))


# --------------------------------------------------------------------------- cases


@dataclass
class Settings:
    """Command-line settings shared by the cases."""

    rows: int
    seed: int
    postgres: str | None
    """Base PostgreSQL URL, or None when skipped."""
    work: Path
    """Folder for this run's databases and reports (recreated each run)."""
    hsk: Path = quality.DEFAULT_HSK
    """The Korea Customs HSK master for the quality case."""


def _measured(result: Result, figures: dict[str, Any]) -> Result:
    result.rows = figures.get("rows")
    result.seconds = figures["seconds"]
    result.peak_mb = figures["peak_mb"]
    return result


def _failed(case: str, exc: Exception) -> Result:
    return Result(case=case, error=str(exc).strip() or type(exc).__name__)


def bench_startup(settings: Settings) -> Iterator[Result]:
    """``exportctl --help`` and ``exportctl lists`` beside ``python -c pass``."""
    script = console_script()
    db = settings.work / "startup.db"
    spawn("init", url=f"sqlite:///{db}")
    base, _peak = median_command([sys.executable, "-c", "pass"], STARTUP_RUNS)
    for name, argv, limit in (
        ("startup: --help", [script, "--help"], 0.25),
        ("startup: lists", [script, "--db", f"sqlite:///{db}", "lists"], None),
    ):
        try:
            seconds, peak = median_command(argv, STARTUP_RUNS)
        except RuntimeError as exc:
            yield _failed(name, exc)
            continue
        yield Result(
            case=name,
            seconds=seconds,
            peak_mb=peak,
            baseline="python -c pass",
            baseline_s=base,
            target=f"< {limit} s" if limit else "",
            max_seconds=limit,
        )


def cli_imports(
    script: str, settings: Settings, path: Path, prefix: str, runs: int
) -> tuple[list[float], list[float]]:
    """Time ``exportctl import`` of the 1,402-entry list ``path``, ``runs`` times.

    Each run imports into a fresh SQLite database. Returns the seconds and peak MB of
    each run.

    Raises:
        RuntimeError: An import failed (its exit code and the end of its stderr).
    """
    timings: list[float] = []
    peaks: list[float] = []
    for attempt in range(runs):
        url = f"sqlite:///{settings.work / f'{prefix}-{attempt}.db'}"
        spawn("init", url=url)
        argv = [script, "--db", url, "import", str(path), "--list", "bench", "--create-list"]
        argv += ["--version", "2024-06", "--declared-total", str(SMALL_LIST)]
        seconds, peak, code, stderr = run_command(argv)
        if code != 0:
            raise RuntimeError(f"exit {code}: {stderr.strip()[-500:]}")
        timings.append(seconds)
        peaks.append(peak)
    return timings, peaks


def bench_import_small(settings: Settings) -> Iterator[Result]:
    """``exportctl import`` of the 1,402-row list into a fresh SQLite database."""
    name = f"import {SMALL_LIST:,} (CLI, sqlite)"
    folder = cached(
        "list",
        SMALL_LIST,
        settings.seed,
        lambda d: spawn("gen-list", path=str(d / "list.xlsx"), rows=SMALL_LIST, seed=settings.seed),
    )
    workbook = folder / "list.xlsx"
    script = console_script()
    read = (
        "import sys, fastexcel; "
        "fastexcel.read_excel(sys.argv[1]).load_sheet(0, header_row=None, dtypes='string')"
        ".to_arrow()"
    )
    base, _peak = median_command([sys.executable, "-c", read, str(workbook)], SMALL_IMPORT_RUNS)
    try:
        timings, peaks = cli_imports(script, settings, workbook, "import-small", SMALL_IMPORT_RUNS)
    except RuntimeError as exc:
        yield _failed(name, exc)
        return
    yield Result(
        case=name,
        rows=SMALL_LIST,
        seconds=statistics.median(timings),
        peak_mb=max(peaks),
        baseline="fastexcel (proc)",
        baseline_s=base,
        target="< 1 s",
        max_seconds=1.0,
        note=f"median of {SMALL_IMPORT_RUNS} runs, interpreter start-up included in both",
    )


def _list_workbook(settings: Settings) -> Path:
    folder = cached(
        "list",
        settings.rows,
        settings.seed,
        lambda d: spawn(
            "gen-list", path=str(d / "list.xlsx"), rows=settings.rows, seed=settings.seed
        ),
    )
    return folder / "list.xlsx"


def _ratio_target(result: Result) -> Result:
    result.target = f"<= {MAX_RATIO:g}x, < 1 GB"
    result.max_ratio = MAX_RATIO
    result.max_peak_mb = MAX_PEAK_MB
    return result


def _import_case(
    name: str, url: str, workbook: Path, read: dict[str, Any], *, note: bool
) -> Result:
    """One big-list import into ``url``, set beside the bare read of the same file."""
    try:
        spawn("init", url=url)
        figures = spawn("import", url=url, path=str(workbook), label="big")
    except RuntimeError as exc:
        return _failed(name, exc)
    result = _measured(Result(case=name), figures)
    result.baseline, result.baseline_s = "fastexcel read", read["seconds"]
    if note:
        result.note = (
            f"{figures['warnings']:,} validation warnings; bare read peak {read['peak_mb']:.0f} MB"
        )
    return _ratio_target(result)


def bench_import(settings: Settings) -> Iterator[Result]:
    """``api.import_workbook`` of the big list, SQLite then PostgreSQL, beside a bare read."""
    workbook = _list_workbook(settings)
    read = spawn("read-xlsx", path=str(workbook))
    url = f"sqlite:///{settings.work / 'import.db'}"
    yield _import_case(f"import {settings.rows:,} (sqlite)", url, workbook, read, note=True)
    name = f"import {settings.rows:,} (postgres)"
    for pg_url in _postgres_schema(settings, "import", name):
        if isinstance(pg_url, Result):
            yield pg_url
            return
        yield _import_case(name, pg_url, workbook, read, note=False)


def _postgres_schema(settings: Settings, case: str, name: str) -> Iterator[str | Result]:
    """Yield a URL for a fresh schema (dropped afterwards), or a skipped ``Result``."""
    if settings.postgres is None:
        yield Result(case=name, note="skipped: --no-postgres")
        return
    problem = postgres_problem(settings.postgres)
    if problem:
        yield Result(case=name, note=f"skipped: {problem}")
        return
    schema = f"bench_{case}_{os.getpid()}"
    spawn("schema", url=settings.postgres, schema=schema, action="create")
    sep = "&" if "?" in settings.postgres else "?"
    try:
        yield f"{settings.postgres}{sep}options=-csearch_path%3D{schema}"
    finally:
        spawn("schema", url=settings.postgres, schema=schema, action="drop")


def postgres_problem(url: str) -> str | None:
    """Why ``url`` cannot be used, or None when a server answers."""
    probe = (
        "import sys\nfrom sqlalchemy import create_engine, text\n"
        "e = create_engine(sys.argv[1], connect_args={'connect_timeout': 3})\n"
        "with e.connect() as c: c.execute(text('select 1'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, url], capture_output=True, text=True, check=False
    )
    if done.returncode == 0:
        return None
    lines = done.stderr.strip().splitlines()
    return f"no PostgreSQL server at {_hide_password(url)} ({lines[-1][:120] if lines else '?'})"


def _hide_password(url: str) -> str:
    head, sep, tail = url.partition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, credentials = head.partition("//")
    return f"{scheme}//{credentials.split(':', 1)[0]}:***@{tail}"


SCREEN_CASES = (
    # (name, catalogue, floor case, floor's name, ratio goal, screening cases)
    ("csv, codes only", "codes_csv", "floor", "pandas read+write", 1.5, ("screen", "screen+csv")),
    ("csv, Korean names", "named_csv", "floor", "pandas read+write", 3.0, ("screen", "screen+csv")),
    ("xlsx, codes only", "codes_xlsx", "read", "fastexcel read", 1.5, ("screen",)),
    ("xlsx, product words", "xlsx", "read", "fastexcel read", 1.5, ("screen",)),
)
"""The screening rows: each catalogue screened beside its floor, measured in the same run.

``screen`` is a whole screening with its summary (``api.screen_catalogue``: reading,
every verdict, the counts), as earlier runs measured it; ``screen+csv`` also writes the
report (the Korean CSV of ``exportctl screen -o FILE --lang ko``). A CSV catalogue's
floor is pandas reading the file with its pyarrow engine (every cell as text) and
writing the frame back out; a workbook's is fastexcel's read of it. The Korean names
are the HSK master's (``--hsk``); the product words are three of a small vocabulary,
as in earlier runs."""


def _screening_inputs(settings: Settings) -> tuple[Path, dict[str, str]]:
    """The screening cases' folder of inputs (made once) and their paths by name."""
    folder = cached(
        "screening",
        settings.rows,
        settings.seed,
        lambda d: spawn(
            "gen-screen",
            folder=str(d),
            rows=settings.rows,
            seed=settings.seed,
            hsk=str(settings.hsk),
        ),
    )
    paths: dict[str, str] = json.loads((folder / "paths.json").read_text(encoding="utf-8"))
    return folder, paths


def bench_screen(settings: Settings) -> Iterator[Result]:
    """Each screening case of :data:`SCREEN_CASES` beside its floor."""
    folder, paths = _screening_inputs(settings)
    for label, catalogue, floor_case, floor_name, goal, cases in SCREEN_CASES:
        if catalogue not in paths:
            name = f"screen {settings.rows:,} {label}"
            yield Result(case=name, note=f"skipped: no HSK master at {settings.hsk}")
            continue
        try:
            floor = screen_bench.run_case(floor_case, paths[catalogue], paths["db"])
        except RuntimeError as exc:
            yield _failed(f"screen {settings.rows:,} {label}", exc)
            continue
        for case in cases:
            name = f"{case} {settings.rows:,} {label}"
            try:
                figures = screen_bench.run_case(case, paths[catalogue], paths["db"])
            except RuntimeError as exc:
                yield _failed(name, exc)
                continue
            result = _measured(Result(case=name), figures)
            result.baseline, result.baseline_s = floor_name, floor["seconds"]
            result.target = f"<= {goal:g}x, < 1 GB"
            result.max_ratio, result.max_peak_mb = goal, MAX_PEAK_MB
            summary = figures.get("summary", {})
            written = f"; {figures['report_mb']} MB report" if "report_mb" in figures else ""
            result.note = (
                f"setup {figures.get('setup_s')} s; floor peak {floor['peak_mb']:.0f} MB"
                f"{written}; {summary.get('controlled', 0):,} controlled, "
                f"{summary.get('review', 0):,} review"
            )
            yield result


def _diff_result(name: str, url: str) -> Result:
    try:
        floor = spawn("duckdb-join", url=url)
        figures = spawn("diff", url=url)
    except RuntimeError as exc:
        return _failed(name, exc)
    result = _measured(Result(case=name), figures)
    result.baseline, result.baseline_s = "DuckDB join", floor["seconds"]
    result.target = f"<= {DIFF_MAX_RATIO:g}x, < 1 GB"
    result.max_ratio, result.max_peak_mb = DIFF_MAX_RATIO, MAX_PEAK_MB
    changes = ", ".join(f"{n:,} {kind}" for kind, n in figures["changes"].items())
    result.note = (
        f"{changes}; the join returned {floor['differing']:,} rows "
        f"(median of {diff_bench.FLOOR_RUNS}, after {floor['load_s']:.1f} s reading both "
        f"versions into DuckDB)"
    )
    return result


def bench_diff(settings: Settings) -> Iterator[Result]:
    """``api.diff_versions`` of two stored versions, SQLite then PostgreSQL."""
    folder = cached(
        "diff",
        settings.rows,
        settings.seed,
        lambda d: spawn(
            "gen-diff", url=f"sqlite:///{d / 'diff.db'}", rows=settings.rows, seed=settings.seed
        ),
    )
    url = f"sqlite:///{folder / 'diff.db'}"
    spawn("init", url=url)  # a database cached by an older exportctl is upgraded first
    yield _diff_result(f"diff {settings.rows:,} (sqlite)", url)
    name = f"diff {settings.rows:,} (postgres)"
    for pg_url in _postgres_schema(settings, "diff", name):
        if isinstance(pg_url, Result):
            yield pg_url
            return
        try:
            spawn("gen-diff", url=pg_url, rows=settings.rows, seed=settings.seed)
        except RuntimeError as exc:
            yield _failed(name, exc)
        else:
            yield _diff_result(name, pg_url)


def bench_report(settings: Settings) -> Iterator[Result]:
    """PDF of 2,000 changes and XLSX of 100,000, each beside the CSV of the same changes."""
    for fmt, changes, limit in (("pdf", PDF_CHANGES, 2.0), ("xlsx", XLSX_CHANGES, 5.0)):
        name = f"report {fmt} {changes:,} changes"
        params = {"folder": str(settings.work), "changes": changes, "seed": settings.seed}
        try:
            base = spawn("report", fmt="csv", **params)
            figures = spawn("report", fmt=fmt, **params)
        except RuntimeError as exc:
            yield _failed(name, exc)
            continue
        result = _measured(Result(case=name), figures)
        result.baseline, result.baseline_s = "CSV report", base["seconds"]
        result.target, result.max_seconds = f"< {limit:g} s", limit
        result.note = f"{figures['file_mb']:.1f} MB written"
        yield result
    before, after = LARGE_PDF_ITEMS
    name = f"report pdf {LARGE_PDF_CHANGES:,} changes ({before:,} → {after:,} items)"
    params = {
        "folder": str(settings.work),
        "changes": LARGE_PDF_CHANGES,
        "seed": settings.seed,
        "items": [before, after],
    }
    try:
        base = spawn("report", fmt="csv", **params)
        figures = spawn("report", fmt="pdf", **params)
    except RuntimeError as exc:
        yield _failed(name, exc)
        return
    result = _measured(Result(case=name), figures)
    result.baseline, result.baseline_s = "CSV report", base["seconds"]
    result.target = f"< {LARGE_PDF_SECONDS:g} s, < {LARGE_PDF_PEAK_MB:g} MB"
    result.max_seconds, result.max_peak_mb = LARGE_PDF_SECONDS, LARGE_PDF_PEAK_MB
    result.note = f"{figures['file_mb']:.1f} MB written, {figures['cpu_seconds']:.1f} s CPU"
    yield result


def bench_documents(settings: Settings) -> Iterator[Result]:
    """The annex as PDF and HWPX through ``exportctl import``; a 200-page PDF read."""
    folder = cached(
        "documents",
        SMALL_LIST,
        settings.seed,
        lambda d: spawn("gen-documents", folder=str(d), rows=SMALL_LIST, seed=settings.seed),
    )
    script = console_script()
    pdf = folder / "annex.pdf"
    try:
        bare = spawn("extract-pdf", path=str(pdf))
    except RuntimeError as exc:
        yield _failed("documents", exc)
        return
    for fmt, path, limit in (("PDF", pdf, 3.0), ("HWPX", folder / "annex.hwpx", 2.0)):
        name = f"import {SMALL_LIST:,}-entry annex {fmt}"
        try:
            timings, peaks = cli_imports(script, settings, path, f"documents-{fmt}", DOCUMENT_RUNS)
        except RuntimeError as exc:
            yield _failed(name, exc)
        else:
            result = Result(
                case=name,
                rows=SMALL_LIST,
                seconds=statistics.median(timings),
                peak_mb=max(peaks),
                target=f"< {limit:g} s",
                max_seconds=limit,
                note=f"median of {DOCUMENT_RUNS} runs, interpreter start-up included",
            )
            if fmt == "PDF":
                result.baseline, result.baseline_s = "pdfplumber tables", bare["seconds"]
                result.note += (
                    f"; {path.stat().st_size / 1e6:.1f} MB; the bare extraction is timed "
                    "inside its process"
                )
            yield result
    name = f"read a {LONG_PDF_PAGES}-page PDF"
    try:
        figures = spawn("read-pdf", path=str(folder / "long.pdf"))
    except RuntimeError as exc:
        yield _failed(name, exc)
        return
    result = _measured(Result(case=name), figures)
    result.target, result.max_peak_mb = f"peak < {LONG_PDF_PEAK_MB:g} MB", LONG_PDF_PEAK_MB
    result.note = (
        f"{figures['pages']} pages, {figures['tables']} table(s), "
        f"{(folder / 'long.pdf').stat().st_size / 1e6:.1f} MB"
    )
    yield result


def bench_quality(settings: Settings) -> Iterator[Result]:
    """The HSK master and the labelled set screened against the 2024-06 sample list."""
    try:
        figures = spawn("quality", hsk=str(settings.hsk), labels=str(quality.DEFAULT_LABELS))
    except RuntimeError as exc:
        yield _failed("quality", exc)
        return
    peak, report = figures["peak_mb"], figures["figures"]
    hsk = report["hsk"]
    name = "quality: HSK master"
    if "skipped" in hsk:
        yield Result(case=name, note=f"skipped: {hsk['skipped']}")
    else:
        yield Result(
            case=f"{name} {hsk['rows']:,}",
            rows=hsk["rows"],
            seconds=hsk["seconds"],
            peak_mb=peak,
            target="0 missed, review ≤3%",
            goals=hsk["goals"],
            note=(
                f"{hsk['controlled_missed']:,} of {hsk['controlled_by_code']:,} rows controlled by "
                f"code missed; {hsk['review_rate']:.1%} of the other {hsk['other_rows']:,} sent "
                f"to review ({hsk['review_by_description']:,} by description, "
                f"{hsk['review_by_code']:,} by code alone)"
            ),
        )
    labels = report["labels"]
    yield Result(
        case=f"quality: labelled set {labels['rows']}",
        rows=labels["rows"],
        seconds=labels["seconds"],
        peak_mb=peak,
        target="recall 100%, FP ≤5%",
        goals=labels["goals"],
        note=(
            f"recall {labels['recall']:.1%} ({labels['found']} of {labels['positives']} "
            f"positives); {labels['false_review_rate']:.1%} of {labels['hard_negatives']} hard "
            f"negatives sent to review; python benchmarks/quality.py lists each"
        ),
    )


def bench_arrow(settings: Settings) -> Iterator[Result]:
    """A Parquet file of the named catalogue, :data:`ARROW_COPIES` times over, streamed
    through a ``Screener`` inside DuckDB, beside DuckDB copying it; its peak memory beside
    that of pandas holding the same file."""
    name = f"arrow: DuckDB + Screener, Parquet x{ARROW_COPIES}"
    folder, paths = _screening_inputs(settings)
    if "named_csv" not in paths:
        yield Result(case=name, note=f"skipped: no HSK master at {settings.hsk}")
        return
    parquet = folder / f"named-x{ARROW_COPIES}.parquet"
    if not parquet.exists():
        spawn("gen-arrow", source_csv=paths["named_csv"], target=str(parquet), copies=ARROW_COPIES)
    try:
        floor = spawn("arrow-copy", parquet=str(parquet), out=str(settings.work / "copy.parquet"))
        figures = spawn(
            "arrow-screen",
            parquet=str(parquet),
            db=paths["db"],
            out=str(settings.work / "screened.parquet"),
        )
        held = spawn("arrow-hold", parquet=str(parquet))
    except RuntimeError as exc:
        yield _failed(name, exc)
        return
    result = _measured(Result(case=name), figures)
    result.baseline, result.baseline_s = "DuckDB copy", floor["seconds"]
    result.target = "< 1 GB"
    result.max_peak_mb = MAX_PEAK_MB
    size = parquet.stat().st_size / 1e6
    counts = figures.get("summary", {})
    result.note = (
        f"{size:.0f} MB Parquet; pandas holding it whole peaked at {held['peak_mb']:,.0f} MB "
        f"({held['seconds']:.1f} s); {counts.get('controlled', 0):,} controlled, "
        f"{counts.get('review', 0):,} review"
    )
    yield result


BENCHES: dict[str, Callable[[Settings], Iterator[Result]]] = {
    "startup": bench_startup,
    "import-small": bench_import_small,
    "import": bench_import,
    "screen": bench_screen,
    "diff": bench_diff,
    "report": bench_report,
    "documents": bench_documents,
    "quality": bench_quality,
    "arrow": bench_arrow,
}


# --------------------------------------------------------------------------- command line


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog=f"cases: {', '.join(CASE_GROUPS)}",
    )
    parser.add_argument(
        "--rows", type=int, default=DEFAULT_ROWS, help="rows of the large cases (1,000,000)"
    )
    parser.add_argument("--seed", type=int, default=SEED, help=f"input seed ({SEED})")
    pg = parser.add_mutually_exclusive_group()
    pg.add_argument("--postgres", metavar="URL", default=DEFAULT_POSTGRES, help="PostgreSQL URL")
    pg.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL cases")
    parser.add_argument("--only", metavar="CASES", help="comma-separated cases to run")
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write results as JSON")
    parser.add_argument(
        "--hsk",
        metavar="PATH",
        type=Path,
        default=quality.DEFAULT_HSK,
        help="Korea Customs HSK master for the quality case",
    )
    options = parser.parse_args(argv)
    if options.only:
        chosen = [c.strip() for c in options.only.split(",") if c.strip()]
        unknown = sorted(set(chosen) - set(CASE_GROUPS))
        if unknown:
            parser.error(f"unknown case(s) {', '.join(unknown)}; choose from {CASE_GROUPS}")
        options.only = chosen
    return options


def compile_checkout() -> None:
    """Compile the measured checkout's modules, as installing a package does.

    Each case is a fresh interpreter; a checkout whose modules were never compiled (or
    an environment with ``PYTHONDONTWRITEBYTECODE``) would have every case compile them
    again, a cost no installed copy pays and the baselines, whose libraries are
    installed, do not pay either.
    """
    import compileall

    compileall.compile_dir(HERE.parent / "exportctl", quiet=1)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen cases and print the table; exit 1 when a case errors."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--child"]:
        child(args[1], args[2])
        return 0
    options = parse_args(args)
    compile_checkout()
    work = OUT / "run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    settings = Settings(
        rows=options.rows,
        seed=options.seed,
        postgres=None if options.no_postgres else options.postgres,
        work=work,
        hsk=options.hsk,
    )
    print(
        f"exportctl benchmark: --rows {options.rows:,}, seed {options.seed}, "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}",
        flush=True,
    )
    results: list[Result] = []
    started = time.perf_counter()
    for group in options.only or CASE_GROUPS:
        group_start = time.perf_counter()
        try:
            for result in BENCHES[group](settings):
                results.append(result)
        except RuntimeError as exc:
            results.append(_failed(group, exc))
        print(f"  {group}: {time.perf_counter() - group_start:.1f} s", file=sys.stderr, flush=True)
    print(format_table(results))
    print(f"\ntotal {time.perf_counter() - started:.0f} s (inputs cached in {OUT.name}/)")
    if options.json:
        payload = {
            "rows": options.rows,
            "seed": options.seed,
            "python": sys.version.split()[0],
            "cpus": os.cpu_count(),
            "results": [r.to_json() for r in results],
        }
        options.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False), "utf-8")
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
