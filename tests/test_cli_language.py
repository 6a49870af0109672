"""Issue 21: every terminal message of the README's walk-through in Korean and in English.

The walk-through runs once per language (module-scoped: import, screen, convert and
the demo take seconds) on the bundled samples in ``exportctl/samples``. A Korean run
may keep data in English (codes, file names, options, quoted values: see
``tests/english.py``); an English run may show Korean only as data (file names,
quoted titles, notice numbers, list descriptions).

The validation layer's findings (the ``  경고:``/``  오류:`` lines under an import) are
left out here and checked by their own tests.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import DemoRun, reuse_reads
from english import english_sentences

from exportctl.cli import cli

SAMPLES = Path(__file__).resolve().parent.parent / "exportctl" / "samples"
FEB = SAMPLES / "러시아벨라루스_상황허가_2024-02.xlsx"
JUNE_ADDED = SAMPLES / "러시아벨라루스_상황허가_2024-06_추가.xlsx"
JUNE = SAMPLES / "러시아벨라루스_상황허가_2024-06.xlsx"
CATALOGUE = SAMPLES / "catalogue.xlsx"
HANGUL = re.compile(r"[가-힣]")


def _walk(folder: Path, lang: str, demo: DemoRun) -> dict[str, Result]:
    """Run the walk-through with ``--lang`` and return each step's result by name. The demo
    step is handed the session demo's read of the notice's PDF: what it prints of it is
    counts and titles, said the same way either way."""
    db = f"sqlite:///{folder / 'exportctl.db'}"
    runner = CliRunner()
    env = {"EXPORTCTL_ACTOR": "kim", "LANG": "C.UTF-8", "EXPORTCTL_CONFIG": ""}

    def run(*args: object, actor: str = "kim", self_: bool = False) -> Result:
        argv = ["--db", db, "--lang", lang, *map(str, args), *(["--self"] if self_ else [])]
        return runner.invoke(cli, argv, env={**env, "EXPORTCTL_ACTOR": actor})

    steps: dict[str, Result] = {"init": run("init")}
    run("lists", "create", "kr-russia", "--name", "러시아·벨라루스 상황허가 대상 품목")
    steps["import"] = run(
        "import", FEB, "--list", "kr-russia", "--version", "2024-02",
        "--effective", "2024-02-24", "--declared-total", "1159",
    )  # fmt: skip
    run("approve", "2024-02", "--list", "kr-russia", actor="lee")
    steps["refused"] = run(
        "import", JUNE_ADDED, "--list", "kr-russia", "--version", "2024-06",
        "--effective", "2024. 8. 28.", "--base", "2024-02",
        "--declared-added", "243", "--declared-total", "1402",
    )  # fmt: skip
    steps["additions"] = run(
        "import", JUNE_ADDED, "--list", "kr-russia", "--version", "2024-06",
        "--effective", "2024. 8. 28.", "--base", "2024-02", "--additions",
        "--declared-added", "243", "--declared-total", "1402",
    )  # fmt: skip
    run("approve", "2024-06", "--list", "kr-russia", actor="lee")
    steps["versions"] = run("versions", "--list", "kr-russia")
    steps["validate"] = run(
        "validate", JUNE, "--list", "kr-russia", "--section", "러시아",
        "--base", "2024-02", "--declared-added", "243", "--declared-total", "1402",
    )  # fmt: skip
    steps["dry-run"] = run("import", JUNE, "--list", "kr-russia", "--version", "x", "--dry-run")
    steps["screen"] = run(
        "screen", CATALOGUE, "--list", "kr-russia", "--as-of", "2024-09-01", "--compare", "2024-02"
    )
    steps["screen-o"] = run(
        "screen", CATALOGUE, "--list", "kr-russia", "--as-of", "2024-09-01",
        "-o", folder / "screening.xlsx",
    )  # fmt: skip
    steps["exists"] = run(
        "screen", CATALOGUE, "--list", "kr-russia", "-o", folder / "screening.xlsx"
    )
    steps["convert"] = run("convert", "2024-06", "--list", "kr-russia", "--to", "HS2017")
    run("lists", "create", "copy", "--name", "사본")
    run(
        "import", FEB, "--list", "copy", "--version", "v1", "--effective", "2024-02-24",
        "--approve",
    )  # fmt: skip
    steps["compare"] = run("compare", "copy", "kr-russia", "--as-of", "2024-09-01")
    steps["compare-o"] = run(
        "compare", "copy", "kr-russia", "--as-of", "2024-09-01", "-o", folder / "cover.csv"
    )
    steps["audit"] = run("audit", "verify")
    steps["check"] = run("check", "8471.30", "제8703호", "84.7x", "--list", "kr-russia")
    steps["show-code"] = run("show", "--list", "kr-russia", "--code", "8471")
    steps["diff"] = run("diff", "2024-02", "2024-06", "--list", "kr-russia")
    steps["lists"] = run("lists")
    steps["withdraw"] = run("withdraw", "v1", "--list", "copy", "--reason", "test", actor="lee")
    steps["reinstate"] = run(
        "reinstate", "v1", "--list", "copy", "--reason", "test", actor="lee", self_=True
    )
    steps["usage"] = run("screen", CATALOGUE, "--list", "kr-russia", "--format", "pdf")
    steps["no-db"] = runner.invoke(
        cli, ["--db", f"sqlite:///{folder / 'none.db'}", "--lang", lang, "versions", "--list", "x"]
    )
    steps["backup"] = run("db", "backup", folder / "backup.db")
    os.chdir(folder)
    with pytest.MonkeyPatch.context() as monkeypatch:
        reuse_reads(monkeypatch, demo)
        steps["demo"] = run("demo", "--out", folder / "demo")
    return steps


@pytest.fixture(scope="module")
def korean(
    demo_run: DemoRun, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Result]]:
    here = Path.cwd()
    try:
        yield _walk(tmp_path_factory.mktemp("ko"), "ko", demo_run)
    finally:
        os.chdir(here)


@pytest.fixture(scope="module")
def english(
    demo_run: DemoRun, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Result]]:
    here = Path.cwd()
    try:
        yield _walk(tmp_path_factory.mktemp("en"), "en", demo_run)
    finally:
        os.chdir(here)


def _said(result: Result) -> str:
    """What a person reads, but the validation layer's findings (its own tests)."""
    lines = (result.stdout + result.stderr).splitlines()
    return "\n".join(line for line in lines if not re.match(r"  (경고|오류|warning|error): ", line))


