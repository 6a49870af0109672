"""Build the sample workbooks in the layout of Korea's situational-licence annex (별표 2의2).

These are SAMPLES for exportctl's demo and docs, not the official list (which is the
annex table 별표 2의2 of MOTIE's notice on trade of strategic items). Every HS-6 code and
its English description is a real HS 2022 subheading (datasets/harmonized-system, from UN
Comtrade); Korean names come from the Korea Customs Service HSK master. Which codes are
picked, and which cells are typed the messy way real files are, is decided by a seeded
``random.Random(2024)``, so the same inputs always give the same workbooks.

The annex is written the way the legal table is: notice rows above the header (the
amendment marker and a notice number, here an obviously fictitious one), section rows
that start each part, branch serials such as ``3의2``, entries defined by specification
with lettered sub-items (``a.``, and ``1.`` under a letter) naming Annex 2 control
numbers, and HS codes named in passing (``(8407.10)``). The script checks what it wrote
with :mod:`exportctl.annex`, the rules the importer reads these tables by.

One more, smaller sample follows the notice's own table layout, which the others
simplify: each part a table of its own with its title just above a two-row header
(``품목`` over ``국문 | 영문``; ``연번``, ``HS 코드``, ``관련 통제번호`` merged down),
sub-items nested three deep (``b.1.a.``, ``(3)`` > ``(가)``) and control numbers in
their column as the notice writes them (``3A0013B001``, ``3C001∼5``, ``3B0013C001~5``,
``… 및 …``); its notice declares the count of each part. A copy under a one-row header
must read as the same entries.

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
import unicodedata
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

# The checks read the tables with this repository's exportctl, not an installed one.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
# The HWPX sample is written with the tests' deterministic HWPX writer.
if str(REPO / "tests") not in sys.path:
    sys.path.append(str(REPO / "tests"))

from exportctl import annex  # noqa: E402
from exportctl.models import ItemRecord  # noqa: E402

HS2022 = Path("hs/datasets-harmonized-system/harmonized-system_HS2022.csv")
HSK_MASTER = Path("hs/korea-customs/관세청_HS부호_20250101.xlsx")
HSK_SHEET = "2025.1.1."

FEB = "러시아벨라루스_상황허가_2024-02.xlsx"
JUNE_ADDED = "러시아벨라루스_상황허가_2024-06_추가.xlsx"
JUNE = "러시아벨라루스_상황허가_2024-06.xlsx"
JUNE_PDF = "러시아벨라루스_상황허가_2024-06.pdf"
JUNE_HWPX = "러시아벨라루스_상황허가_2024-06.hwpx"
CATALOGUE = "catalogue.xlsx"
CATALOGUE_CSV = "catalogue.csv"
REAL = "별표2의2_실제양식_견본.xlsx"
"""The annex in the notice's own table layout (issue 20): a smaller list, every feature."""
REAL_ONE_ROW = "별표2의2_실제양식_견본_1행머리.xlsx"
"""The same entries under a one-row header: it must import to the same content."""
OUTPUTS = (FEB, JUNE_ADDED, JUNE, JUNE_PDF, JUNE_HWPX, CATALOGUE, CATALOGUE_CSV, REAL, REAL_ONE_ROW)

FEB_TOTAL = 1159
JUNE_ADDED_TOTAL = 243
JUNE_TOTAL = FEB_TOTAL + JUNE_ADDED_TOTAL
SPEC_TOTAL = 57
"""The Russia/Belarus part opens with this many entries defined by specification."""
PART_ONE_SERIALS = (1, 2, 3, (3, 2), (3, 3), *range(4, 21))
"""Serials of the sample's part 1 (이란·파키스탄·시리아): 22 entries, two of them branches."""

RUSSIA_TITLE = "러시아·벨라루스 상황허가 대상 품목 — 견본(SAMPLE), 공식 목록 아님"
ANNEX_TITLE = "상황허가 대상 품목 (전략물자 수출입고시 별표 2의2) — 견본(SAMPLE), 공식 목록 아님"
PART_ONE = "1. 이란·파키스탄·시리아 관련 상황허가 대상 품목"
PART_TWO = "2. 러시아·벨라루스 상황허가 대상 품목"
# Notice rows above the header. The notice numbers are fictitious (제2024-998호,
# 제2024-999호) so that no sample can be mistaken for, or cited as, a real notice.
FEB_NOTICE = (
    "[별표 2의2] <개정 2023. 4. 28., 2024. 2. 24.>",
    "산업통상자원부고시 제2024-998호(2024. 2. 24.) — 견본(SAMPLE): 가상의 고시번호",
)
JUNE_NOTICE = (
    "[별표 2의2] <개정 2024. 2. 24., 2024. 6. 28.>",
    "산업통상자원부고시 제2024-999호(2024. 6. 28.) — 견본(SAMPLE): 가상의 고시번호",
)
SAMPLE_NOTE = (
    "※ 이 파일은 exportctl 시연용 표본(sample)으로, 공식 목록이 아닙니다. "
    "공식 목록은 산업통상자원부 전략물자 수출입고시 별표 2의2를 확인하십시오."
)


@dataclass(frozen=True)
class Sub:
    """A sub-item row of an entry defined by specification: label, Korean, English."""

    label: str
    ko: str
    en: str


def _subs(*rows: tuple[str, str, str]) -> tuple[Sub, ...]:
    return tuple(Sub(*row) for row in rows)


