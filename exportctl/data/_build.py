"""Rebuild the packaged HS nomenclature from the datasets/harmonized-system CSV files.

Usage::

    python -m exportctl.data._build SOURCE_DIR [--out DIR]

``SOURCE_DIR`` is a folder holding ``harmonized-system_HS2022.csv``,
``harmonized-system_HS2017.csv`` and ``sections.csv`` (or a folder with those files under
``hs/datasets-harmonized-system/``). The output is deterministic: rows sorted by code,
``\\n`` line endings, UTF-8 without BOM.

What is dropped: the ``TOTAL`` row and the rows filed under section ``TOTAL`` (``99``,
``9999``, ``999999`` "Commodities not specified according to kind"), which are UN
Comtrade reporting aggregates rather than HS headings, and blank rows.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Sequence
from pathlib import Path

EDITIONS = ("2022", "2017")
SUBDIR = Path("hs") / "datasets-harmonized-system"


def source_dir(folder: Path) -> Path:
    """The folder that holds the source CSV files, given it or its data root."""
    if (folder / "sections.csv").is_file():
        return folder
    return folder / SUBDIR


def nomenclature_rows(path: Path) -> list[tuple[str, str, str, str]]:
    """Rows ``(code, level, section, description)`` of one edition, sorted by code.

    Args:
        path: A ``harmonized-system_HSyyyy.csv`` file.

    Returns:
        Chapters, headings and subheadings only.

    Raises:
        ValueError: If a row's code length does not match its level.
    """
    rows: list[tuple[str, str, str, str]] = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for rec in csv.DictReader(f):
            code = (rec["hscode"] or "").strip()
            section = (rec["section"] or "").strip()
            if not code or section == "TOTAL" or not code.isdigit():
                continue
            level = rec["level"].strip()
            if level not in ("2", "4", "6") or len(code) != int(level):
                raise ValueError(f"{path.name}: code {code!r} does not match level {level!r}")
            rows.append((code, level, section, " ".join(rec["description"].split())))
    rows.sort()
    return rows


def section_rows(path: Path) -> list[tuple[str, str]]:
    """Rows ``(section, name)`` in file order (I to XXI)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [
            (rec["section"].strip(), " ".join(rec["name"].split()))
            for rec in csv.DictReader(f)
            if rec["section"].strip()
        ]


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Write ``rows`` under ``header`` as UTF-8 CSV with ``\\n`` line endings."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def build(source: Path, out: Path) -> dict[str, int]:
    """Write ``hs2022.csv``, ``hs2017.csv`` and ``sections.csv`` into ``out``.

    Args:
        source: The source folder (see the module docstring).
        out: The destination folder.

    Returns:
        The number of rows written per file name.
    """
    src = source_dir(source)
    counts: dict[str, int] = {}
    for edition in EDITIONS:
        rows = nomenclature_rows(src / f"harmonized-system_HS{edition}.csv")
        write_csv(out / f"hs{edition}.csv", ("code", "level", "section", "description"), rows)
        counts[f"hs{edition}.csv"] = len(rows)
    sections = section_rows(src / "sections.csv")
    write_csv(out / "sections.csv", ("section", "name"), sections)
    counts["sections.csv"] = len(sections)
    return counts


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("source", type=Path, help="folder with the harmonized-system CSV files")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args(argv)
    for name, count in build(args.source, args.out).items():
        print(f"{name}: {count} rows")


if __name__ == "__main__":
    main()
