"""Screening for analysts: a pandas DataFrame screened in place, and a screener to ship.

:func:`screen_frame` screens a DataFrame's rows against a version as ``exportctl
screen`` screens a file's: the same engine and the same reading of every cell, the
version's audit chain checked first, the run recorded in the audit log (the
catalogue's SHA-256 is that of the screened columns' text, the summary that of the
pass). It returns the frame's own columns with the verdict's beside them
(:data:`~exportctl.screen.batches.VERDICT_FIELDS`).

:func:`screener` builds a :class:`~exportctl.screen.batches.Screener` for work that
leaves this process (DuckDB, Spark): the version is read and checked once, and what
the screener then screens is not in this database's audit log; record the run with
the output where it is kept.

Example:
    >>> import exportctl, pandas as pd
    >>> items = pd.DataFrame({"sku": ["A-1"], "name": ["노트북 컴퓨터"], "hs": ["8471.30"]})
    >>> out = exportctl.screen_frame("lists.db", items, "kr-russia", "2024-06",
    ...                              code="hs", description="name")
    >>> out[["sku", "status", "entry_serial", "reason"]]
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from exportctl import store
from exportctl.api.frames import Database, engine_for
from exportctl.api.screening import _prepare, _screened
from exportctl.config import current_actor
from exportctl.errors import InputError
from exportctl.i18n import _

if TYPE_CHECKING:
    import pandas as pd

    from exportctl.readers.frames import Frame
    from exportctl.screen import ScreenReport
    from exportctl.screen.batches import Screener

__all__ = ["screen_frame", "screener"]

_FIELDS = ("code", "description", "classification", "cas", "sku")
"""The frame's columns the screening reads, by what they hold (the catalogue's fields)."""


def screener(
    db: Database,
    list: str,  # shadows the builtin on purpose: the CLI says --list
    version: str | None = None,
    as_of: dt.date | None = None,
    *,
    include_drafts: bool = False,
    code: str = "code",
    description: str | None = "description",
    classification: str | None = None,
    cas: str | None = None,
    lang: str = "en",
) -> Screener:
    """A :class:`~exportctl.screen.batches.Screener` of ``list``'s version: built once,
    picklable, needing no database after this returns.

    Args:
        db: An engine, a database URL, or a SQLite file's path.
        list: The list's slug.
        version: A version label; with neither it nor ``as_of``, the one in force today.
        as_of: The version in force on this date.
        include_drafts: Let ``as_of`` fall on a draft.
        code: The batches' column of HS codes.
        description: Their column of descriptions (None: they have none).
        classification: Their column of control numbers, if any.
        cas: Their column of CAS numbers, if any.
        lang: The language of reasons and warnings (``en`` or ``ko``).

    Raises:
        InputError: Both ``version`` and ``as_of`` given.
        ListNotFoundError: No such list.
        VersionNotFoundError: No such version, or none in force on the date.
    """
    from exportctl.screen.batches import Screener

    with engine_for(db) as engine:
        run = _prepare(engine, list, label=version, as_of=as_of, include_drafts=include_drafts)
    return Screener(
        run.engine,
        code=code,
        description=description,
        classification=classification,
        cas=cas,
        lang=lang,
    )


def screen_frame(
    db: Database,
    frame: pd.DataFrame,
    list: str,
    version: str | None = None,
    as_of: dt.date | None = None,
    *,
    code: str = "code",
    description: str | None = "description",
    classification: str | None = None,
    cas: str | None = None,
    sku: str | None = None,
    include_drafts: bool = False,
    lang: str = "en",
) -> pd.DataFrame:
    """``frame``'s rows screened against a version of ``list``, audited as
    ``exportctl screen`` is.

    Every cell is read as a catalogue file's cell is (numbers as their text: a code
    whose leading zero a number column lost is read with it put back, and ``warning``
    says so). Rows are not skipped: a blank code is ``invalid``.

    Args:
        db: An engine, a database URL, or a SQLite file's path.
        frame: The catalogue, one row per item.
        list: The list's slug.
        version: A version label; with neither it nor ``as_of``, the one in force today.
        as_of: The version in force on this date.
        code: The column of HS codes.
        description: The column of descriptions; None when the frame has none (entries
            defined by name then go unchecked, as the CLI warns).
        classification: The column of control numbers (``3A001``), if any.
        cas: The column of CAS registry numbers, if any.
        sku: The column of SKUs, recorded nowhere but named in the audit's columns.
        include_drafts: Let ``as_of`` fall on a draft.
        lang: The language of ``reason`` and ``warning`` (``en`` or ``ko``).

    Returns:
        A new frame: ``frame``'s columns and index, then
        :data:`~exportctl.screen.batches.VERDICT_FIELDS` (``status``, the deciding
        entry's ``entry_section``/``entry_serial``/``entry_code``/``entry_description``,
        ``matched_words``, ``reason``, ``rule``, ``code_read``, ``warning``).
        ``attrs`` names the list, the version and the summary's counts.

    Raises:
        InputError: A named column is missing, the frame already has a verdict
            column, or both ``version`` and ``as_of`` are given.
        ListNotFoundError: No such list.
        VersionNotFoundError: No such version, or none in force on the date.
    """
    from exportctl.screen.batches import VERDICT_FIELDS

    named = dict(zip(_FIELDS, (code, description, classification, cas, sku), strict=True))
    asked = {field: column for field, column in named.items() if column is not None}
    for field, column in asked.items():
        if column not in frame.columns:
            raise InputError(
                _(
                    'the DataFrame has no column "{column}" ({field}); its columns: {columns}'
                ).format(column=column, field=field, columns=", ".join(map(str, frame.columns)))
            )
    clash = [f.name for f in VERDICT_FIELDS if f.name in frame.columns]
    if clash:
        raise InputError(
            _("the DataFrame already has the verdict columns {columns}: rename them first").format(
                columns=", ".join(clash)
            )
        )
    from exportctl.screen.batches import text_column

    # Each column as the text of its cells, once: what is screened and what is digested.
    columns = {field: text_column(_arrow(frame[column])) for field, column in asked.items()}
    with engine_for(db) as engine:
        run = _prepare(engine, list, label=version, as_of=as_of, include_drafts=include_drafts)
        report = _screened(run, _as_frame(len(frame), columns, asked), _digest(columns))
        summary = report.summary
        with store.session_scope(engine) as session:
            store.record_event(
                session,
                action="screen",
                actor=current_actor(),
                list_slug=list,
                version_label=report.version,
                file=None,
                sha256=report.sha256,
                detail={
                    "report": "dataframe",
                    "catalogue": str(frame.attrs.get("name", "DataFrame")),
                    "catalogue_sha256": report.sha256,
                    "columns": asked,
                    "as_of": report.as_of.isoformat() if report.as_of is not None else None,
                    "summary": summary.to_json(),
                },
            )
    return _joined(frame, report, lang)


def _arrow(series: pd.Series) -> pa.Array:
    """A frame's column as Arrow (mixed objects as their text)."""
    try:
        return pa.array(series, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array(series.astype("string"), from_pandas=True)


def _as_frame(n: int, columns: Mapping[str, pa.Array], asked: Mapping[str, str]) -> Frame:
    """The columns (text) as the :class:`~exportctl.readers.frames.Frame` a file would give."""
    from exportctl.readers.arrowcells import clean
    from exportctl.readers.frames import FIELDS, Frame
    from exportctl.screen.batches import cells_of

    cells = dict(
        zip(
            ("code", "description", "classification", "cas"),
            cells_of(
                n,
                columns["code"],
                columns.get("description"),
                columns.get("classification"),
                columns.get("cas"),
            ),
            strict=True,
        )
    )
    data: dict[str, pa.Array] = {"row": pa.array(np.arange(1, n + 1, dtype=np.int64))}
    for name in FIELDS:
        if name in cells:
            data[name] = cells[name]
        elif name in columns:
            data[name] = clean(columns[name])
        else:
            data[name] = pa.nulls(n, pa.string())
    return Frame("DataFrame", None, dict(asked), [], [], pa.table(data))


def _digest(columns: Mapping[str, pa.Array]) -> str:
    """The SHA-256 of the screened columns' text, row by row (a blank cell is not an
    empty one): the same frame gives the same digest however it was built."""
    digest = hashlib.sha256()
    for field in sorted(columns):
        text = columns[field]
        digest.update(field.encode() + b"\0")
        digest.update(np.asarray(pc.fill_null(pc.binary_length(text), -1)).tobytes())
        digest.update(b"".join(value.encode() for value in pc.fill_null(text, "").to_pylist()))
    return digest.hexdigest()


def _joined(frame: pd.DataFrame, report: ScreenReport, lang: str) -> pd.DataFrame:
    import pandas as pd

    from exportctl.screen.batches import VERDICT_FIELDS, verdict_columns

    assert report.table is not None
    table = report.table
    added = verdict_columns(table.engine, table.verdicts, lang)
    out = frame.copy(deep=False)
    kinds = {pa.string(): pd.StringDtype("pyarrow"), pa.int32(): pd.Int32Dtype()}
    for field, values in zip(VERDICT_FIELDS, added, strict=True):
        # The values, not a Series: a Series would be aligned on its own index.
        column = values.to_pandas(types_mapper=kinds.get).array
        out[field.name] = pd.Series(column, index=frame.index, copy=False)
    out.attrs.update(
        {
            "list": report.slug,
            "version": report.version,
            "counts": dict(report.summary.counts),
            "catalogue_sha256": report.sha256,
        }
    )
    return out
