"""Page 1 of a PDF report says what the document is, in the report's language (issue 21).

Each case runs the real CLI on a small list with three versions: 2024-02 and 2024-06
approved, 2024-09 a draft that declares counts against 2024-06 (so they tie out from
2024-06 but not from 2024-02). The banner's sentence must be on page 1, and a report
with nothing to flag carries none. The sign-off block records only what happened.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import simple_rows, write_list_workbook
from conftest import BuildOnce, RunCli
from pypdf import PdfReader
from test_screen import write_catalogue

from exportctl.hscode import Nomenclature
from exportctl.i18n import translations

APPROVER = "박승인"
OPERATOR = "김작성"
BANNERS = (
    "banner.draft",
    "banner.withdrawn",
    "banner.reversed",
    "banner.partial",
    "banner.nothing",
    "banner.not_reconciled",
    "banner.counts_differ",
)


def _squash(text: str) -> str:
    return "".join(text.split())


def _page_one(path: Path) -> str:
    return _squash(PdfReader(path).pages[0].extract_text() or "")


def _opening(key: str, lang: str) -> str:
    """The banner's words before its first value: enough to know it is there."""
    return _squash(translations(lang).gettext(key).split("{")[0])


def _banners_on(path: Path, lang: str) -> set[str]:
    first = _page_one(path)
    return {key for key in BANNERS if _opening(key, lang) in first}


@pytest.fixture
def banner_db(
    run_cli: RunCli, sqlite_url: str, monkeypatch: pytest.MonkeyPatch, build_once: BuildOnce
) -> str:
    monkeypatch.setenv("EXPORTCTL_ACTOR", APPROVER)

    def build(folder: Path, db: str) -> None:
        codes = sorted(Nomenclature.load("2022").codes(6))[:40]
        files = {}
        for name, count in (("v1", 30), ("v2", 40), ("v3", 38)):
            files[name] = write_list_workbook(
                folder / f"{name}.xlsx", simple_rows(codes[:count]), two_row_header=False
            )
        common = ("--list", "kr-russia", "--version")
        run_cli(
            "import",
            "--create-list",
            "--approve",
            files["v1"],
            *common,
            "2024-02",
            "--effective",
            "2024-02-24",
            db=db,
            ok=True,
        )
        run_cli(
            "import",
            "--approve",
            files["v2"],
            *common,
            "2024-06",
            "--effective",
            "2024-06-28",
            db=db,
            ok=True,
        )
        # A draft whose declared figures hold against 2024-06 (40 − 2 = 38), not 2024-02.
        run_cli(
            "import",
            files["v3"],
            *common,
            "2024-09",
            "--effective",
            "2024-09-01",
            "--declared-removed",
            "2",
            "--declared-total",
            "38",
            db=db,
            ok=True,
        )

    sqlite_url = build_once(sqlite_url, build)
    monkeypatch.setenv("EXPORTCTL_ACTOR", OPERATOR)
    return sqlite_url


def _diff(run_cli: RunCli, db: str, out: Path, lang: str, old: str, new: str, *extra: str) -> Path:
    result = run_cli(
        "--lang",
        lang,
        "diff",
        old,
        new,
        "--list",
        "kr-russia",
        "--include-drafts",
        "-o",
        out,
        *extra,
        db=db,
    )
    assert result.exit_code in (0, 1), result.output
    assert out.exists(), result.output
    return out


LANGS = pytest.mark.parametrize("lang", ["en", "ko"])


@LANGS
def test_clean_change_report_has_no_banner(
    banner_db: str, run_cli: RunCli, tmp_path: Path, lang: str
) -> None:
    pdf = _diff(run_cli, banner_db, tmp_path / "c.pdf", lang, "2024-02", "2024-06")
    assert _banners_on(pdf, lang) == set()


@LANGS
def test_draft_version_banner(banner_db: str, run_cli: RunCli, tmp_path: Path, lang: str) -> None:
    pdf = _diff(run_cli, banner_db, tmp_path / "d.pdf", lang, "2024-06", "2024-09")
    assert _banners_on(pdf, lang) == {"banner.draft"}
    assert "2024-09" in _page_one(pdf)


