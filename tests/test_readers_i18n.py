"""Issue 21, reading and validation layers: their messages in Korean and English, SAP/ERP
".xls" text exports, and encoding advice that names what the bytes look like."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from builders import simple_rows, write_list_workbook
from click.testing import Result
from english import english_sentences

from exportctl.errors import InputError
from exportctl.i18n import using
from exportctl.readers import LIST_SCHEMA, read_table
from exportctl.readers.csv import looks_like, utf16_without_bom
from exportctl.readers.guard import EXTENSIONS, check_file

RunCli = Callable[..., Result]

HANGUL = re.compile("[가-힣]")
READABLE = (", ".join(sorted(EXTENSIONS)), "list.doc")
"""The extensions listed as they are, and a file name the checker does not know."""
QUOTED = re.compile(r'"[^"\n]*"')

SAP_TEXT = (
    "연번\tHS코드\t품목명\t품목명 영문\n"
    "1\t8471.30\t휴대용 컴퓨터\tPortable computers\n"
    "2\t8504.40\t정지형 변환기\tStatic converters\n"
    "3\t8517.62\t통신 기기\tMachines for reception\n"
)


# --- SAP/ERP "spreadsheet" exports: text named .xls -------------------------------


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("UTF-16", b"\xff\xfe" + SAP_TEXT.encode("utf-16-le")),
        ("UTF-16", SAP_TEXT.encode("utf-16-le")),  # no BOM: told by its NUL bytes
        ("CP949", SAP_TEXT.encode("cp949")),
        ("UTF-8", SAP_TEXT.encode("utf-8")),
    ],
    ids=["utf16le-bom", "utf16le-no-bom", "cp949", "utf8"],
)
def test_a_text_export_named_xls_is_read_as_tab_separated_text(
    tmp_path: Path, encoding: str, data: bytes
) -> None:
    path = tmp_path / "EXPORT.XLS"
    path.write_bytes(data)
    assert check_file(path).kind == "csv"
    table = read_table(path, LIST_SCHEMA)
    rows = list(table.rows)
    assert [(row.values["code"], row.values["description"]) for row in rows] == [
        ("8471.30", "휴대용 컴퓨터"),
        ("8504.40", "정지형 변환기"),
        ("8517.62", "통신 기기"),
    ]
    said = [note.message for note in table.notes if note.rule == "xls-text"]
    assert said == [
        f"is not an Excel workbook but tab-separated text ({encoding}) saved with an .xls "
        "name, as SAP and other ERP systems export; read as tab-separated text"
    ]


def test_a_damaged_xls_that_is_not_text_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.xls"
    path.write_bytes(bytes(range(256)) * 4)  # neither OLE2 nor text
    with pytest.raises(InputError, match=r"is not an Excel 97-2003 \(\.xls\) workbook"):
        check_file(path)
    plain = tmp_path / "plain.xls"
    plain.write_bytes(b"just a line of words without any tab\n")
    with pytest.raises(InputError, match="is not an Excel 97-2003"):
        check_file(plain)


@pytest.mark.parametrize(
    "data",
    [b"\xff\xfe" + SAP_TEXT.encode("utf-16-le"), SAP_TEXT.encode("utf-16-le")],
    ids=["bom", "no-bom"],
)
def test_sap_exports_import_and_screen_from_the_cli(
    tmp_path: Path, run_cli: RunCli, sqlite_url: str, data: bytes
) -> None:
    run_cli("init", db=sqlite_url, ok=True)
    path = tmp_path / "ZMM_EXPORT.xls"
    path.write_bytes(data)
    result = run_cli(
        "import", "--create-list", path, "--list", "kr", "--version", "v1",
        "--effective", "2024-01-01", "--approve", "--json", db=sqlite_url,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["count"] == 3
    assert "xls-text" in {finding["rule"] for finding in payload["findings"]}

    catalogue = tmp_path / "MATERIALS.XLS"
    catalogue.write_bytes(
        "자재번호\tHS코드\tM-1\t8471.30\n".replace("\tM-1", "\nM-1").encode("cp949")
    )
    screened = run_cli("screen", catalogue, "--list", "kr", "--format", "json", db=sqlite_url)
    assert screened.exit_code in (0, 1), screened.output
    assert "M-1" in screened.stdout and "8471" in screened.stdout


# --- encoding advice ------------------------------------------------------------------


def test_utf16_without_a_bom_is_told_by_its_nuls() -> None:
    assert utf16_without_bom("HS코드\t8471".encode("utf-16-le")) == "utf-16-le"
    assert utf16_without_bom("HS코드\t8471".encode("utf-16-be")) == "utf-16-be"
    assert utf16_without_bom("HS코드\t8471".encode()) is None
    assert utf16_without_bom("HS코드\t8471".encode("cp949")) is None


def test_a_failed_guess_is_never_offered_again(
    tmp_path: Path, run_cli: RunCli, sqlite_url: str
) -> None:
    run_cli("init", db=sqlite_url, ok=True)
    utf8 = tmp_path / "list.csv"
    utf8.write_bytes("HS코드,품목명\n8471.30,컴퓨터\n".encode())
    assert looks_like(utf8) == "UTF-8"
    assert looks_like(utf8, ["utf-8"]) is None  # UTF-8 tried; CP949 does not decode it

    dry_run = ("import", "--create-list", "--dry-run", "--list", "kr", "--version", "v1")
    result = run_cli(*dry_run, utf8, "--encoding", "cp949", db=sqlite_url)
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert message.startswith("Error: list.csv, row 1: cannot be decoded as CP949")
    assert message.endswith("the bytes look like UTF-8: try --encoding utf-8")
    assert "--encoding cp949" not in message

    korean = run_cli(
        "--lang", "ko", *dry_run, utf8, "--encoding", "cp949", db=sqlite_url
    )  # fmt: skip
    assert "CP949(으)로 디코딩할 수 없습니다" in korean.stderr
    assert "--encoding utf-8" in korean.stderr and english_sentences(korean.stderr) == []


# --- the reading and validation layers in Korean and English -------------------------


def _zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (12 * 1024 * 1024))
    return path


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[list[Any], int]]:
    """Each bad input, the arguments that run it and the exit code expected."""
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    wrong = tmp_path / "list.doc"
    wrong.write_bytes(b"anything")
    missing = tmp_path / "nodesc.csv"
    missing.write_text("연번,HS코드,비고\n1,8471.30,\n", encoding="utf-8")
    listed = write_list_workbook(
        tmp_path / "list.xlsx", simple_rows(["847130", "847141", "847130", "850440"])
    )
    importing = ["import", "--create-list", "--dry-run"]
    target = ["--list", "kr-russia", "--version", "2024-02"]
    return {
        "empty": ([*importing, empty, *target], 2),
        "wrong-extension": ([*importing, wrong, *target], 2),
        "zip-bomb": ([*importing, _zip_bomb(tmp_path / "bomb.xlsx"), *target], 2),
        "over-a-cap": (["--limit", "max_rows=5", *importing, listed, *target], 2),
        "missing-column": ([*importing, missing, *target], 2),
        "duplicate-code": ([*importing, listed, *target], 1),
    }


def _sayings(result: Result) -> list[str]:
    """The lines the reading and validation layers wrote: the error, and under a dry run
    the findings and the parts read (the other lines are the CLI's own words)."""
    lines = result.output.splitlines()
    ours = [line.split(": ", 1)[1] for line in lines if line.startswith(("Error:", "오류:"))]
    ours += [line for line in lines if re.match(r"\s+(error|warning|오류|경고): ", line)]
    ours += [line for line in lines if re.match(r"\s+(제\d+부|part \d+)", line)]
    return ours


def test_bad_inputs_are_said_in_korean_without_english(
    tmp_path: Path, run_cli: RunCli, sqlite_url: str
) -> None:
    run_cli("init", db=sqlite_url, ok=True)
    results: dict[str, str] = {}
    for name, (args, code) in _bad_inputs(tmp_path).items():
        result = run_cli("--lang", "ko", *args, db=sqlite_url)
        assert result.exit_code == code, (name, result.output)
        results[name] = result.output
        said = _sayings(result)
        assert said, (name, result.output)
        text = "\n".join(said)
        assert HANGUL.search(text), (name, text)
        assert english_sentences(text, allow=READABLE) == [], (name, text)
    # What each one says, in Korean.
    assert "empty.csv: 파일이 비어 있습니다 (0바이트)" in results["empty"]
    assert "list.doc: 지원하지 않는 파일 형식입니다" in results["wrong-extension"]
    assert "zip 폭탄일 수 있어 거부했습니다" in results["zip-bomb"]
    assert "허용된 5행보다 많습니다 (max_rows)" in results["over-a-cap"]
    assert "description 열을 찾지 못했습니다" in results["missing-column"]
    assert "HS 부호 847130이(가) 두 번 나옵니다 (6행에도 있음)" in results["duplicate-code"]
    assert "제1부: 품목 4개" in results["duplicate-code"]  # two-row header, parts read
    assert "각주 행 2개를 건너뛰었습니다" in results["duplicate-code"]


def test_bad_inputs_in_english_have_no_korean_outside_the_data(
    tmp_path: Path, run_cli: RunCli, sqlite_url: str
) -> None:
    run_cli("init", db=sqlite_url, ok=True)
    for name, (args, code) in _bad_inputs(tmp_path).items():
        result = run_cli(*args, db=sqlite_url)
        assert result.exit_code == code, (name, result.output)
        for line in _sayings(result):
            # File, sheet and header names are the user's data, always quoted.
            assert not HANGUL.search(QUOTED.sub("", line)), (name, line)
    duplicate = run_cli(*_bad_inputs(tmp_path)["duplicate-code"][0], db=sqlite_url).output
    assert "HS code 847130 is listed twice (also at row 6)" in duplicate
    assert "part 1: 4 entries" in duplicate


def test_caps_and_locations_follow_the_active_language(tmp_path: Path) -> None:
    listed = write_list_workbook(tmp_path / "list.xlsx", simple_rows(["847130"]))
    from exportctl.limits import Limits

    for lang, expected in (
        ("en", 'list.xlsx, sheet "별표2의2": has a used range of 6 rows, more than the 5 rows'),
        ("ko", 'list.xlsx, 시트 "별표2의2": 사용 범위가 6행으로 허용된 5행보다 많습니다'),
    ):
        with using(lang), pytest.raises(InputError) as caught:
            read_table(listed, LIST_SCHEMA, limits=Limits(max_rows=5))
        assert str(caught.value).startswith(expected), str(caught.value)