# Entries defined by specification, not by an HS code: (category, Korean, English,
# sub-items). The wording and the control numbers they cite are illustrative (written
# for these samples in the style of the annex), kept specific so that a catalogue text
# match is explainable. A few name an HS code in passing; those codes are kept out of
# the coded entries.
SPEC_ENTRIES: tuple[tuple[str, str, str, tuple[Sub, ...]], ...] = tuple(
    ("전략물자 관련", ko, en, subs)
    for ko, en, subs in (
        (
            "수치제어 공작기계(8458.11, 8459.61 등)로서 다음 각 목의 어느 하나에 해당하는 것",
            "Numerically controlled machine tools (e.g. 8458.11, 8459.61), as follows:",
            _subs(
                ("a.", "선반으로서 2B001.a에 해당하는 것", "Turning machines specified in 2B001.a"),
                (
                    "b.",
                    "밀링 기계로서 2B001.b에 해당하는 것",
                    "Milling machines specified in 2B001.b",
                ),
                (
                    "c.",
                    "연삭기로서 2B001.c에 해당하는 것",
                    "Grinding machines specified in 2B001.c",
                ),
            ),
        ),
        ("방전가공기 (와이어컷 포함)", "Electrical discharge machines, including wire-cut", ()),
        ("적층제조 장비 (금속 3D 프린터)", "Additive manufacturing equipment for metals", ()),
        (
            "좌표측정기로서 2B006.a에 해당하는 것",
            "Coordinate measuring machines specified in 2B006.a",
            (),
        ),
        (
            "산업용 로봇으로서 다음 각 목의 어느 하나에 해당하는 것",
            "Industrial robots, as follows:",
            _subs(
                (
                    "a.",
                    "6축 이상의 다관절 로봇으로서 2B007.b에 해당하는 것",
                    "Articulated robots with six or more axes specified in 2B007.b",
                ),
                (
                    "b.",
                    "방폭형 로봇으로서 2B007.c에 해당하는 것",
                    "Explosion-proof robots specified in 2B007.c",
                ),
            ),
        ),
        (
            "진공 펌프(8414.10)로서 배기속도 5 m3/s 이상인 것",
            "Vacuum pumps (8414.10) with a pumping speed of 5 m3/s or more",
            (),
        ),
        (
            "고압 가스 압축기 (토출압력 20 MPa 이상)",
            "High-pressure gas compressors (discharge pressure 20 MPa or more)",
            (),
        ),
        ("터보분자 펌프", "Turbomolecular pumps", ()),
        (
            "열간 등방압 가압기로서 2B004에 해당하는 것",
            "Hot isostatic presses specified in 2B004",
            (),
        ),
        (
            "진공로로서 다음 각 목의 어느 하나에 해당하는 것",
            "Vacuum furnaces, as follows:",
            _subs(
                (
                    "a.",
                    "진공 유도로로서 2B226에 해당하는 것",
                    "Vacuum induction furnaces specified in 2B226",
                ),
                (
                    "b.",
                    "진공 및 제어 분위기 용해로로서 2B227에 해당하는 것",
                    "Vacuum and controlled-atmosphere melting furnaces specified in 2B227",
                ),
            ),
        ),
        (
            "필라멘트 와인딩기로서 1B001.a에 해당하는 것",
            "Filament winding machines specified in 1B001.a",
            (),
        ),
        (
            "반도체 제조 장비로서 다음 각 목의 어느 하나에 해당하는 것",
            "Semiconductor manufacturing equipment, as follows:",
            _subs(
                (
                    "a.",
                    "노광 장비로서 3B001.f의 다음 각 호의 어느 하나에 해당하는 것",
                    "Lithography equipment specified in 3B001.f, as follows:",
                ),
                (
                    "1.",
                    "스텝 앤드 리피트 또는 스텝 앤드 스캔 장비로서 3B001.f.1에 해당하는 것",
                    "Step-and-repeat or step-and-scan equipment specified in 3B001.f.1",
                ),
                (
                    "2.",
                    "임프린트 리소그래피 장비로서 3B001.f.2에 해당하는 것",
                    "Imprint lithography equipment specified in 3B001.f.2",
                ),
                (
                    "b.",
                    "식각 장비로서 3B001.c에 해당하는 것",
                    "Etching equipment specified in 3B001.c",
                ),
                (
                    "c.",
                    "화학기상증착 장비로서 3B001.d에 해당하는 것",
                    "Chemical vapour deposition equipment specified in 3B001.d",
                ),
                (
                    "d.",
                    "이온 주입기로서 3B001.b에 해당하는 것",
                    "Ion implanters specified in 3B001.b",
                ),
            ),
        ),
        (
            "집적회로로서 다음 각 목의 어느 하나에 해당하는 것",
            "Integrated circuits, as follows:",
            _subs(
                (
                    "a.",
                    "마이크로프로세서로서 3A001.a.3에 해당하는 것",
                    "Microprocessor microcircuits specified in 3A001.a.3",
                ),
                (
                    "b.",
                    "전계 프로그래머블 논리소자로서 3A001.a.7에 해당하는 것",
                    "Field programmable logic devices specified in 3A001.a.7",
                ),
                (
                    "c.",
                    "아날로그-디지털 변환기로서 3A001.a.5.a에 해당하는 것",
                    "Analogue-to-digital converters specified in 3A001.a.5.a",
                ),
            ),
        ),
        (
            "고속 오실로스코프 (대역폭 1 GHz 이상)",
            "Oscilloscopes with a bandwidth of 1 GHz or more",
            (),
        ),
        ("신호 분석기로서 3A002.c에 해당하는 것", "Signal analysers specified in 3A002.c", ()),
        (
            "적외선 열화상 카메라로서 다음 각 목의 어느 하나에 해당하는 것",
            "Thermal imaging cameras, as follows:",
            _subs(
                ("a.", "6A003.b.4에 해당하는 것", "Cameras specified in 6A003.b.4"),
                (
                    "b.",
                    "초점면 배열 소자를 내장한 것으로서 6A002.a.3에 해당하는 것",
                    "Cameras incorporating focal plane arrays specified in 6A002.a.3",
                ),
            ),
        ),
        (
            "광섬유 자이로스코프로서 7A002에 해당하는 것",
            "Fibre-optic gyroscopes specified in 7A002",
            (),
        ),
        (
            "위성항법 수신기(GNSS)로서 7A005에 해당하는 것",
            "Satellite navigation (GNSS) receivers specified in 7A005",
            (),
        ),
        (
            "무인항공기(8806.22 등) 및 관련 장비로서 다음 각 목의 어느 하나에 해당하는 것",
            "Unmanned aerial vehicles (e.g. 8806.22) and related equipment, as follows:",
            _subs(
                (
                    "a.",
                    "무인항공기로서 9A012.a에 해당하는 것",
                    "Unmanned aerial vehicles specified in 9A012.a",
                ),
                (
                    "b.",
                    "비행제어기 등 관련 장비로서 9A012.b에 해당하는 것",
                    "Flight controllers and related equipment specified in 9A012.b",
                ),
            ),
        ),
        (
            "수중 음향탐지기(소나)로서 6A001.a에 해당하는 것",
            "Underwater sonar systems specified in 6A001.a",
            (),
        ),
        (
            "정보보호 장비로서 다음 각 목의 어느 하나에 해당하는 것",
            "Information security equipment, as follows:",
            _subs(
                (
                    "a.",
                    "암호화 통신장비로서 5A002.a에 해당하는 것",
                    "Encrypted communication equipment specified in 5A002.a",
                ),
                (
                    "b.",
                    "암호 해독 장비로서 5A004.a에 해당하는 것",
                    "Cryptanalytic equipment specified in 5A004.a",
                ),
            ),
        ),
        (
            "고성능 컴퓨터로서 4A003.b에 해당하는 것",
            "High-performance computers specified in 4A003.b",
            (),
        ),
        ("레이저 거리측정기", "Laser rangefinders", ()),
        (
            "야간 투시경(영상증폭관 포함)으로서 6A002.a.2에 해당하는 것",
            "Night-vision devices with image intensifier tubes specified in 6A002.a.2",
            (),
        ),
        (
            "방탄복 및 방탄 헬멧으로서 1A005에 해당하는 것",
            "Body armour and ballistic helmets specified in 1A005",
            (),
        ),
        ("티타늄 합금 단조품", "Titanium alloy forgings", ()),
        ("마레이징강으로서 1C116에 해당하는 것", "Maraging steel specified in 1C116", ()),
        (
            "지르코늄 금속 및 합금 튜브로서 1C234에 해당하는 것",
            "Zirconium metal and alloy tubes specified in 1C234",
            (),
        ),
        ("중수 및 중수소 화합물", "Heavy water and deuterium compounds", ()),
        ("고순도 흑연 (원자로급)", "Nuclear-grade high-purity graphite", ()),
        (
            "화학물질 제조 설비로서 다음 각 목의 어느 하나에 해당하는 것",
            "Chemical manufacturing facilities, as follows:",
            _subs(
                ("a.", "반응기로서 2B350.a에 해당하는 것", "Reaction vessels specified in 2B350.a"),
                (
                    "b.",
                    "열교환기로서 2B350.d에 해당하는 것",
                    "Heat exchangers specified in 2B350.d",
                ),
                (
                    "c.",
                    "증류탑 또는 흡수탑으로서 2B350.e에 해당하는 것",
                    "Distillation or absorption columns specified in 2B350.e",
                ),
                ("d.", "밸브로서 2B350.g에 해당하는 것", "Valves specified in 2B350.g"),
                (
                    "e.",
                    "다중 실링 펌프로서 2B350.i에 해당하는 것",
                    "Multiple-seal pumps specified in 2B350.i",
                ),
            ),
        ),
        (
            "화학물질로서 다음 각 목의 어느 하나에 해당하는 것",
            "Chemicals, as follows:",
            _subs(
                (
                    "a.",
                    "1C350에 해당하는 화학물질로서 다음 각 호의 어느 하나에 해당하는 것",
                    "Chemicals specified in 1C350, as follows:",
                ),
                ("1.", "1C350.64에 해당하는 것", "Chemicals specified in 1C350.64"),
                ("2.", "1C350.65에 해당하는 것", "Chemicals specified in 1C350.65"),
                (
                    "b.",
                    "독성 화학물질 전구물질로서 1C450.b에 해당하는 것",
                    "Toxic chemical precursors specified in 1C450.b",
                ),
            ),
        ),
        (
            "탄소섬유 및 프리프레그로서 1C010.a에 해당하는 것",
            "Carbon fibres and prepregs specified in 1C010.a",
            (),
        ),
        (
            "항공기용 왕복 피스톤 내연기관(8407.10) 및 그 부분품",
            "Reciprocating piston engines for aircraft (8407.10) and parts thereof",
            (),
        ),
        (
            "터보제트 엔진(8411.11)으로서 9A001에 해당하는 것",
            "Turbojets (8411.11) specified in 9A001",
            (),
        ),
        (
            "진동 시험 장비로서 2B116에 해당하는 것",
            "Vibration test equipment specified in 2B116",
            (),
        ),
        (
            "유동성형기 및 스피닝 성형기로서 2B009에 해당하는 것",
            "Flow-forming and spin-forming machines specified in 2B009",
            (),
        ),
        ("고속 카메라로서 6A003.a에 해당하는 것", "High-speed cameras specified in 6A003.a", ()),
        ("레이더 장비로서 6A008에 해당하는 것", "Radar systems specified in 6A008", ()),
        (
            "마이크로파 전력 증폭기로서 3A001.b.4에 해당하는 것",
            "Microwave power amplifiers specified in 3A001.b.4",
            (),
        ),
        ("초전도 전자석", "Superconductive electromagnets", ()),
        ("고출력 레이저로서 6A005에 해당하는 것", "High-power lasers specified in 6A005", ()),
        ("자력계 및 자기 경도계로서 6A006에 해당하는 것", "Magnetometers specified in 6A006", ()),
        ("중력계로서 6A007에 해당하는 것", "Gravity meters specified in 6A007", ()),
        ("발효조로서 2B352.b에 해당하는 것", "Fermenters specified in 2B352.b", ()),
        (
            "생물안전 작업대 및 격리 장비로서 2B352.f에 해당하는 것",
            "Biological safety cabinets and isolators specified in 2B352.f",
            (),
        ),
        (
            "통신 감청 장비로서 5A001.f에 해당하는 것",
            "Telecommunications interception equipment specified in 5A001.f",
            (),
        ),
        (
            "무인 잠수정으로서 8A001.c에 해당하는 것",
            "Unmanned submersible vehicles specified in 8A001.c",
            (),
        ),
        (
            "선박용 디젤 엔진 (출력 2,000 kW 이상)",
            "Marine diesel engines of 2,000 kW or more",
            (),
        ),
        ("리튬이온 축전지 제조 장비", "Lithium-ion battery manufacturing equipment", ()),
        ("정밀 베어링으로서 2A001에 해당하는 것", "Precision bearings specified in 2A001", ()),
        ("고정밀 가속도계로서 7A001.a에 해당하는 것", "Accelerometers specified in 7A001.a", ()),
        (
            "관성항법장치로서 7A003에 해당하는 것",
            "Inertial navigation systems specified in 7A003",
            (),
        ),
        (
            "광섬유 제조 장비 (프리폼 인출 장치)",
            "Optical fibre manufacturing equipment (preform drawing towers)",
            (),
        ),
    )
) + (
    (
        "사치품",
        "승용차 (배기량 2,000cc 초과, 8703.24 등)",
        "Passenger cars over 2,000 cc (e.g. 8703.24)",
        (),
    ),
    ("사치품", "이륜자동차 (배기량 500cc 초과)", "Motorcycles (cylinder capacity over 500 cc)", ()),
    (
        "사치품",
        "요트 및 레저용 선박 (전장 12 m 초과, 8903.22 등)",
        "Yachts and pleasure boats over 12 m (e.g. 8903.22)",
        (),
    ),
)

