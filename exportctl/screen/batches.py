"""Screening Arrow record batches anywhere: the :class:`Screener`.

A :class:`Screener` is a version indexed for columns
(:class:`~exportctl.screen.columnar.ColumnarIndex`) with the names of the columns to
read. It needs no database once built and pickles, so one object serves a loop over a
Parquet file, DuckDB (a ``RecordBatchReader`` in, one out) and Spark's ``mapInArrow``
(the object is the function: batches in, batches out). Each batch comes back with its
own columns and the verdict's (:data:`VERDICT_FIELDS`), one row for one row.

Cells are read as a catalogue file's are: text cleaned as
:func:`~exportctl.readers.cells.cell_text` cleans it, a code cell as a person sees it.
A column of numbers is read as its numbers' text, so ``101210000`` (a code whose
leading zero a number lost) is read with the zero put back and says so in ``warning``,
as a workbook's number cell is.

Example:
    >>> screener = exportctl.screener("sqlite:///lists.db", "kr-russia", "2024-06")
    >>> for batch in screener(parquet_file.iter_batches()):
    ...     print(batch.column("status"))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from exportctl.i18n import using
from exportctl.readers.arrowcells import clean, clean_codes
from exportctl.screen.columnar import ColumnarIndex
from exportctl.screen.index import STATUSES
from exportctl.screen.shapes import SLOT, Verdicts

__all__ = ["VERDICT_DDL", "VERDICT_FIELDS", "Screener", "Sentences", "sentences", "verdict_columns"]

VERDICT_FIELDS: tuple[pa.Field, ...] = (
    pa.field("status", pa.string()),
    pa.field("entry_section", pa.int32()),
    pa.field("entry_serial", pa.string()),
    pa.field("entry_code", pa.string()),
    pa.field("entry_description", pa.string()),
    pa.field("matched_words", pa.string()),
    pa.field("reason", pa.string()),
    pa.field("rule", pa.string()),
    pa.field("code_read", pa.string()),
    pa.field("warning", pa.string()),
)
"""The columns a screened batch gains, in order: the status (``controlled``,
``review``, ``clear``, ``invalid``), the deciding entry (null for none), the words that
matched its name, the reason as a sentence and its rule (the machine name of why), the
code as read (digits), and a warning on how the cell was read."""

VERDICT_DDL = ", ".join(
    f"{f.name} {'int' if f.type == pa.int32() else 'string'}" for f in VERDICT_FIELDS
)
""":data:`VERDICT_FIELDS` as a Spark DDL schema (``status string, entry_section int, …``)."""


@dataclass
class Sentences:
    """The sentences of a run's reason shapes, cut where each row's code goes."""

    pieces: list[pa.Array]
    """Per place in a sentence, the piece of each shape there (by shape number)."""
    sizes: np.ndarray
    """How many pieces each shape's sentence has."""

    def of(self, shapes: np.ndarray, codes: pa.Array) -> pa.Array:
        """The sentences of rows whose shapes and codes (as reasons write them) are these."""
        take = pa.array(shapes)
        joined: pa.Array = pc.take(self.pieces[0], take)
        if len(self.pieces) == 1:
            return joined
        codes = pc.fill_null(codes, "")
        for i in range(1, len(self.pieces)):
            more = pc.binary_join_element_wise(joined, codes, pc.take(self.pieces[i], take), "")
            joined = pc.if_else(pa.array(self.sizes[shapes] > i), more, joined)
        return joined


def sentences(
    engine: ColumnarIndex,
    used: np.ndarray,
    lang: str,
    cell: Callable[[str], str] | None = None,
) -> Sentences:
    """The sentences in ``lang`` of the shapes ``used`` (shape numbers of rows), each
    rendered once; ``cell`` (a callable) is applied to each before the codes go in."""
    count = len(engine.shapes)
    pieces: dict[int, list[str]] = {}
    for at in np.unique(used).tolist():
        sentence = engine.shapes[at].sentence(lang)
        if cell is not None:
            sentence = cell(sentence)
        pieces[at] = sentence.split(SLOT)
    widest = max((len(p) for p in pieces.values()), default=1)
    sizes = np.zeros(count, dtype=np.int32)
    slots: list[list[str]] = [[""] * count for _ in range(widest)]
    for at, parts in pieces.items():
        sizes[at] = len(parts)
        for i, part in enumerate(parts):
            slots[i][at] = part
    return Sentences([pa.array(slot, pa.string()) for slot in slots], sizes)


