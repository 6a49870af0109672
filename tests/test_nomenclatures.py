"""Codes of two nomenclatures meet at HS-6 (issue 22, item 7).

An EU list writes CN lines (8 digits), the catalogue HSK lines (10 digits): past
the sixth digit the two number their lines independently. A CN tail of zeros is
the whole subheading; any other tail can only be read by a person.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from exportctl.hscode import Span, across
from exportctl.i18n import using
from exportctl.models import ItemRecord
from exportctl.profiles import load_profile
from exportctl.screen.index import ScreenIndex
from tests.conftest import RunCli
from tests.english import english_sentences

# The database's dialect does not matter here (the store's own tests run on both).
pytestmark = pytest.mark.sqlite_only


def _list(tmp_path: Path, codes: list[str]) -> Path:
    path = tmp_path / "eu.csv"
    lines = ["연번,HS코드,품목명"] + [f'{n},"{code}",품목 {n}' for n, code in enumerate(codes, 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _catalogue(tmp_path: Path, codes: list[str]) -> Path:
    path = tmp_path / "items.csv"
    lines = ["품목코드,품명,HS코드"] + [f"P-{n},제품 {n},{code}" for n, code in enumerate(codes, 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _screen(
    run_cli: RunCli, db: str, tmp_path: Path, entries: list[str], items: list[str], profile: str
) -> list[dict[str, Any]]:
    run_cli("lists", "create", "l", "--name", "L", "--profile", profile, db=db, ok=True)
    run_cli("import", _list(tmp_path, entries), "--list", "l", "--version", "1", db=db, ok=True)
    result = run_cli(
        "screen",
        _catalogue(tmp_path, items),
        "--list",
        "l",
        "--version",
        "1",
        "--format",
        "json",
        db=db,
        ok=True,
    )
    rows: list[dict[str, Any]] = json.loads(result.stdout)["rows"]
    return rows


def test_a_cn_zero_tail_covers_every_hsk_line_of_its_subheading(
    tmp_path: Path, run_cli: RunCli, initialised: str
) -> None:
    rows = _screen(
        run_cli,
        initialised,
        tmp_path,
        ["8471 30 00", "8517 62 00"],
        ["8471.30.1000", "8471.30.9090", "8471.41.1000", "8517.62.9000"],
        "eu-833",
    )
    assert [r["status"] for r in rows] == ["controlled", "controlled", "clear", "controlled"]
    assert rows[0]["reason"] == "list entry No. 1 (8471.30.00) covers 8471.30.1000"


def test_a_cn_tail_that_is_not_zeros_is_review_never_clear(
    tmp_path: Path, run_cli: RunCli, initialised: str
) -> None:
    rows = _screen(
        run_cli,
        initialised,
        tmp_path,
        ["8471 30 10"],
        ["8471.30.1000", "8471.30.9000", "8471.30", "8471", "8471.49.0000"],
        "eu-833",
    )
    assert [r["status"] for r in rows] == ["review", "review", "review", "review", "clear"]
    assert rows[0]["reason"] == (
        "list entry No. 1 (8471.30.10) is a CN line and 8471.30.1000 an HSK line: they meet at "
        "8471.30, and the national digits past it cannot be compared across nomenclatures; "
        "read the entry"
    )
    checked = run_cli(
        "--lang", "ko", "check", "8471.30.9000", "--list", "l", "--version", "1", db=initialised
    )
    assert checked.exit_code != 2, checked.output
    assert "국가별 자리" in checked.output
    assert english_sentences(checked.output, allow=("8471.30.10", "CN", "HSK")) == []


def test_the_same_nomenclature_still_compares_every_digit(
    tmp_path: Path, run_cli: RunCli, initialised: str
) -> None:
    # A Korean list (HSK) against an HSK catalogue: 8471.30.1000 is not 8471.30.9000.
    rows = _screen(
        run_cli,
        initialised,
        tmp_path,
        ["8471.30.1000"],
        ["8471.30.1000", "8471.30.9000"],
        "kr-annex-2-2",
    )
    assert [r["status"] for r in rows] == ["controlled", "clear"]


def test_across_cuts_to_hs6_and_says_when_the_tail_is_in_doubt() -> None:
    assert across(Span("84713000")) == (Span("847130"), False)
    assert across(Span("8471300000")) == (Span("847130"), False)
    assert across(Span("84713010")) == (Span("847130"), True)
    assert across(Span("84713000", "84715000")) == (Span("847130", "847150"), False)
    assert across(Span("84713000", "84715090")) == (Span("847130", "847150"), True)
    assert across(Span("8471", ex=True)) == (Span("8471", ex=True), False)


def test_profiles_name_their_nomenclature() -> None:
    assert {n: load_profile(n).nomenclature for n in ("kr-annex-2-2", "eu-833", "us-746")} == {
        "kr-annex-2-2": "HSK",
        "eu-833": "CN",
        "us-746": "HTS",
    }
    item = ItemRecord("1", "84713010", 8, False, "ADP")
    index = ScreenIndex([item], slug="l", label="1", profile=load_profile("eu-833"))
    with using("ko"):
        said = index.match_code("8471301000").why.render("ko")
    assert "HSK" in said and "8471.30" in said