EXIT_CODES = {
    "init": 0, "import": 0, "refused": 1, "additions": 0, "versions": 0, "validate": 0,
    "dry-run": 0, "screen": 0, "screen-o": 0, "exists": 2, "convert": 0, "compare": 0,
    "compare-o": 0, "audit": 0, "usage": 2, "no-db": 2, "backup": 0, "demo": 0,
    "check": 0, "show-code": 0, "diff": 0, "lists": 0, "withdraw": 0, "reinstate": 0,
}  # fmt: skip


@pytest.mark.parametrize("step", sorted(EXIT_CODES))
def test_every_step_speaks_korean(korean: dict[str, Result], step: str) -> None:
    result = korean[step]
    assert result.exit_code == EXIT_CODES[step], result.output
    said = _said(result)
    assert english_sentences(said) == [], said
    assert HANGUL.search(said)


@pytest.mark.parametrize("step", sorted(EXIT_CODES))
def test_every_step_in_english_keeps_korean_to_data(english: dict[str, Result], step: str) -> None:
    result = english[step]
    assert result.exit_code == EXIT_CODES[step], result.output
    said = _said(result)
    for line in said.splitlines():
        # Data may be Korean: file names, quoted titles, notice numbers, the list's text.
        stripped = re.sub(r'"[^"]*"|\S*\.(?:xlsx|pdf|csv)\b|제[\d-]+호|<[^>]*>|\[[^]]*\]', "", line)
        if step in ("convert", "compare", "check", "lists") or step.startswith("screen"):
            stripped = stripped.split(" — ")[0]  # an entry's or a list's own text follows
        # A title or authority in brackets: 제1부 (이란·… 품목), notice … (산업통상자원부).
        stripped = re.sub(r"\([^()]*[가-힣][^()]*\)", "", stripped)
        if step in ("compare", "show-code"):
            continue  # each row shows its entry's Korean description
        assert not HANGUL.search(stripped), line