@dataclass
class _Entries:
    """The version's entries as columns, by place (what a verdict's entry number names)."""

    section: pa.Array
    serial: pa.Array
    code: pa.Array
    description: pa.Array

    @classmethod
    def of(cls, engine: ColumnarIndex) -> _Entries:
        entries = engine.entries
        return cls(
            pa.array([e.section for e in entries], pa.int32()),
            pa.array([e.serial for e in entries], pa.string()),
            pa.array([e.code or None for e in entries], pa.string()),
            pa.array([e.description for e in entries], pa.string()),
        )


@dataclass
class _Known:
    """What a screener has worked out of its engine's registries, grown as they grow."""

    entries: _Entries | None = None
    rules: list[str] = field(default_factory=list)
    words: list[str | None] = field(default_factory=list)
    warnings: dict[int, str | None] = field(default_factory=dict)


def verdict_columns(
    engine: ColumnarIndex, verdicts: Verdicts, lang: str = "en", known: _Known | None = None
) -> list[pa.Array]:
    """The columns of :data:`VERDICT_FIELDS` for a batch's ``verdicts``.

    Args:
        engine: The engine that gave them.
        verdicts: Its answer for the batch.
        lang: The language of ``reason`` and ``warning`` (``en`` or ``ko``).
        known: What earlier batches worked out (kept by a :class:`Screener`).
    """
    known = known if known is not None else _Known()
    if known.entries is None:
        known.entries = _Entries.of(engine)
    known.words += [" ".join(w) or None for w in engine.words[len(known.words) :]]
    warned = verdicts.warning
    # Rules, warnings and reasons are worked out in the batch's language (a reread
    # cell's shape learns its rule when its reason is worked out: asked here).
    with using(lang):
        known.rules += [s.rule or s.reason(None).rule for s in engine.shapes[len(known.rules) :]]
        for at in np.unique(warned[warned >= 0]).tolist():
            if at not in known.warnings:
                known.warnings[at] = engine.warnings[at]()
        reasons = sentences(engine, verdicts.shape, lang).of(verdicts.shape, verdicts.shown_codes())
    said = [known.warnings.get(at) for at in range(len(engine.warnings))]
    warnings = pc.take(pa.array(said, pa.string()), pa.array(warned, mask=warned < 0))
    entries = known.entries
    has = pa.array(verdicts.entry, mask=verdicts.entry < 0)
    shapes = pa.array(verdicts.shape)
    return [
        pc.take(pa.array(STATUSES, pa.string()), pa.array(verdicts.status)),
        pc.take(entries.section, has),
        pc.take(entries.serial, has),
        pc.take(entries.code, has),
        pc.take(entries.description, has),
        pc.take(pa.array(known.words, pa.string()), pa.array(verdicts.words)),
        reasons,
        pc.take(pa.array(known.rules, pa.string()), shapes),
        verdicts.digits,
        warnings,
    ]


