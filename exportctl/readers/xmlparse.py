"""A streaming XML parse under byte budgets, for the checks that measure a file before
a parser reads it (:mod:`exportctl.readers.prescan`, :mod:`exportctl.readers.prescan_ods`)
and for the HWPX reader.

Expat, fed a chunk at a time from the zip stream, so memory stays flat whatever the
part's size, with defusedxml's protections: a document type declaration (and with it
any entity declaration) is refused, and no external entity is ever fetched. Office
Open XML, OpenDocument and OWPML parts never carry one.

Handlers see each element by its name as written (``table:table-row``), without
namespace processing, which costs time and which the parsers that read these files
do not do either: :func:`local` gives the name after its prefix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import IO, NoReturn
from xml.parsers import expat

from exportctl.errors import InputError
from exportctl.i18n import _
from exportctl.limits import WHILE_READING, Limits, over

CHUNK = 1024 * 1024
"""Bytes of unpacked XML fed to the parser at a time."""

SEARCH_CHUNK = 4 * 1024 * 1024
"""Bytes of unpacked XML searched at a time by the checks' byte searches."""

TAG_SLACK = 64 * 1024
"""Room beyond the longest cell text for the tags around it, in one run without ``<``."""

_DECLARATION = re.compile(rb"<\?xml[^>]*?\?>")
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")
_BYTE_ENCODINGS = frozenset({b"utf-8", b"us-ascii", b"ascii", b"iso-8859-1", b"latin-1"})
_DELIMITERS = (b" ", b">", b"/", b"\t", b"\n", b"\r")


class MalformedXmlError(InputError):
    """A part is not well-formed XML (a check may leave that for the parser to say).

    Attributes:
        reason: What expat says (``not well-formed (invalid token): line 1, column 5``).
    """

    def __init__(self, message: str, *, reason: str, file: str | None = None) -> None:
        self.reason = reason
        super().__init__(message, file=file)


class Stop(Exception):
    """Raised by a handler to end the parse early: what it looked for is found."""


class _Unsafe(Exception):
    """A DOCTYPE or an entity declaration."""


def _refuse(*_args: object) -> NoReturn:
    raise _Unsafe


def local(name: str) -> str:
    """``"table:table-row"`` -> ``"table-row"``; a name without a prefix is itself."""
    return name[name.rfind(":") + 1 :]


def tag_chunks(
    stream: IO[bytes],
    limits: Limits,
    refuse: Callable[[str], NoReturn],
    size: int | None = None,
) -> Iterator[bytes]:
    """The stream's bytes in chunks that end before a start tag, so no tag is cut in
    two, nor an element of text alone (``<v>12</v>``) between chunks.

    Args:
        refuse: Raises the refusal (given its sentence) with the file's location.
        size: Bytes read at a time (default :data:`SEARCH_CHUNK`).

    Raises:
        InputError: Through ``refuse``: a run of bytes without ``<`` (one text, or
            one tag) is longer than any cell may hold; expat would buffer it whole.
    """
    pending = b""
    longest = 4 * limits.max_cell_chars + TAG_SLACK  # UTF-8 takes up to 4 bytes a character
    size = size or SEARCH_CHUNK
    while True:
        block = stream.read(size)
        data = pending + block
        if not block:
            if data:
                yield data
            return
        cut = data.rfind(b"<")
        # Before an end tag (or a "<" whose next byte is still to come), cut before the
        # start tag of its element instead.
        while cut > 0 and data[cut + 1 : cut + 2] in (b"/", b""):
            cut = data.rfind(b"<", 0, cut)
        if cut <= 0:
            pending = data
            if len(pending) > longest:
                refuse(
                    over(
                        _(
                            "has a text or XML tag of more than {value:,} bytes, more than the "
                            "{cap:,} bytes allowed"
                        ),
                        longest,
                        "max_cell_chars",
                        limits,
                    )
                )
            continue
        data, pending = data[:cut], data[cut:]
        yield data


