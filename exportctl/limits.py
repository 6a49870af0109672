"""Resource caps on input files, checked before the work that would scale with them.

A file that declares more than a cap (a cell at column XFD, four billion shared
strings, a sheet that unpacks to gigabytes) is refused with one sentence naming
the cap, the file's value and how to raise the cap, before any parser allocates
for it. The defaults fit the largest real list by a wide margin:

========================  ==============  =============================================
cap                       default         why
========================  ==============  =============================================
``max_rows``              2,000,000       rows of a sheet or table, lines of a CSV: a
                                          million-row catalogue and its header fit, and
                                          so does a full Excel sheet (1,048,576)
``max_columns``           1,000           lists have under 20; XFD (16,384) is an attack
``max_cells``             25,000,000      rows x columns of a sheet's used range, which
                                          python-calamine allocates at 32 bytes a cell
                                          (800 MB); a million rows of 25 columns; and
                                          the cells a sheet writes (a cell written
                                          twice is held twice until the range is built)
``max_strings``           25,000,000      shared strings a workbook declares (one per
                                          cell at most)
``max_unpacked_bytes``    1 GiB           a zip-based file unpacked; a million rows of
                                          12 text columns is about 550 MB of XML
``max_ratio``             100             a zip part unpacking more than 100 times its
                                          size (real sheets: 5 to 15), for parts over
                                          10 MiB
``max_members``           10,000          parts of a zip (a workbook has dozens)
``max_file_bytes``        2 GiB           any input file
``max_line_bytes``        10 MiB          a line of a CSV file
``max_cell_chars``        1,000,000       a CSV field
``max_pages``             2,000           pages of a PDF (the annex has about 40),
                                          counted in its page tree, not its /Count
``max_inflated_bytes``    256 MiB         bytes a PDF's streams decode to, in all: the
                                          annex's come to 1.3 MB (fonts included);
                                          zeros deflate about 1,000 to 1
``max_page_seconds``      30              seconds to read one PDF page (or open the
                                          file); a page of the annex takes under 1 s
``max_page_edges``        5,000           ruled lines on a PDF page as the table finder
                                          sees them (the densest real page: 164)
``max_page_crossings``    20,000          points where a page's ruled lines cross: the
                                          table finder's time grows with their square
                                          (20,000 take about 10 s; the densest real
                                          page has 6,468, a 1,000 x 1,000 grid 10**6)
``max_reader_memory``     2 GiB           memory each worker process reading a PDF
                                          (one, or two from 12 pages) may take beyond
                                          its size at start (reading the annex, a
                                          worker peaks at about 80 MB)
``max_record_chars``      32 Mi           characters of one CSV record, which quoted
                                          line breaks may spread over many lines (each
                                          line within ``max_line_bytes``): a few long
                                          lines' worth; the csv module holds a record
                                          whole, with a pointer per field
``max_stdin_bytes``       64 MiB          all of standard input (codes piped to
                                          ``check``): two million codes of 30 bytes
``max_settings_bytes``    1 MiB           a config or profile file (TOML, read whole):
                                          real ones are a few KB
``max_json_bytes``        256 MiB         an exported version in JSON, read whole and
                                          parsed into objects twice its size: a
                                          1,400-entry list exports to 1 MB
``max_row_cells``         16,384          cells one row of a sheet writes: a sheet has
                                          16,384 columns, and a reader holds a row's
                                          cells until it ends
``max_prolog_bytes``      1 MiB           bytes of an XML part read before the element a
                                          check needs (its root, the shared-strings
                                          header); writers put it in the first bytes
``max_text_bytes``        1 GiB           text a sheet's cells hold once parsed: a shared
                                          string is copied into every cell that uses it,
                                          an .ods value into every repeat of its cell
``max_sections``          1,000           sections of an HWPX document (a notice has a
                                          few; each section listed is read once)
``max_document_bytes``    128 MiB         XML of an HWPX document's sections, counted as
                                          read: it is parsed into Python objects, several
                                          bytes of memory to a byte; the annex is ~3 MB
``max_document_cells``    1,000,000       table cells an HWPX document's tables hold (as
                                          written, and rows x columns laid out), a few
                                          hundred bytes of memory each; the annex has
                                          about 8,500
========================  ==============  =============================================

The caps are checked against what a real XML parse of the file finds (quoting, spacing
and where an element sits change nothing), and against what the file holds rather than
what it declares: a declared used range (``<dimension>``) is a hint and never a reason
to refuse a file whose cells are small.

A cap is raised for one run with the root option ``exportctl --limit NAME=VALUE``
(repeatable), or for good in the config file's ``[limits]`` table
(``max_rows = 3000000``). The option wins over the file.

Streams are bounded as they are read, whatever their size claimed
(:mod:`exportctl.streams`): each line, each record and the whole of a CSV file or of
standard input, so a line that never ends (``/dev/zero``) or a quoted field that runs
over a million lines is refused by the cap it passes, not by the machine.

The caps travel as a value, never as module state: the CLI resolves them once per
command (:func:`resolve`: the defaults, the config file's table, then the option)
and hands them to the API function it calls (``ImportOptions.limits``,
``screen_catalogue(limits=...)``), which gives them to ``read_table``; the file
checks put them on the :class:`~exportctl.readers.guard.Checked` file that every
parser opens. A program using the API or the readers passes its own, or gets the
defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from exportctl.i18n import N_, _

RATIO_FLOOR = 10 * 1024**2
"""Zip parts smaller than this are not checked for ratio: small XML compresses very well."""


@dataclass(frozen=True)
class Limits:
    """The caps in effect (see the module's table for each one's reason)."""

    max_rows: int = 2_000_000
    max_columns: int = 1_000
    max_cells: int = 25_000_000
    max_strings: int = 25_000_000
    max_unpacked_bytes: int = 1024**3
    max_ratio: int = 100
    max_members: int = 10_000
    max_file_bytes: int = 2 * 1024**3
    max_line_bytes: int = 10 * 1024**2
    max_cell_chars: int = 1_000_000
    max_pages: int = 2_000
    max_inflated_bytes: int = 256 * 1024**2
    max_page_seconds: int = 30
    max_page_edges: int = 5_000
    max_page_crossings: int = 20_000
    max_reader_memory: int = 2 * 1024**3
    max_record_chars: int = 32 * 1024**2
    max_stdin_bytes: int = 64 * 1024**2
    max_settings_bytes: int = 1024**2
    max_json_bytes: int = 256 * 1024**2
    max_row_cells: int = 16_384
    max_prolog_bytes: int = 1024**2
    max_text_bytes: int = 1024**3
    max_sections: int = 1_000
    max_document_bytes: int = 128 * 1024**2
    max_document_cells: int = 1_000_000


NAMES: tuple[str, ...] = tuple(field.name for field in fields(Limits))
"""The caps' names, as the option and the config file spell them."""

