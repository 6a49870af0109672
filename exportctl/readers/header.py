"""Finding the header under title rows and mapping its columns onto a schema.

Among the first ``HEADER_SEARCH_ROWS`` rows, every row is tried as a one-row header
and every run of two or three adjacent rows as a header block; the candidate
that maps the HS code column and the most other fields wins (ties go to the
shallower block, then to the earlier row).

Header blocks are read without merged-cell ranges, so the rule works the same
for openpyxl's read-only mode (which does not expose them), python-calamine and
CSV: a merged cell reads as its text in the first column and blanks after it,
which is also how a CSV writes such a header. In every row but the last, a
non-empty cell that has a sub-header beneath it is a *parent*; it extends right
over empty cells that have sub-headers beneath them (a horizontal merge once
unmerged), and no further than the parent above it. A column is then looked up
as its whole path (``품목 국문``, ``품목명 국문``), then without its upper parts,
down to the lowest text alone; a cell merged down (``연번`` over rows 3-4) has
only its own text. A title row above a one-row header therefore never spoils it:
"title 연번" maps to nothing and ``연번`` alone is used.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from exportctl.errors import InputError
from exportctl.i18n import _
from exportctl.readers.cells import cell_text
from exportctl.readers.rows import RawRow
from exportctl.readers.schema import Schema, header_keys

HEADER_SEARCH_ROWS = 30
"""The header must start within this many rows from the top of the sheet."""

MAX_HEADER_ROWS = 3
"""The deepest header block tried (a parent over a parent over the column names)."""


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
    texts: tuple[tuple[str | None, ...], ...] = ()
    """Each header row's cell texts as written, top to bottom (to know it repeated)."""

    def repeats(self, texts: list[str | None]) -> bool:
        """Whether a row's cell texts repeat one row of the header (printed on each page).

        Every non-empty cell must hold that header row's text in its column; a row
        repeating the lower row of a block (``국문 | 영문``) has no code to tell it by.
        """
        filled = [(index, text) for index, text in enumerate(texts) if text is not None]
        return bool(filled) and any(
            all(index < len(row) and row[index] == text for index, text in filled)
            for row in self.texts
        )

    @property
    def top(self) -> int:
        """The first row of the header block."""
        return self.header_row - self.height + 1

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


def _block(rows: list[RawRow]) -> list[Column]:
    """The columns of a header block of adjacent rows, top to bottom (see the module)."""
    grid = [_texts(row) for row in rows]
    width = max(len(texts) for texts in grid)
    for texts in grid:
        texts += [None] * (width - len(texts))
    depth = len(grid)
    for level in range(depth - 1):
        group: str | None = None
        above: str | None = None
        for index in range(width):
            text = grid[level][index]
            below = any(grid[lower][index] is not None for lower in range(level + 1, depth))
            parent = grid[level - 1][index] if level else None
            if parent != above:
                group = None
            above = parent
            if text is not None:
                group = text if below else None
            elif below and group is not None:
                grid[level][index] = group
            else:
                group = None
    columns: list[Column] = []
    for index in range(width):
        path = [text for texts in grid if (text := texts[index]) is not None]
        if path:
            parts = list(dict.fromkeys(path))
            labels = tuple(" ".join(parts[start:]) for start in range(len(parts)))
            columns.append(Column(index, labels[0], labels))
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
    """The best header candidate among buffered rows, or ``None`` without a code column.

    A deeper block starting on the winner's first row, each of its rows holding text,
    that maps every field the winner maps, is taken instead: its lower rows are
    sub-headers (``품목명`` over ``국문``) that the winner would read as data. A data
    row never passes for one, as its code or serial spoils its column's path.
    """
    best: tuple[Layout, dict[str, list[Column]]] | None = None
    found: list[tuple[Layout, dict[str, list[Column]]]] = []
    recent: list[RawRow] = []
    for row in rows:
        recent = [*recent, row][-MAX_HEADER_ROWS:]
        candidates = [Layout(row.number, 1, _single(row), texts=(tuple(_texts(row)),))]
        for depth in range(2, len(recent) + 1):
            block = recent[-depth:]
            # Row numbers only grow, so the first row's number tells the block is unbroken.
            if block[0].number == row.number - depth + 1:
                texts = tuple(tuple(_texts(each)) for each in block)
                candidates.append(Layout(row.number, depth, _block(block), texts=texts))
        for candidate in candidates:
            if not candidate.columns:
                continue
            mapped = map_columns(candidate, schema, overrides)
            if "code" not in mapped[0].fields:
                continue
            found.append(mapped)
            if best is None or mapped[0].score(schema) > best[0].score(schema):
                best = mapped
    if best is None:
        return None
    top, wanted = best[0].top, set(best[0].fields)
    deeper = [
        each
        for each in found
        if each[0].top == top
        and each[0].height > best[0].height
        and wanted <= set(each[0].fields)
        and all(any(text is not None for text in row) for row in each[0].texts)
    ]
    return max(deeper, key=lambda each: each[0].height, default=best)


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
        problem = _('--column {name}="{header}" names no header; headers found: {found}').format(
            name=name, header=header, found=headers_found(layout)
        )
        break
    for name, found in hits.items():
        if problem is None and len(found) > 1:
            both = _(" and ").join(f'"{column.text}"' for column in found)
            problem = _(
                '--column {name}="{header}" matches columns {both}; give the full header'
            ).format(name=name, header=overrides[name], both=both)
    for name, columns in layout.fields.items():
        if problem is None and len(columns) > 1:
            both = _(" and ").join(f'"{column.text}"' for column in columns)
            problem = _(
                'columns {both} both map to {name}; choose one with --column {name}="{header}"'
            ).format(both=both, name=name, header=columns[0].text)
    for name in schema.required:
        if problem is None and name not in layout.fields:
            problem = _(
                "no {name} column found; headers found: {found}; name it with "
                "--column {name}=HEADER"
            ).format(name=name, found=headers_found(layout))
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
    above: RawRow | None = None
    """The last row with text above the header: where a table prints its first part's
    title (``1. 이란·파키스탄·시리아 관련 상황허가 대상 품목``)."""


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
    lines = [(row, _line(row)) for row in buffered if row.number <= top]
    titles = [line for _row, line in lines if line]
    above = next((row for row, line in reversed(lines) if line), None)
    return Located(layout, hits, after, rows, titles, above)


def _line(row: RawRow) -> str:
    """A row's distinct cell texts joined by a space (merged cells may repeat one)."""
    texts = (cell_text(value) for value in row.values)
    return " ".join(dict.fromkeys(text for text in texts if text is not None))