def text_column(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A column as one array of strings, each cell as a person sees it: numbers as their
    text (a whole float without its ``.0``, as a workbook shows ``8471``), dictionaries
    decoded."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    if pa.types.is_floating(column.type):
        whole = pc.fill_null(pc.equal(column, pc.floor(column)), False)
        as_int = pc.cast(pc.if_else(whole, column, None), pa.int64(), safe=False)
        column = pc.if_else(whole, pc.cast(as_int, pa.string()), pc.cast(column, pa.string()))
    return column if column.type == pa.string() else column.cast(pa.string())


def cells_of(
    n: int,
    code: pa.Array | pa.ChunkedArray,
    description: pa.Array | pa.ChunkedArray | None = None,
    classification: pa.Array | pa.ChunkedArray | None = None,
    cas: pa.Array | pa.ChunkedArray | None = None,
) -> list[pa.Array]:
    """The four cells the engine reads, cleaned as a catalogue file's are: the code as
    :func:`~exportctl.readers.arrowcells.code_texts` keeps it, the others as
    :func:`~exportctl.readers.arrowcells.clean` does; a column not given is blank."""
    cells = [clean_codes(text_column(code))[1]]
    for column in (description, classification, cas):
        cells.append(pa.nulls(n, pa.string()) if column is None else clean(text_column(column)))
    return cells


class Screener:
    """A version ready to screen record batches: built once, picklable, no database.

    Example (Spark, one screener shipped to every executor)::

        screener = exportctl.screener(db, "kr-russia", as_of=dt.date(2024, 7, 1))
        ddl = ", ".join(f"{n} {t}" for n, t in catalogue.dtypes)
        catalogue.mapInArrow(screener, f"{ddl}, {exportctl.VERDICT_DDL}")
    """

    def __init__(
        self,
        engine: ColumnarIndex,
        *,
        code: str = "code",
        description: str | None = "description",
        classification: str | None = None,
        cas: str | None = None,
        lang: str = "en",
    ) -> None:
        """Screen against ``engine``'s version.

        Args:
            engine: The version, indexed for columns.
            code: The column of HS codes (required in every batch).
            description: The column of item descriptions, when batches have one: names
                are matched against the entries defined by name only where given.
            classification: The column of control numbers (``3A001``), if any.
            cas: The column of CAS registry numbers, if any.
            lang: The language of reasons and warnings (``en`` or ``ko``).
        """
        self.engine = engine
        self.code = code
        self.description = description
        self.classification = classification
        self.cas = cas
        self.lang = lang
        self._known = _Known()

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["_known"] = _Known()  # numbered after the engine's registries, which restart
        return state

    @property
    def slug(self) -> str:
        """The list screened against."""
        return self.engine.index.slug

    @property
    def label(self) -> str:
        """The version screened against."""
        return self.engine.index.label

    def schema(self, given: pa.Schema) -> pa.Schema:
        """The schema of a screened batch of ``given``'s schema.

        Raises:
            KeyError: ``given`` lacks the code column or a named one.
            ValueError: ``given`` has a column named like a verdict column.
        """
        for name in self._asked():
            if name is not None and given.get_field_index(name) < 0:
                raise KeyError(f"no column {name!r} in the batch (columns: {given.names})")
        clash = [f.name for f in VERDICT_FIELDS if given.get_field_index(f.name) >= 0]
        if clash:
            raise ValueError(f"the batch already has verdict columns {clash}: rename them first")
        return pa.schema([*given, *VERDICT_FIELDS])

    def _asked(self) -> tuple[str | None, ...]:
        return (self.code, self.description, self.classification, self.cas)

    def screen(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """``batch`` with the verdict of each row (:data:`VERDICT_FIELDS`) beside it."""
        schema = self.schema(batch.schema)
        columns = [None if name is None else batch.column(name) for name in self._asked()]
        assert columns[0] is not None  # the code column: schema() checked it is there
        cells = cells_of(batch.num_rows, columns[0], *columns[1:])
        verdicts = self.engine.screen(*cells)
        added = verdict_columns(self.engine, verdicts, self.lang, self._known)
        return pa.RecordBatch.from_arrays([*batch.columns, *added], schema=schema)

    def __call__(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """Each batch screened, in order (the function Spark's ``mapInArrow`` wants)."""
        for batch in batches:
            yield self.screen(batch)

    def reader(self, source: pa.RecordBatchReader) -> pa.RecordBatchReader:
        """A reader of ``source``'s batches screened, streamed one batch at a time:
        DuckDB queries it as a table (``con.from_arrow(reader)``), pyarrow writes it
        to Parquet, nothing holds more than a batch."""
        return pa.RecordBatchReader.from_batches(self.schema(source.schema), self(source))

    def table(self, table: pa.Table, rows: int = 65_536) -> pa.Table:
        """A whole table screened, ``rows`` at a time."""
        return pa.Table.from_batches(
            list(self(table.to_batches(max_chunksize=rows))), schema=self.schema(table.schema)
        )