def test_korean_sentences_the_walk_through_prints(korean: dict[str, Result]) -> None:
    assert "오류 0건, 경고 3건:" in korean["import"].stdout
    assert "초안으로 저장했습니다" in korean["import"].stdout
    assert korean["refused"].stdout.startswith(
        '러시아벨라루스_상황허가_2024-06_추가.xlsx, 시트 "별표2의2": '
        "오류 2건, 아무것도 쓰지 않았습니다."
    )
    assert "(2024-02 대비 추가 243, 삭제 0)" in korean["additions"].stdout
    assert "읽은 행: 1,464 (품목 1,424개, 세부 품목 31개, 부 제목 2개" in korean["dry-run"].stdout
    assert (
        "313행, 통제 대상 66, 검토 필요 14, 해당 없음 231, 코드 오류 2" in korean["screen"].stdout
    )
    assert "해당 없음 → 통제 대상 목록 연번 1180 (2801.30)" in korean["screen"].stdout
    assert korean["exists"].stderr.startswith("사용법: ")
    assert "\n오류: " in korean["exists"].stderr and "이미 있습니다" in korean["exists"].stderr
    assert "감사 기록 체인과 모든 버전이 온전합니다." in korean["audit"].stdout
    assert korean["no-db"].stderr.startswith("오류: 데이터베이스 ")
    assert "상관표는 법적 효력이 있는 문서가 아닙니다" in korean["convert"].stdout
    assert "2024-02  품목 1,159개; 고시 총수 1,159; 오류 0건, 경고 3건" in korean["demo"].stdout


def test_convert_in_english_prints_no_korean(english: dict[str, Result]) -> None:
    """The review mark stored in each entry's note keeps both languages (it is data);
    the terminal line is said in the session's language only (it printed
    "변환 검토 필요 / to check" in English sessions)."""
    out = english["convert"].stdout
    assert "to check: 6116.10 → 6116.10, 6116.91" in out
    assert not HANGUL.search(out), out


@pytest.fixture
def stored(tmp_path: Path) -> str:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "init"]).exit_code == 0
    return db


@pytest.mark.parametrize(
    "argv",
    [
        ["--lang", "ko", "audit", "verify"],
        ["audit", "verify", "--lang", "ko"],
    ],
)
def test_lang_before_or_after_the_command(stored: str, argv: list[str]) -> None:
    result = CliRunner().invoke(cli, ["--db", stored, *argv])
    assert result.exit_code == 0, result.output
    assert result.output == "감사 기록 체인과 모든 버전이 온전합니다.\n"


def test_config_lang_and_locale_choose_korean(stored: str, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('lang = "ko"\n', encoding="utf-8")
    runner = CliRunner()
    by_config = runner.invoke(
        cli, ["--db", stored, "audit", "verify"], env={"EXPORTCTL_CONFIG": str(config)}
    )
    assert by_config.stdout == "감사 기록 체인과 모든 버전이 온전합니다.\n"
    by_locale = runner.invoke(cli, ["--db", stored, "audit", "verify"], env={"LANG": "ko_KR.UTF-8"})
    assert by_locale.stdout == "감사 기록 체인과 모든 버전이 온전합니다.\n"
    # --lang wins over both.
    given = runner.invoke(
        cli,
        ["--db", stored, "--lang", "en", "audit", "verify"],
        env={"LANG": "ko_KR.UTF-8", "EXPORTCTL_CONFIG": str(config)},
    )
    assert given.stdout == "The audit chain and every version are intact.\n"
    plain = runner.invoke(cli, ["--db", stored, "audit", "verify"])
    assert plain.stdout == "The audit chain and every version are intact.\n"


def test_an_unexpected_error_is_said_in_korean(
    stored: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import exportctl.api

    def broken(*_args: object, **_kwargs: object) -> list[str]:
        raise RuntimeError("boom")

    monkeypatch.setattr(exportctl.api, "verify_audit_log", broken)
    result = CliRunner().invoke(cli, ["--db", stored, "--lang", "ko", "audit", "verify"])
    assert result.exit_code == 3
    assert result.stderr == (
        "오류: 예기치 않은 RuntimeError: boom (exportctl의 버그입니다. 추적 정보를 보려면 "
        "--debug를 붙여 다시 실행하십시오)\n"
    )
