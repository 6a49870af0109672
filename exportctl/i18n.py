"""One message catalogue for everything a person reads, in English and Korean.

The catalogues are GNU gettext's: ``exportctl/locale/<lang>/LC_MESSAGES/exportctl.po``
(the text translators edit, with the glossary of Korean terms in its header) compiled
to ``exportctl.mo`` beside it, which the standard library's :mod:`gettext` reads.
Babel extracts the messages from the code and compiles the catalogues
(``python -m exportctl.i18n`` rewrites both; ``tests/test_catalogue.py`` fails when a
message lacks a language or a compiled file is stale).

Two kinds of message share the one domain:

* **Sentences** the code writes in English, marked ``_("...")`` (or ``N_`` where the
  text is only named, ``ngettext`` for a count): the English text is the message id,
  and the Korean catalogue gives its translation. Values are filled in after
  translation with ``str.format`` names, so a translation may put them in any order.
* **Report words** looked up by key (``kind.added``, ``pdf.title``, ``reason.clear``),
  as :class:`exportctl.reports.language.Text` does: both catalogues give their text,
  since the key is not English.

Which language a message is said in is the *active* language of the running context
(:func:`activate`, :func:`using`): the CLI sets it once from ``--lang``, the config's
``lang`` or the locale, and the web view per request. It is a
:class:`contextvars.ContextVar`, so threads and tasks each keep their own.

Example:
    >>> with using("ko"):
    ...     _("the file is empty (0 bytes)")
    '파일이 비어 있습니다 (0바이트)'
"""

from __future__ import annotations

import contextvars
import functools
import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "N_",
    "_",
    "activate",
    "active",
    "catalogue_path",
    "ngettext",
    "translations",
    "using",
]

DOMAIN = "exportctl"
LANGUAGES: tuple[str, ...] = ("en", "ko")
"""Languages with a catalogue; the first is the code's own."""

_active: contextvars.ContextVar[str] = contextvars.ContextVar("exportctl_lang", default="en")


def catalogue_path(lang: str, suffix: str = ".po") -> Path:
    """The catalogue file of ``lang`` (``.po`` source or ``.mo`` compiled)."""
    root = Path(str(resources.files("exportctl").joinpath("locale")))
    return root / lang / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang``, read once.

    Raises:
        ValueError: Not a language exportctl speaks.
    """
    if lang not in LANGUAGES:
        raise ValueError(f'unknown language "{lang}" (choose {", ".join(LANGUAGES)})')
    with catalogue_path(lang, ".mo").open("rb") as handle:
        return gettext.GNUTranslations(handle)


def activate(lang: str) -> contextvars.Token[str]:
    """Say messages in ``lang`` from now on in this context; returns the token to undo it."""
    translations(lang)  # refuse an unknown language here, not at the first message
    return _active.set(lang)


def active() -> str:
    """The language messages are said in now."""
    return _active.get()


@contextmanager
def using(lang: str) -> Iterator[str]:
    """Say messages in ``lang`` inside the ``with`` block, then as before."""
    token = activate(lang)
    try:
        yield lang
    finally:
        _active.reset(token)


def _(message: str) -> str:
    """``message`` (English) in the active language."""
    return translations(_active.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message for ``n``, in the active language."""
    return translations(_active.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark, translate later"
    """Mark ``message`` for the catalogue without translating it here."""
    return message
