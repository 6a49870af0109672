"""Reading back exportctl's own exports: XLSX, CSV in either dialect, and JSON.

``exportctl export`` writes one row (or JSON object) per entry, with its part's number
and title, its sub-items in one cell, and columns that only repeat another (the code's
digits) or say where the entry was read before (source file, sheet and row). Read back,
such a file is turned into the rows an annex itself prints: a title row for each part,
the entry's row, and a row per sub-item with its label as printed. The import then
assembles them exactly as it assembled the original, so the entries, parts, sub-items
(nested by their labels), control numbers and attributes come back the same and a
``diff`` against the exported version finds nothing.

What the export writes in words is read back to its value: ``ex`` as
``true``/``false``, ``yes``/``no`` or ``예``/``아니오``; the word joiner of the ``excel``
CSV dialect (:data:`exportctl.reports.cells.KEEP_TEXT`) and the quote before a cell
that would start a formula are dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exportctl.annex import SectionTitle, read_control_numbers
from exportctl.errors import InputError
from exportctl.hscode import CodeCell, HSCode
from exportctl.i18n import _
from exportctl.models import split_full_text
from exportctl.readers.cells import cell_text, clean_text
from exportctl.readers.header import Located
from exportctl.readers.layout import SKIPPED, ParsedRow, Table
from exportctl.readers.rows import Note
from exportctl.readers.schema import EXPORT_REPEATS, Schema, export_columns
from exportctl.reports.cells import KEEP_TEXT
from exportctl.reports.safe import needs_quote

__all__ = ["FLAG_WORDS", "export_table", "json_table", "parse_sub_items", "read_export"]

FLAG_WORDS: Mapping[str, bool] = {
    "true": True,
    "false": False,
    "yes": True,
    "no": False,
    "예": True,
    "아니오": False,
}
"""A yes/no cell as every export writes it (``plain`` CSV, English, Korean)."""

_READ_FIELDS = ("serial", "description", "description_en", "category", "note")
"""Export columns carried to the field of the same name as they are."""
_FIELDS = frozenset({*_READ_FIELDS, "code", "control_numbers"})
"""Export columns that fill a list field; the rest make parts, sub-items, the code's
``ex`` and range, attributes, or only repeat another column
(:data:`EXPORT_REPEATS`)."""

_OWN_NUMBERS = re.compile(r" \{([^{}]*)\}$")


@dataclass(slots=True)
class _Sub:
    label: str
    text: str
    text_en: str | None
    numbers: tuple[str, ...] | None
    """Its own control numbers when the export gave them; else those its texts name."""


@dataclass(slots=True)
class _Entry:
    row: int
    section: int
    title: str
    code: str | None
    """The code as the export spells it (dotted), with ``ex`` and the range end added."""
    values: dict[str, str | None]
    control_numbers: tuple[str, ...]
    attributes: dict[str, str]
    subs: list[_Sub] = field(default_factory=list)


def _unprotect(value: object) -> object:
    """A cell without what the CSV writer put before it to keep it as Excel shows it."""
    if isinstance(value, str):
        if value.startswith(KEEP_TEXT):
            return value[len(KEEP_TEXT) :]
        if value.startswith("'") and needs_quote(value[1:]):
            return value[1:]
    return value


def _text(value: object) -> str | None:
    return cell_text(_unprotect(value))


def _split_english(text: str) -> tuple[str, str | None]:
    """``한국어 / English`` as its two halves (as :func:`SubItem.full_text` joins them):
    at the first `` / `` with Korean before it and, after it, Latin letters but no Korean."""
    if text.startswith("/ "):
        return "", text[2:] or None
    return split_full_text(text)


def parse_sub_items(cell: str | None) -> list[tuple[str, str, str | None, tuple[str, ...] | None]]:
    """The sub-items of an export's cell (:func:`exportctl.reports.sub_items_lines`), in
    order: label as printed, text, English text, own control numbers (``None`` when the
    line gives none apart from its texts').

    Example:
        >>> parse_sub_items("a. 집적회로 / Integrated circuits\\n  1. 기타 {3A001}")
        [('a.', '집적회로', 'Integrated circuits', None), ('1.', '기타', None, ('3A001',))]
    """
    found: list[tuple[str, str, str | None, tuple[str, ...] | None]] = []
    for raw in (cell or "").splitlines():
        line = clean_text(raw)
        if line is None:
            continue
        numbers: tuple[str, ...] | None = None
        own = _OWN_NUMBERS.search(line)
        if own is not None:
            reading = read_control_numbers(own.group(1), cell=True)
            if not reading.problems:
                numbers = reading.numbers
                line = line[: own.start()]
        label, _sep, rest = line.partition(" ")
        text, text_en = _split_english(rest)
        found.append((label, text, text_en, numbers))
    return found


def _flag(value: str | None, *, where: Callable[[str], InputError]) -> bool:
    if value is None:
        return False
    found = FLAG_WORDS.get(value.lower())
    if found is None:
        words = ", ".join(sorted(FLAG_WORDS))
        raise where(_('"{value}" is not a yes/no word ({words})').format(value=value, words=words))
    return found


def _digits(text: str | None) -> str | None:
    if text is None:
        return None
    return "".join(char for char in text if char.isdigit()) or None


def _code_text(code: str | None, digits: str | None, end: str | None, ex: bool) -> str | None:
    """The code as a list writes it: ``ex 8471.30``, ``8471.30 ~ 8471.50``."""
    if code is None and digits is not None:
        code = HSCode(digits).dotted()
    if code is None:
        return None
    if end is not None:
        code = f"{code} ~ {end}"
    return f"ex {code}" if ex else code


def _attributes(text: str | None) -> dict[str, str]:
    """``tier=3.A; price=…`` (:func:`exportctl.reports.tabular.attributes_text`) as a dict."""
    pairs = (part.partition("=") for part in (text or "").split("; "))
    return {key.strip(): value.strip() for key, sep, value in pairs if sep and key.strip()}


def _numbers(text: str | None) -> tuple[str, ...]:
    return tuple((text or "").split())


def _rows(entries: Iterable[_Entry], schema: Schema) -> Iterator[ParsedRow]:
    """An annex's rows for ``entries``: part titles, entries, sub-items."""
    template: dict[str, str | None] = dict.fromkeys(schema.fields)
    part: tuple[int, str] = (1, "")
    for entry in entries:
        if (entry.section, entry.title) != part:
            part = (entry.section, entry.title)
            yield ParsedRow(entry.row, dict(template), None, section=SectionTitle(*part))
        values = dict(template)
        values.update(entry.values)
        values["control_numbers"] = " ".join(entry.control_numbers) or None
        # Attribute values go under their names, as a profile's attribute columns do.
        values.update(entry.attributes)
        code = CodeCell(entry.code) if entry.code is not None else None
        yield ParsedRow(entry.row, values, code)
        for sub in entry.subs:
            values = dict(template)
            values["description"] = f"{sub.label} {sub.text}".rstrip()
            values["description_en"] = sub.text_en
            if sub.numbers:
                values["control_numbers"] = " ".join(sub.numbers)
            yield ParsedRow(entry.row, values, None)


def _located_rows(located: Located) -> Iterator[tuple[int, Sequence[object]]]:
    yield from ((row.number, row.values) for row in located.buffered)
    yield from ((row.number, row.values) for row in located.rest)


def read_export(
    located: Located,
    schema: Schema,
    overrides: Mapping[str, str],
    *,
    file: str,
    sheet: str | None,
    notes: list[Note],
    on_close: Callable[[], None] | None = None,
) -> Table | None:
    """The table of an XLSX or CSV export when ``located`` is one (see
    :func:`exportctl.readers.schema.export_columns`); ``None`` for any other table,
    and when ``--column`` names a header (the user then maps the file).
    """
    layout = located.layout
    if schema.name != "list" or overrides or layout.height != 1:
        return None
    columns = export_columns([column.text for column in layout.columns])
    if columns is None:
        return None
    return export_table(
        located, columns, schema, file=file, sheet=sheet, notes=notes, on_close=on_close
    )


def export_table(
    located: Located,
    columns: Mapping[int, str],
    schema: Schema,
    *,
    file: str,
    sheet: str | None,
    notes: list[Note],
    on_close: Callable[[], None] | None = None,
) -> Table:
    """The table of an XLSX or CSV export (its header read as ``columns``, see
    :func:`exportctl.readers.schema.export_columns`), as the annex rows it stands for.

    Raises:
        InputError: A part number that is not a number, or a yes/no cell in other words.
    """
    named = [
        (column.index, column.text, columns[column.index])
        for column in located.layout.columns
        if column.index in columns
    ]
    headers = {name: text for _, text, name in named}
    skipped = dict.fromkeys(SKIPPED, 0)
    entries: list[_Entry] = []
    try:
        for number, cells in _located_rows(located):
            entry = _row_entry(number, cells, columns, headers, file=file, sheet=sheet)
            if entry is None:
                skipped["blank"] += 1
            else:
                entries.append(entry)
    finally:
        if on_close is not None:
            on_close()
    layout = located.layout
    return _table(
        entries,
        schema,
        file=file,
        sheet=sheet,
        notes=notes,
        header_row=layout.header_row,
        headers=headers,
        # A column that only repeats another is shown as used by nothing.
        mapping=[
            (index, text, None if name in EXPORT_REPEATS else name) for index, text, name in named
        ],
        skipped=skipped,
    )


def _row_entry(
    number: int,
    cells: Sequence[object],
    columns: Mapping[int, str],
    headers: Mapping[str, str],
    *,
    file: str,
    sheet: str | None,
) -> _Entry | None:
    raw: dict[str, object] = {
        name: cells[index] if index < len(cells) else None for index, name in columns.items()
    }
    texts = {name: _text(value) for name, value in raw.items() if name != "sub_items"}
    sub_cell = _unprotect(raw.get("sub_items"))
    subs = parse_sub_items(sub_cell if isinstance(sub_cell, str) else _text(sub_cell))
    if not subs and all(value is None for value in texts.values()):
        return None

    def where(column: str) -> Callable[[str], InputError]:
        return lambda message: InputError(
            message, file=file, sheet=sheet, row=number, column=headers.get(column)
        )

    section_text = texts.get("section")
    section = 1
    if section_text is not None:
        if not (section_text.isascii() and section_text.isdigit()):
            raise where("section")(
                _('"{value}" is not the number of a part of the annex').format(value=section_text)
            )
        section = int(section_text)
    ex = _flag(texts.get("ex"), where=where("ex"))
    code = _code_text(
        texts.get("code"), _digits(texts.get("code_digits")), texts.get("code_end"), ex
    )
    return _Entry(
        row=number,
        section=section,
        title=texts.get("section_title") or "",
        code=code,
        values={name: texts.get(name) for name in _READ_FIELDS},
        control_numbers=_numbers(texts.get("control_numbers")),
        attributes=_attributes(texts.get("attributes")),
        subs=[_Sub(*sub) for sub in subs],
    )


def _table(
    entries: list[_Entry],
    schema: Schema,
    *,
    file: str,
    sheet: str | None,
    notes: list[Note],
    header_row: int,
    headers: Mapping[str, str],
    mapping: list[tuple[int, str, str | None]],
    skipped: dict[str, int],
) -> Table:
    columns = {name: headers[name] for name in schema.fields if name in headers}
    if not any(entry.values.get("serial") for entry in entries):
        # A list without serials was read without them: an entry with neither serial
        # nor code is then an entry, not an unplaced row.
        columns.pop("serial", None)
    return Table(
        file=file,
        sheet=sheet,
        header_row=header_row,
        columns=columns,
        unmapped=[],
        notes=notes,
        rows=_rows(entries, schema),
        skipped=skipped,
        header_rows=(header_row, header_row),
        mapping=mapping,
    )


# --------------------------------------------------------------------------- JSON

_JSON_KEYS = frozenset({"report", "version", "items"})


def json_table(path: Path, schema: Schema) -> Table:
    """The table of a JSON export (``exportctl export -o FILE.json``).

    Raises:
        InputError: The file is not JSON, or not the JSON an export writes.
    """
    name = path.name
    refused = InputError(
        _(
            "is not a version exported by exportctl (only the JSON `exportctl export` writes "
            "can be imported; save other lists as XLSX or CSV)"
        ),
        file=name,
    )
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise refused from exc
    if not isinstance(document, dict) or not _JSON_KEYS <= set(document):
        raise refused
    version, items = document["version"], document["items"]
    if not isinstance(version, dict) or not isinstance(items, list):
        raise refused
    titles = {
        int(part["number"]): str(part.get("title") or "")
        for part in version.get("sections") or ()
        if isinstance(part, dict) and isinstance(part.get("number"), int)
    }
    entries: list[_Entry] = []
    for index, item in enumerate(items, start=1):
        try:
            entries.append(_json_entry(index, item, titles))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                _(
                    "item {index} is not an entry as `exportctl export` writes one ({reason})"
                ).format(index=index, reason=repr(exc)),
                file=name,
            ) from exc
    headers = {field: field for field in sorted(_FIELDS)}
    headers.update({key: key for entry in entries for key in entry.attributes})
    return _table(
        entries,
        schema,
        file=name,
        sheet=None,
        notes=[],
        header_row=0,
        headers=headers,
        mapping=[],
        skipped=dict.fromkeys(SKIPPED, 0),
    )


