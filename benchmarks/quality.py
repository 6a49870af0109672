"""Screening quality: what screening finds, and what it sends to review for nothing.

Both figures are measured against the 2024-06 sample list (``kr-russia``: the February
2024 sample plus the June additions, imported from ``exportctl/samples/`` as
``exportctl demo`` imports them), through the public API: ``screen_catalogue`` on a CSV
item master (SKU, 품목명, HS코드) and ``check_codes`` for what each code says alone. So
they measure whichever description matcher is installed.

1. **The Korea Customs HSK master** (관세청 HS부호, sheet ``2025.1.1.``: HS부호 and
   한글품목명, 12,467 codes) screened as an item master. Rows a coded entry controls
   (the entry's digits begin the row's code; ``ex`` entries aside) must all be reported
   controlled: goal 0 missed. Of the other rows, the share sent to review: goal ≤ 3 %,
   split into review the code gives alone (``ex`` entries, codes an entry mentions) and
   review the description adds, with the words and entries that send rows there most.
   Skipped with a message when the file is absent (``--hsk``).
2. **The labelled set** (``tests/data/screening_labels.csv``, see ``tests/data/SOURCES.md``):
   item names of the entries defined by name or specification, with codes that say
   nothing alone, and look-alikes. Recall on positives (reported review or controlled):
   goal 100 %. False reviews on hard negatives: goal ≤ 5 %. Every miss and every false
   review is listed with its reason.

Usage::

    python benchmarks/quality.py                 # table
    python benchmarks/quality.py --json          # the same figures as JSON
    python benchmarks/quality.py --hsk PATH      # the HSK master elsewhere

``run(hsk, labels)`` returns the figures for ``benchmarks/run.py --only quality``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_HSK = (
    REPO.parent / "shared" / "data" / "hs" / "korea-customs" / "관세청_HS부호_20250101.xlsx"
)
DEFAULT_LABELS = REPO / "tests" / "data" / "screening_labels.csv"
HSK_SHEET = "2025.1.1."
HSK_CODE, HSK_NAME = "HS부호", "한글품목명"
SLUG, LABEL = "kr-russia", "2024-06"
SAMPLE_IMPORTS = (
    ("러시아벨라루스_상황허가_2024-02.xlsx", "2024-02", dt.date(2024, 2, 24), None),
    ("러시아벨라루스_상황허가_2024-06_추가.xlsx", LABEL, dt.date(2024, 8, 28), "2024-02"),
)
MAX_REVIEW_RATE = 0.03
"""Goal: share of the HSK rows no coded entry controls that go to review."""
MAX_FALSE_REVIEW_RATE = 0.05
"""Goal: share of the labelled hard negatives that go to review."""
MIN_RECALL = 1.0
"""Goal: share of the labelled positives reported review or controlled."""
FOUND = ("review", "controlled")
TOP = 20
_QUOTED = re.compile(r'"([^"]+)"')


# --------------------------------------------------------------------------- list


def build_sample_list(folder: Path) -> Any:
    """A SQLite database in ``folder`` holding the sample list's 2024-06 version.

    Returns:
        The engine (dispose it when done).
    """
    import exportctl

    samples = Path(exportctl.__file__).parent / "samples"
    engine = exportctl.open_database(f"sqlite:///{folder / 'quality.db'}", create=True)
    exportctl.create_list(
        engine, SLUG, name="Russia/Belarus sample list", jurisdiction="KR", targets="RU,BY"
    )
    for name, label, effective, base in SAMPLE_IMPORTS:
        options = exportctl.ImportOptions(
            slug=SLUG, label=label, effective=effective, base=base, additions=base is not None
        )
        result = exportctl.import_workbook(engine, samples / name, options)
        if not result.stored:
            raise RuntimeError(f"{name} did not import: {result.report.errors[:3]}")
    return engine


def controlling_spans(items: Iterable[Any]) -> list[tuple[str, str]]:
    """``(first, last)`` code of every coded entry that controls what it covers.

    ``ex`` entries only cover part of their code (screening sends those to review),
    so they are left out.
    """
    return [(item.code, item.code_end or item.code) for item in items if item.code and not item.ex]


def controlled_by_code(code: str, spans: Sequence[tuple[str, str]]) -> bool:
    """True when an entry's digits begin ``code`` (or, for a range, fall within it).

    Written apart from exportctl's coverage index on purpose: the figure checks it.
    """
    digits = re.sub(r"\D", "", code)
    return any(
        len(digits) >= len(first) and first <= digits[: len(first)] <= last for first, last in spans
    )


# --------------------------------------------------------------------------- screening


def screen(engine: Any, rows: Sequence[tuple[str, str, str]], path: Path) -> dict[str, Any]:
    """Screen ``(sku, description, code)`` rows written as a CSV item master at ``path``.

    Returns:
        ``results`` by SKU, ``alone`` (the status each code gets without a
        description, by SKU) and the screening's wall ``seconds``.
    """
    import exportctl

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["SKU", "품목명", "HS코드"])
        writer.writerows(rows)
    # Checking the codes first also loads what the matcher loads once per process (a
    # language model, say), so the time below is the screening's own.
    checked = exportctl.check_codes(engine, SLUG, [code for _, _, code in rows], label=LABEL)
    alone = {sku: check.status for (sku, _, _), check in zip(rows, checked.results, strict=True)}
    started = time.perf_counter()
    report = exportctl.screen_catalogue(engine, path, SLUG, label=LABEL)
    results = {result.sku: result for result in report.results}
    seconds = time.perf_counter() - started
    return {"results": results, "alone": alone, "seconds": seconds}


def matched_words(result: Any) -> list[str]:
    """The words a description matched on (from the reason when the result has none)."""
    return list(result.words) or _QUOTED.findall(result.reason)


def entry_name(entry: Any) -> str:
    """``No. 12 반도체 제조 장비로서…`` for a deciding entry; ``-`` for none."""
    if entry is None:
        return "-"
    text = entry.description or entry.description_en or ""
    return f"No. {entry.serial} {text[:28]}{'…' if len(text) > 28 else ''}"


def _row_json(result: Any, **extra: Any) -> dict[str, Any]:
    return {
        **extra,
        "status": result.status,
        "entry": result.entry.serial if result.entry is not None else None,
        "words": matched_words(result),
        "reason": result.reason,
    }


# --------------------------------------------------------------------------- HSK master


def read_hsk(path: Path) -> list[tuple[str, str]]:
    """``(code, Korean name)`` of every row of the master's current sheet.

    Raises:
        RuntimeError: The sheet or its two columns are missing.
    """
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    if HSK_SHEET not in book.sheet_names:
        raise RuntimeError(f"{path.name} has no sheet {HSK_SHEET!r} (sheets: {book.sheet_names})")
    rows = book.get_sheet_by_name(HSK_SHEET).to_python()
    headers = [[str(cell).strip() for cell in row] for row in rows[:10]]
    top = next((n for n, row in enumerate(headers) if HSK_CODE in row and HSK_NAME in row), None)
    if top is None:
        raise RuntimeError(f"{path.name}, sheet {HSK_SHEET}: no header with {HSK_CODE}, {HSK_NAME}")
    code_at, name_at = headers[top].index(HSK_CODE), headers[top].index(HSK_NAME)
    # The master holds its codes as text; a code typed as a number would have lost its
    # leading zero, which screening reports rather than this reader guessing.
    return [
        (str(row[code_at]).strip(), str(row[name_at]).strip())
        for row in rows[top + 1 :]
        if str(row[code_at]).strip()
    ]


def hsk_figures(engine: Any, spans: Sequence[tuple[str, str]], path: Path, work: Path) -> dict:
    """Figure 1: the HSK master screened as an item master."""
    master = read_hsk(path)
    rows = [(f"HSK-{n:05d}", name, code) for n, (code, name) in enumerate(master, start=1)]
    run = screen(engine, rows, work / "hsk.csv")
    results, alone = run["results"], run["alone"]
    statuses = Counter(result.status for result in results.values())
    by_code = {sku for sku, _, code in rows if controlled_by_code(code, spans)}
    missed = [
        _row_json(results[sku], sku=sku, code=code, description=name)
        for sku, name, code in rows
        if sku in by_code and results[sku].status != "controlled"
    ]
    extra = [
        _row_json(results[sku], sku=sku, code=code, description=name)
        for sku, name, code in rows
        if sku not in by_code and results[sku].status == "controlled"
    ]
    others = [sku for sku, _, _ in rows if sku not in by_code]
    review = [sku for sku in others if results[sku].status == "review"]
    by_description = [sku for sku in review if alone[sku] == "clear"]
    words: Counter[str] = Counter()
    for sku in by_description:
        words.update(set(matched_words(results[sku])))
    entries = Counter(entry_name(results[sku].entry) for sku in by_description)
    code_reasons = Counter(
        entry_name(results[sku].entry) for sku in review if alone[sku] != "clear"
    )
    rate = len(review) / len(others) if others else 0.0
    return {
        "file": str(path),
        "sheet": HSK_SHEET,
        "rows": len(rows),
        "seconds": round(run["seconds"], 2),
        "statuses": {
            status: statuses[status] for status in ("controlled", "review", "clear", "invalid")
        },
        "controlled_by_code": len(by_code),
        "controlled_missed": len(missed),
        "missed": missed,
        "controlled_not_by_code": len(extra),
        "controlled_not_by_code_rows": extra,
        "other_rows": len(others),
        "review": len(review),
        "review_rate": rate,
        "review_by_code": len(review) - len(by_description),
        "review_by_description": len(by_description),
        "top_words": words.most_common(TOP),
        "top_entries": entries.most_common(TOP),
        "top_code_entries": code_reasons.most_common(TOP),
        "goals": {"controlled_missed": not missed, "review_rate": rate <= MAX_REVIEW_RATE},
    }


# --------------------------------------------------------------------------- labelled set


def read_labels(path: Path) -> list[dict[str, str]]:
    """The labelled rows, as ``csv.DictReader`` gives them."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def label_figures(engine: Any, path: Path, work: Path) -> dict[str, Any]:
    """Figure 2: recall on the positives and false reviews on the hard negatives."""
    labels = read_labels(path)
    rows = [(f"L{n:04d}", row["description"], row["hs_code"]) for n, row in enumerate(labels, 1)]
    run = screen(engine, rows, work / "labels.csv")
    results, alone = run["results"], run["alone"]
    positives, negatives, misses, false, elsewhere = [], [], [], [], []
    by_lang: dict[str, Counter[str]] = {}
    for (sku, _, _), row in zip(rows, labels, strict=True):
        result = results[sku]
        hit = result.status in FOUND
        tally = by_lang.setdefault(row["lang"], Counter())
        described = {k: row[k] for k in ("description", "hs_code", "lang", "note")}
        if row["kind"] == "positive":
            positives.append(sku)
            tally["positives"] += 1
            tally["found"] += hit
            if not hit:
                misses.append(_row_json(result, expected_entry=row["entry"], **described))
            elif result.entry is None or result.entry.serial != row["entry"]:
                elsewhere.append(_row_json(result, expected_entry=row["entry"], **described))
        else:
            negatives.append(sku)
            tally["hard_negatives"] += 1
            tally["false_reviews"] += hit
            if hit:
                false.append(_row_json(result, **described))
    found = len(positives) - len(misses)
    recall = found / len(positives) if positives else 0.0
    rate = len(false) / len(negatives) if negatives else 0.0
    return {
        "file": str(path),
        "rows": len(rows),
        "seconds": round(run["seconds"], 2),
        "positives": len(positives),
        "found": found,
        "recall": recall,
        "found_by_code_alone": sum(1 for sku in positives if alone[sku] != "clear"),
        "found_on_another_entry": len(elsewhere),
        "hard_negatives": len(negatives),
        "false_reviews": len(false),
        "false_review_rate": rate,
        "by_lang": {lang: dict(tally) for lang, tally in sorted(by_lang.items())},
        "misses": misses,
        "false": false,
        "another_entry": elsewhere,
        "goals": {
            "recall": recall >= MIN_RECALL,
            "false_review_rate": rate <= MAX_FALSE_REVIEW_RATE,
        },
    }


