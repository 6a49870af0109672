"""Regime profiles as data: lists name one, imports read with it (issue 15)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import SHARED, RunCli

from exportctl import store
from exportctl.api import open_database
from exportctl.errors import InputError
from exportctl.profiles import DEFAULT_PROFILE, builtin_names, load_profile, read_profile

# The database's dialect does not matter here (the store's own tests run on both).
pytestmark = pytest.mark.sqlite_only

CHPL = SHARED / "data" / "control_lists" / "chpl_bis_2024-02-23_transcribed.csv"

UK_PROFILE = """\
name = "uk-russia"
title = "UK: Russia sanctions, commodity codes"
hs_edition = "HS2022"
code_levels = [4, 6, 8, 10]
controls = "code"

[headers]
code = ["Commodity code"]
description = ["Goods description"]

[attributes.schedule]
label = "Schedule"
headers = ["Schedule part"]
"""


@pytest.fixture(autouse=True)
def _profile_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "profiles"
    monkeypatch.setenv("EXPORTCTL_PROFILES", str(folder))
    return folder


def test_the_built_in_profiles() -> None:
    assert builtin_names() == ("chpl", "eu-833", "kr-annex-2-2", "us-746")
    assert load_profile(None).name == DEFAULT_PROFILE == "kr-annex-2-2"
    chpl = load_profile("chpl")
    assert chpl.attribute_names == ("tier",) and chpl.code_levels == (6,)
    assert chpl.attributes[0].values == ("1", "2", "3.A", "3.B", "4.A", "4.B")
    us = load_profile("us-746")
    assert us.controls == "description" and us.attribute_names == ("price_threshold",)
    assert us.reason is not None and "regardless of their HTS code" in us.reason
    assert load_profile("eu-833").ranges and load_profile("chpl").reason is None
    assert chpl.schema().lookup("hs_description_and_representative_part") == "description"
    assert chpl.schema().lookup("Tier") == "tier"


def test_an_unknown_profile_names_those_known() -> None:
    with pytest.raises(InputError, match=r'no profile "uk"; known profiles: chpl, eu-833'):
        load_profile("uk")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('name = "x"\ncolour = "red"\n', "colour: Extra inputs are not permitted"),
        ('name = "x"\ncontrols = "description"\n', "needs controls_reason"),
        ('name = "x"\ncode_levels = [5]\n', "code levels are among 2, 4, 6, 8 and 10"),
        ('name = "x"\n[headers]\ntier = ["Tier"]\n', "attributes go under [attributes]"),
        ('name = "x"\n[attributes.code]\nheaders = ["c"]\n', "cannot be an attribute name"),
        ('name = "x"\nname = "y"\n', "is not valid TOML"),
    ],
)
def test_a_bad_profile_file_is_refused_with_the_reason(
    tmp_path: Path, text: str, said: str
) -> None:
    path = tmp_path / "x.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="x.toml") as raised:
        read_profile(path)
    assert said in str(raised.value)


def test_the_chpl_transcription_imports_with_its_tiers(run_cli: RunCli, initialised: str) -> None:
    if not CHPL.is_file():
        pytest.skip(f"{CHPL} is not here")
    created = run_cli(
        "lists", "create", "chpl", "--name", "CHPL", "--profile", "chpl", db=initialised, ok=True
    )
    assert created.output == 'Created list chpl: "CHPL", profile chpl.\n'
    run_cli("import", CHPL, "--list", "chpl", "--version", "2024-02-23", db=initialised, ok=True)
    shown = json.loads(
        run_cli(
            "show", "--list", "chpl", "--version", "2024-02-23", "--json", db=initialised, ok=True
        ).output
    )
    assert shown["count"] == 50
    tiers = Counter(item["attributes"]["tier"] for item in shown["items"])
    assert [tiers[t] for t in ("1", "2", "3.A", "3.B", "4.A", "4.B")] == [4, 5, 16, 9, 11, 5]
    assert {item["level"] for item in shown["items"]} == {6}
    listed = json.loads(run_cli("lists", "--json", db=initialised, ok=True).output)
    assert [(cl["slug"], cl["profile"]) for cl in listed] == [("chpl", "chpl")]
    engine = open_database(initialised)
    with store.session_scope(engine) as session:
        version = store.get_version(session, "chpl", "2024-02-23")
        assert version.hs_edition == "HS2022"
        assert store.verify_audit(session) == []
    engine.dispose()


def _chpl_like(tmp_path: Path, rows: list[tuple[str, str, str]]) -> Path:
    path = tmp_path / "chpl.csv"
    lines = ["tier,hs_code,hs_description_and_representative_part"]
    lines += [f"{tier},{code},{text}" for tier, code, text in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_screening_says_the_deciding_entrys_tier(
    tmp_path: Path, run_cli: RunCli, initialised: str
) -> None:
    path = _chpl_like(tmp_path, [("1", "8542.31", "Processors"), ("3.A", "8471.50", "CPUs")])
    run_cli("lists", "create", "chpl", "--name", "CHPL", "--profile", "chpl", db=initialised)
    run_cli(
        "import", path, "--list", "chpl", "--version", "1", "--approve",
        "--effective", "2024-01-01", db=initialised, ok=True,
    )  # fmt: skip
    catalogue = tmp_path / "catalogue.csv"
    catalogue.write_text("SKU,Description,HS Code\nA-1,MCU,8542310000\n", encoding="utf-8")
    result = run_cli(
        "screen",
        catalogue,
        "--list",
        "chpl",
        "--version",
        "1",
        "--format",
        "json",
        db=initialised,
    )
    row = json.loads(result.output)["rows"][0]
    assert row["status"] == "controlled"
    assert row["entry"]["attributes"] == {"tier": "1"}


def test_the_profile_warns_about_codes_and_values_it_does_not_write(
    tmp_path: Path, run_cli: RunCli, initialised: str
) -> None:
    path = _chpl_like(tmp_path, [("1", "8542", "ICs"), ("7", "8471.50", "CPUs")])
    # validate reads no database (unless --base): it is told the profile.
    result = run_cli(
        "validate", path, "--list", "chpl", "--profile", "chpl", "--json", db=initialised, ok=True
    )
    found = {f["rule"]: f["message"] for f in json.loads(result.output)["findings"]}
    assert found["code-level"] == "8542 has 4 digits; profile chpl writes codes of 6 digits"
    assert found["attribute-value"] == (
        'Tier "7" is not one of profile chpl\'s: 1, 2, 3.A, 3.B, 4.A, 4.B'
    )


def test_a_user_profile_file(
    tmp_path: Path, run_cli: RunCli, initialised: str, _profile_folder: Path
) -> None:
    mine = tmp_path / "uk-russia.toml"
    mine.write_text(UK_PROFILE, encoding="utf-8")
    run_cli(
        "lists", "create", "uk", "--name", "UK", "--profile-file", mine, db=initialised, ok=True
    )
    assert (_profile_folder / "uk-russia.toml").read_text(encoding="utf-8") == UK_PROFILE
    listed = tmp_path / "uk.csv"
    listed.write_text(
        "Commodity code,Goods description,Schedule part\n"
        "8471 30 00 00,Portable computers,35\n"
        "ex 8517 62 00,Machines for reception of voice,35\n",
        encoding="utf-8",
    )
    run_cli("import", listed, "--list", "uk", "--version", "1", db=initialised, ok=True)
    shown = json.loads(
        run_cli("show", "--list", "uk", "--version", "1", "--json", db=initialised, ok=True).output
    )
    assert [(i["code"], i["ex"], i["attributes"]) for i in shown["items"]] == [
        ("8471300000", False, {"schedule": "35"}),
        ("85176200", True, {"schedule": "35"}),
    ]
    # A second list may name the installed profile; a built-in name is not taken.
    run_cli(
        "lists", "create", "uk2", "--name", "UK", "--profile", "uk-russia", db=initialised, ok=True
    )
    clash = tmp_path / "chpl.toml"
    clash.write_text('name = "chpl"\n', encoding="utf-8")
    refused = run_cli(
        "lists", "create", "x", "--name", "X", "--profile-file", clash, db=initialised
    )
    assert refused.exit_code == 2
    assert 'names the built-in profile "chpl"' in refused.output


def test_a_list_keeps_its_profile_and_the_edition_can_be_given(
    tmp_path: Path, run_cli: RunCli, initialised: str
) -> None:
    path = _chpl_like(tmp_path, [("1", "8542.31", "Processors")])
    run_cli("lists", "create", "chpl", "--name", "CHPL", "--profile", "chpl", db=initialised)
    other = run_cli(
        "import", path, "--list", "chpl", "--version", "1", "--profile", "eu-833", db=initialised
    )
    assert other.exit_code == 2
    assert 'list "chpl" follows profile "chpl", not "eu-833"' in other.output
    bad = run_cli(
        "import", path, "--list", "chpl", "--version", "1", "--hs-edition", "HS2030", db=initialised
    )
    assert bad.exit_code == 2 and '--hs-edition "HS2030" is not an HS edition' in bad.output
    imported = run_cli(
        "import",
        path,
        "--list",
        "chpl",
        "--version",
        "1",
        "--hs-edition",
        "2017",
        "--json",
        db=initialised,
        ok=True,
    )
    said = json.loads(imported.output)
    assert (said["profile"], said["hs_edition"]) == ("chpl", "HS2017")
    assert run_cli("lists", db=initialised, ok=True).output.startswith(
        "chpl — CHPL (profile chpl): 1 version,"
    )
    engine = open_database(initialised)
    with store.session_scope(engine) as session:
        assert store.get_version(session, "chpl", "1").hs_edition == "HS2017"
    engine.dispose()


def test_an_unknown_profile_is_refused_when_the_list_is_created(
    run_cli: RunCli, initialised: str
) -> None:
    result = run_cli("lists", "create", "x", "--name", "X", "--profile", "uk", db=initialised)
    assert result.exit_code == 2
    assert result.output.startswith('Error: no profile "uk"; known profiles: chpl, eu-833')


def test_a_profile_counting_coded_entries_leaves_named_ones_out_of_the_totals(
    tmp_path: Path, run_cli: RunCli, initialised: str, _profile_folder: Path
) -> None:
    _profile_folder.mkdir()
    (_profile_folder / "coded.toml").write_text(
        'name = "coded"\n[counting]\nentries = "coded"\n', encoding="utf-8"
    )
    path = tmp_path / "list.csv"
    path.write_text(
        "연번,HS코드,품목명\n1,8471.30,컴퓨터\n2,,드론\n3,8517.62,통신기기\n", encoding="utf-8"
    )
    args = ("validate", path, "--list", "x", "--declared-total", "2", "--json")
    coded = run_cli(*args, "--profile", "coded", db=initialised)
    assert coded.exit_code == 0, coded.output
    every = run_cli(*args, db=initialised)
    assert every.exit_code == 1
    assert "the version has 3 items but the notice declares 2" in every.output


def test_chpl_tiers_show_in_show_and_in_the_export(
    tmp_path: Path, run_cli: RunCli, sqlite_url: str
) -> None:
    import csv as _csv

    source = CHPL
    if not source.is_file():
        pytest.skip("shared data not present")
    run_cli("init", db=sqlite_url, ok=True)
    run_cli("lists", "create", "chpl", "--name", "CHPL", "--profile", "chpl", db=sqlite_url)
    run_cli("import", source, "--list", "chpl", "--version", "v1", db=sqlite_url, ok=True)
    shown = run_cli("show", "--list", "chpl", "--version", "v1", db=sqlite_url, ok=True).stdout
    assert shown.count("[tier=") == 50 and "[tier=3.A]" in shown
    out = tmp_path / "chpl.csv"
    args = ("export", "v1", "--list", "chpl", "-o", out, "--csv-dialect", "plain")
    run_cli(*args, db=sqlite_url, ok=True)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(_csv.DictReader(handle))
    tiers = sorted({row["attributes"] for row in rows})
    assert len(rows) == 50 and tiers[0] == "tier=1" and "tier=4.B" in tiers


def test_a_screening_report_names_the_deciding_entrys_tier(
    tmp_path: Path, run_cli: RunCli, sqlite_url: str
) -> None:
    import csv as _csv
    import io

    if not CHPL.is_file():
        pytest.skip("shared data not present")
    run_cli("init", db=sqlite_url, ok=True)
    run_cli("lists", "create", "chpl", "--name", "CHPL", "--profile", "chpl", db=sqlite_url)
    args = ("--version", "v1", "--approve", "--effective", "2024-01-01")
    run_cli("import", CHPL, "--list", "chpl", *args, db=sqlite_url)
    catalogue = tmp_path / "catalogue.csv"
    catalogue.write_text("SKU,Description,HS code\nIC-1,memory chip,8542.32.1000\n", "utf-8")
    args = ("screen", catalogue, "--list", "chpl", "--version", "v1", "--format", "csv")
    out = run_cli(*args, "--csv-dialect", "plain", db=sqlite_url, ok=True).stdout
    row = next(_csv.DictReader(io.StringIO(out)))
    assert row["status"] == "controlled" and row["entry_attributes"] == "tier=1"
    pdf = tmp_path / "screen.pdf"
    run_cli(*args[:6], "-o", pdf, db=sqlite_url, ok=True)
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "[tier=1]" in text
