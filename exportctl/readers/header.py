"""Finding the header under title rows and mapping its columns onto a schema.

Among the first ``HEADER_SEARCH_ROWS`` rows, every row is tried as a one-row header
and every pair of adjacent rows as a two-row header; the
candidate that maps the HS code column and the most other fields wins (ties go
to the one-row header, then to the earlier row).

Two-row headers are read without merged-cell ranges, so the rule works the same
for openpyxl's read-only mode (which does not expose them), python-calamine and
CSV. In the upper row, a non-empty cell that has a sub-header beneath it is a
*parent*; it extends right over empty upper cells that have sub-headers beneath
them (that is what a horizontal merge looks like once unmerged). A column is
then looked up as "parent child" (``품목명 국문``), then as the child alone, and
— only when the lower cell is empty, i.e. a vertical merge like ``연번`` over
rows 3-4 — as the parent alone. A title row above a one-row header therefore
never spoils it: "title 연번" maps to nothing and ``연번`` alone is used.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from exportctl.errors import InputError
from exportctl.readers.cells import cell_text
from exportctl.readers.rows import RawRow
from exportctl.readers.schema import Schema, header_keys

HEADER_SEARCH_ROWS = 30
"""The header must start within this many rows from the top of the sheet."""


@dataclass(frozen=True)
class Column:
    """A header column.

    Attributes:
        index: 0-based column.
        text: The header as written (``"품목명 영문"`` for a two-row header).
        labels: Texts to look up, most specific first.
    """

    index: int
    text: str
    labels: tuple[str, ...]


@dataclass
class Layout:
    """A header candidate and how its columns map."""

    header_row: int
    height: int
    columns: list[Column]
    fields: dict[str, list[Column]] = field(default_factory=dict)
    unmapped: list[Column] = field(default_factory=list)
    unmatched_overrides: dict[str, str] = field(default_factory=dict)

    def score(self, schema: Schema) -> tuple[int, int, int, int, int]:
        """Higher is better: has code, required found, fields found, one row, earlier."""
        found = set(self.fields)
        return (
            int("code" in found),
            len(found & set(schema.required)),
            len(found),
            -self.height,
            -self.header_row,
        )


def _texts(row: RawRow) -> list[str | None]:
    return [cell_text(value) for value in row.values]


def _single(row: RawRow) -> list[Column]:
    return [
        Column(index, text, (text,)) for index, text in enumerate(_texts(row)) if text is not None
    ]


def _pair(upper: RawRow, lower: RawRow) -> list[Column]:
    top, bottom = _texts(upper), _texts(lower)
    width = max(len(top), len(bottom))
    top += [None] * (width - len(top))
    bottom += [None] * (width - len(bottom))
    columns: list[Column] = []
    group: str | None = None
    for index in range(width):
        parent, child = top[index], bottom[index]
        if parent is not None:
            group = parent if child is not None else None
        elif child is not None:
            parent = group
        else:
            group = None
        if parent is not None and child is not None:
            columns.append(Column(index, f"{parent} {child}", (f"{parent} {child}", child)))
        elif child is not None:
            columns.append(Column(index, child, (child,)))
        elif parent is not None:
            columns.append(Column(index, parent, (parent,)))
    return columns


def _matches(column: Column, header: str) -> bool:
    wanted = set(header_keys(header))
    return any(wanted & set(header_keys(label)) for label in (column.text, *column.labels))


def map_columns(
    layout: Layout, schema: Schema, overrides: Mapping[str, str]
) -> tuple[Layout, dict[str, list[Column]]]:
    """Map a candidate's columns: overrides first, then the schema's alias table.

    Returns:
        The layout filled in, and the override hits per field (to report an
        override that names more than one column).
    """
    claimed: set[int] = set()
    hits: dict[str, list[Column]] = {}
    for name, header in overrides.items():
        found = [column for column in layout.columns if _matches(column, header)]
        hits[name] = found
        if found:
            layout.fields[name] = found[:1]
            claimed.add(found[0].index)
        else:
            layout.unmatched_overrides[name] = header
    for column in layout.columns:
        if column.index in claimed:
            continue
        found_field = next(
            (hit for hit in map(schema.lookup, column.labels) if hit is not None),
            None,
        )
        settled = found_field in overrides and found_field not in layout.unmatched_overrides
        if found_field is None or settled:
            layout.unmapped.append(column)
        else:
            layout.fields.setdefault(found_field, []).append(column)
    return layout, hits


def find_layout(
    rows: list[RawRow], schema: Schema, overrides: Mapping[str, str]
) -> tuple[Layout, dict[str, list[Column]]] | None:
    """The best header candidate among buffered rows, or ``None`` without a code column."""
    best: tuple[Layout, dict[str, list[Column]]] | None = None
    previous: RawRow | None = None
    for row in rows:
        candidates = [Layout(row.number, 1, _single(row))]
        if previous is not None and previous.number == row.number - 1:
            candidates.append(Layout(row.number, 2, _pair(previous, row)))
        previous = row
        for candidate in candidates:
            if not candidate.columns:
                continue
            mapped = map_columns(candidate, schema, overrides)
            if "code" not in mapped[0].fields:
                continue
            if best is None or mapped[0].score(schema) > best[0].score(schema):
                best = mapped
    return best


def headers_found(layout: Layout) -> str:
    """The header texts of a candidate, quoted, for messages."""
    return ", ".join(f'"{column.text}"' for column in layout.columns)


def check_layout(
    layout: Layout,
    hits: Mapping[str, list[Column]],
    schema: Schema,
    overrides: Mapping[str, str],
    *,
    file: str,
    sheet: str | None,
) -> None:
    """Refuse a header with unmatched overrides, duplicate or missing columns.

    Raises:
        InputError: Naming the header row and what to pass to ``--column``.
    """
    problem: str | None = None
    for name, header in layout.unmatched_overrides.items():
        problem = (
            f'--column {name}="{header}" names no header; headers found: {headers_found(layout)}'
        )
        break
    for name, found in hits.items():
        if problem is None and len(found) > 1:
            both = " and ".join(f'"{column.text}"' for column in found)
            problem = (
                f'--column {name}="{overrides[name]}" matches columns {both}; give the full header'
            )
    for name, columns in layout.fields.items():
        if problem is None and len(columns) > 1:
            both = " and ".join(f'"{column.text}"' for column in columns)
            problem = (
                f"columns {both} both map to {name}; choose one with "
                f'--column {name}="{columns[0].text}"'
            )
    for name in schema.required:
        if problem is None and name not in layout.fields:
            problem = (
                f"no {name} column found; headers found: {headers_found(layout)}; "
                f"name it with --column {name}=HEADER"
            )
    if problem is not None:
        raise InputError(problem, file=file, sheet=sheet, row=layout.header_row)


@dataclass
class Located:
    """A header found in a stream of rows, and the stream positioned after it."""

    layout: Layout
    hits: dict[str, list[Column]]
    buffered: list[RawRow]
    rest: Iterator[RawRow]
    title_lines: list[str] = field(default_factory=list)


def locate(rows: Iterator[RawRow], schema: Schema, overrides: Mapping[str, str]) -> Located | None:
    """Buffer the top rows of a sheet and find its header.

    Returns:
        The header and the rows after it, or ``None`` when no row names an HS code
        column.
    """
    buffered: list[RawRow] = []
    for row in rows:
        buffered.append(row)
        if row.number >= HEADER_SEARCH_ROWS:
            break
    found = find_layout(
        [row for row in buffered if row.number <= HEADER_SEARCH_ROWS], schema, overrides
    )
    if found is None:
        return None
    layout, hits = found
    after = [row for row in buffered if row.number > layout.header_row]
    top = layout.header_row - layout.height
    titles = [_line(row) for row in buffered if row.number <= top]
    return Located(layout, hits, after, rows, [line for line in titles if line])


def _line(row: RawRow) -> str:
    """A row's distinct cell texts joined by a space (merged cells may repeat one)."""
    texts = (cell_text(value) for value in row.values)
    return " ".join(dict.fromkeys(text for text in texts if text is not None))