def searchable(first: bytes) -> bytes | None:
    """A part's first chunk after its XML declaration, or ``None`` when its bytes may not
    be searched as text: an encoding whose markup is not one byte a character (UTF-16)."""
    data = first.removeprefix(b"\xef\xbb\xbf")
    if not data.startswith(b"<"):
        return None  # UTF-16 (BOM or not), or text before the root: the parser says
    declaration = _DECLARATION.match(data)
    if declaration is None:
        return data
    encoding = _ENCODING.search(declaration.group(0))
    if encoding is not None and encoding.group(1).lower() not in _BYTE_ENCODINGS:
        return None
    return data[declaration.end() :]


def start_tags(data: bytes, opening: bytes) -> int:
    """Start tags of one element name (``<c``), counted at memory speed."""
    return sum(data.count(opening + delimiter) for delimiter in _DELIMITERS)


def whole_number(text: str) -> int | None:
    """An attribute's whole number (``" 0042 "`` -> 42), ``None`` when it is not one.

    A number of more digits than any count has is kept as 10**18, never converted:
    ``int()`` of a million digits would take seconds.
    """
    digits = text.strip()
    if not digits.isascii() or not digits.isdigit():
        return None
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= 18 else 10**18


def new_parser() -> expat.XMLParserType:
    """An expat parser that refuses DTDs and entities (as defusedxml's ``forbid_dtd``)
    and reports character data in as few calls as it can."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = 64 * 1024
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


class Budget:
    """Bytes a parse (or several: every section of a document) may read.

    Args:
        limits: The caps.
        name: The cap that bounds the bytes (``max_document_bytes``).
        what: The translated start of the refusal, with ``{value}`` and ``{cap}``.
        file: The file, for the refusal.
        why: Why it is refused (untranslated, ``N_``).
    """

    def __init__(
        self, limits: Limits, name: str, what: str, file: str, why: str = WHILE_READING
    ) -> None:
        self.limits = limits
        self.name = name
        self.what = what
        self.file = file
        self.why = why
        self.cap: int = getattr(limits, name)
        self.used = 0

    def take(self, size: int) -> None:
        """Count ``size`` more bytes read.

        Raises:
            InputError: Past the cap.
        """
        self.used += size
        if self.used > self.cap:
            raise InputError(
                over(self.what, self.cap, self.name, self.limits, self.why), file=self.file
            )


def first_bytes(
    stream: IO[bytes], cap: int, refuse: Callable[[int], NoReturn]
) -> Callable[[int], bytes]:
    """A reader of ``stream`` for :func:`parse` that gives at most ``cap`` bytes, then
    calls ``refuse`` with the bytes read (for a parse that must find what it looks
    for within them)."""
    read = 0

    def next_bytes(size: int) -> bytes:
        nonlocal read
        if read >= cap:
            refuse(read)
        data = stream.read(min(size, cap - read))
        read += len(data)
        return data

    return next_bytes


def parse(
    parser: expat.XMLParserType,
    read: Callable[[int], bytes] | IO[bytes],
    part: str,
    file: str,
    budget: Budget | None = None,
    chunk: int = CHUNK,
) -> bool:
    """Feed a part to ``parser`` chunk by chunk, to its end or until a handler stops it.

    Args:
        parser: From :func:`new_parser`, with its handlers set.
        read: The part's stream, or a function giving its next bytes (``b""`` at
            the end), e.g. one that checks each chunk.
        part: The part's name, for the refusals.
        file: The file's name, for the refusals.
        budget: Counts the bytes read, when given.
        chunk: Bytes read at a time.

    Returns:
        Whether a handler stopped the parse (raised :class:`Stop`).

    Raises:
        InputError: The part declares a DOCTYPE or entities, is not well-formed, or
            passes ``budget``; or a handler refused it.
    """
    next_bytes = read if callable(read) else read.read
    try:
        while True:
            data = next_bytes(chunk)
            if budget is not None:
                budget.take(len(data))
            parser.Parse(data, not data)
            if not data:
                return False
    except Stop:
        return True
    except _Unsafe:
        raise InputError(
            _('part "{part}" declares XML entities (DOCTYPE); refusing it as unsafe').format(
                part=part
            ),
            file=file,
        ) from None
    except expat.ExpatError as exc:
        raise MalformedXmlError(
            _('part "{part}" is not well-formed XML ({reason}); the file is damaged').format(
                part=part, reason=exc
            ),
            reason=str(exc),
            file=file,
        ) from None
