"""The ``arrow`` case of ``run.py``: a Parquet file streamed through a ``Screener``
inside DuckDB, beside DuckDB copying the same file, and pandas holding it whole.

The screener's peak memory is its index (with the Korean analyser's model, about
530 MB) and a batch's columns, whatever the file's size; pandas' grows with the file.
(A cap on the data segment would not tell them apart: the allocators reserve far more
address space than they touch.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

BATCH_ROWS = 50_000
"""Rows DuckDB hands the screener at a time."""

DUCKDB_MEMORY = "128MB"
"""DuckDB's own memory limit in these children (it spills past it)."""


def write_parquet(source_csv: str, target: str, copies: int) -> dict[str, Any]:
    """``copies`` times the rows of ``source_csv`` (SKU, 품목명, HS코드, all text) as one
    Parquet file, SKUs kept unique."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = pacsv.read_csv(
        source_csv,
        convert_options=pacsv.ConvertOptions(
            column_types={"SKU": pa.string(), "품목명": pa.string(), "HS코드": pa.string()}
        ),
    ).rename_columns(["sku", "name", "hs"])
    rows = 0
    with pq.ParquetWriter(target, table.schema) as writer:
        for copy in range(copies):
            skus = pc.binary_join_element_wise(table.column("sku"), pa.scalar(str(copy)), "/")
            writer.write_table(table.set_column(0, "sku", skus), row_group_size=BATCH_ROWS)
            rows += table.num_rows
    return {"rows": rows, "mb": round(Path(target).stat().st_size / 1e6, 1)}


def screen(parquet: str, db: str, out: str) -> dict[str, Any]:
    """DuckDB reads ``parquet``, the screener screens each batch, DuckDB writes ``out``."""
    import duckdb

    import exportctl

    screener = exportctl.screener(db, "bench", "2024-06", code="hs", description="name")
    con = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY})
    source = con.sql(f"SELECT sku, name, hs FROM read_parquet('{parquet}')")
    screened = screener.reader(source.to_arrow_reader(BATCH_ROWS))
    writer = con.cursor()
    writer.register("screened", screened)
    writer.execute(f"COPY (SELECT * FROM screened) TO '{out}' (FORMAT parquet)")
    counts = dict(
        writer.execute(
            f"SELECT status, count(*) FROM read_parquet('{out}') GROUP BY status"
        ).fetchall()
    )
    return {"rows": sum(counts.values()), "summary": counts}


def copy(parquet: str, out: str) -> dict[str, Any]:
    """The floor: DuckDB reading ``parquet`` and writing it back, nothing between."""
    import duckdb

    con = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY})
    con.execute(f"COPY (SELECT * FROM read_parquet('{parquet}')) TO '{out}' (FORMAT parquet)")
    (rows,) = con.execute(f"SELECT count(*) FROM read_parquet('{out}')").fetchone() or (0,)
    return {"rows": rows}


def hold(parquet: str) -> dict[str, Any]:
    """pandas reading the whole file into one frame."""
    import pandas as pd

    frame = pd.read_parquet(parquet, dtype_backend="pyarrow")
    return {"rows": len(frame)}