@LANGS
def test_withdrawn_version_banner(
    banner_db: str, run_cli: RunCli, tmp_path: Path, lang: str
) -> None:
    run_cli("withdraw", "2024-09", "--list", "kr-russia", "--reason", "test", db=banner_db, ok=True)
    pdf = _diff(run_cli, banner_db, tmp_path / "w.pdf", lang, "2024-06", "2024-09")
    assert _banners_on(pdf, lang) == {"banner.withdrawn"}


@LANGS
def test_reversed_order_banner(banner_db: str, run_cli: RunCli, tmp_path: Path, lang: str) -> None:
    pdf = _diff(run_cli, banner_db, tmp_path / "r.pdf", lang, "2024-06", "2024-02")
    assert _banners_on(pdf, lang) == {"banner.reversed"}
    assert "2024-06-28" in _page_one(pdf) and "2024-02-24" in _page_one(pdf)


@LANGS
def test_partial_listing_banner(banner_db: str, run_cli: RunCli, tmp_path: Path, lang: str) -> None:
    pdf = _diff(
        run_cli, banner_db, tmp_path / "p.pdf", lang, "2024-02", "2024-06", "--pdf-rows", "3"
    )
    assert _banners_on(pdf, lang) == {"banner.partial"}


@LANGS
def test_counts_not_reconciling_banner(
    banner_db: str, run_cli: RunCli, tmp_path: Path, lang: str
) -> None:
    pdf = _diff(run_cli, banner_db, tmp_path / "n.pdf", lang, "2024-02", "2024-09")
    assert _banners_on(pdf, lang) == {"banner.draft", "banner.not_reconciled"}


def _screen(run_cli: RunCli, db: str, catalogue: Path, out: Path, lang: str, *extra: str) -> Path:
    result = run_cli(
        "--lang", lang, "screen", catalogue, "--list", "kr-russia", "-o", out, *extra, db=db
    )
    assert result.exit_code in (0, 1), result.output
    assert out.exists(), result.output
    return out


@LANGS
def test_screening_banners(banner_db: str, run_cli: RunCli, tmp_path: Path, lang: str) -> None:
    codes = sorted(Nomenclature.load("2022").codes(6))[:40]
    rows = [(f"SKU-{i}", f"제품 {i}", code) for i, code in enumerate(codes[:12])]
    catalogue = write_catalogue(tmp_path / "products.xlsx", rows)
    clean = _screen(run_cli, banner_db, catalogue, tmp_path / "s.pdf", lang, "--version", "2024-06")
    assert _banners_on(clean, lang) == set()
    draft = _screen(
        run_cli, banner_db, catalogue, tmp_path / "sd.pdf", lang, "--version", "2024-09"
    )
    assert _banners_on(draft, lang) == {"banner.draft"}
    cut = _screen(
        run_cli,
        banner_db,
        catalogue,
        tmp_path / "sp.pdf",
        lang,
        "--version",
        "2024-06",
        "--pdf-rows",
        "2",
    )
    assert _banners_on(cut, lang) == {"banner.partial"}
    blank = write_catalogue(tmp_path / "blank.xlsx", [("SKU-1", "제품", None), ("SKU-2", "x", "")])
    nothing = _screen(run_cli, banner_db, blank, tmp_path / "sn.pdf", lang, "--version", "2024-06")
    assert "banner.nothing" in _banners_on(nothing, lang)


@LANGS
def test_signoff_records_only_what_happened(
    banner_db: str, run_cli: RunCli, tmp_path: Path, lang: str
) -> None:
    codes = sorted(Nomenclature.load("2022").codes(6))[:3]
    rows = [(f"SKU-{i}", f"제품 {i}", code) for i, code in enumerate(codes)]
    catalogue = write_catalogue(tmp_path / "products.xlsx", rows)
    pdf = _screen(run_cli, banner_db, catalogue, tmp_path / "s.pdf", lang, "--version", "2024-06")
    lines = (PdfReader(pdf).pages[0].extract_text() or "").splitlines()
    t = translations(lang).gettext
    heading = lines.index(t("signoff.heading"))
    block = lines[heading:]
    # The report's approval line is blank: the version's approver is not its approver.
    approved_row = next(line for line in block[2:] if line.startswith(t("signoff.approved")))
    assert APPROVER not in approved_row and approved_row.strip() == t("signoff.approved")
    assert any(OPERATOR in line for line in block)  # prepared: the operator
    fact = t("signoff.version_approved").split("{name}")[0].format(version="2024-06")
    assert any(line.startswith(fact) and APPROVER in line for line in block), block
