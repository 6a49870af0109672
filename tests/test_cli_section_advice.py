"""Issue 21: a two-part annex of additions imported without --section is told which
--section to give (with --additions), not only --additions, which would refuse it."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import annex_grid, simple_rows, write_annex_xlsx, write_list_workbook
from conftest import RunCli
from english import english_sentences

# The database's dialect does not matter here (the store's own tests run on both).
pytestmark = pytest.mark.sqlite_only

RUSSIA = "러시아·벨라루스 상황허가 대상 품목"
IRAN = "이란·파키스탄·시리아 관련 상황허가 대상 품목"
BASE = [f"0301{n:02d}" for n in range(11, 21)]
ADDED = ["030211", "030213", "030214"]
IRAN_CODES = ["850110", "850120", "850131", "850132"]


@pytest.fixture
def listed(run_cli: RunCli, initialised: str, tmp_path: Path) -> str:
    """List ``kr-russia`` with the approved one-part version ``v1`` (serials 1-10)."""
    run_cli("lists", "create", "kr-russia", "--name", RUSSIA, db=initialised, ok=True)
    base = write_list_workbook(tmp_path / "base.xlsx", simple_rows(BASE))
    run_cli(
        "import", base, "--list", "kr-russia", "--version", "v1", "--effective", "2024-02-24",
        "--approve", db=initialised, ok=True,
    )  # fmt: skip
    return initialised


def _two_part_additions(path: Path) -> Path:
    """Part 1 (Iran) complete; part 2 (Russia) only the additions, serials 11-13."""
    iran = [(n, code, f"품목 {code}", None, None, None) for n, code in enumerate(IRAN_CODES, 1)]
    russia = [(n, code, f"품목 {code}", None, None, None) for n, code in enumerate(ADDED, 11)]
    return write_annex_xlsx(path, annex_grid([(f"1. {IRAN}", iran), (f"2. {RUSSIA}", russia)]))


def test_a_two_part_annex_of_additions_is_advised_to_name_the_section(
    run_cli: RunCli, listed: str, tmp_path: Path
) -> None:
    path = _two_part_additions(tmp_path / "additions.xlsx")
    args = ("import", path, "--list", "kr-russia", "--version", "v2", "--base", "v1")
    refused = run_cli(*args, db=listed)
    assert refused.exit_code == 1, refused.output
    advice = next(line for line in refused.output.splitlines() if line.startswith("  error:"))
    assert advice == (
        '  error: additions.xlsx, sheet "별표2의2": the file has 2 parts '
        f'(part 1 "{IRAN}" (4 entries), part 2 "{RUSSIA}" (3 entries)) and, read as a complete '
        'list, it would remove most of "v1". If one part holds only the additions, import that '
        "part alone: --section 1 --additions or --section 2 --additions; if the notice really "
        "removes those items, confirm with --declared-removed 10"
    )
    # --additions alone is what the old advice said: it is refused for a file of two parts.
    assert run_cli(*args, "--additions", db=listed).exit_code == 2
    # The advice followed: part 2's three additions join v1's ten.
    stored = run_cli(*args, "--section", "2", "--additions", db=listed)
    assert stored.exit_code == 0, stored.output
    assert "13 entries" in stored.output or "13 items" in stored.output


def test_the_advice_in_korean(run_cli: RunCli, listed: str, tmp_path: Path) -> None:
    path = _two_part_additions(tmp_path / "additions.xlsx")
    refused = run_cli(
        "--lang", "ko", "import", path, "--list", "kr-russia", "--version", "v2", "--base", "v1",
        db=listed,
    )  # fmt: skip
    assert refused.exit_code == 1
    advice = next(line for line in refused.output.splitlines() if "--section 2" in line)
    assert "--section 1 --additions" in advice and "--declared-removed 10" in advice
    assert english_sentences(advice) == []
