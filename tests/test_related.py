"""One coverage path: ``show --code``, ``check`` and ``screen`` give one answer (issue 19).

On the demo database (the bundled sample list, kr-russia 2024-06: 1,402 entries),
every code of the list, every code an entry's text mentions, and for each its
heading, a sibling subheading and a 10-digit code under it are asked of ``check``
and of ``screen`` (one catalogue row each) through the real CLI, and of the
function ``show --code`` filters with; ``show --code`` itself is run on one code
of each relation. ``show --code`` lists entries exactly when ``check`` finds the
code controlled or for review, and always the entry ``check`` names.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import DemoRun, RunCli, copy_demo
from sqlalchemy import Engine

from exportctl import api
from exportctl.api.lookups import _screen_index, filter_items
from exportctl.hscode import HSCode, Nomenclature
from exportctl.models import ItemRecord
from exportctl.screen import ScreenIndex
from exportctl.screen.related import related_entries

SLUG, LABEL = "kr-russia", "2024-06"
VERSION = ("--list", SLUG, "--version", LABEL)
FOUND_BY_CODE = {"controlled": ("covers",), "review": ("partial", "under", "mentions")}
"""The relations the entry ``check`` names may have, by its verdict on a bare code."""


@pytest.fixture(scope="module")
def demo_db(demo_run: DemoRun, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the demo's database (the commands below record what they do in it)."""
    out = copy_demo(demo_run, tmp_path_factory.mktemp("demo") / "demo")
    return f"sqlite:///{out / 'exportctl-demo.db'}"


@pytest.fixture(scope="module")
def stored(demo_db: str) -> Iterator[tuple[Engine, list[ItemRecord], ScreenIndex]]:
    engine = api.open_database(demo_db)
    version = api.resolve_version(engine, SLUG, label=LABEL)
    index, items, _sections = _screen_index(engine, SLUG, version)
    yield engine, items, index
    engine.dispose()


def _asked(items: list[ItemRecord]) -> list[str]:
    """Each code of the list and each code its texts mention, with its heading, a sibling
    subheading of HS 2022 and a 10-digit code under it: digits, sorted."""
    subheadings: dict[str, list[str]] = {}
    for code in sorted(Nomenclature.load("2022").codes(6)):
        subheadings.setdefault(code[:4], []).append(code)
    listed = {item.code for item in items if item.code}
    listed |= {code for item in items for code in item.mentioned_codes}
    asked = set(listed)
    for code in listed:
        asked.add(code[:4])
        sibling = next((c for c in subheadings.get(code[:4], []) if c != code[:6]), None)
        if sibling is not None:
            asked.add(sibling)
        if len(code) < 10:
            asked.add((code + "1" + "0" * 9)[:10])
    return sorted(asked)


def _columnar_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """``show --code``'s filter indexes the version for the columnar engine on each call;
    asked 3,000 codes of one version, it gets the index built once and a fresh copy each
    time (as a pickled screener gets one: the tables shared, what a run met its own), so
    the codes cost their screening rather than 3,000 builds of the same tables."""
    import exportctl.screen.columnar as columnar

    real = columnar.ColumnarIndex
    built: dict[tuple[int, str | None], tuple[ScreenIndex, columnar.ColumnarIndex]] = {}

    def once(index: ScreenIndex, edition: str | None = None) -> columnar.ColumnarIndex:
        key = (id(index), edition)
        if key not in built:
            built[key] = (index, real(index, edition=edition))
        fresh = real.__new__(real)
        fresh.__setstate__(built[key][1].__getstate__())
        return fresh

    monkeypatch.setattr(columnar, "ColumnarIndex", once)


def _entry(found: dict[str, Any] | None) -> tuple[int, str] | None:
    return (found["section"], found["serial"]) if found is not None else None