def _optional(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int):
        raise TypeError(f"{value!r} is not text")
    return cell_text(str(value))


def _json_entry(index: int, item: Any, titles: Mapping[int, str]) -> _Entry:
    if not isinstance(item, dict):
        raise TypeError("not an object")
    section = item["section_number"]
    if not isinstance(section, int):
        raise TypeError(f"section_number {section!r}")
    digits, end = _optional(item.get("code")), _optional(item.get("code_end"))
    ex = item.get("ex") is True
    code = _code_text(None, digits, HSCode(end).dotted() if end else None, ex)
    attributes = item.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise TypeError(f"attributes {attributes!r}")
    return _Entry(
        row=index,
        section=section,
        title=titles.get(section, ""),
        code=code,
        values={name: _optional(item.get(name)) for name in _READ_FIELDS},
        control_numbers=tuple(str(n) for n in item.get("control_numbers") or ()),
        attributes={str(k): str(v) for k, v in attributes.items()},
        subs=list(_json_subs(item.get("sub_items") or ())),
    )


def _json_subs(nodes: Iterable[Any]) -> Iterator[_Sub]:
    for node in nodes:
        if not isinstance(node, dict):
            raise TypeError(f"sub-item {node!r}")
        yield _Sub(
            str(node["label"]),
            str(node.get("text") or ""),
            None if node.get("text_en") is None else str(node["text_en"]),
            tuple(str(n) for n in node.get("control_numbers") or ()),
        )
        yield from _json_subs(node.get("sub_items") or ())
