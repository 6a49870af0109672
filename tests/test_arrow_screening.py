"""Screening past the command line: a DataFrame (``screen_frame``) and Arrow record
batches (``Screener``: pickled, in DuckDB over Parquet, as Spark's ``mapInArrow`` runs it).

Each gives every row the verdict ``exportctl screen`` gives the same cells in a file:
status, deciding entry, reason and rule.
"""

from __future__ import annotations

import csv
import json
import pickle
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from builders import write_list_workbook
from conftest import RunCli
from sqlalchemy import func, select

import exportctl
from exportctl.errors import InputError
from exportctl.models import AuditEvent

pytestmark = pytest.mark.sqlite_only

# A small list with entries by code and by name (a chemical with its CAS number, a drone).
_ENTRIES = [
    (1, "847130", "휴대용 자동자료처리기계", "Portable computers", "일반산업용 물품", None),
    (2, "8501", "전동기와 발전기", "Electric motors", "일반산업용 물품", None),
    (3, "280110", "염소", "Chlorine", "화학물질", None),
    (4, None, "무인항공기(드론) 및 그 부분품", "Drones and parts", "일반산업용 물품", None),
    (5, None, "염소 (CAS 7782-50-5)", "Chlorine (CAS 7782-50-5)", "화학물질", None),
]

# Cells as a catalogue holds them: dotted, bare, zeros lost, blank, Korean names.
_CATALOGUE = [
    ("A-1", "휴대용 노트북 컴퓨터", "8471.30"),
    ("A-2", "산 염소(가축)", "0104.20"),
    ("A-3", "염소 가스 실린더", "2801100000"),
    ("A-4", "촬영용 드론 부분품", "8806.10"),
    ("A-5", "", ""),
    ("A-6", "교류 전동기", "850152"),
    ("A-7", "노트북 부품", "84713"),
    ("A-8", "염소를 포함한 표백제", "3206.49"),
    ("A-9", "Sodium chloride", "2501.00"),
    ("A-10", "드론", "1234"),
]

_COLUMNS = ("status", "entry_serial", "entry_code", "rule")


@pytest.fixture
def small_db(run_cli: RunCli, initialised: str, tmp_path: Path) -> str:
    url = initialised
    book = write_list_workbook(tmp_path / "list.xlsx", _ENTRIES, two_row_header=False)
    run_cli(
        "import", "--create-list", "--approve", book, "--list", "kr-russia",
        "--version", "2024-06", "--effective", "2024-06-01", "--declared-total", "5",
        db=url, ok=True,
    )  # fmt: skip
    return url


def _catalogue_frame() -> pd.DataFrame:
    return pd.DataFrame(_CATALOGUE, columns=["sku", "name", "hs"])


def _cli_verdicts(run_cli: RunCli, db: str, tmp_path: Path) -> list[dict[str, str]]:
    """What ``exportctl screen`` says of the same catalogue as a CSV file (plain dialect)."""
    path = tmp_path / "catalogue.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["SKU", "품명", "HS코드"])
        writer.writerows(_CATALOGUE)
    out = tmp_path / "screen.csv"
    run_cli(
        "screen", path, "--list", "kr-russia", "--version", "2024-06", "--output", out,
        "--csv-dialect", "plain", db=db,
    )  # fmt: skip
    with out.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _events(db: str) -> int:
    engine = exportctl.open_database(db)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(AuditEvent)).scalar_one())
    finally:
        engine.dispose()


