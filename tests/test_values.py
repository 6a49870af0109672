"""Values are checked before they reach the database: one sentence, exit 2, nothing stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import simple_rows, write_list_workbook
from conftest import RunCli

from exportctl.errors import InputError
from exportctl.values import check_count, check_encoding, check_text


def test_text_checks() -> None:
    assert check_text("2024-06", "--version") == "2024-06"
    for bad, words in (("", "empty"), ("a\x00b", r"U\+0000"), ("v" * 101, "101 characters")):
        with pytest.raises(InputError, match=words):
            check_text(bad, "--version")
    assert check_count(1402, "--declared-total") == 1402
    with pytest.raises(InputError, match="not a count"):
        check_count(10**20, "--declared-total")
    assert check_encoding("cp949") == "cp949"
    for codec in ("rot13", "base64", "zlib", "no-such-codec"):
        with pytest.raises(InputError, match="encoding"):
            check_encoding(codec)


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (("--declared-total", "99999999999999999999"), "at most 100,000,000"),
        (("--declared-total", "5000=3"), "a part at most 1000"),
        (("--version", "v" * 150), "at most 100 fit"),
        (("--list-name", "a\x01b"), "control character"),
        (("--encoding", "rot13"), "not a text encoding"),
        (("--encoding", "base64"), "not a text encoding"),
        (("--table", "99999"), "--table"),
    ],
)
def test_import_refuses_values_the_database_cannot_hold(
    tmp_path: Path, run_cli: RunCli, db_url: str, extra: tuple[str, ...], words: str
) -> None:
    run_cli("init", db=db_url, ok=True)
    book = write_list_workbook(tmp_path / "x.xlsx", simple_rows(["010121"]), two_row_header=False)
    args = ["import", book, "--create-list", "--list", "kr"]
    if "--version" not in extra:
        args += ["--version", "v1"]
    result = run_cli(*args, *extra, db=db_url)
    assert result.exit_code == 2, result.output
    assert words in result.stderr
    assert "Traceback" not in result.output and "unexpected" not in result.stderr
    assert "kr" not in run_cli("lists", db=db_url, ok=True).stdout


def test_a_nul_character_in_a_cell_is_named_not_a_database_error(
    tmp_path: Path, run_cli: RunCli, db_url: str
) -> None:
    run_cli("init", db=db_url, ok=True)
    source = tmp_path / "nul.csv"
    source.write_bytes('연번,HS코드,품목명\n1,010121,"말\x00 순종"\n2,010129,기타\n'.encode())
    args = ("import", source, "--create-list", "--list", "kr", "--version", "v1")
    result = run_cli(*args, db=db_url)
    assert result.exit_code == 1, result.output
    assert 'row 2, column "품목명": the cell holds a NUL character' in result.output
    assert "unexpected" not in result.output


def test_a_version_with_no_entries_needs_the_notice_to_say_so(
    tmp_path: Path, run_cli: RunCli, db_url: str
) -> None:
    run_cli("init", db=db_url, ok=True)
    source = tmp_path / "footnotes.csv"
    source.write_text("연번,HS코드,품목명\n※ 주: 이 표는 예시입니다,,\n", encoding="utf-8")
    args = ("import", source, "--create-list", "--list", "kr", "--version", "v1")
    refused = run_cli(*args, db=db_url)
    assert refused.exit_code == 1
    assert "no entry was read" in refused.output and "--declared-total 0" in refused.output
    run_cli(*args, "--declared-total", "0", db=db_url, ok=True)
