"""Correlation tables between HS editions: which subheadings of one edition became which
of the next.

A :class:`CorrelationTable` is a set of pairs of six-digit subheadings, ``(from, to)``,
from one edition to another. The relationship of a code is computed from the pairs,
the same way in both directions (the tables are symmetric: HS2017→HS2022 is
HS2022→HS2017 read backwards):

* ``1:1``: the code has one counterpart, and nothing else maps to it;
* ``1:n``: the code was split: several counterparts, each from this code alone;
* ``n:1``: the code was merged: one counterpart, which also receives other codes;
* ``n:n``: several counterparts, at least one shared with other codes.

Tables come from a loader per source format (:data:`LOADERS`): the compact CSV
exportctl ships and a user may supply (:func:`load_csv`), and the UN Statistics
Division workbook itself (:func:`load_unsd_xlsx`). HS 2022 → HS 2028 is one more CSV
file once the WCO correlation tables are out.

The CSV format (``--table FILE``)::

    HS2022,HS2028
    847130,847130
    847141,847141
    847141,847142

The two columns are headed by the editions (``HS2022``, ``HS 2028`` or ``2028``), one
row per pair of six-digit subheadings, codes as text with their leading zeros (dots
and spaces are ignored: ``8471.30``). Extra columns (``Relationship``, ``ex``) are
ignored: relationships are computed from the pairs. Blank rows are skipped.

Correlation tables are not legal instruments: :data:`LEGAL_NOTICE`.

Example:
    >>> table = bundled("HS2022", "HS2017")
    >>> table.relationship("970610"), table.targets("970610")
    ('n:1', ('970600',))
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal

from exportctl.errors import InputError
from exportctl.i18n import _
from exportctl.limits import DEFAULTS, Limits
from exportctl.streams import BoundedLines

__all__ = [
    "BUNDLED",
    "LEGAL_NOTICE",
    "LEGAL_NOTICE_KO",
    "LOADERS",
    "CorrelationTable",
    "Relationship",
    "bundled",
    "edition_name",
    "load_csv",
    "load_table",
    "load_unsd_xlsx",
]

Relationship = Literal["1:1", "1:n", "n:1", "n:n"]
"""How a code corresponds to the other edition (see the module's note)."""

LEGAL_NOTICE = (
    "Correlation tables are not legal instruments: every converted entry must be checked "
    "against the legal text of the list before the version is approved."
)
"""Said by every conversion output, in the CLI text and in the JSON."""

LEGAL_NOTICE_KO = (
    "상관표는 법적 효력이 있는 문서가 아닙니다: 변환된 모든 항목을 고시 원문과 대조해 "
    "확인한 뒤에 승인하십시오."
)
""":data:`LEGAL_NOTICE` in Korean."""

BUNDLED: dict[tuple[str, str], str] = {
    ("HS2022", "HS2017"): "hs2022_hs2017.csv",
    ("HS2017", "HS2012"): "hs2017_hs2012.csv",
}
"""Tables shipped in ``exportctl/data/correlation/``: (from, to) → file; each is also
read backwards (``HS2017`` → ``HS2022``)."""

_EDITION_RE = re.compile(r"^\s*(?:HS\s*)?((?:19|20)\d\d)\s*$", re.IGNORECASE)
_NOT_DIGITS = re.compile(r"[.\s]")


def edition_name(text: str) -> str:
    """``HS2017`` for ``HS2017``, ``hs 2017`` or ``2017``.

    Raises:
        InputError: ``text`` does not name an HS edition.
    """
    found = _EDITION_RE.match(text or "")
    if found is None:
        raise InputError(
            _('"{text}" is not an HS edition: write it as HS2017, HS2022, ...').format(text=text)
        )
    return f"HS{found.group(1)}"


@dataclass(frozen=True)
class CorrelationTable:
    """Pairs of subheadings from edition ``source`` to edition ``target``.

    Attributes:
        source: The edition converted from, e.g. ``HS2022``.
        target: The edition converted to, e.g. ``HS2017``.
        forward: Each source subheading's counterparts, sorted.
        name: The file the pairs were read from (name only), for the record.
        sha256: The SHA-256 of that file's bytes.
        reversed_from: True when the file runs the other way and is read backwards.
    """

    source: str
    target: str
    forward: Mapping[str, tuple[str, ...]]
    name: str
    sha256: str
    reversed_from: bool = False
    backward: Mapping[str, tuple[str, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        back: dict[str, list[str]] = defaultdict(list)
        for code, targets in self.forward.items():
            for target in targets:
                back[target].append(code)
        object.__setattr__(
            self, "backward", {code: tuple(sorted(codes)) for code, codes in back.items()}
        )

    @classmethod
    def from_pairs(
        cls, source: str, target: str, pairs: Iterable[tuple[str, str]], name: str, sha256: str
    ) -> CorrelationTable:
        """A table from ``(from, to)`` pairs of six-digit codes."""
        forward: dict[str, set[str]] = defaultdict(set)
        for a, b in pairs:
            forward[a].add(b)
        return cls(
            source, target, {code: tuple(sorted(t)) for code, t in forward.items()}, name, sha256
        )

    def reverse(self) -> CorrelationTable:
        """The same pairs read from ``target`` to ``source``."""
        return CorrelationTable(
            self.target,
            self.source,
            dict(self.backward),
            self.name,
            self.sha256,
            reversed_from=not self.reversed_from,
        )

    def targets(self, code: str) -> tuple[str, ...]:
        """The counterparts of six-digit ``code`` (empty when the table lacks it)."""
        return self.forward.get(code, ())

    def sources(self, code: str) -> tuple[str, ...]:
        """The source subheadings that map to target subheading ``code``."""
        return self.backward.get(code, ())

    def relationship(self, code: str) -> Relationship | None:
        """How six-digit ``code`` corresponds (``None`` when the table lacks it)."""
        targets = self.targets(code)
        if not targets:
            return None
        shared = any(len(self.sources(t)) > 1 for t in targets)
        if len(targets) == 1:
            return "n:1" if shared else "1:1"
        return "n:n" if shared else "1:n"

    def under(self, prefix: str) -> list[str]:
        """The source subheadings that start with ``prefix`` (a chapter or heading)."""
        return sorted(code for code in self.forward if code.startswith(prefix))

    @property
    def direction(self) -> str:
        """``HS2022 → HS2017``."""
        return f"{self.source} → {self.target}"

    def describe(self) -> dict[str, object]:
        """The table for an audit event or a JSON output."""
        return {
            "from": self.source,
            "to": self.target,
            "file": self.name,
            "sha256": self.sha256,
            "read_backwards": self.reversed_from,
            "codes": len(self.forward),
        }


def _code(text: str, file: str, row: int, column: str) -> str:
    digits = _NOT_DIGITS.sub("", text or "")
    if len(digits) != 6 or not digits.isascii() or not digits.isdigit():
        raise InputError(
            _('"{text}" is not a six-digit HS subheading').format(text=text),
            file=file,
            row=row,
            column=column,
        )
    return digits


def _parse_csv(lines: Iterable[str], name: str, sha256: str) -> CorrelationTable:
    try:
        return _parse_rows(csv.reader(lines), name, sha256)
    except csv.Error as exc:
        raise InputError(_("is not valid CSV ({reason})").format(reason=exc), file=name) from None
    except UnicodeDecodeError:
        raise InputError(_("a correlation table must be UTF-8 text"), file=name) from None


def _parse_rows(rows: Iterator[list[str]], name: str, sha256: str) -> CorrelationTable:
    header = next(rows, None)
    if header is None or len(header) < 2:
        raise InputError(
            _("a correlation table needs two columns headed by the editions, e.g. HS2022,HS2028"),
            file=name,
        )
    try:
        source, target = edition_name(header[0]), edition_name(header[1])
    except InputError as exc:
        raise InputError(exc.message, file=name, row=1) from None
    pairs: list[tuple[str, str]] = []
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 2:
            raise InputError(_("needs a code in each of the two columns"), file=name, row=number)
        if row[0].strip() == "999999":  # UN Comtrade's "not specified" aggregate
            continue
        pairs.append(
            (
                _code(row[0], name, number, header[0]),
                _code(row[1], name, number, header[1]),
            )
        )
    if not pairs:
        raise InputError(_("the correlation table holds no pairs of codes"), file=name)
    return CorrelationTable.from_pairs(source, target, pairs, name, sha256)


def load_csv(path: Path, limits: Limits = DEFAULTS) -> CorrelationTable:
    """A table from a CSV file in the format of the module's note.

    The file is read a line at a time within the caps (``max_line_bytes``,
    ``max_rows``, ``max_file_bytes``); :func:`load_table` checks it first as every
    input is checked.

    Raises:
        InputError: The file cannot be read or is not in that format.
    """
    try:
        with path.open("rb") as raw:
            sha256 = hashlib.file_digest(raw, "sha256").hexdigest()
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return _parse_csv(BoundedLines(handle, path.name, limits), path.name, sha256)
    except OSError as exc:
        raise InputError(
            _("cannot read the correlation table ({reason})").format(reason=exc.strerror),
            file=path.name,
        ) from None


def load_unsd_xlsx(path: Path, limits: Limits = DEFAULTS) -> CorrelationTable:
    """A table from a UN Statistics Division ``...ConversionAndCorrelationTables.xlsx``.

    Reads the correlation sheet (the one whose header ends in ``Relationship``),
    as :mod:`exportctl.data._build_correlation` does. ``limits`` are those
    :func:`load_table` checked the workbook against (its used range, zip sizes);
    the read itself takes no more.

    Raises:
        InputError: No such sheet, or a code that is not six digits.
    """
    import openpyxl

    from exportctl.data._build_correlation import correlation_pairs

    with path.open("rb") as raw:
        sha256 = hashlib.file_digest(raw, "sha256").hexdigest()
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        sheets = [name for name in book.sheetnames if "correlation" in name.casefold()]
    finally:
        book.close()
    if not sheets:
        raise InputError(
            _("no correlation sheet (a sheet named ...Correlation...)"), file=path.name
        )
    try:
        pairs = correlation_pairs(path, sheets[0])
    except ValueError as exc:
        raise InputError(str(exc)) from None
    found = re.findall(r"HS\s?(\d{4})", path.stem, re.IGNORECASE)
    if len(found) < 2:
        raise InputError(
            _("cannot tell the editions from the file name (expected HS2022toHS2017...)"),
            file=path.name,
        )
    return CorrelationTable.from_pairs(f"HS{found[0]}", f"HS{found[1]}", pairs, path.name, sha256)


LOADERS: dict[str, Callable[[Path, Limits], CorrelationTable]] = {
    ".csv": load_csv,
    ".xlsx": load_unsd_xlsx,
}
"""A loader per source format, by file extension."""


def load_table(
    path: Path,
    source: str | None = None,
    target: str | None = None,
    *,
    limits: Limits = DEFAULTS,
) -> CorrelationTable:
    """A table from a file, read in the direction ``source`` → ``target`` when given.

    The file goes through the checks every input file does
    (:func:`exportctl.readers.guard.check_file`: a regular file, within the caps,
    a workbook that is no zip bomb) before it is read.

    Raises:
        InputError: Unknown format, a file refused by the checks, or the table does
            not join those editions.
    """
    from exportctl.readers.guard import check_file

    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise InputError(
            _("a correlation table is a .csv file (or a UNSD .xlsx workbook)"), file=path.name
        )
    check_file(path, limits)
    return _oriented(loader(path, limits), source, target)


def _oriented(table: CorrelationTable, source: str | None, target: str | None) -> CorrelationTable:
    wanted = (source or table.source, target or table.target)
    if (table.source, table.target) == wanted:
        return table
    if (table.target, table.source) == wanted:
        return table.reverse()
    raise InputError(
        _("{name} correlates {source} and {target}, not {want_source} and {want_target}").format(
            name=table.name,
            source=table.source,
            target=table.target,
            want_source=wanted[0],
            want_target=wanted[1],
        )
    )


@functools.cache
def bundled(source: str, target: str) -> CorrelationTable:
    """The shipped table from ``source`` to ``target`` (either direction of a file).

    Raises:
        InputError: exportctl ships no table between those editions.
    """
    source, target = edition_name(source), edition_name(target)
    for (a, b), name in BUNDLED.items():
        if {a, b} == {source, target}:
            data = resources.files("exportctl.data").joinpath("correlation", name).read_bytes()
            lines = io.StringIO(data.decode("utf-8"), newline="")
            table = _parse_csv(lines, name, hashlib.sha256(data).hexdigest())
            return _oriented(table, source, target)
    shipped = ", ".join(f"{a} ↔ {b}" for a, b in BUNDLED)
    raise InputError(
        _(
            "no correlation table from {source} to {target} is shipped ({shipped}); give one "
            "with --table FILE"
        ).format(source=source, target=target, shipped=shipped)
    )