# Headings kept out of the HS-6 part because entries above describe those goods (cars,
# motorcycles, yachts, machine tools): screening them is a text match, i.e. review.
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
        552,
        153,
    ),
    ("화학물질", ("29", "38"), 100, 40),
)
# Part 1 of the consolidated annex (이란·파키스탄·시리아): its pool, by category.
PART_ONE_POOL: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("첨단소재", ("2804", "2811", "7219", "7606", "8108")),
    ("일반산업용 물품", ("8456", "8479", "8501", "8504", "9013", "9027", "9031")),
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
    """One entry of a list workbook, with its sub-item rows."""

    serial: str
    category: str
    code: str | None
    ko: str
    en: str
    note: str | None = None
    subs: tuple[Sub, ...] = ()


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


# "n.e.c.", "n.e.c. or included", "n.e.c. in heading no. 8466", "n.e.c. in item no.
# 5702.10 or 5702.20": US Schedule B says "nesoi" (not elsewhere specified or included).
_NEC_RE = re.compile(
    r"[;,]?\s*\bn\.e\.c\b\.?(?:\s+or\s+included)?"
    r"(?:\s+in\s+(?:this\s+chapter|chapter\s+\d+|(?:sub)?(?:heading|item)s?\s+(?:no\.?\s*)?[\d.]+"
    r"(?:\s*(?:,|or|and)\s*[\d.]+)*))?"
)


def schedule_b(english: str) -> str:
    """HS 2022's English in US Schedule B wording: ``…, nesoi`` for ``n.e.c. …``.

    Example:
        >>> schedule_b("Television cameras; n.e.c. in item no 8525.8")
        'Television cameras, nesoi'
    """
    return _NEC_RE.sub(", nesoi", english).replace(", nesoi;", ", nesoi,").strip()


def spec_mentions() -> frozenset[str]:
    """HS codes the specification entries name in passing (``(8407.10)``), as digits."""
    return frozenset(
        code
        for _, ko, en, subs in SPEC_ENTRIES
        for text in (ko, en, *(t for s in subs for t in (s.ko, s.en)))
        for code in annex.mentioned_codes(text)
    )


PDF_WIDTHS = (30.0, 48.0, 150.0, 170.0, 60.0, 65.0)
"""Column widths of the printed table in points (A4 less 36 pt margins: 523 pt)."""
KO_COLUMN, EN_COLUMN = 2, 3
PDF_FONT_SIZE = 7.0
PDF_PADDING = 2.5
"""Left and right padding of a printed cell, in points."""


def printable(text: str, column: int) -> bool:
    """Whether the printed table sets ``text`` in ``column`` as it is.

    Every character is in the shipped Hangul font (one it lacks extracts as nothing),
    and every word fits the column's width, so lines break only at spaces and a cell's
    lines joined by spaces give the text back. HSK names with a word wider than the
    column (``…ㆍ…ㆍ…`` lists of 30 or more characters) or a character such as ``煆``
    are not drawn for the samples.
    """
    from reportlab.pdfbase.pdfmetrics import getFont, stringWidth

    from exportctl.reports.pdf_document import register_hangul_font

    regular, _bold = register_hangul_font()
    covered = getFont(regular).face.charToGlyph
    room = PDF_WIDTHS[column] - 2 * PDF_PADDING - 1
    return all(ord(ch) in covered for ch in text) and all(
        stringWidth(word, regular, PDF_FONT_SIZE) <= room for word in text.split()
    )


def _related(code: str, others: frozenset[str] | set[str]) -> bool:
    """Whether ``code`` equals, prefixes or falls under one of ``others``."""
    return any(code.startswith(o) or o.startswith(code) for o in others)


def choose_codes(
    nom: Nomenclature, rng: random.Random
) -> tuple[list[Entry], list[Entry], list[Entry]]:
    """Pick the February list, the June additions and part 1 (이란·파키스탄·시리아)."""
    mentioned = spec_mentions()
    usable = {
        c
        for c in nom.english
        if c in nom.korean
        and not _is_generic(nom.korean[c])
        and c[:4] not in NAMED_HEADINGS
        and not _related(c, mentioned)
    }
    # Part 1 first, so that its entries get subheadings with Korean names of their own.
    part_one = choose_part_one(nom, usable, random.Random("part 1: 이란·파키스탄·시리아"))
    taken: set[str] = {e.code for e in part_one if e.code}
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
        picked = _printed_picks(picked, [*exact, *(c for c in rest if c not in nom.exact)], nom)
        rng.shuffle(picked)
        feb = forced_feb + picked[: n_feb - len(forced_feb)]
        june = forced_june + picked[n_feb - len(forced_feb) :]
        feb_codes[category], june_codes[category] = sorted(feb), sorted(june)
        taken.update(feb, june)

    def coded(serial: int, category: str, code: str, note: str | None) -> Entry:
        en = schedule_b(nom.english[code])
        return Entry(f"{serial}", category, code, nom.korean[code], en, note)

    feb_entries: list[Entry] = []
    for category, ko, en, subs in SPEC_ENTRIES:
        note = "기준치 초과 품목" if category == "사치품" else "품목명·기술사양 기준"
        feb_entries.append(Entry(f"{len(feb_entries) + 1}", category, None, ko, en, note, subs))
    for category, *_ in CATEGORIES:
        for code in feb_codes[category]:
            note = "일부 품목만 해당" if QUIRKS.get(code) == "ex" else None
            feb_entries.append(coded(len(feb_entries) + 1, category, code, note))
    june_entries: list[Entry] = []
    for category, *_ in CATEGORIES:
        for code in june_codes[category]:
            serial = FEB_TOTAL + len(june_entries) + 1
            june_entries.append(coded(serial, category, code, "2024. 6. 추가"))
    _check(feb_entries, june_entries, part_one, nom)
    return feb_entries, june_entries, part_one


def _coded_printable(nom: Nomenclature, code: str) -> bool:
    """Whether the printed annex sets the entry for ``code`` as the workbook holds it."""
    return printable(nom.korean[code], KO_COLUMN) and printable(
        schedule_b(nom.english[code]), EN_COLUMN
    )


def _printed_picks(picked: list[str], pool: Sequence[str], nom: Nomenclature) -> list[str]:
    """``picked`` with each code the PDF cannot print as it is replaced from ``pool``.

    The replacement is the first printable code of ``pool`` (subheadings with an HSK
    line of their own first) not already picked, so the draw stays what it was for
    every other code.
    """
    chosen = set(picked)
    spare = (c for c in pool if c not in chosen and _coded_printable(nom, c))
    return [c if _coded_printable(nom, c) else next(spare) for c in picked]


def choose_part_one(nom: Nomenclature, usable: set[str], rng: random.Random) -> list[Entry]:
    """Part 1 of the consolidated annex: 22 coded entries, branches 3의2 and 3의3 new in June."""
    per = len(PART_ONE_SERIALS) // len(PART_ONE_POOL)
    picked: list[tuple[str, str]] = []
    for n, (category, prefixes) in enumerate(PART_ONE_POOL):
        want = len(PART_ONE_SERIALS) - per * n if n == len(PART_ONE_POOL) - 1 else per
        # Subheadings with an HSK line of their own first, for their Korean names.
        pool = sorted(c for c in usable if c.startswith(prefixes) and c in nom.exact)
        codes = rng.sample(pool, min(want, len(pool)))
        others = sorted(c for c in usable if c.startswith(prefixes) and c not in nom.exact)
        codes += rng.sample(others, want - len(codes))
        picked += [(category, c) for c in sorted(codes)]
    entries: list[Entry] = []
    for serial, (category, code) in zip(PART_ONE_SERIALS, picked, strict=True):
        text = annex.Serial.of(*serial).text if isinstance(serial, tuple) else f"{serial}"
        note = "2024. 6. 신설" if isinstance(serial, tuple) else None
        en = schedule_b(nom.english[code])
        entries.append(Entry(text, category, code, nom.korean[code], en, note))
    return entries


def _check(
    feb: Sequence[Entry], june: Sequence[Entry], part_one: Sequence[Entry], nom: Nomenclature
) -> None:
    """The invariants the samples promise; a failure means the script is wrong."""
    if len(feb) != FEB_TOTAL or len(june) != JUNE_ADDED_TOTAL:
        raise SystemExit(f"wrong counts: {len(feb)} + {len(june)}")
    if [e.serial for e in (*feb, *june)] != [f"{n}" for n in range(1, JUNE_TOTAL + 1)]:
        raise SystemExit("serial numbers are not 1..1402")
    if [e.code is None for e in feb[: SPEC_TOTAL + 1]] != [True] * SPEC_TOTAL + [False]:
        raise SystemExit(f"the first {SPEC_TOTAL} entries, and only they, lack a code")
    for part in ((*feb, *june), part_one):
        codes = [e.code for e in part if e.code]
        if len(codes) != len(set(codes)):
            raise SystemExit("duplicate codes")
        for code in codes:
            if code not in nom.english:
                raise SystemExit(f"{code} is not an HS 2022 subheading")
            if any(other != code and other.startswith(code) for other in codes):
                raise SystemExit(f"{code} prefixes another entry")
    if {e.code for e in feb} & {e.code for e in june}:
        raise SystemExit("an addition is already in the February list")
    russia = {e.code for e in (*feb, *june) if e.code}
    if any(e.code and _related(e.code, russia) for e in part_one):
        raise SystemExit("a part 1 code is also (under) a Russia/Belarus code")
    for code in spec_mentions():
        if code not in nom.english or _related(code, russia):
            raise SystemExit(f"mentioned code {code} is unknown or also a list entry")
    for entry in feb:
        for sub in entry.subs:
            if annex.split_label(f"{sub.label} {sub.ko}") != (sub.label, sub.ko):
                raise SystemExit(f"{sub.label} {sub.ko}: not read as a sub-item")
            if not annex.control_numbers(sub.ko) or not annex.control_numbers(sub.en):
                raise SystemExit(f"{sub.label} {sub.ko}: names no control number")


def dotted(code: str) -> str:
    return f"{code[:4]}.{code[4:]}"