def test_screen_frame_says_what_the_command_says(
    small_db: str, run_cli: RunCli, tmp_path: Path
) -> None:
    frame = _catalogue_frame()
    frame.index = pd.Index([f"r{i}" for i in range(len(frame))])
    out = exportctl.screen_frame(small_db, frame, "kr-russia", code="hs", description="name")
    expected = _cli_verdicts(run_cli, small_db, tmp_path)
    assert len(expected) == len(out) == len(_CATALOGUE)
    assert list(out.columns[:3]) == ["sku", "name", "hs"] and list(out.index) == list(frame.index)
    for (_, row), cli in zip(out.iterrows(), expected, strict=True):
        assert row.sku == cli["sku"]
        assert row.status == cli["status"], row.sku
        assert (row.entry_serial if pd.notna(row.entry_serial) else "") == cli["entry_serial"]
        assert row.reason == cli["reason"], row.sku
        assert (row.code_read if pd.notna(row.code_read) else "") == cli["code"]
    by_sku = out.set_index("sku")
    # Chlorine by code and by name; the goat (0104.20, 염소 as livestock) is clear.
    assert by_sku.loc["A-3", "status"] == "controlled"
    assert by_sku.loc["A-2", "status"] == "clear"
    assert by_sku.loc["A-4", "status"] == "review" and by_sku.loc["A-4", "entry_serial"] == "4"
    assert by_sku.loc["A-5", "status"] == "invalid"
    # A code whose last digit a number lost is read with it put back, and says so.
    assert by_sku.loc["A-7", "code_read"] == "847130"
    assert "8471.30" in by_sku.loc["A-7", "warning"]
    assert out.attrs["counts"]["controlled"] == int((out.status == "controlled").sum())


def test_screen_frame_is_audited_like_the_command(small_db: str) -> None:
    before = _events(small_db)
    frame = _catalogue_frame()
    out = exportctl.screen_frame(small_db, frame, "kr-russia", code="hs", description="name")
    assert _events(small_db) == before + 1
    engine = exportctl.open_database(small_db)
    try:
        with engine.connect() as conn:
            event = conn.execute(
                select(AuditEvent.action, AuditEvent.version_label, AuditEvent.detail)
                .order_by(AuditEvent.id.desc())  # type: ignore[union-attr]
                .limit(1)
            ).one()
    finally:
        engine.dispose()
    detail = json.loads(event.detail)
    assert event.action == "screen" and event.version_label == "2024-06"
    assert detail["report"] == "dataframe"
    assert {k: detail["summary"][k] for k in out.attrs["counts"]} == out.attrs["counts"]
    assert detail["summary"]["total"] == len(frame)
    assert detail["catalogue_sha256"] == out.attrs["catalogue_sha256"]
    # The same cells give the same digest; another cell another.
    again = exportctl.screen_frame(small_db, frame, "kr-russia", code="hs", description="name")
    assert again.attrs["catalogue_sha256"] == out.attrs["catalogue_sha256"]
    frame.loc[0, "hs"] = "8471.41"
    other = exportctl.screen_frame(small_db, frame, "kr-russia", code="hs", description="name")
    assert other.attrs["catalogue_sha256"] != out.attrs["catalogue_sha256"]
    engine = exportctl.open_database(small_db)
    try:
        assert exportctl.verify_audit_log(engine) == []
    finally:
        engine.dispose()


def test_screen_frame_refuses_what_it_cannot_read_and_records_nothing(small_db: str) -> None:
    before = _events(small_db)
    frame = _catalogue_frame()
    with pytest.raises(InputError, match='no column "code"'):
        exportctl.screen_frame(small_db, frame, "kr-russia")
    with pytest.raises(InputError, match="status"):
        exportctl.screen_frame(
            small_db, frame.assign(status="x"), "kr-russia", code="hs", description="name"
        )
    with pytest.raises(InputError, match="not both"):
        exportctl.screen_frame(
            small_db, frame, "kr-russia", "2024-06", as_of=pd.Timestamp("2024-07-01").date(),
            code="hs", description=None,
        )  # fmt: skip
    assert _events(small_db) == before


def test_a_number_column_is_read_as_a_workbook_number_cell(small_db: str) -> None:
    frame = pd.DataFrame({"hs": [847130, 2801100000, 850110.0, None], "d": ["", "", "", ""]})
    out = exportctl.screen_frame(small_db, frame, "kr-russia", code="hs", description="d")
    assert out.status.tolist() == ["controlled", "controlled", "controlled", "invalid"]
    assert out.code_read.tolist()[:3] == ["847130", "2801100000", "850110"]