DEFAULTS = Limits()


def raise_hint(name: str) -> str:
    """How to raise a cap: the root option and the config key."""
    return _(
        "raise it with exportctl --limit {name}=N or {name} in the config file's [limits]"
    ).format(name=name)


BEFORE_READING = N_("refused before reading it")
"""Why a file over a cap is refused, unless the caller says (e.g. a possible zip bomb)."""

WHILE_READING = N_("refused as soon as it passed the cap, while reading it")
"""Why a file is refused when a budget counted as it is read runs out."""


def over(
    what: str, value: int, name: str, limits: Limits, why: str = BEFORE_READING, **values: object
) -> str:
    """The sentence for a file over a cap: its value, the cap, and how to raise it.

    ``what`` is the translated start of the sentence with ``{value}`` and ``{cap}`` in
    it (``_("uses {value:,} columns, more than the {cap:,} columns allowed")``), and any
    other ``values`` it names: the unit and the word order are the translation's.
    ``why`` is an untranslated message (``N_``). Gives ``"uses 16,384 columns, more
    than the 1,000 allowed (max_columns);
    refused before reading it: if the file is genuine, raise it with exportctl --limit
    max_columns=N or max_columns in the config file's [limits]"``.
    """
    cap = getattr(limits, name)
    return _("{what} ({name}); {why}: if the file is genuine, {hint}").format(
        what=what.format(value=value, cap=cap, **values),
        name=name,
        why=_(why),
        hint=raise_hint(name),
    )


def parse_setting(text: str) -> tuple[str, int]:
    """``"max_rows=2000000"`` -> ``("max_rows", 2000000)``.

    Underscores may group digits (``2_000_000``).

    Raises:
        ValueError: Not ``NAME=VALUE``, an unknown name, or not a positive integer.
    """
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep:
        raise ValueError(_('"{text}" is not NAME=VALUE (e.g. max_rows=3000000)').format(text=text))
    return name, check_value(name, value.strip())


def check_value(name: str, value: object) -> int:
    """A cap's value checked: a known name and a positive integer.

    Raises:
        ValueError: Saying which.
    """
    if name not in NAMES:
        raise ValueError(
            _('unknown limit "{name}" (limits: {names})').format(name=name, names=", ".join(NAMES))
        )
    if isinstance(value, str):
        try:
            value = int(value.replace("_", ""), 10)
        except ValueError:
            raise ValueError(
                _('{name} must be a whole number, not "{value}"').format(name=name, value=value)
            ) from None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(
            _("{name} must be a whole number above 0, not {value}").format(
                name=name, value=repr(value)
            )
        )
    return value


def resolve(*layers: Mapping[str, int]) -> Limits:
    """The defaults with each layer's settings applied in turn (later ones win).

    Raises:
        ValueError: A layer names an unknown cap or gives one a bad value.
    """
    limits = DEFAULTS
    for layer in layers:
        checked = {name: check_value(name, value) for name, value in layer.items()}
        limits = replace(limits, **checked)
    return limits