# --------------------------------------------------------------------------- run


def run(hsk: Path | None, labels: Path) -> dict[str, Any]:
    """Build the sample list and measure both figures.

    Args:
        hsk: The HSK master workbook; None or a missing file skips figure 1.
        labels: The labelled set.

    Returns:
        ``list`` (the version screened against), ``hsk`` (figures, or ``skipped``
        saying why) and ``labels``.
    """
    import exportctl

    with tempfile.TemporaryDirectory(prefix="exportctl-quality-") as tmp:
        work = Path(tmp)
        engine = build_sample_list(work)
        try:
            _version, items = exportctl.show_version(engine, SLUG, label=LABEL)
            figures: dict[str, Any] = {
                "list": {
                    "slug": SLUG,
                    "version": LABEL,
                    "entries": len(items),
                    "name_entries": sum(1 for item in items if item.code is None),
                    "exportctl": exportctl.__version__,
                }
            }
            if hsk is None or not hsk.is_file():
                figures["hsk"] = {
                    "skipped": f"the HSK master is not at {hsk}: pass --hsk PATH to measure it"
                }
            else:
                figures["hsk"] = hsk_figures(engine, controlling_spans(items), hsk, work)
            figures["labels"] = label_figures(engine, labels, work)
        finally:
            engine.dispose()
    return figures