def test_check_screen_and_show_code_agree_on_every_code_of_the_sample_list(
    run_cli: RunCli,
    demo_db: str,
    stored: tuple[Engine, list[ItemRecord], ScreenIndex],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _engine, items, index = stored
    codes = _asked(items)
    dotted = [HSCode(code).dotted() for code in codes]
    assert len(codes) > 3000 and "880622" in codes and "8806" in codes

    checked = run_cli("check", *VERSION, "--json", db=demo_db, input="\n".join(dotted) + "\n")
    assert checked.exit_code == 0, checked.output
    results = json.loads(checked.stdout)["results"]
    catalogue = tmp_path / "codes.csv"
    catalogue.write_text(
        "SKU,HS code\n" + "".join(f"S{n},{code}\n" for n, code in enumerate(dotted)), "utf-8"
    )
    screened = run_cli("screen", catalogue, *VERSION, "--json", db=demo_db)
    assert screened.exit_code == 0, screened.output
    rows = json.loads(screened.stdout)["rows"]
    assert len(results) == len(rows) == len(codes)

    seen: set[str] = set()
    _columnar_built_once(monkeypatch)
    for code, shown_code, check, row in zip(codes, dotted, results, rows, strict=True):
        assert (check["digits"], row["code"], row["warning"]) == (code, code, None), shown_code
        status = check["status"]
        assert row["status"] == status, shown_code
        assert _entry(row["entry"]) == _entry(check["entry"]), shown_code
        shown = filter_items(items, code=shown_code, index=index)
        relations = {id(r.entry): r.relation for r in related_entries(index, code)}
        assert {id(item) for item in shown} == set(relations), shown_code
        assert bool(shown) == (status in FOUND_BY_CODE), (shown_code, status)
        if status in FOUND_BY_CODE:
            named = _entry(check["entry"])
            deciding = [i for i in shown if (i.section, i.serial) == named]
            assert len(deciding) == 1, (shown_code, named)
            assert relations[id(deciding[0])] in FOUND_BY_CODE[status], shown_code
        seen.add(status)
    assert seen == {"controlled", "review", "clear"}


UNDER_8471 = {"822": ("under", "under"), "1310": ("under", "under"), "1311": ("under", "under")}


@pytest.mark.parametrize(
    ("code", "status", "found"),
    [
        ("8806.22", "review", {"19": ("mentions", "mentions 8806.22")}),
        ("8806.22.1000", "review", {"19": ("mentions", "mentions 8806.22")}),
        ("8471.30", "controlled", {"822": ("covers", "covers")}),
        ("8471", "review", UNDER_8471),
        ("8536.69.1000", "review", {"939": ("partial", "ex: covers part")}),
        ("0808.10", "clear", {}),
    ],
)
def test_show_code_lists_what_check_names_with_how_it_relates(
    run_cli: RunCli, demo_db: str, code: str, status: str, found: dict[str, tuple[str, str]]
) -> None:
    """``found``: serial -> (relation in JSON, tag in the text)."""
    checked = json.loads(run_cli("check", code, *VERSION, "--json", db=demo_db).stdout)
    (result,) = checked["results"]
    assert result["status"] == status
    shown = run_cli("show", *VERSION, "--code", code, "--json", db=demo_db, ok=True)
    relations = {
        item["serial"]: item["relation"]["relation"] for item in json.loads(shown.stdout)["items"]
    }
    assert relations == {serial: relation for serial, (relation, _tag) in found.items()}
    if result["entry"] is not None:
        assert result["entry"]["serial"] in relations
    text = run_cli("show", *VERSION, "--code", code, db=demo_db, ok=True).stdout
    assert f'{len(found)} of 1,402 items match code "{code}"' in text
    for serial, (_relation, tag) in found.items():
        line = next(line for line in text.splitlines() if line.split()[:1] == [serial])
        assert f"[{tag}] " in line, line


def test_show_code_reads_a_code_as_check_reads_it(run_cli: RunCli, demo_db: str) -> None:
    # 8471.3 lost its zero; check reads it as 8471.30 (the only reading) and so does show.
    checked = json.loads(run_cli("check", "8471.3", *VERSION, "--json", db=demo_db).stdout)
    assert (checked["results"][0]["code"], checked["results"][0]["status"]) == (
        "8471.30",
        "controlled",
    )
    shown = json.loads(
        run_cli("show", *VERSION, "--code", "8471.3", "--json", db=demo_db, ok=True).stdout
    )
    assert [(i["serial"], i["relation"]["relation"]) for i in shown["items"]] == [("822", "covers")]
    assert shown["code_read"].startswith("code read as 8471.30")