FOOTNOTES = (
    "※ HS코드는 관세율표(HS 2022) 6단위 기준이며, 해당 6단위에 속하는 모든 품목이 대상임.",
    "주: 'ex'로 표시된 품목은 해당 소호의 일부 품목만 대상임(비고 참조).",
    "주: HS코드가 없는 품목은 품목명과 기술사양으로 대상 여부를 판단하며, a.·b. 및 1.·2.로 "
    "표시된 세부 항목은 바로 위 품목의 일부로서 품목 수에 포함하지 않음.",
    "주: 세부 항목의 3A001.a.3 등은 별표 2(이중용도품목)의 해당번호임.",
    "주: '3의2'와 같은 가지번호 품목은 개정으로 해당 번호 다음에 신설된 품목임.",
    SAMPLE_NOTE,
)
"""Footnotes under the annex table."""

THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
SECTION_FILL = PatternFill("solid", fgColor="F2F2F2")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)
WIDTH = 6
"""Columns of a list table: 연번, HS코드, 국문, 영문, 구분, 비고."""
HEADER_ROW = 5
"""Upper row of the two-row header; the notice and title rows are above it."""


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


def _banner(ws: Worksheet, row: int, text: str, align: Alignment, font: Font | None = None) -> None:
    """One text merged across the table's width."""
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=WIDTH)
    cell = ws.cell(row, 1, text)
    cell.alignment = align
    if font is not None:
        cell.font = font


