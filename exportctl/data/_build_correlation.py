"""Rebuild the packaged HS correlation tables from the UN Statistics Division workbooks.

Usage::

    python -m exportctl.data._build_correlation SOURCE_DIR [--out DIR]

``SOURCE_DIR`` holds ``HS2022toHS2017ConversionAndCorrelationTables.xlsx`` and
``HS2017toHS2012ConversionAndCorrelationTables.xlsx`` (or has them under
``hs/un-correlation/``). Each workbook's correlation sheet becomes one CSV file under
``correlation/``: ``hs2022_hs2017.csv`` and ``hs2017_hs2012.csv``, two columns headed
by the editions (``HS2022,HS2017``), one row per pair of six-digit subheadings, sorted,
``\\n`` line endings, UTF-8 without BOM.

What is dropped: the "Between" title row, the ``Relationship`` column (the
relationship of a code is computed from the pairs, see
:mod:`exportctl.hscode.correlation`; the sheets' own labels disagree with their pairs
in 27 and 30 rows, always ``1:n`` where the pairs make ``n:n``), the HS2017→HS2012
sheet's unnamed ``ex`` column (a partial correspondence is what the pairs show
already), and the ``999999`` row (a UN Comtrade aggregate stored as a number, not an
HS subheading).
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Sequence
from pathlib import Path

SUBDIR = Path("hs") / "un-correlation"

SOURCES: dict[str, tuple[str, str, str, str]] = {
    "hs2022_hs2017.csv": (
        "HS2022toHS2017ConversionAndCorrelationTables.xlsx",
        "HS2022-HS2017 Correlations",
        "HS2022",
        "HS2017",
    ),
    "hs2017_hs2012.csv": (
        "HS2017toHS2012ConversionAndCorrelationTables.xlsx",
        "Correlation HS17-HS12",
        "HS2017",
        "HS2012",
    ),
}
"""Output file → (workbook, correlation sheet, source edition, target edition)."""

_AGGREGATE = "999999"


def source_dir(folder: Path) -> Path:
    """The folder that holds the workbooks, given it or its data root."""
    if any((folder / name).is_file() for name, *_ in SOURCES.values()):
        return folder
    return folder / SUBDIR


def _code(value: object, where: str) -> str:
    text = str(value).strip() if value is not None else ""
    if len(text) != 6 or not text.isdigit():
        raise ValueError(f"{where}: {value!r} is not a six-digit subheading")
    return text


def correlation_pairs(path: Path, sheet: str) -> list[tuple[str, str]]:
    """The ``(from, to)`` pairs of a UNSD correlation sheet, sorted and unique.

    The sheet has a "Between" title row, then a header whose first cell names the
    source edition and whose last cell is ``Relationship``; the target edition is
    the column before ``Relationship`` (the HS2017→HS2012 sheet has an unnamed
    ``ex`` column between the two codes).

    Raises:
        ValueError: A code is not six digits, or the header is not found.
    """
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = book[sheet].iter_rows(values_only=True)
        header: tuple[object, ...] | None = None
        for row in rows:
            if row and row[-1] is not None and str(row[-1]).strip() == "Relationship":
                header = row
                break
        if header is None:
            raise ValueError(f"{path.name}, sheet {sheet!r}: no header ending in Relationship")
        target_col = len(header) - 2
        pairs: set[tuple[str, str]] = set()
        for number, row in enumerate(rows, start=3):
            if all(cell is None for cell in row):
                continue
            if str(row[0]).strip() == _AGGREGATE:
                continue
            where = f"{path.name}, sheet {sheet!r}, row {number}"
            pairs.add((_code(row[0], where), _code(row[target_col], where)))
    finally:
        book.close()
    return sorted(pairs)


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Write ``rows`` under ``header`` as UTF-8 CSV with ``\\n`` line endings."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def build(source: Path, out: Path) -> dict[str, int]:
    """Write every file of :data:`SOURCES` into ``out/correlation``.

    Returns:
        The number of pairs written per file name.
    """
    src = source_dir(source)
    counts: dict[str, int] = {}
    for name, (workbook, sheet, from_edition, to_edition) in SOURCES.items():
        pairs = correlation_pairs(src / workbook, sheet)
        write_csv(out / "correlation" / name, (from_edition, to_edition), pairs)
        counts[name] = len(pairs)
    return counts


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("source", type=Path, help="folder with the UNSD correlation workbooks")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args(argv)
    for name, count in build(args.source, args.out).items():
        print(f"{name}: {count} pairs")


if __name__ == "__main__":
    main()
