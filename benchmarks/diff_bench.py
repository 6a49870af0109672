"""The floor ``diff`` is held to: a DuckDB full outer join of the same two stored versions.

``benchmarks/run.py``'s ``diff`` case compares two stored versions with
``api.diff_versions`` and sets it beside :func:`duckdb_join`, run in a child of its own
on the same database: both versions' entries are read into DuckDB tables (untimed,
reported as ``load_s``), then the timed query joins them on part and code
(:data:`exportctl.identity.CODE_KEY`) and returns every row that differs on a compared
field or is on one side only, as ``diff`` needs them. DuckDB runs it on every core.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

FLOOR_RUNS = 3
"""Runs of the join; the median is reported (the machine may be shared)."""


def _read_version(conn: Any, label: str, columns: tuple[str, ...]) -> Any:
    """One version's entries as an Arrow table of ``columns``."""
    import pyarrow as pa
    from sqlalchemy import text

    rows = conn.execute(
        text(
            f"select {', '.join('i.' + c for c in columns)} from item i "
            "join version v on v.id = i.version_id where v.label = :label"
        ),
        {"label": label},
    ).all()
    return pa.table({name: [row[n] for row in rows] for n, name in enumerate(columns)})


def duckdb_join(url: str, old: str = "v1", new: str = "v2") -> dict[str, Any]:
    """Time the floor on the versions ``old`` and ``new`` stored at ``url``.

    Returns:
        ``seconds`` (median of :data:`FLOOR_RUNS` joins), ``load_s``, ``rows`` (entries
        of the old version) and ``differing`` (rows the join returns).
    """
    import duckdb
    from sqlalchemy import create_engine

    from exportctl.diff import COMPARABLE_FIELDS
    from exportctl.identity import CODE_KEY

    columns = ("id", *CODE_KEY, *COMPARABLE_FIELDS)
    started = time.perf_counter()
    engine = create_engine(url)
    with engine.connect() as conn:
        tables = {"o": _read_version(conn, old, columns), "n": _read_version(conn, new, columns)}
    engine.dispose()
    db = duckdb.connect()
    for name, table in tables.items():
        db.register(f"{name}_arrow", table)
        db.execute(f"create table {name} as select * from {name}_arrow")
        db.unregister(f"{name}_arrow")
    load_s = time.perf_counter() - started
    on = " and ".join(f"o.{c} = n.{c}" for c in CODE_KEY)
    differs = " or ".join(f"o.{c} is distinct from n.{c}" for c in COMPARABLE_FIELDS)
    query = (
        f"select o.*, n.* from o full outer join n on {on} "
        f"where o.id is null or n.id is null or {differs}"
    )
    timings = []
    for _ in range(FLOOR_RUNS):
        start = time.perf_counter()
        differing = len(db.execute(query).fetchall())
        timings.append(time.perf_counter() - start)
    return {
        "rows": tables["o"].num_rows,
        "seconds": statistics.median(timings),
        "load_s": load_s,
        "differing": differing,
    }