def write_list(
    path: Path,
    parts: Sequence[tuple[str | None, Sequence[Entry]]],
    *,
    title: str,
    notice: tuple[str, str],
) -> None:
    """One annex workbook: notice and title rows, merged two-row header, parts, footnotes.

    Each part is ``(section title row or None, entries)``; an entry's sub-items follow
    it on rows of their own with empty serial and code cells.
    """
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "별표2의2"
    _banner(ws, 1, notice[0], Alignment(horizontal="left"))
    _banner(ws, 2, title, Alignment(horizontal="center"), Font(size=14, bold=True))
    _banner(ws, 3, notice[1], Alignment(horizontal="right"))
    # Two-row header: 연번, HS코드, 구분, 비고 span both rows; 품목명 spans 국문 | 영문.
    top, low = HEADER_ROW, HEADER_ROW + 1
    for col, text in ((1, "연번"), (2, "HS코드\n(6단위)"), (5, "구분"), (6, "비고")):
        ws.merge_cells(start_row=top, start_column=col, end_row=low, end_column=col)
        ws.cell(top, col, text)
    ws.merge_cells(start_row=top, start_column=3, end_row=top, end_column=4)
    ws.cell(top, 3, "품목명")
    ws.cell(low, 3, "국문")
    ws.cell(low, 4, "영문")
    for row in (top, low):
        for col in range(1, WIDTH + 1):
            ws.cell(row, col).font = Font(bold=True)
            ws.cell(row, col).fill = HEADER_FILL
            ws.cell(row, col).alignment = CENTER
            ws.cell(row, col).border = BOX
    row = low + 1
    for section, entries in parts:
        if section is not None:
            _banner(ws, row, section, Alignment(horizontal="left"), Font(bold=True))
            for col in range(1, WIDTH + 1):
                ws.cell(row, col).fill = SECTION_FILL
                ws.cell(row, col).border = BOX
            row += 1
        for entry in entries:
            top_align = Alignment(horizontal="center", vertical="top")
            ws.cell(row, 1, entry.serial).alignment = top_align
            if entry.code is not None:
                _code_cell(ws, row, entry.code)
            ws.cell(row, 3, entry.ko).alignment = WRAP
            ws.cell(row, 4, entry.en).alignment = WRAP
            ws.cell(row, 5, entry.category).alignment = WRAP
            ws.cell(row, 6, entry.note).alignment = WRAP
            for col in range(1, WIDTH + 1):
                ws.cell(row, col).border = BOX
            row += 1
            for sub in entry.subs:
                indent = 1 if annex.label_level(sub.label) == 1 else 2
                align = Alignment(vertical="top", wrap_text=True, indent=indent)
                ws.cell(row, 3, f"{sub.label} {sub.ko}").alignment = align
                ws.cell(row, 4, f"{sub.label} {sub.en}").alignment = align
                for col in range(1, WIDTH + 1):
                    ws.cell(row, col).border = BOX
                row += 1
    row += 1
    for note in FOOTNOTES:
        ws.cell(row, 1, note)
        row += 1
    for col, width in zip("ABCDEF", (7, 12, 44, 60, 16, 18), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = ws.cell(low + 1, 1).coordinate
    _save(wb, path)


# --------------------------------------------------------------------------- real layout

REAL_PART_TOTALS = {1: 20, 2: 40}
"""Entries per part, as the sample's notice rows declare them."""
REAL_SPEC_TOTAL = 8
"""Part 2 of the real-layout sample opens with this many entries defined by specification."""
REAL_TITLE = (
    "상황허가 대상 품목 (전략물자 수출입고시 별표 2의2) — 견본(SAMPLE), 공식 목록 아님 · "
    "공식 별표의 표 양식"
)
REAL_NOTICE = (
    "[별표 2의2] <개정 2024. 2. 24., 2024. 6. 28.>",
    "산업통상자원부고시 제2024-997호(2024. 6. 28.) — 견본(SAMPLE): 가상의 고시번호",
)
REAL_COUNTS = (
    f"※ 품목 수: 1. 이란·파키스탄·시리아 관련 {REAL_PART_TOTALS[1]}개 품목, "
    f"2. 러시아·벨라루스 {REAL_PART_TOTALS[2]}개 품목 (세부 항목은 품목 수에 포함하지 않음)"
)
"""The counts the sample's notice declares, one row above the table."""
REAL_FOOTNOTES = (
    "※ 관련 통제번호는 별표 2(이중용도품목)의 해당번호이며, '3C001∼5'는 3C001부터 3C005까지, "
    "'3A0013B001'은 3A001 및 3B001을 말함.",
    "주: b.·b.1.·b.1.a. 및 (1)·(가)로 표시된 세부 항목은 바로 위 품목의 일부로서 품목 수에 "
    "포함하지 않음.",
    SAMPLE_NOTE,
)

# Control-number cells as the notice's 관련 통제번호 column holds them: one number,
# numbers glued together, ranges with the wave dash (U+223C) or a tilde, a glued range,
# lists separated by commas or 및, a dash for none, and empty cells.
REAL_PART_ONE_CONTROLS: tuple[str | None, ...] = (
    "3A001.a.3",
    "3A0013B001",
    "3C001∼5",
    "3B0013C001~5",
    "2B001, 2B006",
    "1C010 및 1C210",
    None,
    "6A003.b.4",
    "2B350.g",
    None,
    "1C350.64, 1C450.b",
    "5A002.a 및 5D002",
    None,
    "9A012",
    "7A0037A005",
    "3A002.c",
    None,
    "-",
    "2B2262B227",
    "4A003.b",
)
REAL_PART_TWO_CONTROLS: tuple[str | None, ...] = (
    "3A001.a.7",
    None,
    None,
    "3A0013A002",
    None,
    "3E001∼3",
    None,
    None,
    "2B006~9",
    None,
    None,
    "1C0101C210",
    None,
    "6A005, 6A006 및 6A007",
    None,
    None,
)
"""Cells of part 2's coded entries, in turn (the pattern repeats)."""


@dataclass(frozen=True)
class RealSub:
    """A sub-item row of the real-layout sample: label, texts, its control-number cell."""

    label: str
    ko: str
    en: str
    controls: str | None = None


@dataclass(frozen=True)
class RealEntry:
    """An entry row of the real-layout sample, with its sub-item rows."""

    serial: str
    code: str | None
    ko: str
    en: str
    controls: str | None = None
    subs: tuple[RealSub, ...] = ()


def _rsubs(*rows: tuple[str, ...]) -> tuple[RealSub, ...]:
    return tuple(RealSub(*row) for row in rows)


# Part 2 opens with entries defined by specification whose sub-items nest as the annex's
# do: b. > b.1. > b.1.a. in the Latin scheme, (1) > (가) in the bracketed one. Written
# for this sample in the annex's style; not the official entries.
REAL_SPEC: tuple[tuple[str, str, str | None, tuple[RealSub, ...]], ...] = (
    (
        "반도체 제조 장비 및 관련 재료로서 다음 각 목의 어느 하나에 해당하는 것",
        "Semiconductor manufacturing equipment and materials, as follows:",
        "3B0013C001~5",
        _rsubs(
            ("a.", "노광 장비로서 3B001.f에 해당하는 것", "Lithography equipment in 3B001.f"),
            ("b.", "식각 및 증착 장비로서 다음의 어느 하나에 해당하는 것", "Etch and deposition:"),
            ("b.1.", "식각 장비로서 다음의 어느 하나에 해당하는 것", "Etching equipment:"),
            (
                "b.1.a.",
                "이방성 건식 식각 장비로서 3B001.c.1.a에 해당하는 것",
                "Anisotropic dry etching equipment in 3B001.c.1.a",
            ),
            (
                "b.1.b.",
                "등방성 건식 식각 장비로서 3B001.c.1.c에 해당하는 것",
                "Isotropic dry etching equipment in 3B001.c.1.c",
            ),
            (
                "b.2.",
                "원자층 증착 장비로서 3B001.d.14에 해당하는 것",
                "Atomic layer deposition equipment in 3B001.d.14",
            ),
            ("c.", "반도체 기판 재료", "Semiconductor substrate materials", "3C005"),
        ),
    ),
    (
        "레이더 장치로서 다음 각 호의 어느 하나에 해당하는 것",
        "Radar systems, as follows:",
        "6A008",
        _rsubs(
            ("(1)", "항공기 탑재용 레이더로서 다음의 어느 하나에 해당하는 것", "Airborne radar:"),
            ("(가)", "6A008.d에 해당하는 것", "Specified in 6A008.d"),
            ("(나)", "6A008.e에 해당하는 것", "Specified in 6A008.e"),
            ("(2)", "선박용 레이더로서 6A008.j.1에 해당하는 것", "Marine radar in 6A008.j.1"),
        ),
    ),
    (
        "집적회로로서 다음 각 목의 어느 하나에 해당하는 것",
        "Integrated circuits, as follows:",
        "3A001.a.3, 3A001.a.5 및 3A001.a.7",
        _rsubs(
            ("a.", "마이크로프로세서로서 3A001.a.3에 해당하는 것", "Microprocessors in 3A001.a.3"),
            ("b.", "아날로그-디지털 변환기로서 다음의 어느 하나에 해당하는 것", "ADCs:"),
            ("b.1.", "3A001.a.5.a.1에 해당하는 것", "Specified in 3A001.a.5.a.1"),
            ("b.2.", "3A001.a.5.a.2에 해당하는 것", "Specified in 3A001.a.5.a.2"),
            (
                "c.",
                "전계 프로그래머블 논리소자로서 3A001.a.7에 해당하는 것",
                "Field programmable logic devices in 3A001.a.7",
            ),
        ),
    ),
    (
        "적외선 열화상 카메라로서 다음 각 목의 어느 하나에 해당하는 것",
        "Thermal imaging cameras, as follows:",
        "6A003.b.4",
        _rsubs(
            (
                "a.",
                "냉각형 초점면 배열 소자를 내장한 것",
                "Incorporating cooled focal plane arrays",
            ),
            (
                "b.",
                "비냉각형 초점면 배열 소자를 내장한 것",
                "Incorporating uncooled focal plane arrays",
            ),
        ),
    ),
    (
        "수치제어 공작기계로서 다음 각 목의 어느 하나에 해당하는 것",
        "Numerically controlled machine tools, as follows:",
        "2B001",
        _rsubs(
            ("a.", "선반으로서 2B001.a에 해당하는 것", "Turning machines in 2B001.a"),
            ("b.", "밀링 기계로서 다음의 어느 하나에 해당하는 것", "Milling machines:"),
            (
                "b.1.",
                "5축 이상 동시 윤곽 제어가 되는 것",
                "Five or more contouring axes",
                "2B001.b.1",
            ),
            ("b.2.", "다축 밀링 기계로서 2B001.b.2에 해당하는 것", "Multi-axis in 2B001.b.2"),
            ("c.", "연삭기로서 2B001.c에 해당하는 것", "Grinding machines in 2B001.c"),
        ),
    ),
    (
        "화학물질 제조 설비로서 다음 각 호의 어느 하나에 해당하는 것",
        "Chemical manufacturing facilities, as follows:",
        "2B350",
        _rsubs(
            ("(1)", "반응기로서 2B350.a에 해당하는 것", "Reaction vessels in 2B350.a"),
            ("(2)", "열교환기로서 2B350.d에 해당하는 것", "Heat exchangers in 2B350.d"),
            ("(3)", "밸브로서 다음의 어느 하나에 해당하는 것", "Valves:"),
            ("(가)", "벨로우즈 밀봉 밸브", "Bellows-sealed valves", "2B350.g.1"),
            ("(나)", "다이어프램 밸브", "Diaphragm valves", "2B350.g.2"),
        ),
    ),
    (
        "무인항공기 및 관련 장비로서 다음 각 목의 어느 하나에 해당하는 것",
        "Unmanned aerial vehicles and related equipment, as follows:",
        "9A012 및 9A120",
        _rsubs(
            ("a.", "무인항공기로서 9A012.a에 해당하는 것", "Unmanned aerial vehicles in 9A012.a"),
            ("b.", "비행제어기로서 9A012.b에 해당하는 것", "Flight controllers in 9A012.b"),
        ),
    ),
    (
        "항법 장비로서 다음 각 목의 어느 하나에 해당하는 것",
        "Navigation equipment, as follows:",
        "7A0037A005",
        _rsubs(
            ("a.", "관성항법장치로서 다음의 어느 하나에 해당하는 것", "Inertial navigation:"),
            ("a.1.", "항공기용으로서 7A003.a에 해당하는 것", "For aircraft, in 7A003.a"),
            ("a.2.", "선박용으로서 다음의 어느 하나에 해당하는 것", "For ships:"),
            ("a.2.a.", "7A003.b.1에 해당하는 것", "Specified in 7A003.b.1"),
            ("a.2.b.", "7A003.b.2에 해당하는 것", "Specified in 7A003.b.2"),
            ("b.", "위성항법 수신기로서 7A005.a에 해당하는 것", "GNSS receivers in 7A005.a"),
        ),
    ),
)


def choose_real_layout(part_one: Sequence[Entry], feb: Sequence[Entry]) -> list[list[RealEntry]]:
    """The real-layout sample's two parts, drawn from the entries already chosen.

    Part 1 is the consolidated annex's part 1 up to its 20th entry (branches 3의2 and
    3의3 included); part 2 is :data:`REAL_SPEC` then 32 coded entries of the February
    list drawn with a generator of its own, so the other samples' draws are untouched.
    """
    first = [
        RealEntry(e.serial, e.code, e.ko, e.en, controls)
        for e, controls in zip(part_one, REAL_PART_ONE_CONTROLS, strict=False)
    ]
    rng = random.Random("real layout: part 2")
    coded_pool = [e for e in feb if e.code is not None]
    picked = sorted(rng.sample(range(len(coded_pool)), REAL_PART_TOTALS[2] - REAL_SPEC_TOTAL))
    second = [
        RealEntry(f"{n}", None, ko, en, controls, subs)
        for n, (ko, en, controls, subs) in enumerate(REAL_SPEC, start=1)
    ]
    for n, index in enumerate(picked):
        e = coded_pool[index]
        controls = REAL_PART_TWO_CONTROLS[n % len(REAL_PART_TWO_CONTROLS)]
        second.append(RealEntry(f"{len(second) + 1}", e.code, e.ko, e.en, controls))
    return [first, second]


REAL_WIDTH = 5
"""Columns of the real layout: 연번, 품목 국문, 품목 영문, HS 코드, 관련 통제번호."""


def write_real_layout(path: Path, parts: Sequence[Sequence[RealEntry]], *, two_row: bool) -> None:
    """The annex as the notice's own table lays it out, or the same under a one-row header.

    Notice rows and the declared counts on top; each part is a table of its own: its
    title (``1. 이란·파키스탄·시리아 관련 상황허가 대상 품목``) just above its header,
    which is two rows (``품목`` merged over ``국문 | 영문``; ``연번``, ``HS 코드`` and
    ``관련 통제번호`` merged down over both) or, with ``two_row`` false, one row.
    Sub-item rows hold the label with the text, and their own control-number cell.
    """
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "별표2의2"

    def banner(row: int, text: str, align: Alignment, font: Font | None = None) -> None:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=REAL_WIDTH)
        cell = ws.cell(row, 1, text)
        cell.alignment = align
        if font is not None:
            cell.font = font

    def header(row: int) -> int:
        if two_row:
            for col, text in ((1, "연번"), (4, "HS 코드"), (5, "관련 통제번호")):
                ws.merge_cells(start_row=row, start_column=col, end_row=row + 1, end_column=col)
                ws.cell(row, col, text)
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
            ws.cell(row, 2, "품목")
            ws.cell(row + 1, 2, "국문")
            ws.cell(row + 1, 3, "영문")
            rows: tuple[int, ...] = (row, row + 1)
        else:
            for col, text in enumerate(
                ("연번", "품목명", "영문품목명", "HS 코드", "관련 통제번호"), 1
            ):
                ws.cell(row, col, text)
            rows = (row,)
        for at in rows:
            for col in range(1, REAL_WIDTH + 1):
                cell = ws.cell(at, col)
                cell.font, cell.fill, cell.alignment, cell.border = (
                    Font(bold=True),
                    HEADER_FILL,
                    CENTER,
                    BOX,
                )
        return rows[-1] + 1

    banner(1, REAL_NOTICE[0], Alignment(horizontal="left"))
    banner(2, REAL_TITLE, Alignment(horizontal="center"), Font(size=14, bold=True))
    banner(3, REAL_NOTICE[1], Alignment(horizontal="right"))
    banner(4, REAL_COUNTS, Alignment(horizontal="left"))
    row = 6
    body = 0
    for title, entries in zip((PART_ONE, PART_TWO), parts, strict=True):
        if body:
            row += 1
        banner(row, title, Alignment(horizontal="left"), Font(bold=True))
        row = header(row + 1)
        body = body or row
        for entry in entries:
            lines: list[tuple[str | None, str, str, str | None, str | None, int]] = [
                (entry.serial, entry.ko, entry.en, entry.code, entry.controls, 0)
            ]
            lines += [
                (None, f"{s.label} {s.ko}", f"{s.label} {s.en}", None, s.controls, depth)
                for s, depth in zip(entry.subs, _real_depths(entry.subs), strict=True)
            ]
            for serial, ko, en, code, controls, indent in lines:
                ws.cell(row, 1, serial).alignment = Alignment(horizontal="center", vertical="top")
                for col, value in ((2, ko), (3, en)):
                    align = Alignment(vertical="top", wrap_text=True, indent=indent)
                    ws.cell(row, col, value).alignment = align
                ws.cell(row, 4, dotted(code) if code else None).alignment = Alignment(
                    horizontal="center", vertical="top"
                )
                ws.cell(row, 5, controls).alignment = WRAP
                for col in range(1, REAL_WIDTH + 1):
                    ws.cell(row, col).border = BOX
                row += 1
    row += 1
    for note in REAL_FOOTNOTES:
        ws.cell(row, 1, note)
        row += 1
    for letter, width in zip("ABCDE", (7, 48, 52, 12, 22), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(body, 1).coordinate
    _save(wb, path)


def _real_paths(subs: Sequence[RealSub]) -> list[str]:
    """Each sub-item's path as the annex nests it: ``b.1.a``, ``(3).(가)``."""
    paths: list[str] = []
    bracket = ""
    for sub in subs:
        if not sub.label.startswith("("):
            paths.append(sub.label.rstrip("."))
        elif sub.label[1].isdigit():
            bracket = sub.label
            paths.append(bracket)
        else:
            paths.append(f"{bracket}.{sub.label}")
    return paths


def _real_depths(subs: Sequence[RealSub]) -> list[int]:
    """How deep each sub-item sits (1 directly under its entry), for the cells' indent."""
    return [path.count(".") + 1 for path in _real_paths(subs)]


def _verify_real_layout(out_dir: Path, parts: Sequence[Sequence[RealEntry]]) -> str:
    """Read both real-layout workbooks as ``exportctl validate`` does; a one-line account.

    Each must give the declared count per part, the part titles, every entry's serial,
    code, sub-item paths and control numbers (its cell, its sub-items' cells and the
    numbers its texts name), and the two must hold the same entries field for field.
    """
    from exportctl.api import ImportOptions, validate_workbook
    from exportctl.diff import compare
    from exportctl.validate import Declared

    declared = {n: Declared(total=total) for n, total in REAL_PART_TOTALS.items()}
    titles = [annex.section_title([t]).title for t in (PART_ONE, PART_TWO)]  # type: ignore[union-attr]
    expected = [
        (
            number,
            e.serial,
            e.code,
            _real_paths(e.subs),
            set(annex.read_control_numbers(e.controls, cell=True).numbers)
            | {
                c
                for text in (e.ko, e.en, *(t for s in e.subs for t in (s.ko, s.en, s.controls)))
                for c in annex.control_numbers(text)
            },
        )
        for number, entries in enumerate(parts, start=1)
        for e in entries
    ]

    def read(name: str) -> list[ItemRecord]:
        options = ImportOptions(slug="samples", label=name, declared_parts=declared)
        result = validate_workbook(out_dir / name, options)
        if result.report.errors or result.notice != annex.parse_notice(REAL_NOTICE):
            raise SystemExit(f"{name}: {result.report.errors[:3]} (notice {result.notice})")
        if [(p.number, p.title, p.read) for p in result.parts] != [
            (n, titles[n - 1], total) for n, total in REAL_PART_TOTALS.items()
        ]:
            raise SystemExit(f"{name}: parts read {result.parts}")
        items = result.report.items
        got = [
            (
                i.section,
                i.serial,
                i.code,
                [s.path for s in i.every_sub_item()],
                set(i.control_numbers),
            )
            for i in items
        ]
        if got != expected:
            first = next((g, x) for g, x in zip(got, expected, strict=False) if g != x)
            raise SystemExit(f"{name}: read {first[0]}, wrote {first[1]}")
        return items

    items = read(REAL)
    changes = compare(items, read(REAL_ONE_ROW))
    if changes.changes:
        first = changes.changes[0]
        raise SystemExit(f"{REAL_ONE_ROW} differs from {REAL}: {first.kind} {first.fields}")
    subs = [s for i in items for s in i.every_sub_item()]
    numbers = {c for i in items for c in i.control_numbers}
    return (
        f"{REAL}: {len(items)} entries ({' + '.join(map(str, REAL_PART_TOTALS.values()))}), "
        f"{len(subs)} sub-items up to depth {max(s.depth for s in subs)}, "
        f"{len(numbers)} control numbers; {REAL_ONE_ROW} reads the same"
    )


def printed_code(code: str) -> str:
    """A code cell as the printed annex shows it: the workbook's cell as displayed.

    The numeric cells print through their number format (``8471.30``, ``010121``),
    the text cells as typed, stray spaces aside.
    """
    how = QUIRKS.get(code)
    if how == "number-leading":
        return code
    if how == "space":
        return f"{code[:4]} {code[4:]}"
    if how == "ex":
        return f"ex {dotted(code)}"
    if how == "plain":
        return code
    return dotted(code)


HEADER_TOP = ("연번", "HS코드\n(6단위)", "품목명", "", "구분", "비고")
HEADER_LOW = ("", "", "국문", "영문", "", "")
Line = tuple[str, tuple[str, ...]]
"""A row of the printed table: its kind (``section``, ``entry``, ``sub``) and its cells."""


def table_lines(parts: Sequence[tuple[str | None, Sequence[Entry]]]) -> list[Line]:
    """The annex table's body rows below its header, as printed: the same rows as the workbook."""
    lines: list[Line] = []
    for section, entries in parts:
        if section is not None:
            lines.append(("section", (section, "", "", "", "", "")))
        for entry in entries:
            code = printed_code(entry.code) if entry.code else ""
            cells = (entry.serial, code, entry.ko, entry.en, entry.category, entry.note or "")
            lines.append(("entry", cells))
            for sub in entry.subs:
                lines.append(
                    ("sub", ("", "", f"{sub.label} {sub.ko}", f"{sub.label} {sub.en}", "", ""))
                )
    return lines


def write_pdf(
    path: Path,
    parts: Sequence[tuple[str | None, Sequence[Entry]]],
    *,
    title: str,
    notice: tuple[str, str],
) -> int:
    """The annex as the notice's PDF prints it: notice lines, one ruled table, footnotes.

    A4 portrait, the shipped Hangul font, the two-row header repeated on every page,
    section rows merged across the table, and rows allowed to break at a page end
    (``splitInRow``), as a word processor prints long cells. Written with reportlab's
    ``invariant`` mode (fixed dates and document id), so rebuilds are byte-identical.

    Returns:
        The number of pages.
    """
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from exportctl.reports.pdf_document import escape, register_hangul_font

    regular, bold = register_hangul_font()
    # Plain word wrap: lines break at spaces only, so a cell's lines joined by spaces
    # give its text back exactly.
    cell = ParagraphStyle("cell", fontName=regular, fontSize=PDF_FONT_SIZE, leading=8.6)
    head = ParagraphStyle("head", parent=cell, fontName=bold, alignment=TA_CENTER)
    body = ParagraphStyle("body", fontName=regular, fontSize=9, leading=12)
    heading = ParagraphStyle("title", fontName=bold, fontSize=12, leading=16, alignment=TA_CENTER)
    right = ParagraphStyle("right", parent=body, alignment=TA_RIGHT)

    def text(value: str, style: ParagraphStyle = cell) -> Paragraph | str:
        return Paragraph(escape(value), style) if value else ""

    rows: list[list[Paragraph | str]] = [
        [text(v.replace("\n", " "), head) for v in HEADER_TOP],
        [text(v, head) for v in HEADER_LOW],
    ]
    style: list[tuple[object, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 1), colors.HexColor("#D9E1F2")),
        ("LEFTPADDING", (0, 0), (-1, -1), PDF_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), PDF_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("SPAN", (0, 0), (0, 1)),
        ("SPAN", (1, 0), (1, 1)),
        ("SPAN", (2, 0), (3, 0)),
        ("SPAN", (4, 0), (4, 1)),
        ("SPAN", (5, 0), (5, 1)),
        # reportlab leaves the rule under a repeated header out above a cut row.
        ("LINEBELOW", (0, 1), (-1, 1), 0.5, colors.black),
    ]
    section_style = ParagraphStyle("section", parent=cell, fontName=bold, fontSize=8)
    for kind, cells in table_lines(parts):
        at = len(rows)
        if kind == "section":
            rows.append([text(cells[0], section_style), "", "", "", "", ""])
            style += [("SPAN", (0, at), (-1, at)), ("BACKGROUND", (0, at), (-1, at), "#F2F2F2")]
        else:
            rows.append([text(value) for value in cells])
    table = Table(
        rows, colWidths=list(PDF_WIDTHS), repeatRows=2, splitByRow=0, splitInRow=1, hAlign="LEFT"
    )
    table.setStyle(TableStyle(style))
    story: list[object] = [
        Paragraph(escape(notice[0]), body),
        Paragraph(escape(title), heading),
        Paragraph(escape(notice[1]), right),
        Spacer(1, 6),
        table,
        Spacer(1, 8),
        *(Paragraph(escape(note), body) for note in FOOTNOTES),
    ]
    document = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=36,
        rightMargin=36,
        topMargin=36,
        bottomMargin=36,
        invariant=1,
        title="별표 2의2 상황허가 대상 품목 (SAMPLE)",
        author="exportctl samples",
        creator="exportctl spreadsheets/build_samples.py",
        producer="ReportLab",
        subject="SAMPLE, not the official list",
    )
    document.build(story)
    return int(document.page)


