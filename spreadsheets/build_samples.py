"""Build the sample workbooks in the layout of Korea's Russia/Belarus situational-licence list.

These are SAMPLES for exportctl's demo and docs, not the official list (which is the
annex table 별표 2의2 of MOTIE's notice on trade of strategic items). Every HS-6 code and
its English description is a real HS 2022 subheading (datasets/harmonized-system, from UN
Comtrade); Korean names come from the Korea Customs Service HSK master. Which codes are
picked, and which cells are typed the messy way real files are, is decided by a seeded
``random.Random(2024)``, so the same inputs always give the same workbooks.

Usage:
    python spreadsheets/build_samples.py [DATA_DIR] [OUT_DIR] [--copy-to DIR]...

DATA_DIR defaults to ``../shared/data`` next to the repository, OUT_DIR to this script's
folder; with no OUT_DIR, copies also go to ``exportctl/samples/`` so the installed
package can run ``exportctl demo``.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
import shutil
import sys
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_DATA = REPO.parent / "shared" / "data"
PACKAGE_SAMPLES = REPO / "exportctl" / "samples"

HS2022 = Path("hs/datasets-harmonized-system/harmonized-system_HS2022.csv")
HSK_MASTER = Path("hs/korea-customs/관세청_HS부호_20250101.xlsx")
HSK_SHEET = "2025.1.1."

FEB = "러시아벨라루스_상황허가_2024-02.xlsx"
JUNE_ADDED = "러시아벨라루스_상황허가_2024-06_추가.xlsx"
JUNE = "러시아벨라루스_상황허가_2024-06.xlsx"
CATALOGUE = "catalogue.xlsx"
CATALOGUE_CSV = "catalogue.csv"
OUTPUTS = (FEB, JUNE_ADDED, JUNE, CATALOGUE, CATALOGUE_CSV)

FEB_TOTAL = 1159
JUNE_ADDED_TOTAL = 243
JUNE_TOTAL = FEB_TOTAL + JUNE_ADDED_TOTAL

TITLE = "러시아·벨라루스 상황허가 대상 품목 (전략물자 수출입고시 별표 2의2)"
SAMPLE_NOTE = (
    "※ 이 파일은 exportctl 시연용 표본(sample)으로, 공식 목록이 아닙니다. "
    "공식 목록은 산업통상자원부 전략물자 수출입고시 별표 2의2를 확인하십시오."
)

# Entries defined by name and technical specification, not by an HS code. The wording is
# illustrative (written for these samples), kept specific so a catalogue text match is
# explainable. (category, Korean, English)
NAMED_ENTRIES: tuple[tuple[str, str, str], ...] = tuple(
    ("전략물자 관련", f"전략물자 관련 품목: {ko}", f"Strategic-related item: {en}")
    for ko, en in (
        ("수치제어 공작기계 (선반, 밀링, 연삭기)", "numerically controlled machine tools"),
        ("적층제조 장비 (금속 3D 프린터)", "additive manufacturing equipment (metal 3D)"),
        ("방전가공기 (와이어컷 포함)", "electrical discharge machines"),
        ("좌표측정기 (CMM)", "coordinate measuring machines"),
        ("산업용 로봇 (6축 이상)", "industrial robots with six or more axes"),
        ("진공 펌프 (배기속도 5 m3/s 이상)", "vacuum pumps (5 m3/s or more)"),
        ("고압 가스 압축기 (토출압력 20 MPa 이상)", "high-pressure gas compressors"),
        ("터보분자 펌프", "turbomolecular pumps"),
        ("열간 등방압 가압기 (HIP)", "hot isostatic presses"),
        ("진공 유도로 및 전자빔로", "vacuum induction and electron-beam furnaces"),
        ("탄소섬유 필라멘트 와인딩기", "carbon-fibre filament winding machines"),
        ("반도체 웨이퍼 노광장비", "semiconductor wafer lithography equipment"),
        ("플라즈마 식각장비", "plasma etching equipment"),
        ("이온 주입기", "ion implanters"),
        ("화학기상증착 장비 (CVD)", "chemical vapour deposition equipment"),
        ("고속 오실로스코프 (대역폭 1 GHz 이상)", "oscilloscopes (bandwidth 1 GHz or more)"),
        ("신호 분석기 (주파수 40 GHz 이상)", "signal analysers (40 GHz or more)"),
        ("적외선 열화상 카메라", "thermal imaging cameras"),
        ("광섬유 자이로스코프", "fibre-optic gyroscopes"),
        ("위성항법 수신기 (GNSS, 고정밀)", "high-precision GNSS receivers"),
        ("무인항공기 (드론) 및 비행제어기", "unmanned aerial vehicles and flight controllers"),
        ("수중 음향탐지기 (소나)", "underwater sonar systems"),
        ("암호화 통신장비", "encrypted communication equipment"),
        ("고성능 컴퓨터 (슈퍼컴퓨터)", "high-performance computers"),
        ("레이저 거리측정기", "laser rangefinders"),
        ("야간 투시경 (영상증폭관)", "night-vision devices (image intensifier tubes)"),
        ("방탄복 및 방탄 헬멧", "body armour and ballistic helmets"),
        ("티타늄 합금 단조품", "titanium alloy forgings"),
        ("마레이징강", "maraging steel"),
        ("지르코늄 튜브 (원자로용)", "zirconium tubes for nuclear reactors"),
        ("중수 및 중수소 화합물", "heavy water and deuterium compounds"),
        ("고순도 흑연 (원자로급)", "nuclear-grade graphite"),
    )
) + (
    ("사치품", "승용차 (배기량 2,000cc 초과)", "Passenger cars (cylinder capacity over 2,000 cc)"),
    ("사치품", "이륜자동차 (배기량 500cc 초과)", "Motorcycles (cylinder capacity over 500 cc)"),
    ("사치품", "요트 및 레저용 선박 (전장 12 m 초과)", "Yachts and pleasure boats over 12 m"),
)

# Headings kept out of the HS-6 part because named entries above describe those goods
# (cars, motorcycles, yachts, machine tools): screening them is a text match, i.e. review.
NAMED_HEADINGS = frozenset({"8703", "8711", "8903", "8457", "8458", "8459", "8460", "8461"})

# HS-6 categories in list order: (category, prefixes of the pool, Feb count, June count).
CATEGORIES: tuple[tuple[str, tuple[str, ...], int, int], ...] = (
    (
        "사치품",
        ("0101", "1604", "2204", "2208", "2402", "3303", "4202", "4303", "61", "62")
        + ("6401", "6403", "71", "91", "9504"),
        180,
        0,
    ),
    (
        "석유·가스 및 해양",
        ("27", "7304", "7305", "7306", "7307", "7308", "7311", "8207", "8412", "8413")
        + ("8414", "8419", "8421", "8426", "8430", "8431", "8481", "8901", "8902", "8904")
        + ("8905", "8906", "8907", "8908"),
        120,
        20,
    ),
    ("첨단소재", ("28", "81", "7202", "3801", "3818", "6815", "7019"), 150, 30),
    (
        "일반산업용 물품",
        ("84", "85", "87", "88", "90", "39", "40", "72", "73", "76"),
        574,
        153,
    ),
    ("화학물질", ("29", "38"), 100, 40),
)

# Cells typed the way real files are: (code, how). Each code is forced into the Feb list.
QUIRKS = {
    "847130": "number-trailing",  # 8471.3 stored as a number, format 0000.00
    "010121": "number-leading",  # 10121 stored as a number, format 000000
    "850440": "space",  # "8504 40"
    "853669": "ex",  # "ex 8536.69"
    "870899": "plain",  # "870899" without a dot
    "902610": "padded",  # " 9026.10 " with stray spaces
}
FORCED_FEB = frozenset(QUIRKS) | {"903020", "880730", "901380"}
# Codes the catalogue expects to be newly caught by the June revision.
FORCED_JUNE = frozenset({"854231", "847150", "903031", "850760", "901390"})


@dataclass(frozen=True)
class Entry:
    """One row of a list workbook."""

    serial: int
    category: str
    code: str | None
    ko: str
    en: str
    note: str | None = None


@dataclass(frozen=True)
class Nomenclature:
    """HS 2022 subheadings and Korean names from the HSK master."""

    english: dict[str, str]
    """HS-6 code -> English description."""
    korean: dict[str, str]
    """HS-6 code -> Korean name (from its HSK lines)."""
    hsk: list[tuple[str, str, str]]
    """Every 10-digit HSK line: (code, Korean name, English name)."""
    exact: frozenset[str]
    """HS-6 codes with an HSK line ``XXXXXX0000`` (the subheading is not split)."""


def _is_generic(name: str) -> bool:
    return name.strip() in {"기타", "그 밖의 것"} or name.startswith(("기타", "그 밖의"))


def load_nomenclature(data_dir: Path) -> Nomenclature:
    """Read HS 2022 (English) and the HSK master (Korean) from the shared data folder."""
    english: dict[str, str] = {}
    with (data_dir / HS2022).open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["level"] == "6" and row["hscode"] != "999999":
                english[row["hscode"]] = row["description"]
    workbook = load_workbook(data_dir / HSK_MASTER, read_only=True)
    hsk: list[tuple[str, str, str]] = []
    try:
        rows = workbook[HSK_SHEET].iter_rows(values_only=True)
        header = list(next(rows))
        code_i, ko_i, en_i = (header.index(h) for h in ("HS부호", "한글품목명", "영문품목명"))
        for row in rows:
            if row[code_i] is None:
                continue
            # The master's codes lost their trailing zeros ("39209990").
            code = str(row[code_i]).strip().ljust(10, "0")
            hsk.append((code, str(row[ko_i] or "").strip(), str(row[en_i] or "").strip()))
    finally:
        workbook.close()
    korean: dict[str, str] = {}
    for code, ko, _ in sorted(hsk):
        six = code[:6]
        # The line XXXXXX0000 is the subheading itself; otherwise the first specific name.
        if code.endswith("0000") or (six not in korean and not _is_generic(ko)):
            korean[six] = ko
    exact = frozenset(code[:6] for code, _, _ in hsk if code.endswith("0000"))
    return Nomenclature(english=english, korean=korean, hsk=sorted(hsk), exact=exact)


def choose_codes(nom: Nomenclature, rng: random.Random) -> tuple[list[Entry], list[Entry]]:
    """Pick the February list and the June additions, category by category."""
    usable = {
        c
        for c in nom.english
        if c in nom.korean and not _is_generic(nom.korean[c]) and c[:4] not in NAMED_HEADINGS
    }
    taken: set[str] = set()
    feb_codes: dict[str, list[str]] = {}
    june_codes: dict[str, list[str]] = {}
    for category, prefixes, n_feb, n_june in CATEGORIES:
        pool = sorted(c for c in usable - taken if c.startswith(prefixes))
        forced_feb = sorted(c for c in FORCED_FEB if c.startswith(prefixes) and c not in taken)
        forced_june = sorted(c for c in FORCED_JUNE if c.startswith(prefixes) and c not in taken)
        rest = [c for c in pool if c not in forced_feb and c not in forced_june]
        need = n_feb + n_june - len(forced_feb) - len(forced_june)
        if need > len(rest):
            raise SystemExit(f"{category}: pool of {len(pool)} codes is too small")
        # Prefer subheadings with an HSK line of their own (XXXXXX0000): its Korean name
        # is the subheading's, not one of its national splits.
        exact = [c for c in rest if c in nom.exact]
        picked = rng.sample(exact, min(need, len(exact)))
        if len(picked) < need:
            others = [c for c in rest if c not in nom.exact]
            picked += rng.sample(others, need - len(picked))
        rng.shuffle(picked)
        feb = forced_feb + picked[: n_feb - len(forced_feb)]
        june = forced_june + picked[n_feb - len(forced_feb) :]
        feb_codes[category], june_codes[category] = sorted(feb), sorted(june)
        taken.update(feb, june)
    serial = 0
    feb_entries: list[Entry] = []
    for category, ko, en in NAMED_ENTRIES:
        if category == "사치품":
            continue
        serial += 1
        feb_entries.append(Entry(serial, category, None, ko, en, "품목명·기술사양 기준"))
    for category, *_ in CATEGORIES:
        if category == "사치품":
            for cat, ko, en in NAMED_ENTRIES:
                if cat == category:
                    serial += 1
                    feb_entries.append(Entry(serial, cat, None, ko, en, "기준치 초과 품목"))
        for code in feb_codes[category]:
            serial += 1
            note = "일부 품목만 해당" if QUIRKS.get(code) == "ex" else None
            feb_entries.append(
                Entry(serial, category, code, nom.korean[code], nom.english[code], note)
            )
    june_entries: list[Entry] = []
    for category, *_ in CATEGORIES:
        for code in june_codes[category]:
            serial += 1
            june_entries.append(
                Entry(serial, category, code, nom.korean[code], nom.english[code], "2024. 6. 추가")
            )
    _check(feb_entries, june_entries, nom)
    return feb_entries, june_entries


def _check(feb: Sequence[Entry], june: Sequence[Entry], nom: Nomenclature) -> None:
    """The invariants the samples promise; a failure means the script is wrong."""
    if len(feb) != FEB_TOTAL or len(june) != JUNE_ADDED_TOTAL:
        raise SystemExit(f"wrong counts: {len(feb)} + {len(june)}")
    if [e.serial for e in (*feb, *june)] != list(range(1, JUNE_TOTAL + 1)):
        raise SystemExit("serial numbers are not 1..1402")
    codes = [e.code for e in (*feb, *june) if e.code]
    if len(codes) != len(set(codes)):
        raise SystemExit("duplicate codes")
    for code in codes:
        if code not in nom.english:
            raise SystemExit(f"{code} is not an HS 2022 subheading")
        if any(other != code and other.startswith(code) for other in codes):
            raise SystemExit(f"{code} prefixes another entry")
    if {e.code for e in feb} & {e.code for e in june}:
        raise SystemExit("an addition is already in the February list")


def dotted(code: str) -> str:
    return f"{code[:4]}.{code[4:]}"


THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)


def _code_cell(ws: Worksheet, row: int, code: str) -> None:
    """Write the code as people do: mostly ``8471.30`` text, a few cells the messy way."""
    cell = ws.cell(row, 2)
    how = QUIRKS.get(code)
    if how == "number-trailing":
        cell.value = float(dotted(code))  # 8471.3: Excel dropped the trailing zero
        cell.number_format = "0000.00"
    elif how == "number-leading":
        cell.value = int(code)  # 10121: the leading zero is only in the format
        cell.number_format = "000000"
    elif how == "space":
        cell.value = f"{code[:4]} {code[4:]}"
    elif how == "ex":
        cell.value = f"ex {dotted(code)}"
    elif how == "plain":
        cell.value = code
    elif how == "padded":
        cell.value = f" {dotted(code)} "
    else:
        cell.value = dotted(code)
    cell.alignment = Alignment(horizontal="center", vertical="top")


def write_list(path: Path, entries: Sequence[Entry], *, subtitle: str, date_line: str) -> None:
    """One list workbook: title, date line, merged two-row header, rows, footnotes."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "별표2의2"
    ws.merge_cells("A1:F1")
    ws["A1"] = TITLE + subtitle
    ws["A1"].font = Font(size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells("A2:F2")
    ws["A2"] = date_line
    ws["A2"].alignment = Alignment(horizontal="right")
    # Two-row header: 연번, HS코드, 구분, 비고 span both rows; 품목명 spans 국문 | 영문.
    for col, text in ((1, "연번"), (2, "HS코드\n(6단위)"), (5, "구분"), (6, "비고")):
        ws.merge_cells(start_row=4, start_column=col, end_row=5, end_column=col)
        ws.cell(4, col, text)
    ws.merge_cells("C4:D4")
    ws["C4"] = "품목명"
    ws["C5"], ws["D5"] = "국문", "영문"
    for row in (4, 5):
        for col in range(1, 7):
            ws.cell(row, col).font = Font(bold=True)
            ws.cell(row, col).fill = HEADER_FILL
            ws.cell(row, col).alignment = CENTER
            ws.cell(row, col).border = BOX
    row = 6
    for entry in entries:
        ws.cell(row, 1, entry.serial).alignment = Alignment(horizontal="center", vertical="top")
        if entry.code is not None:
            _code_cell(ws, row, entry.code)
        ws.cell(row, 3, entry.ko).alignment = WRAP
        ws.cell(row, 4, entry.en).alignment = WRAP
        ws.cell(row, 5, entry.category).alignment = WRAP
        ws.cell(row, 6, entry.note).alignment = WRAP
        for col in range(1, 7):
            ws.cell(row, col).border = BOX
        row += 1
    row += 1
    for note in (
        "※ HS코드는 관세율표(HS 2022) 6단위 기준이며, 해당 6단위에 속하는 모든 품목이 대상임.",
        "주: 'ex'로 표시된 품목은 해당 소호의 일부 품목만 대상임(비고 참조).",
        "주: HS코드가 없는 품목은 품목명과 기술사양으로 대상 여부를 판단함.",
        SAMPLE_NOTE,
    ):
        ws.cell(row, 1, note)
        row += 1
    for col, width in zip("ABCDEF", (7, 12, 40, 60, 16, 18), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A6"
    _save(wb, path)


@dataclass(frozen=True)
class Product:
    sku: str
    ko: str
    en: str
    code: str | int | None
    number_format: str | None = None
    expect: str = "clear"
    """What screening should say (documentation only): controlled, new, review, invalid."""


def choose_catalogue(
    nom: Nomenclature, feb: Sequence[Entry], june: Sequence[Entry], rng: random.Random
) -> list[Product]:
    """A fictional exporter's catalogue of 10-digit HSK codes."""
    feb_codes = {e.code for e in feb if e.code}
    june_codes = {e.code for e in june if e.code}
    listed = feb_codes | june_codes
    lines = [
        (code, ko, en)
        for code, ko, en in nom.hsk
        if ko and en and not _is_generic(ko) and _cp949(ko) and _cp949(en) and _product_like(ko, en)
    ]

    # Keep words of the name-defined entries out of the SKUs meant to be clear or newly
    # controlled, so the only text matches are the review rows planted below.
    named_words = {
        word
        for _, ko, en in NAMED_ENTRIES
        for word in re.findall(r"[0-9A-Za-z가-힣]{2,}", ko.split(":")[-1] + " " + en.lower())
    } - {"품목", "and", "or", "more", "over", "with", "for"}

    def plain(line: tuple[str, str, str]) -> bool:
        text = (line[1] + " " + line[2]).lower()
        return not any(word.lower() in text for word in named_words)

    def sample(pred: Iterable[tuple[str, str, str]], n: int) -> list[tuple[str, str, str]]:
        pool = list(pred)
        return sorted(rng.sample(pool, n))

    controlled = sample(
        (x for x in lines if x[0][:6] in feb_codes and QUIRKS.get(x[0][:6]) != "ex"), 40
    )
    newly = [
        next((x for x in lines if x[0][:6] == code), None)
        or next(x for x in nom.hsk if x[0][:6] == code)
        for code in sorted(FORCED_JUNE)
    ]
    newly += sample((x for x in lines if x[0][:6] in june_codes - FORCED_JUNE and plain(x)), 20)
    chapters = ("84", "85", "87", "90", "39", "40", "73", "76", "94", "95", "96", "48", "69")
    clear = sample(
        (
            x
            for x in lines
            if x[0][:6] not in listed
            and x[0][:4] not in NAMED_HEADINGS
            and plain(x)
            and x[0].startswith(chapters)
        ),
        230,
    )
    products: list[tuple[str, str, str | int | None, str | None, str]] = []
    products += [(ko, en, code, None, "controlled") for code, ko, en in controlled]
    products += [(ko, en, code, None, "new") for code, ko, en in newly]
    products += [(ko, en, code, None, "clear") for code, ko, en in clear]

    def hsk(six: str) -> str:
        return next(code for code, _, _ in nom.hsk if code.startswith(six))

    # Review: a short code over a list entry, an ``ex`` entry, names matching named entries.
    ex_line = next(x for x in nom.hsk if x[0].startswith("853669"))
    products += [
        ("변압기 및 정지형 변환기", "Transformers and static converters", "8504", None, "review"),
        ("자동자료처리기계", "Automatic data processing machines", "8471", None, "review"),
        (ex_line[1], ex_line[2], ex_line[0], None, "review"),
        ("승용차 (가솔린, 3,000cc)", "Passenger car, 3,000 cc", hsk("870324"), None, "review"),
        ("승용차 (하이브리드, 2,500cc)", "Hybrid passenger car", hsk("870340"), None, "review"),
        ("수치제어 공작기계 선반 (CNC)", "CNC lathe", hsk("845811"), None, "review"),
        ("요트 (전장 15 m)", "Sailing yacht, 15 m", hsk("890322"), None, "review"),
    ]
    # Numeric cells as spreadsheets hold them, and rows without a usable code.
    products += [
        ("순종 번식용 말", "Pure-bred breeding horses", 101211000, "0000000000", "controlled"),
        ("견본 (HS 미정)", "Sample kit, HS code not yet assigned", None, None, "invalid"),
        ("수리용 부품 세트", "Repair parts kit", "84.7x", None, "invalid"),
        ("포장재", "Packaging material", "48191", None, "invalid"),
    ]
    order = list(range(len(products)))
    rng.shuffle(order)
    return [
        Product(f"KX-{n + 1:04d}", *products[i][:2], products[i][2], products[i][3], products[i][4])
        for n, i in enumerate(order)
    ]


def _product_like(ko: str, en: str) -> bool:
    """A name that reads as a product ("수관보일러"), not a qualifier ("두께가 … 것")."""
    return not ko.endswith(("것", "용")) and not en.startswith(("Of ", "For ", "Other"))


def _cp949(text: str) -> bool:
    try:
        text.encode("cp949")
    except UnicodeEncodeError:
        return False
    return True


def write_catalogue(xlsx: Path, csv_path: Path, products: Sequence[Product]) -> None:
    """The catalogue as the exporter keeps it (xlsx), and as a cp949 CSV export."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "제품목록"
    ws["A1"] = "한빛정밀(주) 수출 제품 목록 — 가상의 회사, exportctl 시연용"
    ws["A1"].font = Font(size=13, bold=True)
    headers = ("SKU", "제품명", "영문 제품명", "HS코드")
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(3, col, text)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BOX
    for row, product in enumerate(products, start=4):
        ws.cell(row, 1, product.sku)
        ws.cell(row, 2, product.ko)
        ws.cell(row, 3, product.en)
        cell = ws.cell(row, 4, product.code)
        if product.number_format:
            cell.number_format = product.number_format
        else:
            cell.number_format = "@"
    for col, width in zip("ABCD", (10, 40, 50, 14), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A4"
    _save(wb, xlsx)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for product in products:
        code = product.code
        if isinstance(code, int) and product.number_format:
            code = f"{code:0{len(product.number_format)}d}"
        writer.writerow((product.sku, product.ko, product.en, code or ""))
    csv_path.write_bytes(buffer.getvalue().encode("cp949"))


FIXED_TIME = "2024-06-28T00:00:00Z"


def _save(wb: Workbook, path: Path) -> None:
    """Save, then rewrite the zip with fixed timestamps so rebuilds are byte-identical."""
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                for tag in ("dcterms:created", "dcterms:modified"):
                    start = text.find(f"<{tag}")
                    end = text.find(f"</{tag}>")
                    if start >= 0 and end >= 0:
                        open_end = text.find(">", start) + 1
                        text = text[:open_end] + FIXED_TIME + text[end:]
                data = text.encode("utf-8")
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 6, 28, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, data)


def build(data_dir: Path, out_dir: Path) -> dict[str, Path]:
    """Write every sample into ``out_dir``; returns file name -> path."""
    if not (data_dir / HS2022).is_file() or not (data_dir / HSK_MASTER).is_file():
        raise SystemExit(f"{data_dir} does not hold {HS2022} and {HSK_MASTER}")
    rng = random.Random(2024)
    nom = load_nomenclature(data_dir)
    feb, june = choose_codes(nom, rng)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_list(out_dir / FEB, feb, subtitle="", date_line="2024. 2. 24. 기준")
    write_list(
        out_dir / JUNE_ADDED,
        june,
        subtitle=" — 2024. 6. 개정 추가 품목",
        date_line="2024. 6. 개정 (추가 243개 품목, 연번 1,160~1,402)",
    )
    write_list(out_dir / JUNE, [*feb, *june], subtitle="", date_line="2024. 6. 개정 기준")
    products = choose_catalogue(nom, feb, june, rng)
    write_catalogue(out_dir / CATALOGUE, out_dir / CATALOGUE_CSV, products)
    expected = Counter(p.expect for p in products)
    print(
        f"list: {len(feb):,} + {len(june):,} = {len(feb) + len(june):,} items; catalogue: "
        + ", ".join(f"{n} {status}" for status, n in sorted(expected.items())),
        file=sys.stderr,
    )
    return {name: out_dir / name for name in OUTPUTS}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("out_dir", nargs="?", type=Path, default=None)
    parser.add_argument(
        "--copy-to",
        action="append",
        type=Path,
        default=None,
        help="also copy the files here (default with no OUT_DIR: exportctl/samples)",
    )
    args = parser.parse_args(argv)
    out_dir = args.out_dir or HERE
    copies = args.copy_to
    if copies is None:
        copies = [PACKAGE_SAMPLES] if args.out_dir is None else []
    written = build(args.data_dir, out_dir)
    for folder in copies:
        folder.mkdir(parents=True, exist_ok=True)
        for path in written.values():
            shutil.copyfile(path, folder / path.name)
    for path in written.values():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
