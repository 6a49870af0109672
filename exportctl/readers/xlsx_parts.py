"""Which parts of an .xlsx a parser reads, and what its shared strings declare.

python-calamine and openpyxl find a workbook's sheets through its relationships:
the package names the workbook (``xl/workbook.xml``), whose relationships name each
sheet's part, resolved from the workbook's folder (or from the root, for a target
starting ``/``) in any letter case. :func:`sheet_parts_in` resolves them alike, so
the checks of :mod:`exportctl.readers.prescan` measure the parts a parser reads.
Every part is parsed streaming (:mod:`exportctl.readers.xmlparse`).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, NoReturn

from exportctl.errors import InputError
from exportctl.i18n import _
from exportctl.limits import DEFAULTS, Limits, over
from exportctl.readers.xmlparse import (
    Stop,
    first_bytes,
    local,
    new_parser,
    parse,
    searchable,
    start_tags,
    tag_chunks,
    whole_number,
)

CHUNK = 64 * 1024
"""Bytes fed to the parser at a time while looking for the shared-strings header."""

_OFFICE_DOCUMENT = "/officeDocument"
_WORKSHEET_TYPES = ("/worksheet", "/chartsheet", "/dialogsheet")


class _TooMany(Exception):
    """A part lists more elements than a cap allows."""


def _attributes(
    archive: zipfile.ZipFile, part: str, names: frozenset[str], cap: int
) -> list[dict[str, str]]:
    """The attributes of each element of ``part`` with a local name in ``names``, by
    local name, parsed streaming.

    Raises:
        _TooMany: More than ``cap`` of them, which a hostile part would use to fill
            memory or hide one among many.
    """
    found: list[dict[str, str]] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if local(name) in names:
            if len(found) >= cap:
                raise _TooMany
            found.append({local(key): value for key, value in attrs.items()})

    parser = new_parser()
    parser.StartElementHandler = start
    with archive.open(part) as stream:
        parse(parser, stream, part, "")
    return found


def sheet_parts_in(archive: zipfile.ZipFile, limits: Limits = DEFAULTS) -> dict[str, str]:
    """Sheet names -> their XML part, from the workbook and its relationships.

    Paths resolve as the parsers resolve them: from the folder of the workbook the
    package names (``xl/``), an absolute target from the root, in any letter case.
    Empty when the workbook cannot tell.

    Raises:
        InputError: The workbook lists more sheets than ``max_members``.
    """
    members = {
        info.filename.replace("\\", "/").lower(): info.filename for info in archive.infolist()
    }

    def member(path: str) -> str | None:
        path = path.replace("\\", "/").lower()
        return members.get(path) or members.get(posixpath.normpath(path))

    cap = limits.max_members
    relationship = frozenset({"Relationship"})
    try:
        package = member("_rels/.rels")
        rels = _attributes(archive, package, relationship, cap) if package else []
        office = next(
            (
                rel.get("Target", "")
                for rel in rels
                if rel.get("Type", "").endswith(_OFFICE_DOCUMENT)
            ),
            "xl/workbook.xml",
        ).lstrip("/")
        folder = office[: office.rfind("/") + 1]
        workbook = member(office)
        relations = member(f"{folder}_rels/{office[len(folder) :]}.rels")
        if workbook is None or relations is None:
            return {}
        targets = {
            rel.get("Id", ""): rel.get("Target", "")
            for rel in _attributes(archive, relations, relationship, cap)
            if rel.get("Type", "").endswith(_WORKSHEET_TYPES)
        }
        sheets = _attributes(archive, workbook, frozenset({"sheet"}), cap)
    except _TooMany:
        raise InputError(
            over(
                _("lists more than {value:,} sheets, more than the {cap:,} allowed"),
                cap,
                "max_members",
                limits,
            )
        ) from None
    except (KeyError, InputError, zipfile.BadZipFile, zlib.error, OSError):
        return {}
    parts: dict[str, str] = {}
    for sheet in sheets:
        target = targets.get(sheet.get("id", ""))
        if target is None:
            continue
        found = member(target[1:] if target.startswith("/") else folder + target)
        if found is not None:
            parts[sheet.get("name", "")] = found
    return parts


def check_shared_strings(archive: zipfile.ZipFile, part: str, limits: Limits, name: str) -> None:
    """Refuse a shared-strings table that declares more strings than ``max_strings``.

    python-calamine reserves room for ``uniqueCount`` strings from the first
    ``sst`` element, wherever it sits; so the part is parsed up to that element,
    within ``max_prolog_bytes``, and both counts it declares are checked.

    Raises:
        InputError: A count past ``max_strings``, or no ``sst`` element within
            ``max_prolog_bytes``.
    """
    declared: list[int] = []

    def start(element: str, attrs: dict[str, str]) -> None:
        if local(element) != "sst":
            return
        for key, value in attrs.items():
            number = whole_number(value)
            if local(key) in ("count", "uniqueCount") and number is not None:
                declared.append(number)
        raise Stop

    def refuse(read: int) -> NoReturn:
        raise InputError(
            over(
                _(
                    'part "{part}" has no shared-strings table in its first {value:,} '
                    "bytes, more than the {cap:,} bytes allowed before it"
                ),
                read,
                "max_prolog_bytes",
                limits,
                part=part,
            ),
            file=name,
        )

    parser = new_parser()
    parser.StartElementHandler = start
    with archive.open(part) as stream:
        parse(parser, first_bytes(stream, limits.max_prolog_bytes, refuse), part, name, chunk=CHUNK)
    count = max(declared, default=0)
    if count > limits.max_strings:
        raise InputError(
            over(
                _(
                    "declares a shared-strings table of {value:,} strings, more than the "
                    "{cap:,} strings allowed"
                ),
                count,
                "max_strings",
                limits,
            ),
            file=name,
        )


@dataclass
class SharedStrings:
    """What each shared string can cost a sheet: python-calamine copies a shared string
    into every cell that uses it, so a 1 MB string used by 5,000 cells asks for 5 GB.

    Attributes:
        sizes: An upper bound of each string's bytes, by index: the bytes of its
            ``<si>`` element in the file (its text, and the runs and hints around it;
            entities only shorten text).
    """

    sizes: array[int]

    def widest(self, other: SharedStrings) -> SharedStrings:
        """Each index at the larger of two tables' sizes."""
        longer, shorter = sorted((self.sizes, other.sizes), key=len, reverse=True)
        sizes = array("Q", longer)
        for index, size in enumerate(shorter):
            sizes[index] = max(sizes[index], size)
        return SharedStrings(sizes)

    @property
    def longest(self) -> int:
        """The largest size (0 without strings)."""
        return max(self.sizes, default=0)

    def total(self, values: list[bytes]) -> int:
        """The bytes the strings that ``<v>`` texts name take: an index python-calamine
        cannot read as one (``" 5"``, ``"1.5"``) names the first string, as there."""
        sizes = self.sizes
        count = len(sizes)
        first = sizes[0] if count else 0
        total = 0
        for value in values:
            if value.isdigit() and len(value) <= 12:
                index = int(value)
                total += sizes[index] if index < count else 0
            else:
                total += first
        return total