def write_hwpx_annex(
    path: Path,
    parts: Sequence[tuple[str | None, Sequence[Entry]]],
    *,
    title: str,
    notice: tuple[str, str],
) -> None:
    """The annex as the notice's Hangul attachment holds it: notice paragraphs, one table.

    Written with ``tests/hwpx_builder.py`` (deterministic: fixed member order and
    timestamps): the two-row header with its merged cells, section rows merged across
    the table, sub-items on rows of their own, the footnotes as paragraphs below.
    """
    from hwpx_builder import Cell, Table, write_hwpx

    rows: list[list[Cell | str | None]] = [
        [Cell("연번", rows=2), Cell("HS코드\n(6단위)", rows=2), Cell("품목명", columns=2)]
        + [Cell("구분", rows=2), Cell("비고", rows=2)],
        ["국문", "영문"],
    ]
    for kind, cells in table_lines(parts):
        if kind == "section":
            rows.append([Cell(cells[0], columns=WIDTH)])
        else:
            rows.append([value or None for value in cells])
    write_hwpx(path, [notice[0], title, notice[1], Table(rows), *FOOTNOTES])


@dataclass(frozen=True)
class AnnexShape:
    """What a written annex workbook holds, as :mod:`exportctl.annex` reads it."""

    notice: annex.Notice
    parts: dict[int | None, tuple[str | None, list[str]]]
    """Part number -> (title, serials in order); ``None`` for a file without part rows."""
    sub_items: int
    control_numbers: frozenset[str]
    mentioned: frozenset[str]
    """Codes named in passing by the entries without a code (and their sub-items)."""


