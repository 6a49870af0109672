"""Why a row got its status, as data: a rule id and its values, said in any language.

A :class:`Reason` is what screening decides (the rule ``description`` with the entry,
the sub-item and the evidence that fired); sentences are renderings of it
(:meth:`Reason.render`), from the templates of the message catalogue
(:mod:`exportctl.i18n`, keys ``reason.<rule>`` in each language). The English
sentence is what ``str(reason)`` gives, and what reports showed before reasons
were data.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from exportctl.hscode import Span
from exportctl.i18n import LANGUAGES, translations
from exportctl.models import ItemRecord, SubItem
from exportctl.screen.references import shorten

__all__ = ["Reason", "entry_value", "sub_value", "templates"]


class _Templates(Mapping[str, str]):
    """Rule id -> template of one language, from the catalogue's ``reason.*`` keys."""

    def __init__(self, lang: str) -> None:
        self._catalogue = translations(lang)

    def __getitem__(self, rule: str) -> str:
        key = f"reason.{rule}"
        text = self._catalogue.gettext(key)
        if text == key:
            raise KeyError(rule)
        return text

    def __iter__(self) -> Iterator[str]:
        raise TypeError("the templates are looked up by rule id, not listed")

    def __len__(self) -> int:
        raise TypeError("the templates are looked up by rule id, not counted")


@functools.cache
def templates() -> Mapping[str, Mapping[str, str]]:
    """Language -> rule id -> template."""
    return {lang: _Templates(lang) for lang in LANGUAGES}


@dataclass(frozen=True, slots=True)
class Reason:
    """A rule id and the values it was decided with.

    Example:
        >>> str(Reason("clear", {"slug": "kr-russia", "label": "2024-06", "code": "8471.30"}))
        'no entry of kr-russia 2024-06 covers 8471.30'
    """

    rule: str
    """The rule that decided (a key of the templates)."""
    values: Mapping[str, Any]
    """Its values: text, numbers, an ``entry`` and ``sub`` object, ``evidence`` list,
    or a nested ``reason`` (``{"rule", "values"}``)."""

    def render(self, lang: str = "en") -> str:
        """The reason as a sentence in ``lang`` (``en`` or ``ko``)."""
        table = templates()[lang if lang in LANGUAGES else LANGUAGES[0]]
        values = dict(self.values)
        filled: dict[str, str] = {}
        for key, value in values.items():
            filled[key] = _value(key, value, table, lang)
        filled.setdefault("sub", "")
        filled.setdefault("within", "")
        return table[self.rule].format(**filled)

    def __str__(self) -> str:
        return self.render("en")

    def to_json(self) -> dict[str, Any]:
        """``{"rule": ..., "values": {...}}`` as the JSON reports give it."""
        return {"rule": self.rule, "values": dict(self.values)}


def _value(key: str, value: Any, table: Mapping[str, str], lang: str) -> str:
    if key == "entry" and isinstance(value, Mapping):
        return _entry(value, table)
    if key in ("sub", "within"):
        if not value:
            return ""
        return table[key].format(label=value["label"], text=value["text"])
    if key == "evidence" and isinstance(value, list):
        return "; ".join(
            table[f"evidence.{item['kind']}"].format(
                words=" ".join(item.get("words", ())), chapter=item.get("chapter", "")
            )
            for item in value
        )
    if key == "reason" and isinstance(value, Mapping):
        return Reason(value["rule"], value["values"]).render(lang)
    if key == "each" and isinstance(value, list):
        return "; ".join(
            table["reading"].format(
                code=item["code"],
                status=table[f"status.{item['status']}"],
                reason=Reason(item["reason"]["rule"], item["reason"]["values"]).render(lang),
            )
            for item in value
        )
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


def _entry(value: Mapping[str, Any], table: Mapping[str, str]) -> str:
    serial = value.get("serial")
    if serial is None:
        return table["entry.row"].format(row=value.get("row"))
    if value.get("sectioned"):
        serial = f"{serial}{table['entry.part'].format(section=value.get('section'))}"
    return table[f"entry.{value['kind']}"].format(serial=serial, code=value.get("code"))


def entry_value(entry: ItemRecord, *, sectioned: bool = False) -> dict[str, Any]:
    """An entry as a reason's value: serial, part, code and how it is defined."""
    if entry.code:
        kind, code = "code", str(Span(entry.code, entry.code_end, entry.ex))
    else:
        kind, code = ("specification" if entry.sub_items else "name"), None
    return {
        "serial": entry.serial,
        "row": entry.row,
        "section": entry.section,
        "sectioned": sectioned,
        "kind": kind,
        "code": code,
    }


def sub_value(sub: SubItem | None) -> dict[str, str] | None:
    """A sub-item as a reason's value (its label and text, shortened), or None."""
    if sub is None:
        return None
    return {"label": sub.label, "text": shorten(sub.full_text)}
