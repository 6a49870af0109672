"""Streams with bounds: a CSV record, each line and the whole are read within caps, and
a CSV's quoting mistakes are said (or refused where the data would be silently wrong).

The hostile cases run the real CLI in a subprocess capped at 2 GB of address space.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import RunCli
from test_input_paths import run

from exportctl.errors import InputError
from exportctl.limits import Limits
from exportctl.readers.csv import quote_problem
from exportctl.streams import BoundedLines

HEADER = "연번,HS코드,품목\n"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with an empty config file and an initialised database with list x."""
    folder = tmp_path_factory.mktemp("home")
    (folder / "config.toml").write_text("", encoding="utf-8")
    for args in (("init",), ("lists", "create", "x", "--name", "X")):
        done = run(*args, home=folder)
        assert done.code == 0, done.err
    return folder


@pytest.fixture
def listed(run_cli: RunCli, sqlite_url: str) -> str:
    """A SQLite database with list x."""
    run_cli("init", db=sqlite_url, ok=True)
    run_cli("lists", "create", "x", "--name", "X", db=sqlite_url, ok=True)
    return sqlite_url


def test_one_record_over_many_lines_is_refused_by_its_cap(home: Path, tmp_path: Path) -> None:
    """300,000 short quoted fields, each holding a line break: one record of 33 million
    characters, every line and field short. Refused at max_record_chars within the memory cap,
    naming where it starts, before the csv module holds it."""
    path = tmp_path / "long-record.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "1,8471.30,노트북\n" + "2,8471.41,")
        # Short quoted fields, each with a line break: no line ends the record.
        field = '"' + "가" * 100 + '\nb",'
        out.write(field * (33 * 1024**2 // len(field)))
        out.write('"z"\n')
    ran = run("import", str(path), "--list", "x", "--version", "v1", "--dry-run", home=home)
    assert ran.code == 2, ran.err[-2000:]
    assert ran.err.startswith("Error: long-record.csv: has a record (from line 3) of more than ")
    assert "(max_record_chars)" in ran.err and "exportctl --limit max_record_chars=N" in ran.err
    assert ran.err.count("\n") == 1
    ran = run(
        "--limit", "max_record_chars=100", "import", str(path), "--list", "x", "--version",
        "v1", "--dry-run", home=home,
    )  # fmt: skip
    assert "more than the 100 characters allowed (max_record_chars)" in ran.err


def test_a_record_within_its_cap_is_read(run_cli: RunCli, listed: str, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    text = "첫 줄\n" + "둘째 줄\n" * 50
    path.write_text(HEADER + f'1,8471.30,"{text}"\n2,8471.41,기타\n', encoding="utf-8")
    done = run_cli("validate", path, "--list", "x", "--json", db=listed)
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["count"] == 2
    assert not [f for f in report["findings"] if f["rule"] == "csv-quote"]


def _lines(text: str, limits: Limits, **kwargs: object) -> BoundedLines:
    return BoundedLines(io.StringIO(text, newline=""), "in.txt", limits, **kwargs)  # type: ignore[arg-type]


def test_lines_are_bounded_each_in_all_and_by_record() -> None:
    assert list(_lines("a\nbb\r\nccc", Limits())) == ["a\n", "bb\r\n", "ccc"]
    # A line is refused after one cap's worth is read, not after it ends.
    endless = _lines("x" * 1000, Limits(max_line_bytes=10))
    with pytest.raises(InputError, match=r"in.txt: has a line \(line 1\) of at least 12 bytes"):
        list(endless)
    with pytest.raises(InputError, match=r"holds at least 12 bytes.*\(max_stdin_bytes\)"):
        list(_lines("12345\n12345\n12345\n", Limits(max_stdin_bytes=11), total="max_stdin_bytes"))
    with pytest.raises(InputError, match=r"more than the 2 lines allowed \(max_rows\)"):
        list(_lines("a\nb\nc\n", Limits(max_rows=2)))
    records = _lines("ab\ncd\nef\n", Limits(max_record_chars=5), records=True)
    assert next(records) == "ab\n" and records.end_record() == ["ab\n"]
    assert next(records) == "cd\n"
    with pytest.raises(InputError, match=r"a record \(from line 2\) of more than 6 characters"):
        next(records)


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ('a,"b",c\n', None),
        ('"a ""quoted"" word",b\r\n', None),
        ('a,"line\nbreak",c\n', None),
        ('a,24" screen,c\n', None),
        ('"abc"def,x\n', (0, 0, 5)),
        ('x,"abc"def\n', (1, 2, 7)),
        ('x,"never closed\n', (1, 2, None)),
        ('x,"abc""\n', (1, 2, None)),
        ('x,"ab\ncd"e,f\n', (1, 2, 9)),
    ],
)
def test_a_quoting_mistake_is_found_where_it_is(
    record: str, problem: tuple[int, int, int | None] | None
) -> None:
    assert quote_problem(record, ",") == problem


def test_text_after_a_closing_quote_is_said_with_file_row_and_column(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        HEADER + '1,8471.30,"노트북"컴퓨터\n2,8471.41,"기타"x\n3,8471.49,"정상"\n', encoding="utf-8"
    )
    done = run_cli("validate", path, "--list", "x", "--json", db=listed)
    assert done.exit_code == 0, done.output
    said = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "csv-quote"]
    assert [f["message"] for f in said] == [
        'row 2, column 3: text follows a closing quote ("노트북"컴퓨터), read as 노트북컴퓨터, '
        "and so in 2 fields in all; check the values, and write a quote inside a quoted value "
        'as two ("")'
    ]
    assert said[0]["severity"] == "warning"


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (
            '1,8471.30,"노트북\n2,8471.41,기타\n',
            'list.csv, row 2: the quote that opens column 3 ("노트북…) never closes, so the rest '
            "of the file (2 lines) would be read as one value",
        ),
        (
            '1,8471.30,"노트북\n2,8471.41,기타"x\n3,8471.49,y\n',
            'list.csv, row 2: column 3 ("노트북…) has text after a quoted value that runs over 2 '
            "lines, so the rows between would be read as one value",
        ),
    ],
    ids=["never closed", "rows merged"],
)
def test_a_quote_that_would_merge_rows_is_refused(
    run_cli: RunCli, listed: str, tmp_path: Path, body: str, said: str
) -> None:
    path = tmp_path / "list.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    done = run_cli("validate", path, "--list", "x", db=listed)
    assert done.exit_code == 2
    assert done.stderr.startswith(f"Error: {said}")
    assert done.stderr.count("\n") == 1