def read_shape(path: Path) -> AnnexShape:
    """Read a written list workbook back with the annex rules, refusing any odd row."""
    workbook = load_workbook(path, read_only=True)
    try:
        rows = [
            [None if v is None else str(v) for v in row]
            for row in workbook.active.iter_rows(values_only=True)  # type: ignore[union-attr]
        ]
    finally:
        workbook.close()
    header = next(i for i, row in enumerate(rows) if row[0] == "연번")
    notice = annex.parse_notice(row[0] for row in rows[:header])
    parts: dict[int | None, tuple[str | None, list[str]]] = {}
    current: int | None = None
    sub_items = 0
    controls: set[str] = set()
    mentioned: set[str] = set()
    for number, row in enumerate(rows[header + 2 :], start=header + 3):
        if not any(row):
            continue
        if row[0] is not None and row[0].startswith(("※", "주:")):
            break
        section = annex.section_title(row)
        if section is not None:
            current = section.number
            parts[current] = (section.title, [])
            continue
        serial = annex.parse_serial(row[0])
        if isinstance(serial, annex.Serial):
            parts.setdefault(current, (None, []))[1].append(serial.text)
        elif serial is None and row[1] is None and annex.split_label(row[2]) is not None:
            sub_items += 1
            found = annex.control_numbers(row[2])
            if not found or found != annex.control_numbers(row[3]):
                raise SystemExit(f"{path.name} row {number}: sub-item without control number")
            controls.update(found)
        else:
            raise SystemExit(f"{path.name} row {number}: neither entry, sub-item nor part")
        if row[1] is None:
            mentioned.update(annex.mentioned_codes(row[2]))
    return AnnexShape(notice, parts, sub_items, frozenset(controls), frozenset(mentioned))


@dataclass(frozen=True)
class Product:
    sku: str
    ko: str
    en: str
    code: str | int | None
    number_format: str | None = None
    expect: str = "clear"
    """What screening should say (documentation only): controlled, new, review, invalid."""
    control: str | None = None
    """The exporter's own classification (전략물자 해당번호), when it has made one."""


# The catalogue keeps lines that share no word with a specification entry, by the word
# rule the samples were first built with (character runs, Korean particles stripped).
# It is frozen here, apart from screening's matcher, so the samples stay byte for byte
# what they were whatever screening learns.
_SAMPLE_STOP = frozenset(
    [
        "a",
        "accessories",
        "accessory",
        "an",
        "and",
        "apparatus",
        "appliance",
        "article",
        "articles",
        "as",
        "being",
        "by",
        "device",
        "elsewhere",
        "equipment",
        "etc",
        "exceeding",
        "excluding",
        "for",
        "from",
        "good",
        "goods",
        "in",
        "including",
        "item",
        "items",
        "its",
        "kind",
        "kinds",
        "less",
        "machine",
        "machinery",
        "made",
        "more",
        "n.e.s",
        "nes",
        "not",
        "of",
        "on",
        "or",
        "other",
        "others",
        "part",
        "parts",
        "product",
        "products",
        "similar",
        "specified",
        "such",
        "than",
        "the",
        "therefor",
        "thereof",
        "to",
        "type",
        "use",
        "used",
        "whether",
        "which",
        "with",
        "without",
        "것",
        "경우",
        "관련",
        "그",
        "그밖",
        "그밖의",
        "기계",
        "기계류",
        "기기",
        "기준",
        "기타",
        "등",
        "또는",
        "류",
        "만든",
        "물품",
        "미만",
        "및",
        "부분품",
        "부속",
        "부속품",
        "부품",
        "사용",
        "사용되는",
        "사용하는",
        "설비",
        "없는",
        "용",
        "위한",
        "의",
        "이",
        "이상",
        "이하",
        "일반",
        "있는",
        "장비",
        "장치",
        "전용",
        "제외",
        "제외한",
        "제조된",
        "제품",
        "종류",
        "초과",
        "포함",
        "포함한",
        "해당",
        "형태",
    ]
)
_SAMPLE_SUFFIXES = (
    "에서",
    "으로서",
    "으로써",
    "의",
    "을",
    "를",
    "은",
    "는",
    "및",
    "용",
    "들",
    "와",
    "과",
)
_SAMPLE_TOKEN = re.compile(r"[0-9a-z]+|[가-힣]+")


def _sample_words(text: str | None) -> list[str]:
    found: dict[str, None] = {}
    for token in _SAMPLE_TOKEN.findall(unicodedata.normalize("NFKC", text or "").lower()):
        if len(token) < 2 or token[0].isdigit() or token in _SAMPLE_STOP:
            continue
        if "가" <= token[0] <= "힣":
            for suffix in _SAMPLE_SUFFIXES:
                if len(token) >= 3 and token.endswith(suffix) and len(token) - len(suffix) >= 2:
                    token = token[: -len(suffix)]
                    break
        elif len(token) > 4 and token.endswith("ies"):
            token = token[:-3] + "y"
        elif len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
            token = token[:-1]
        if token not in _SAMPLE_STOP:
            found.setdefault(token, None)
    return list(found)


class _SharedWords:
    """Whether a line shares two words, or one rare word, with a specification entry."""

    def __init__(self, entries: Sequence[ItemRecord], every: Sequence[ItemRecord]) -> None:
        frequency: Counter[str] = Counter()
        for item in every:
            frequency.update(_sample_words(_record_text(item)))
        self._entries = [tuple(_sample_words(_record_text(e))) for e in entries]
        by_word = {w for words in self._entries for w in words}
        self._rare = {w for w in by_word if frequency[w] <= 2}
        self._korean = {w for w in by_word if "가" <= w[0] <= "힣"}
        self._lengths = sorted({len(w) for w in self._korean})
        self._all = by_word

    def hits(self, text: str | None) -> bool:
        product = _sample_words(text)
        found = {w for w in product if w in self._all}
        for token in product:
            if len(token) >= 3 and "가" <= token[0] <= "힣":
                for length in self._lengths:
                    if length >= len(token):
                        break
                    for start in range(len(token) - length + 1):
                        if token[start : start + length] in self._korean:
                            found.add(token[start : start + length])
        for words in self._entries:
            shared = [w for w in words if w in found]
            if len(shared) >= 2 or any(w in self._rare for w in shared):
                return True
        return False


def _record_text(item: ItemRecord) -> str:
    texts = (item.description, item.description_en, item.note, *(s.text for s in item.sub_items))
    return " ".join(t for t in texts if t)


