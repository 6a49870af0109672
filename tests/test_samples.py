"""The sample workbooks: rebuilt by ``spreadsheets/build_samples.py``, they import cleanly.

The build reads the shared HS data (``../shared/data``), so these tests are skipped
where that folder is absent. They rebuild into ``tmp_path`` and never read the
committed ``spreadsheets/`` files, except to check the packaged copies are current.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SHARED
from openpyxl import load_workbook

from exportctl import api, store
from exportctl.validate import Declared

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "spreadsheets" / "build_samples.py"
DATA = SHARED / "data"

pytestmark = pytest.mark.skipif(
    not (DATA / "hs" / "korea-customs").is_dir() or not SCRIPT.is_file(),
    reason=f"shared HS data not found in {DATA} (set EXPORTCTL_SHARED_DATA) or no build script",
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("samples")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(DATA), str(out)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "1,159 + 243 = 1,402" in done.stderr
    return {path.name: path for path in out.iterdir()}


def _options(label: str, **kwargs: object) -> api.ImportOptions:
    return api.ImportOptions(
        slug="kr-russia", label=label, create_list=True, approve=True, **kwargs
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "total", "first", "last"),
    [
        ("러시아벨라루스_상황허가_2024-02.xlsx", 1159, 1, 1159),
        ("러시아벨라루스_상황허가_2024-06_추가.xlsx", 243, 1160, 1402),
        ("러시아벨라루스_상황허가_2024-06.xlsx", 1402, 1, 1402),
    ],
)
def test_list_validates_with_zero_errors(
    built: dict[str, Path], name: str, total: int, first: int, last: int
) -> None:
    result = api.validate_workbook(built[name], _options("x", declared=Declared(total=total)))
    assert result.report.errors == []
    assert len(result.report.items) == total
    serials = [item.serial for item in result.report.items]
    assert serials == [str(n) for n in range(first, last + 1)]
    # Only the two numeric cells that lost a zero are worth a warning.
    assert {f.rule for f in result.report.warnings} <= {"code-recovered", "reader-note"}


def test_list_codes_are_real_distinct_and_never_prefix_each_other(
    built: dict[str, Path],
) -> None:
    from exportctl.hscode import Nomenclature

    report = api.validate_workbook(
        built["러시아벨라루스_상황허가_2024-06.xlsx"], _options("x")
    ).report
    codes = sorted(item.code for item in report.items if item.code)
    assert len(codes) == len(set(codes)) == 1402 - 35
    nomenclature = Nomenclature.load("2022")
    assert all(len(code) == 6 and nomenclature.known(code) for code in codes)
    assert not any(b.startswith(a) for a, b in zip(codes, codes[1:], strict=False))
    by_code = {item.code: item for item in report.items if item.code}
    assert by_code["847130"].original_code == "8471.3"
    assert by_code["010121"].original_code == "10121"
    assert by_code["853669"].ex
    named = [item for item in report.items if item.code is None]
    assert [item.serial for item in named] == [str(n) for n in range(1, 36)]
    assert any(item.description.startswith("승용차") for item in named)


def test_additions_on_top_of_february_make_the_june_list(
    built: dict[str, Path], sqlite_url: str
) -> None:
    engine = api.open_database(sqlite_url, create=True)
    try:
        feb = api.import_workbook(
            engine,
            built["러시아벨라루스_상황허가_2024-02.xlsx"],
            _options("2024-02", declared=Declared(total=1159)),
        )
        assert feb.stored and feb.report.errors == []
        june = api.import_workbook(
            engine,
            built["러시아벨라루스_상황허가_2024-06_추가.xlsx"],
            _options(
                "2024-06",
                base="2024-02",
                additions=True,
                declared=Declared(total=1402, added=243, removed=0),
            ),
        )
        assert june.stored and {f.rule for f in june.report.findings} <= {"reader-note"}
        assert (june.report.item_count, june.report.added, june.report.removed) == (1402, 243, 0)
        # Stored as read: the report does not keep them, the database has all, in order.
        assert june.report.items == [] and june.version is not None
        assert june.version.item_count == 1402
        with store.session_scope(engine) as session:
            stored = store.load_items(session, june.version)
        assert [item.serial for item in stored] == [str(n) for n in range(1, 1403)]
        consolidated = api.validate_workbook(
            built["러시아벨라루스_상황허가_2024-06.xlsx"],
            _options("c", base="2024-02", declared=Declared(total=1402, added=243)),
            engine=engine,
        )
        assert consolidated.report.errors == []
        assert (consolidated.report.added, consolidated.report.removed) == (243, 0)
    finally:
        engine.dispose()


def test_catalogue_reads_in_both_encodings(built: dict[str, Path]) -> None:
    from exportctl.readers import CATALOGUE_SCHEMA, read_table

    xlsx = list(read_table(built["catalogue.xlsx"], CATALOGUE_SCHEMA).rows)
    csv = list(read_table(built["catalogue.csv"], CATALOGUE_SCHEMA).rows)
    assert len(xlsx) == len(csv) == 306
    assert [r.values["sku"] for r in xlsx] == [r.values["sku"] for r in csv]
    assert built["catalogue.csv"].read_bytes().decode("cp949").startswith("SKU,제품명")


def _cells(path: Path) -> list[tuple[object, ...]]:
    workbook = load_workbook(path)
    try:
        return [row for sheet in workbook for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


@pytest.mark.parametrize(
    "name",
    [
        "러시아벨라루스_상황허가_2024-02.xlsx",
        "러시아벨라루스_상황허가_2024-06_추가.xlsx",
        "러시아벨라루스_상황허가_2024-06.xlsx",
        "catalogue.xlsx",
    ],
)
def test_packaged_samples_are_what_the_script_builds(built: dict[str, Path], name: str) -> None:
    packaged = REPO / "exportctl" / "samples" / name
    assert _cells(packaged) == _cells(built[name]), (
        f"exportctl/samples/{name} is stale: run python spreadsheets/build_samples.py"
    )
