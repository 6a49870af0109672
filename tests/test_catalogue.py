"""The one message catalogue (exportctl.i18n): complete, current and compiled.

A message the code says in English and the Korean catalogue lacks, a report word
one language lacks, a translation that drops or invents a ``{value}``, or a compiled
``.mo`` older than its ``.po``: each fails here.
"""

from __future__ import annotations

import re
import string

import pytest

pytest.importorskip("babel")

from exportctl.i18n import LANGUAGES, catalogue_path, using  # noqa: E402
from exportctl.i18n import _ as say  # noqa: E402
from exportctl.locale.__main__ import compiled, extracted, is_key, load  # noqa: E402


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _ids(lang: str) -> dict[str, object]:
    return {(m.id[0] if isinstance(m.id, tuple) else m.id): m.string for m in load(lang) if m.id}


def test_every_sentence_the_code_says_has_its_korean() -> None:
    korean = _ids("ko")
    missing = [key for key in extracted() if not korean.get(key)]
    assert missing == [], f"{len(missing)} untranslated, run python -m exportctl.locale"


def test_every_report_word_is_in_each_language() -> None:
    keys = {lang: {k for k, v in _ids(lang).items() if is_key(k) and v} for lang in LANGUAGES}
    assert keys["en"] == keys["ko"]
    assert len(keys["en"]) > 300


def test_a_translation_keeps_the_values_of_its_message() -> None:
    english = _ids("en")
    for message in load("ko"):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        source = english.get(ids[0]) if is_key(ids[0]) else ids[0]
        assert isinstance(source, str)
        for text in strings:
            assert _fields(text) == _fields(source), (ids[0], text)


def test_the_compiled_catalogues_are_current() -> None:
    for lang in LANGUAGES:
        assert catalogue_path(lang, ".mo").read_bytes() == compiled(load(lang)), (
            f"{lang}: run python -m exportctl.locale"
        )


def test_messages_follow_the_active_language() -> None:
    with using("ko"):
        assert re.search("[가-힣]", say("the file is empty (0 bytes)"))
    assert say("the file is empty (0 bytes)") == "the file is empty (0 bytes)"