def _spec_matcher(entries: Sequence[Entry]) -> _SharedWords:
    """A shared-word test over the specification entries, their sub-items included."""

    def record(entry: Entry) -> ItemRecord:
        return ItemRecord(
            serial=entry.serial,
            code=entry.code,
            level=len(entry.code) if entry.code else None,
            ex=False,
            description=" ".join([entry.ko, *(s.ko for s in entry.subs)]),
            description_en=" ".join([entry.en, *(s.en for s in entry.subs)]),
            category=entry.category,
            note=entry.note,
        )

    records = [record(e) for e in entries]
    return _SharedWords([r for r in records if r.code is None], records)


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

    # Keep the SKUs meant to be clear or newly controlled away from the words of the
    # specification entries, so the only text matches are the review rows planted below.
    matcher = _spec_matcher([*feb, *june])

    def plain(line: tuple[str, str, str]) -> bool:
        return not matcher.hits(line[1]) and not matcher.hits(line[2])

    def sample(pred: Iterable[tuple[str, str, str]], n: int) -> list[tuple[str, str, str]]:
        pool = list(pred)
        return sorted(rng.sample(pool, n))

    controlled = sample(
        (x for x in lines if x[0][:6] in feb_codes and QUIRKS.get(x[0][:6]) != "ex" and plain(x)),
        40,
    )
    newly = [
        next((x for x in lines if x[0][:6] == code), None)
        or next(x for x in nom.hsk if x[0][:6] == code)
        for code in sorted(FORCED_JUNE)
    ]
    newly += sample((x for x in lines if x[0][:6] in june_codes - FORCED_JUNE and plain(x)), 20)
    chapters = ("84", "85", "87", "90", "39", "40", "73", "76", "94", "95", "96", "48", "69")
    mentioned = spec_mentions()
    clear = sample(
        (
            x
            for x in lines
            if x[0][:6] not in listed
            and x[0][:4] not in NAMED_HEADINGS
            and not _related(x[0][:6], mentioned)
            and plain(x)
            and x[0].startswith(chapters)
        ),
        230,
    )
    Row = tuple[str, str, str | int | None, str | None, str, str | None]
    products: list[Row] = []
    products += [(ko, en, code, None, "controlled", None) for code, ko, en in controlled]
    products += [(ko, en, code, None, "new", None) for code, ko, en in newly]
    products += [(ko, en, code, None, "clear", None) for code, ko, en in clear]

    def hsk(six: str) -> str:
        return next(code for code, _, _ in nom.hsk if code.startswith(six))

    def unlisted(heading: str) -> str:
        """The first HSK line under ``heading`` that no list entry covers."""
        return next(
            code
            for code, _, _ in nom.hsk
            if code.startswith(heading) and not _related(code[:6], listed | mentioned)
        )

    # Review: a short code over a list entry, an ``ex`` entry, names matching the
    # specification entries (their codes the ones those entries name in passing).
    ex_line = next(x for x in nom.hsk if x[0].startswith("853669"))
    products += [
        (
            "변압기 및 정지형 변환기",
            "Transformers and static converters",
            "8504",
            None,
            "review",
            None,
        ),
        ("자동자료처리기계", "Automatic data processing machines", "8471", None, "review", None),
        (ex_line[1], ex_line[2], ex_line[0], None, "review", None),
        (
            "승용차 (가솔린, 3,000cc)",
            "Passenger car, 3,000 cc",
            hsk("870324"),
            None,
            "review",
            None,
        ),
        (
            "승용차 (하이브리드, 2,500cc)",
            "Hybrid passenger car",
            hsk("870340"),
            None,
            "review",
            None,
        ),
        ("수치제어 공작기계 선반 (CNC)", "CNC lathe", hsk("845811"), None, "review", "2B001.a"),
        ("요트 (전장 15 m)", "Sailing yacht, 15 m", hsk("890322"), None, "review", None),
        ("항공기용 피스톤 엔진", "Aircraft piston engine", hsk("840710"), None, "review", None),
        ("진공 펌프 (배기속도 6 m3/s)", "Vacuum pump, 6 m3/s", hsk("841410"), None, "review", None),
        ("무인항공기 (최대이륙중량 5 kg)", "Drone, 5 kg MTOW", hsk("880622"), None, "review", None),
    ]
    # The exporter's own classification names control numbers the specification
    # entries cite; the codes are on no list, so only the classification finds them
    # (review: a classification falls under a control number an entry names).
    products += [
        (
            "산업용 제어 모듈",
            "Industrial control module",
            unlisted("8537"),
            None,
            "review",
            "3A001.a.3",
        ),
        (
            "불소수지 라이닝 밸브",
            "Fluoropolymer-lined valve",
            unlisted("8481"),
            None,
            "review",
            "2B350.g",
        ),
        ("공정 열교환기", "Process heat exchanger", unlisted("8419"), None, "review", "2B350.d"),
        (
            "유기 인 화합물 시약",
            "Organophosphorus reagent",
            unlisted("2931"),
            None,
            "review",
            "1C350.64",
        ),
    ]
    # Numeric cells as spreadsheets hold them, rows without a usable code, and a code
    # that lost its trailing zero (48191: only 4819.10 is an HS 2022 subheading).
    products += [
        (
            "순종 번식용 말",
            "Pure-bred breeding horses",
            101211000,
            "0000000000",
            "controlled",
            None,
        ),
        ("견본 (HS 미정)", "Sample kit, HS code not yet assigned", None, None, "invalid", None),
        ("수리용 부품 세트", "Repair parts kit", "84.7x", None, "invalid", None),
        ("포장재", "Packaging material", "48191", None, "clear", None),
    ]
    order = list(range(len(products)))
    rng.shuffle(order)
    return [
        Product(f"KX-{n + 1:04d}", *products[i][:5], control=products[i][5])
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


CATALOGUE_HEADERS = ("SKU", "제품명", "영문 제품명", "HS코드", "전략물자 해당번호")


def write_catalogue(xlsx: Path, csv_path: Path, products: Sequence[Product]) -> None:
    """The catalogue as the exporter keeps it (xlsx), and as a cp949 CSV export."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "제품목록"
    ws["A1"] = "한빛정밀(주) 수출 제품 목록 — 가상의 회사, exportctl 시연용"
    ws["A1"].font = Font(size=13, bold=True)
    for col, text in enumerate(CATALOGUE_HEADERS, start=1):
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
        ws.cell(row, 5, product.control)
    for col, width in zip("ABCDE", (10, 40, 50, 14, 18), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A4"
    _save(wb, xlsx)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CATALOGUE_HEADERS)
    for product in products:
        code = product.code
        if isinstance(code, int) and product.number_format:
            code = f"{code:0{len(product.number_format)}d}"
        writer.writerow((product.sku, product.ko, product.en, code or "", product.control or ""))
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


def _verify(
    out_dir: Path, feb: Sequence[Entry], june: Sequence[Entry], part_one: Sequence[Entry]
) -> str:
    """Read the written workbooks back with the annex rules; a one-line account of them."""
    serials = [e.serial for e in (*feb, *june)]
    expected = {
        FEB: ({None: serials[:FEB_TOTAL]}, FEB_NOTICE),
        JUNE_ADDED: ({None: serials[FEB_TOTAL:]}, JUNE_NOTICE),
        JUNE: ({1: [e.serial for e in part_one], 2: serials}, JUNE_NOTICE),
    }
    shapes: dict[str, AnnexShape] = {}
    for name, (parts, notice) in expected.items():
        shape = shapes[name] = read_shape(out_dir / name)
        if {n: serials for n, (_, serials) in shape.parts.items()} != parts:
            raise SystemExit(f"{name}: parts or serials are not what was written")
        if shape.notice != annex.parse_notice(notice) or shape.notice.number is None:
            raise SystemExit(f"{name}: the notice rows do not read back")
    june_shape = shapes[JUNE]
    if [title for title, _ in june_shape.parts.values()] != [
        annex.section_title([PART_ONE]).title,  # type: ignore[union-attr]
        annex.section_title([PART_TWO]).title,  # type: ignore[union-attr]
    ]:
        raise SystemExit(f"{JUNE}: section rows do not read back")
    if june_shape.mentioned != spec_mentions() or shapes[FEB].mentioned != spec_mentions():
        raise SystemExit("codes named in passing are not exactly the specification entries'")
    subs = sum(len(e.subs) for e in feb)
    if shapes[FEB].sub_items != subs or june_shape.sub_items != subs:
        raise SystemExit("sub-item rows do not read back")
    with_subs = sum(1 for e in feb if e.subs)
    return (
        f"parts: 1 = {len(part_one)} entries ({sum('의' in e.serial for e in part_one)} branches), "
        f"2 = {len(serials):,}; {SPEC_TOTAL} specification entries, {with_subs} with "
        f"{subs} sub-items naming {len(june_shape.control_numbers)} control numbers; "
        f"{len(june_shape.mentioned)} codes named in passing; notices "
        f"{shapes[FEB].notice.number}, {june_shape.notice.number}"
    )


def _verify_documents(out_dir: Path, pages: int) -> str:
    """Read the PDF and the HWPX back as exportctl imports them: the same entries as the workbook.

    Both parts are read from each file and compared with the consolidated workbook on
    every field a change report compares; the PDF must have at least one row cut by a
    page break.
    """
    from exportctl.api import ImportOptions, validate_workbook
    from exportctl.diff import compare

    def read(name: str) -> list[ItemRecord]:
        result = validate_workbook(out_dir / name, ImportOptions(slug="samples", label=name))
        if result.report.errors or result.notice != annex.parse_notice(JUNE_NOTICE):
            raise SystemExit(f"{name}: {result.report.errors[:3]} (notice {result.notice})")
        if [(p.number, p.read) for p in result.parts] != [
            (1, len(PART_ONE_SERIALS)),
            (2, JUNE_TOTAL),
        ]:
            raise SystemExit(f"{name}: parts read {result.parts}")
        findings[name] = Counter(f.rule for f in result.report.findings)
        return result.report.items

    findings: dict[str, Counter[str]] = {}
    workbook = read(JUNE)
    for name in (JUNE_PDF, JUNE_HWPX):
        changes = compare(workbook, read(name))
        if changes.changes:
            first = changes.changes[0]
            raise SystemExit(f"{name} differs from {JUNE}: {first.kind} {first.fields} {first}")
    cut = findings[JUNE_PDF]["continued-row"]
    if not cut:
        raise SystemExit(f"{JUNE_PDF}: no row is cut by a page break")
    return (
        f"{JUNE_PDF} ({pages} pages, {cut} rows cut by a page break) and {JUNE_HWPX} "
        f"read back as the same {JUNE_TOTAL + len(PART_ONE_SERIALS):,} entries as {JUNE}"
    )


def build(data_dir: Path, out_dir: Path) -> dict[str, Path]:
    """Write every sample into ``out_dir``; returns file name -> path."""
    if not (data_dir / HS2022).is_file() or not (data_dir / HSK_MASTER).is_file():
        raise SystemExit(f"{data_dir} does not hold {HS2022} and {HSK_MASTER}")
    rng = random.Random(2024)
    nom = load_nomenclature(data_dir)
    feb, june, part_one = choose_codes(nom, rng)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_list(out_dir / FEB, [(None, feb)], title=RUSSIA_TITLE, notice=FEB_NOTICE)
    write_list(
        out_dir / JUNE_ADDED,
        [(None, june)],
        title=f"{RUSSIA_TITLE} — 2024. 6. 개정 추가 243개 품목 (연번 1,160~1,402)",
        notice=JUNE_NOTICE,
    )
    write_list(
        out_dir / JUNE,
        [(PART_ONE, part_one), (PART_TWO, [*feb, *june])],
        title=ANNEX_TITLE,
        notice=JUNE_NOTICE,
    )
    shape = _verify(out_dir, feb, june, part_one)
    consolidated = [(PART_ONE, part_one), (PART_TWO, [*feb, *june])]
    pages = write_pdf(out_dir / JUNE_PDF, consolidated, title=ANNEX_TITLE, notice=JUNE_NOTICE)
    write_hwpx_annex(out_dir / JUNE_HWPX, consolidated, title=ANNEX_TITLE, notice=JUNE_NOTICE)
    documents = _verify_documents(out_dir, pages)
    real = choose_real_layout(part_one, feb)
    write_real_layout(out_dir / REAL, real, two_row=True)
    write_real_layout(out_dir / REAL_ONE_ROW, real, two_row=False)
    real_layout = _verify_real_layout(out_dir, real)
    products = choose_catalogue(nom, feb, june, rng)
    write_catalogue(out_dir / CATALOGUE, out_dir / CATALOGUE_CSV, products)
    expected = Counter(p.expect for p in products)
    classified = sum(1 for p in products if p.control)
    print(
        f"list: {len(feb):,} + {len(june):,} = {len(feb) + len(june):,} items; {shape}\n"
        f"documents: {documents}\n"
        f"real layout: {real_layout}\n"
        f"catalogue: {len(products)} SKUs, "
        + ", ".join(f"{n} {status}" for status, n in sorted(expected.items()))
        + f"; {classified} with a 전략물자 해당번호",
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
