"""Guards against an officer's ordinary slips: each is refused or said, never read wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from exportctl.errors import InputError
from exportctl.readers import LIST_SCHEMA, list_sheets, read_table

# --- Excel's lock file ----------------------------------------------------------------


def test_excel_lock_file_is_named_as_such(tmp_path: Path) -> None:
    lock = tmp_path / "~$list.xlsx"
    # What Excel writes: the user's name, length-prefixed, padded to 165 bytes.
    lock.write_bytes((b"\x05kim.j" + b" " * 48 + b"\x05\x00k\x00i\x00m\x00").ljust(165, b"\x00"))
    for call in (lambda: read_table(lock, LIST_SCHEMA), lambda: list_sheets(lock)):
        with pytest.raises(InputError) as caught:
            call()
        assert caught.value.file == "~$list.xlsx"
        assert str(caught.value) == (
            '~$list.xlsx: is Excel\'s lock file for the open workbook "list.xlsx", not a '
            "workbook; give list.xlsx itself (close it in Excel first if it will not open)"
        )
        assert caught.value.exit_code == 2
