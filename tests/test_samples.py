"""The sample annex workbooks: rebuilt by ``spreadsheets/build_samples.py``, read as the annex.

The build reads the shared HS data (``../shared/data``), so these tests are skipped
where that folder is absent. They rebuild into ``tmp_path`` and never read the
committed ``spreadsheets/`` files, except to check the packaged copies are current.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import importlib.util
import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED, DemoRun, RunCli, read_pdfs_once
from openpyxl import load_workbook

from exportctl import annex, api, store
from exportctl.validate import Declared

FEB = "러시아벨라루스_상황허가_2024-02.xlsx"
JUNE_ADDED = "러시아벨라루스_상황허가_2024-06_추가.xlsx"
JUNE = "러시아벨라루스_상황허가_2024-06.xlsx"
JUNE_PDF = "러시아벨라루스_상황허가_2024-06.pdf"
JUNE_HWPX = "러시아벨라루스_상황허가_2024-06.hwpx"
REAL = "별표2의2_실제양식_견본.xlsx"
REAL_ONE_ROW = "별표2의2_실제양식_견본_1행머리.xlsx"
REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "spreadsheets" / "build_samples.py"
DATA = SHARED / "data"

pytestmark = pytest.mark.skipif(
    not (DATA / "hs" / "korea-customs").is_dir() or not SCRIPT.is_file(),
    reason=f"shared HS data not found in {DATA} (set EXPORTCTL_SHARED_DATA) or no build script",
)


DOCUMENT_PARTS = {1: Declared(total=22), 2: Declared(total=1402)}
"""What the notice declares for each part of the consolidated annex."""

Reads = dict[str, api.ImportResult]


@pytest.fixture(scope="module")
def build(
    tmp_path_factory: pytest.TempPathFactory, demo_run: DemoRun
) -> tuple[dict[str, Path], Reads]:
    """The samples as ``spreadsheets/build_samples.py`` builds them, run in this process, and
    its own reads of the notice's PDF and HWPX (which it checks against the workbook), made
    with the counts the notice declares for each part: the tests below read those instead of
    reading the 48-page PDF again. The PDF's tables are the demo's read of the packaged PDF
    (:func:`conftest.read_pdfs_once`) when the build writes the same bytes, as it must."""
    out = tmp_path_factory.mktemp("samples")
    spec = importlib.util.spec_from_file_location("build_samples", SCRIPT)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    reads: Reads = {}
    real = api.validate_workbook

    def read(path: Path, options: api.ImportOptions, *args: Any, **kwargs: Any) -> Any:
        if Path(path).name not in (JUNE_PDF, JUNE_HWPX):
            return real(path, options, *args, **kwargs)
        options = dataclasses.replace(options, declared_parts=DOCUMENT_PARTS)
        reads[Path(path).name] = real(path, options, *args, **kwargs)
        return reads[Path(path).name]

    said = io.StringIO()
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(sys, "path", list(sys.path))
        monkeypatch.setitem(sys.modules, "build_samples", script)
        spec.loader.exec_module(script)
        monkeypatch.setattr(api, "validate_workbook", read)
        read_pdfs_once(monkeypatch)
        with contextlib.redirect_stderr(said):
            files = script.build(DATA, out)
    assert "1,159 + 243 = 1,402" in said.getvalue()
    assert "read back as the same 1,424 entries" in said.getvalue()
    assert f"{REAL_ONE_ROW} reads the same" in said.getvalue()
    assert sorted(reads) == sorted((JUNE_PDF, JUNE_HWPX))
    return {path.name: path for path in files.values()}, reads


@pytest.fixture(scope="module")
def built(build: tuple[dict[str, Path], Reads]) -> dict[str, Path]:
    return build[0]


def _options(label: str, **kwargs: object) -> api.ImportOptions:
    effective = dt.date(2024, 8, 28) if label == "2024-06" else dt.date(2024, 2, 24)
    return api.ImportOptions(
        slug="kr-russia", label=label, create_list=True, approve=True, effective=effective, **kwargs
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "section", "total", "first", "last"),
    [
        (FEB, None, 1159, 1, 1159),
        (JUNE_ADDED, None, 243, 1160, 1402),
        (JUNE, "러시아", 1402, 1, 1402),
    ],
)
def test_list_validates_with_zero_errors(
    built: dict[str, Path], name: str, section: str | None, total: int, first: int, last: int
) -> None:
    options = _options("x", section=section, declared=Declared(total=total))
    result = api.validate_workbook(built[name], options)
    assert result.report.errors == []
    assert len(result.report.items) == total
    serials = [item.serial for item in result.report.items]
    assert serials == [str(n) for n in range(first, last + 1)]
    # Only the two numeric cells that lost a zero are worth a warning, and part 1 left out.
    rules = {f.rule for f in result.report.warnings}
    assert rules <= {"code-recovered", "footnote-rows", "section-left-out"}
    assert ("section-left-out" in rules) == (section is not None)
    assert result.notice is not None
    assert result.notice.number == ("제2024-998호" if name == FEB else "제2024-999호")


def test_consolidated_annex_imports_as_two_parts(built: dict[str, Path]) -> None:
    result = api.validate_workbook(
        built[JUNE],
        _options("x", declared_parts={1: Declared(total=22), 2: Declared(total=1402)}),
    )
    assert result.report.errors == []
    assert [(p.number, p.title, p.count, p.stored) for p in result.parts] == [
        (1, "이란·파키스탄·시리아 관련 상황허가 대상 품목", 22, True),
        (2, "러시아·벨라루스 상황허가 대상 품목", 1402, True),
    ]
    part_one = [item for item in result.report.items if item.section == 1]
    assert [item.serial for item in part_one][:6] == ["1", "2", "3", "3의2", "3의3", "4"]
    assert all(item.code and not item.sub_items for item in part_one)


def test_list_codes_are_real_distinct_and_never_prefix_each_other(
    built: dict[str, Path],
) -> None:
    from exportctl.hscode import Nomenclature

    report = api.validate_workbook(built[JUNE], _options("x", section="러시아")).report
    codes = sorted(item.code for item in report.items if item.code)
    assert len(codes) == len(set(codes)) == 1402 - 57
    nomenclature = Nomenclature.load("2022")
    assert all(len(code) == 6 and nomenclature.known(code) for code in codes)
    assert not any(b.startswith(a) for a, b in zip(codes, codes[1:], strict=False))
    by_code = {item.code: item for item in report.items if item.code}
    assert by_code["847130"].original_code == "8471.3"
    assert by_code["010121"].original_code == "10121"
    assert by_code["853669"].ex
    named = [item for item in report.items if item.code is None]
    assert [item.serial for item in named] == [str(n) for n in range(1, 58)]
    assert any(item.description.startswith("승용차") for item in named)
    # Sub-items belong to their entry, with the control numbers they name.
    assert sum(len([*item.every_sub_item()]) for item in named) == 31
    assert sum(1 for item in named if item.sub_items) == 10
    assert all(sub.control_numbers for item in named for sub in item.every_sub_item())
    controls = {c for item in named for c in item.control_numbers}
    assert {"3A001.a.3", "2B350.g", "1C350.64", "2B006.a"} <= controls
    mentioned = {c for item in named for c in item.mentioned_codes}
    assert mentioned == {
        "845811", "845961", "841410", "880622", "840710", "841111", "870324", "890322"
    }  # fmt: skip
    assert not mentioned & set(codes)


def test_additions_on_top_of_february_make_the_june_list(
    built: dict[str, Path], sqlite_url: str
) -> None:
    engine = api.open_database(sqlite_url, create=True)
    try:
        feb = api.import_workbook(
            engine, built[FEB], _options("2024-02", declared=Declared(total=1159))
        )
        assert feb.stored and feb.report.errors == []
        june = api.import_workbook(
            engine,
            built[JUNE_ADDED],
            _options(
                "2024-06",
                base="2024-02",
                additions=True,
                declared=Declared(total=1402, added=243, removed=0),
            ),
        )
        assert june.stored and {f.rule for f in june.report.findings} <= {"footnote-rows"}
        assert (june.report.item_count, june.report.added, june.report.removed) == (1402, 243, 0)
        # Stored as read: the report does not keep them, the database has all, in order.
        assert june.report.items == [] and june.version is not None
        assert june.version.item_count == 1402
        with store.session_scope(engine) as session:
            stored = store.load_items(session, june.version)
        assert [item.serial for item in stored] == [str(n) for n in range(1, 1403)]
        assert sum(len([*item.every_sub_item()]) for item in stored) == 31
        # The consolidated annex's Russia/Belarus part is the same list; part 1 is left out.
        consolidated = api.validate_workbook(
            built[JUNE],
            _options(
                "c",
                section="러시아",
                base="2024-02",
                declared=Declared(total=1402, added=243, removed=0),
            ),
            engine=engine,
        )
        assert consolidated.report.errors == []
        assert (consolidated.report.added, consolidated.report.removed) == (243, 0)
        assert [(p.number, p.read, p.stored) for p in consolidated.parts] == [
            (1, 22, False),
            (2, 1402, True),
        ]
    finally:
        engine.dispose()


@dataclass
class Entry:
    """An entry row as the annex rules read it, with the sub-item rows under it."""

    row: int
    serial: annex.Serial
    code: str | None
    ko: str
    en: str
    subs: list[tuple[str, str, str]] = field(default_factory=list)
    """(label, Korean rest, English rest) of each sub-item row."""


@dataclass
class Annex:
    """A list workbook read with ``exportctl.annex`` and openpyxl, nothing else."""

    notice: annex.Notice
    parts: list[tuple[annex.SectionTitle | None, list[Entry]]]


def _read_annex(path: Path) -> Annex:
    workbook = load_workbook(path, read_only=True)
    try:
        sheet = workbook.active
        assert sheet is not None
        rows = [
            [None if v is None else str(v).strip() or None for v in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    finally:
        workbook.close()
    header = next(i for i, row in enumerate(rows) if row[0] == "연번")
    assert rows[header + 1][2:4] == ["국문", "영문"]
    notice = annex.parse_notice(row[0] for row in rows[:header])
    parts: list[tuple[annex.SectionTitle | None, list[Entry]]] = []
    for number, row in enumerate(rows[header + 2 :], start=header + 3):
        if not any(row):
            continue
        if row[0] is not None and row[0].startswith(("※", "주:")):
            break
        section = annex.section_title(row)
        if section is not None:
            parts.append((section, []))
            continue
        if not parts:
            parts.append((None, []))
        serial = annex.parse_serial(row[0])
        if isinstance(serial, annex.Serial):
            parts[-1][1].append(Entry(number, serial, row[1], row[2] or "", row[3] or ""))
            continue
        assert serial is None and row[1] is None, f"row {number}: {row}"
        ko, en = annex.split_label(row[2]), annex.split_label(row[3])
        assert ko is not None and en is not None and ko[0] == en[0], f"row {number}: {row}"
        parts[-1][1][-1].subs.append((ko[0], ko[1], en[1]))
    return Annex(notice, parts)


@pytest.fixture(scope="module")
def annexes(built: dict[str, Path]) -> dict[str, Annex]:
    return {name: _read_annex(built[name]) for name in (FEB, JUNE_ADDED, JUNE)}


def _serials(entries: list[Entry]) -> list[str]:
    return [entry.serial.text for entry in entries]


def test_notice_rows_name_a_fictitious_notice(annexes: dict[str, Annex]) -> None:
    import datetime as dt

    feb = annexes[FEB].notice
    assert (feb.number, feb.authority, feb.date) == (
        "제2024-998호",
        "산업통상자원부",
        dt.date(2024, 2, 24),
    )
    assert feb.amended == dt.date(2024, 2, 24)
    for name in (JUNE, JUNE_ADDED):
        notice = annexes[name].notice
        assert (notice.number, notice.date) == ("제2024-999호", dt.date(2024, 6, 28))
        assert notice.amendment == "<개정 2024. 2. 24., 2024. 6. 28.>"
        assert notice.amended == dt.date(2024, 6, 28)


def test_one_part_files_keep_their_counts(annexes: dict[str, Annex]) -> None:
    for name, first, last in ((FEB, 1, 1159), (JUNE_ADDED, 1160, 1402)):
        [(section, entries)] = annexes[name].parts
        assert section is None
        assert _serials(entries) == [str(n) for n in range(first, last + 1)]
        assert annex.serial_findings([e.serial for e in entries]) == []


def test_consolidated_annex_has_two_parts_with_branch_numbers(
    annexes: dict[str, Annex],
) -> None:
    (one, part_one), (two, part_two) = annexes[JUNE].parts
    assert one == annex.SectionTitle(1, "이란·파키스탄·시리아 관련 상황허가 대상 품목")
    assert two == annex.SectionTitle(2, "러시아·벨라루스 상황허가 대상 품목")
    assert len(part_one) == 22
    assert _serials(part_one)[:6] == ["1", "2", "3", "3의2", "3의3", "4"]
    assert [e.serial.branches for e in part_one[3:5]] == [(2,), (3,)]
    assert annex.serial_findings([e.serial for e in part_one]) == []
    assert all(e.code is not None and not e.subs for e in part_one)
    assert _serials(part_two) == [str(n) for n in range(1, 1403)]
    # Part 2 is exactly February + additions; the parts share no code.
    feb = annexes[FEB].parts[0][1] + annexes[JUNE_ADDED].parts[0][1]
    assert [(e.serial, e.code, e.ko, e.subs) for e in part_two] == [
        (e.serial, e.code, e.ko, e.subs) for e in feb
    ]
    assert not {e.code for e in part_one} & {e.code for e in part_two if e.code}


def test_specification_entries_with_sub_items_and_control_numbers(
    annexes: dict[str, Annex],
) -> None:
    from exportctl.hscode import Nomenclature

    entries = annexes[FEB].parts[0][1]
    spec = [e for e in entries if e.code is None]
    assert [e.serial.text for e in spec] == [str(n) for n in range(1, 58)]
    assert entries[57].code is not None
    assert any(e.ko.startswith("승용차 (배기량 2,000cc 초과") for e in spec)
    with_subs = [e for e in spec if e.subs]
    assert len(with_subs) == 10
    assert sum(len(e.subs) for e in spec) == 31
    assert not any(e.subs for e in entries if e.code is not None)
    for entry in with_subs:
        letters = [label for label, _, _ in entry.subs if annex.label_level(label) == 1]
        assert letters == [f"{chr(ord('a') + n)}." for n in range(len(letters))], entry.ko
        assert annex.label_level(entry.subs[0][0]) == 1
        for label, ko, en in entry.subs:
            found = annex.control_numbers(ko)
            assert found and found == annex.control_numbers(en), (label, ko)
    numbered = [e for e in with_subs if any(annex.label_level(s[0]) == 2 for s in e.subs)]
    assert len(numbered) == 2
    controls = {c for e in spec for s in e.subs for c in annex.control_numbers(s[1])}
    assert {"3A001.a.3", "2B350.g", "1C350.64", "3B001.f.1"} <= controls
    # Codes named in passing: real HS 2022 subheadings, never a coded entry's code.
    mentioned = {c for e in spec for c in annex.mentioned_codes(e.ko)}
    assert mentioned == {c for e in spec for c in annex.mentioned_codes(e.en)}
    assert "840710" in mentioned and len(mentioned) == 8
    nomenclature = Nomenclature.load("2022")
    assert all(nomenclature.known(c) for c in mentioned)
    coded = {e.code for part in annexes[JUNE].parts for e in part[1] if e.code}
    # Text cells as written (the two numeric quirk cells aside: their zeros are lost).
    digits = {d for code in coded if len(d := "".join(filter(str.isdigit, code))) == 6}
    assert len(digits) == len(coded) - 2
    assert not any(a.startswith(b) or b.startswith(a) for a in mentioned for b in digits)


def test_catalogue_classification_and_mentioned_codes(
    built: dict[str, Path], annexes: dict[str, Annex]
) -> None:
    workbook = load_workbook(built["catalogue.xlsx"], read_only=True)
    try:
        sheet = workbook.active
        assert sheet is not None
        rows = list(sheet.iter_rows(min_row=3, values_only=True))
    finally:
        workbook.close()
    assert rows[0] == ("SKU", "제품명", "영문 제품명", "HS코드", "전략물자 해당번호")
    spec = [e for e in annexes[FEB].parts[0][1] if e.code is None]
    cited = {
        c
        for e in spec
        for text in (e.ko, *(s[1] for s in e.subs))
        for c in annex.control_numbers(text)
    }
    classified = [row for row in rows[1:] if row[4]]
    assert len(classified) == 5
    assert all(
        annex.control_numbers(str(row[4])) == (row[4],) and row[4] in cited for row in classified
    )
    mentioned = {c for e in spec for c in annex.mentioned_codes(e.ko)}
    at_mentioned = [row for row in rows[1:] if isinstance(row[3], str) and row[3][:6] in mentioned]
    assert len(at_mentioned) >= 5
    csv_rows = built["catalogue.csv"].read_bytes().decode("cp949").splitlines()
    assert csv_rows[0] == "SKU,제품명,영문 제품명,HS코드,전략물자 해당번호"
    assert sum(1 for line in csv_rows[1:] if not line.endswith(",")) == 5


def test_catalogue_reads_in_both_encodings(built: dict[str, Path]) -> None:
    from exportctl.readers import CATALOGUE_SCHEMA, read_table

    xlsx = list(read_table(built["catalogue.xlsx"], CATALOGUE_SCHEMA).rows)
    csv = list(read_table(built["catalogue.csv"], CATALOGUE_SCHEMA).rows)
    assert len(xlsx) == len(csv) == 313
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


@pytest.mark.parametrize("name", [JUNE_PDF, JUNE_HWPX])
def test_notice_documents_hold_the_workbooks_entries_field_for_field(
    build: tuple[dict[str, Path], Reads], name: str
) -> None:
    built = build[0]
    from exportctl.diff import compare

    options = _options("x", declared_parts=DOCUMENT_PARTS)
    workbook = api.validate_workbook(built[JUNE], options)
    document = build[1][name]  # read by the build, with the same declared counts
    assert document.report.errors == []
    assert document.notice == workbook.notice and document.notice is not None
    assert [(p.number, p.title, p.count) for p in document.parts] == [
        (p.number, p.title, p.count) for p in workbook.parts
    ]
    items = document.report.items
    assert len(items) == 1424 and sum(len([*i.every_sub_item()]) for i in items) == 31
    changes = compare(workbook.report.items, items)
    assert changes.changes == () and changes.unchanged == 1424
    # Code cells as printed: the numeric cell through its number format.
    printed = {i.code: i.original_code for i in items if i.code in ("853669", "847130", "010121")}
    assert printed == {"853669": "ex 8536.69", "847130": "8471.30", "010121": "010121"}
    rules = {f.rule for f in document.report.warnings}
    if name == JUNE_PDF:
        # Printed on A4 with the header on every page, some rows cut by a page break.
        from pypdf import PdfReader

        assert 40 <= len(PdfReader(built[name]).pages) <= 60
        assert {"repeated-header", "continued-row"} <= rules
        assert all(i.sheet.startswith("page ") for i in items)
    else:
        assert all(i.sheet.startswith("table 1") for i in items)


@pytest.mark.parametrize("name", [JUNE_PDF, JUNE_HWPX, REAL, REAL_ONE_ROW])
def test_packaged_documents_are_byte_for_byte_what_the_script_builds(
    built: dict[str, Path], name: str
) -> None:
    # Built in another process (the committed copy) and in this one: the same bytes.
    packaged = REPO / "exportctl" / "samples" / name
    assert packaged.read_bytes() == built[name].read_bytes(), (
        f"exportctl/samples/{name} is stale or the build is not deterministic"
    )


# The real-layout sample (issue 20): the notice's own table, with every feature the
# other samples simplify away.
REAL_DECLARED = ("--declared-total", "1=20", "--declared-total", "2=40")
IRAN = "이란·파키스탄·시리아 관련 상황허가 대상 품목"
RUSSIA = "러시아·벨라루스 상황허가 대상 품목"


def _real_json(run_cli: RunCli, *args: object, db: str | None = None) -> dict[str, Any]:
    result = run_cli(*args, "--json", db=db)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _paths(subs: list[dict[str, Any]]) -> list[Any]:
    return [(s["path"], _paths(s["sub_items"])) if s["sub_items"] else s["path"] for s in subs]


def test_real_layout_notice_declares_the_counts_of_each_part(built: dict[str, Path]) -> None:
    rows = _cells(built[REAL])
    above = [str(row[0]) for row in rows[:6] if row[0]]
    assert "견본(SAMPLE)" in above[1] and "공식 목록 아님" in above[1]
    assert annex.parse_notice(above).number == "제2024-997호"
    declared = re.search(
        r"1\. 이란·파키스탄·시리아 관련 (\d+)개 품목, 2\. 러시아·벨라루스 (\d+)개", above[3]
    )
    assert declared is not None and declared.groups() == ("20", "40")
    # The part title stands just above the two-row header; the header's cells merge.
    title = next(i for i, row in enumerate(rows) if row[0] == f"1. {IRAN}")
    assert rows[title + 1][:5] == ("연번", "품목", None, "HS 코드", "관련 통제번호")
    assert rows[title + 2][:5] == (None, "국문", "영문", None, None)
    merged = {str(r) for r in load_workbook(built[REAL]).active.merged_cells.ranges}  # type: ignore[union-attr]
    assert {"A7:A8", "B7:C7", "D7:D8", "E7:E8"} <= merged


@pytest.mark.parametrize("name", [REAL, REAL_ONE_ROW])
def test_real_layout_validates_to_the_declared_counts(
    built: dict[str, Path], run_cli: RunCli, name: str
) -> None:
    data = _real_json(run_cli, "validate", built[name], "--list", "kr", *REAL_DECLARED)
    assert data["ok"] and data["count"] == 60
    assert [
        (s["number"], s["title"], s["read"], s["declared"]["total"]) for s in data["sections"]
    ] == [
        (1, IRAN, 20, 20),
        (2, RUSSIA, 40, 40),
    ]
    structure = data["structure"]
    assert structure["header_rows"] == ([7, 8] if name == REAL else [7, 7])
    assert [c["field"] for c in structure["columns"]] == [
        "serial", "description", "description_en", "code", "control_numbers"
    ]  # fmt: skip
    assert structure["rows"]["entry"] == 60 and structure["rows"]["sub_item"] == 36
    assert structure["rows"]["left_out"] == 0
    # Part 2's own header is a repeat of part 1's; the footnotes are no entries.
    assert {f["rule"] for f in data["findings"]} == {"footnote-rows", "repeated-header"}


@pytest.mark.parametrize("name", [REAL, REAL_ONE_ROW])
def test_real_layout_validates_with_the_api_and_fails_a_wrong_declared_count(
    built: dict[str, Path], name: str
) -> None:
    parts = {1: Declared(total=20), 2: Declared(total=41)}
    result = api.validate_workbook(built[name], _options("x", declared_parts=parts))
    assert [f.rule for f in result.report.errors] == ["count-mismatch"]


def test_real_layout_imports_nested_sub_items_and_column_numbers(
    built: dict[str, Path], run_cli: RunCli, initialised: str
) -> None:
    run_cli("lists", "create", "kr-real", "--name", "별표 2의2 견본", db=initialised, ok=True)
    for label, name in (("v1", REAL), ("v2", REAL_ONE_ROW)):
        result = _real_json(
            run_cli, "import", built[name], "--list", "kr-real", "--version", label,
            *REAL_DECLARED, db=initialised,
        )  # fmt: skip
        assert result["ok"] and result["stored"] and result["count"] == 60
    shown = _real_json(run_cli, "show", "--list", "kr-real", "--version", "v1", db=initialised)
    assert [
        (s["number"], s["title"], s["count"], s["declared_total"]) for s in shown["sections"]
    ] == [
        (1, IRAN, 20, 20),
        (2, RUSSIA, 40, 40),
    ]
    items = shown["items"]
    iran = [i for i in items if i["section"] == IRAN]
    russia = [i for i in items if i["section"] == RUSSIA]
    assert [i["serial"] for i in iran][:6] == ["1", "2", "3", "3의2", "3의3", "4"]
    assert [i["serial"] for i in russia] == [str(n) for n in range(1, 41)]
    # The control-number column in the forms the notice writes.
    numbers = {i["serial"]: i["control_numbers"] for i in iran}
    assert numbers["1"] == ["3A001.a.3"]  # one number
    assert numbers["2"] == ["3A001", "3B001"]  # glued: 3A0013B001
    assert numbers["3"] == ["3C001", "3C002", "3C003", "3C004", "3C005"]  # 3C001∼5
    assert numbers["3의2"] == ["3B001", "3C001", "3C002", "3C003", "3C004", "3C005"]
    assert numbers["3의3"] == ["2B001", "2B006"]  # a comma
    assert numbers["4"] == ["1C010", "1C210"]  # 및
    assert numbers["15"] == [] and numbers["16"] == []  # "-" and an empty cell
    assert all(i["code"] and not i["sub_items"] for i in iran)
    # Part 2 opens with 8 entries defined by specification, their sub-items nested.
    spec = russia[:8]
    assert all(i["code"] is None and i["sub_items"] for i in spec)
    assert all(i["code"] for i in russia[8:])
    chips, radar, *_, chemicals, _, navigation = spec
    assert _paths(chips["sub_items"]) == ["a", ("b", [("b.1", ["b.1.a", "b.1.b"]), "b.2"]), "c"]
    assert _paths(radar["sub_items"]) == [("(1)", ["(1).(가)", "(1).(나)"]), "(2)"]
    assert _paths(chemicals["sub_items"]) == ["(1)", "(2)", ("(3)", ["(3).(가)", "(3).(나)"])]
    assert _paths(navigation["sub_items"]) == [
        ("a", ["a.1", ("a.2", ["a.2.a", "a.2.b"])]), "b"
    ]  # fmt: skip
    deepest = chips["sub_items"][1]["sub_items"][0]["sub_items"][0]
    assert deepest == {
        "label": "b.1.a.",
        "path": "b.1.a",
        "text": "이방성 건식 식각 장비로서 3B001.c.1.a에 해당하는 것",
        "text_en": "Anisotropic dry etching equipment in 3B001.c.1.a",
        "control_numbers": ["3B001.c.1.a"],
        "sub_items": [],
    }
    # A sub-item's own control-number cell stays with it; the entry holds every depth's.
    assert chips["sub_items"][2]["control_numbers"] == ["3C005"]
    assert chips["control_numbers"][:6] == ["3B001", "3C001", "3C002", "3C003", "3C004", "3C005"]
    assert navigation["control_numbers"][:2] == ["7A003", "7A005"]  # glued: 7A0037A005

    def every(subs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [x for s in subs for x in (s, *every(s["sub_items"]))]

    subs = [s for i in spec for s in every(i["sub_items"])]
    assert len(subs) == 36 and max(s["path"].count(".") + 1 for s in subs) == 3
    # The one-row copy is the same annex: nothing changes between them.
    diff = _real_json(run_cli, "diff", "--list", "kr-real", "v1", "v2", db=initialised)
    assert diff["changes"] == []