# --------------------------------------------------------------------------- output


def _pct(value: float) -> str:
    return f"{value * 100:.1f} %"


def _figure(label: str, value: int, rate: str = "", goal: str = "") -> str:
    return f"   {label:<56} {value:>7,}  {rate:>7}  {goal}".rstrip()


def _goal(text: str, ok: bool) -> str:
    return f"goal {text}: {'met' if ok else 'NOT MET'}"


def _counted(pairs: Sequence[Sequence[Any]]) -> str:
    return " · ".join(f"{name} {n}" for name, n in pairs) or "-"


def _listed(row: dict[str, Any], entry: str | None) -> str:
    where = f" entry {entry}" if entry else ""
    return f"     {row['description']} [{row['hs_code']}] → {row['status']}{where}: {row['reason']}"


def format_report(figures: dict[str, Any]) -> str:
    """The figures as text: both figures, then every miss and every false review."""
    about = figures["list"]
    lines = [
        f"exportctl {about['exportctl']} screening quality against {about['slug']} "
        f"{about['version']} ({about['entries']:,} entries, {about['name_entries']} defined by "
        "name or specification)",
        "",
        "1. Korea Customs HSK master as an item master",
    ]
    hsk = figures["hsk"]
    if "skipped" in hsk:
        lines += [f"   skipped: {hsk['skipped']}", ""]
    else:
        goals, others = hsk["goals"], max(hsk["other_rows"], 1)
        statuses = ", ".join(f"{n:,} {status}" for status, n in hsk["statuses"].items())
        lines += [
            f"   {Path(hsk['file']).name}, sheet {hsk['sheet']}: {hsk['rows']:,} rows screened "
            f"in {hsk['seconds']:.2f} s ({statuses})",
            _figure(
                "controlled by code (an entry's digits begin the code)", hsk["controlled_by_code"]
            ),
            _figure(
                "  not reported controlled",
                hsk["controlled_missed"],
                goal=_goal("0", goals["controlled_missed"]),
            ),
            _figure(
                "  reported controlled though no entry's digits begin it",
                hsk["controlled_not_by_code"],
            ),
            _figure("other rows", hsk["other_rows"]),
            _figure(
                "  sent to review",
                hsk["review"],
                _pct(hsk["review_rate"]),
                _goal(f"≤ {_pct(MAX_REVIEW_RATE)}", goals["review_rate"]),
            ),
            _figure(
                "    by the code alone (ex entries, mentioned codes)",
                hsk["review_by_code"],
                _pct(hsk["review_by_code"] / others),
            ),
            _figure(
                "    by the description",
                hsk["review_by_description"],
                _pct(hsk["review_by_description"] / others),
            ),
            f"   words that sent rows to review by description: {_counted(hsk['top_words'])}",
            "   entries that did, most often:",
            *(f"   {n:>7,}  {name}" for name, n in hsk["top_entries"]),
            "   entries that gave review by the code alone:",
            *(f"   {n:>7,}  {name}" for name, n in hsk["top_code_entries"]),
        ]
        lines += [
            f"   MISSED {row['code']} {row['description']}: {row['status']}, {row['reason']}"
            for row in hsk["missed"]
        ]
        lines.append("")
    labels = figures["labels"]
    goals = labels["goals"]
    lines += [
        f"2. Labelled set: {Path(labels['file']).name}, {labels['rows']} rows screened in "
        f"{labels['seconds']:.2f} s",
        _figure("positives", labels["positives"]),
        _figure(
            "  found (review or controlled)",
            labels["found"],
            _pct(labels["recall"]),
            _goal(_pct(MIN_RECALL), goals["recall"]),
        ),
        _figure("  found, but on another entry", labels["found_on_another_entry"]),
        _figure("  found by the code alone (should be 0)", labels["found_by_code_alone"]),
        _figure("hard negatives", labels["hard_negatives"]),
        _figure(
            "  sent to review",
            labels["false_reviews"],
            _pct(labels["false_review_rate"]),
            _goal(f"≤ {_pct(MAX_FALSE_REVIEW_RATE)}", goals["false_review_rate"]),
        ),
    ]
    for lang, tally in labels["by_lang"].items():
        lines.append(
            f"   {lang}: found {tally.get('found', 0)} of {tally.get('positives', 0)} positives, "
            f"{tally.get('false_reviews', 0)} of {tally.get('hard_negatives', 0)} hard negatives "
            "sent to review"
        )
    if labels["misses"]:
        lines += ["", f"   misses ({len(labels['misses'])}): description [code] → status: reason"]
        lines += [_listed(row, row["expected_entry"]) for row in labels["misses"]]
    if labels["false"]:
        lines += ["", f"   false reviews ({len(labels['false'])}):"]
        lines += [_listed(row, row["entry"]) for row in labels["false"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``--hsk PATH``, ``--labels PATH``, ``--json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--hsk", type=Path, default=DEFAULT_HSK, help=f"HSK master workbook ({DEFAULT_HSK})"
    )
    parser.add_argument(
        "--labels", type=Path, default=DEFAULT_LABELS, help="labelled item names (CSV)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    options = parser.parse_args(sys.argv[1:] if argv is None else argv)
    figures = run(options.hsk, options.labels)
    if options.json:
        print(json.dumps(figures, indent=2, ensure_ascii=False))
    else:
        print(format_report(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
