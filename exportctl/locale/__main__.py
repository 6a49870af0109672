"""Refresh the message catalogues: ``python -m exportctl.locale [--merge FILE.po ...]``.

Extracts every sentence marked ``_``/``N_``/``ngettext`` from the code with Babel,
adds the new ones to the Korean catalogue (untranslated, for a translator), marks
those the code no longer says as obsolete, takes translations from the ``--merge``
files, and compiles both catalogues. Needs Babel (``pip install -e '.[test]'``); the
installed tool reads only the compiled ``.mo`` files, with the standard library.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from exportctl.i18n import DOMAIN, LANGUAGES, catalogue_path

KEY = re.compile(r"[a-z][a-z0-9_]*(?:\.[A-Za-z0-9_-]+)+")
"""What a report word's key looks like."""

KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
"""The markers the code uses (see :mod:`exportctl.i18n`)."""

PACKAGE = Path(__file__).resolve().parent.parent


def is_key(message_id: str) -> bool:
    """Whether a message id is a report word's key (``kind.added``), not a sentence."""
    # Keys are lower-case dotted names (``kind.added``, ``reason.code-covered``); a
    # one-word sentence ending in a full stop ("Reconciles.") is not one.
    return KEY.fullmatch(message_id) is not None


def message_key(message_id: str | tuple[str, ...] | list[str]) -> str:
    """The singular of a message id (a plural message's id is a pair)."""
    return message_id if isinstance(message_id, str) else message_id[0]


def extracted() -> dict[str, tuple[str, ...] | str]:
    """Every sentence the code marks, singular (or singular/plural pair) by id."""
    found: dict[str, tuple[str, ...] | str] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        key = message[0] if isinstance(message, tuple) else message
        if key and not is_key(key):
            found[key] = message
    return found


def load(lang: str) -> Catalog:
    """A catalogue as its ``.po`` file holds it."""
    with catalogue_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def compiled(catalog: Catalog) -> bytes:
    """The ``.mo`` bytes of a catalogue (fuzzy entries left out, as gettext does)."""
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def save(lang: str, catalog: Catalog) -> None:
    """Write a catalogue's ``.po`` and ``.mo``."""
    with catalogue_path(lang).open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=True, omit_header=False)
    catalogue_path(lang, ".mo").write_bytes(compiled(load(lang)))


INCOMING = Path(__file__).resolve().parent / "incoming"
"""Translations waiting to be merged: ``<area>.<lang>.po`` files (report words by key in
each language, sentences in Korean), merged on every refresh."""


def _incoming(lang: str, extra: list[Path]) -> dict[str, str | tuple[str, ...] | list[str]]:
    found: dict[str, str | tuple[str, ...] | list[str]] = {}
    paths = sorted(INCOMING.glob(f"*.{lang}.po")) if INCOMING.is_dir() else []
    if lang != LANGUAGES[0]:
        paths += extra
    for path in paths:
        with path.open("rb") as handle:
            for message in read_po(handle, locale=lang):
                if message.id and message.string and not message.fuzzy:
                    found[message_key(message.id)] = message.string
    return found


def refresh(merge: list[Path]) -> list[str]:
    """Update the catalogues from the code, ``incoming/`` and ``merge`` (Korean files);
    return the ids still untranslated."""
    sentences = extracted()
    for lang in LANGUAGES:
        catalog = load(lang)
        incoming = _incoming(lang, merge)
        for key, text in incoming.items():
            if is_key(key):
                entry = catalog.get(key)
                if entry is None:
                    catalog.add(key, text)
                else:
                    entry.string = text
        if lang != LANGUAGES[0]:
            for key, source in sentences.items():
                entry = catalog.get(key)
                empty = "" if isinstance(source, str) else ("", "")
                if entry is None:
                    catalog.add(source, incoming.get(key, empty))
                elif key in incoming:
                    entry.string = incoming[key]
        for entry in list(catalog):
            key = message_key(entry.id)
            if key and not is_key(key) and key not in sentences:
                catalog.delete(entry.id)
        save(lang, catalog)
    korean = load("ko")
    return [key for key in sentences if not translated(korean.get(key))]


def translated(entry: Message | None) -> bool:
    """Whether a catalogue entry has its translation (every plural form, not fuzzy)."""
    if entry is None or entry.fuzzy or not entry.string:
        return False
    return isinstance(entry.string, str) or all(entry.string)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m exportctl.locale", description=__doc__)
    parser.add_argument("--merge", type=Path, nargs="*", default=[], metavar="FILE.po")
    args = parser.parse_args()
    missing = refresh(args.merge)
    for key in missing:
        print(f"untranslated: {key}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