def test_the_screener_pickles_and_screens_batches_without_the_database(
    small_db: str, tmp_path: Path
) -> None:
    screener = exportctl.screener(small_db, "kr-russia", code="hs", description="name")
    Path(small_db.removeprefix("sqlite:///")).rename(tmp_path / "gone.db")  # none from here on
    table = pa.Table.from_pandas(_catalogue_frame(), preserve_index=False)
    # Shipped after it has screened: what it learnt numbers its own registries only.
    screener.screen(table.slice(5).to_batches()[0])
    shipped = pickle.loads(pickle.dumps(screener))
    # As Spark's mapInArrow calls it: an iterator of batches in, batches out.
    out = pa.Table.from_batches(list(shipped(table.to_batches(max_chunksize=3))))
    assert out.num_rows == len(_CATALOGUE)
    assert out.schema.names == [*table.schema.names, *(f.name for f in exportctl_fields())]
    whole = screener.table(table)
    assert out.select(list(_COLUMNS)).equals(whole.select(list(_COLUMNS)))
    skus, found = out.column("sku").to_pylist(), out.column("status").to_pylist()
    statuses = dict(zip(skus, found, strict=True))
    assert statuses["A-3"] == "controlled" and statuses["A-4"] == "review"
    assert exportctl.VERDICT_DDL.startswith("status string, entry_section int, ")


def exportctl_fields() -> tuple[pa.Field, ...]:
    from exportctl.screen.batches import VERDICT_FIELDS

    return VERDICT_FIELDS


def test_duckdb_streams_a_parquet_file_through_the_screener(small_db: str, tmp_path: Path) -> None:
    frame = pd.concat([_catalogue_frame()] * 500, ignore_index=True)
    frame["sku"] = [f"S{i:05d}" for i in range(len(frame))]
    parquet = tmp_path / "catalogue.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), parquet, row_group_size=700)
    expected = exportctl.screen_frame(small_db, frame, "kr-russia", code="hs", description="name")
    screener = exportctl.screener(small_db, "kr-russia", code="hs", description="name")
    con = duckdb.connect()
    source = con.sql(f"SELECT sku, name, hs FROM read_parquet('{parquet}')").to_arrow_reader(1000)
    screened = screener.reader(source)
    seen = []

    def counted() -> Any:
        for batch in screened:
            seen.append(batch.num_rows)
            yield batch

    out = tmp_path / "screened.parquet"
    # A second cursor writes while the first still streams the file in.
    writer = con.cursor()
    writer.register("screened", pa.RecordBatchReader.from_batches(screened.schema, counted()))
    writer.execute(f"COPY (SELECT * FROM screened) TO '{out}' (FORMAT parquet)")
    assert max(seen) <= 1000 and sum(seen) == len(frame)  # streamed, a batch at a time
    counts = dict(
        con.execute(
            f"SELECT status, count(*) FROM read_parquet('{out}') GROUP BY status"
        ).fetchall()
    )
    assert counts == expected.status.value_counts().to_dict()
    got = con.execute(f"SELECT sku, status, entry_serial, reason FROM read_parquet('{out}')").df()
    merged = got.merge(expected[["sku", "status", "entry_serial", "reason"]], on="sku")
    assert len(merged) == len(frame)
    assert (merged.status_x == merged.status_y).all() and (merged.reason_x == merged.reason_y).all()


def test_the_screener_refuses_a_batch_it_cannot_read(small_db: str) -> None:
    screener = exportctl.screener(small_db, "kr-russia", code="hs", description="name")
    with pytest.raises(KeyError, match="hs"):
        screener.screen(pa.record_batch({"code": ["8471"], "name": ["x"]}))
    with pytest.raises(ValueError, match="status"):
        screener.screen(pa.record_batch({"hs": ["8471"], "name": ["x"], "status": ["y"]}))