_PREFIXED_SI = re.compile(rb"<[^\s<>/!?:]+:si[\s/>]")


def shared_strings(archive: zipfile.ZipFile, part: str, limits: Limits, name: str) -> SharedStrings:
    """The sizes of a shared-strings table's strings, searched as bytes where that reads
    what the parser would (every string written ``<si>``, no comment or CDATA), else
    parsed.

    Raises:
        InputError: More strings than ``max_strings``, or not well-formed XML.
    """

    def refuse(message: str) -> NoReturn:
        raise InputError(message, file=name)

    with archive.open(part) as stream:
        sizes = _searched_sizes(stream, limits, refuse)
    if sizes is None:
        with archive.open(part) as stream:
            sizes = _parsed_sizes(stream, limits, refuse, part, name)
    return SharedStrings(sizes)


def _too_many(limits: Limits, refuse: Callable[[str], NoReturn]) -> NoReturn:
    refuse(
        over(
            _("holds more than {value:,} shared strings, more than the {cap:,} strings allowed"),
            limits.max_strings,
            "max_strings",
            limits,
        )
    )


def _searched_sizes(
    stream: IO[bytes], limits: Limits, refuse: Callable[[str], NoReturn]
) -> array[int] | None:
    sizes: array[int] = array("Q")
    current: int | None = None  # bytes of the string whose <si> came last, so far
    first = True
    for chunk in tag_chunks(stream, limits, refuse):
        data = searchable(chunk) if first else chunk
        first = False
        if data is None or b"<!" in data or b"<?" in data:
            return None
        if data.count(b"<si>") != start_tags(data, b"<si"):
            return None
        if b":si" in data and _PREFIXED_SI.search(data):
            return None
        pieces = data.split(b"<si>")
        if current is not None:
            current += len(pieces[0])
        if len(pieces) > 1:
            if current is not None:
                sizes.append(current)
            sizes.extend(map(len, pieces[1:-1]))
            current = len(pieces[-1])
        if len(sizes) > limits.max_strings:
            _too_many(limits, refuse)
    if current is not None:
        sizes.append(current)
    return sizes


def _parsed_sizes(
    stream: IO[bytes], limits: Limits, refuse: Callable[[str], NoReturn], part: str, name: str
) -> array[int]:
    sizes: array[int] = array("Q")
    opened = 0
    parser = new_parser()

    def start(element: str, _attrs: dict[str, str]) -> None:
        nonlocal opened
        if local(element) == "si":
            opened = parser.CurrentByteIndex

    def end(element: str) -> None:
        if local(element) == "si":
            sizes.append(max(parser.CurrentByteIndex - opened, 0))
            if len(sizes) > limits.max_strings:
                _too_many(limits, refuse)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parse(parser, stream, part, name)
    return sizes
