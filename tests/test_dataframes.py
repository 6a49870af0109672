"""The DataFrame API: versions, sub-items and changes as pandas frames."""

from __future__ import annotations

import datetime as dt

import pytest

import exportctl
from exportctl.errors import ListNotFoundError, VersionNotFoundError


def test_read_version_by_label_date_and_today(lists_db: str) -> None:
    engine = exportctl.open_database(lists_db)
    try:
        by_label = exportctl.read_version(engine, "kr-russia", "2024-02")
        assert len(by_label) == 1159 and by_label.attrs["version"] == "2024-02"
        assert str(by_label.code.dtype) == "string" and by_label.code.str.len().min() >= 6
        # In force on a date: 2024-06 from 2024-08-30 (2024-07 takes effect only in 2099).
        in_june = exportctl.read_version(lists_db, "kr-russia", as_of=dt.date(2024, 9, 1))
        today = exportctl.read_version(lists_db, "kr-russia")
        assert in_june.attrs["version"] == today.attrs["version"] == "2024-06"
        assert len(today) == 1402
        assert today.serial.tolist()[:3] == ["1", "2", "3"]
    finally:
        engine.dispose()


def test_read_changes_has_one_row_per_changed_field(lists_db: str) -> None:
    changes = exportctl.read_changes(lists_db, "kr-russia", "2024-06", "2024-07")
    assert changes.attrs == {"list": "kr-russia", "old": "2024-06", "new": "2024-07"}
    removed = changes[changes.kind == "removed"]
    assert len(removed) == 1 and removed.field.isna().all()
    edited = changes[(changes.kind == "modified") & (changes.field == "description")]
    assert edited.new.tolist() == ["-2+3 기타 <b>"]
    assert set(changes.columns) >= {"kind", "serial", "code", "field", "old", "new"}


def test_unknown_list_and_version_are_the_apis_errors(lists_db: str) -> None:
    with pytest.raises(ListNotFoundError):
        exportctl.read_version(lists_db, "nope", "2024-02")
    with pytest.raises(VersionNotFoundError):
        exportctl.read_sub_items(lists_db, "kr-russia", "1999-01")
