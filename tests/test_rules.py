"""Every rule id the code gives a finding or a note is documented in exportctl.rules."""

from __future__ import annotations

import re
from pathlib import Path

from exportctl.annex import ControlRule, SerialRule
from exportctl.hscode import codes
from exportctl.rules import RULES

PACKAGE = Path(__file__).resolve().parents[1] / "exportctl"
# The call shapes that name a rule: out.add("warning", "rule", ...), Note("rule", ...),
# warn("rule", ...), and rule="..." keywords.
_NAMED = re.compile(r'(?:add\(\s*"(?:error|warning)",\s*|Note\(\s*|warn\(\s*|rule=)"([a-z0-9-]+)"')


def _used() -> set[str]:
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        found.update(_NAMED.findall(path.read_text(encoding="utf-8")))
    found.update(SerialRule.__args__)  # type: ignore[attr-defined]
    found.update(ControlRule.__args__)  # type: ignore[attr-defined]
    found.update(f"{kind}-code" for kind in codes.ProblemKind.__args__ if kind != "not-a-code")  # type: ignore[attr-defined]
    return found


def test_every_rule_in_use_is_documented() -> None:
    missing = sorted(_used() - set(RULES))
    assert not missing, f"rules used but not in exportctl.rules.RULES: {missing}"


def test_the_scan_finds_the_rules() -> None:
    used = _used()
    assert {"duplicate-code", "footnote-rows", "looks-like-additions", "orphan-branch"} <= used
