"""The caps pdfminer and pdfplumber are held to while they read a PDF.

Three things a small PDF can make without bound, each measured as it is made:

* **Decoded bytes.** pdfminer inflates a stream whole (``zlib.decompress``), and a
  stream of zeros deflates about 1,000 to 1; a damaged one it inflates again a byte
  at a time, in time that grows with the square of its size. Within
  :func:`inflation_budget`, pdfminer's decoders for the filters that expand
  (Flate, LZW, RunLength, CCITT fax, ASCII85) are replaced by ones that stop past
  ``max_inflated_bytes`` in all, counting as they go; the first has pdfminer's
  forgiveness of a damaged tail, in linear time.
* **Pages.** The page tree's ``/Count`` is the file's claim, not a measure: the
  pages are those :func:`page_tree` finds walking ``/Kids`` (each node once, at
  most :data:`PAGE_TREE_DEPTH` levels), counted only to one past ``max_pages``.
* **Table finding.** pdfplumber's table finder takes time that grows with the
  square of the points where ruled lines cross (a grid of 150 by 150 lines takes
  13 s, one of 1,000 by 1,000 would take days). :class:`CappedFinder` counts the
  lines it is given (``max_page_edges``) and their crossings (``max_page_crossings``)
  before it looks for tables.

The replacements stay installed in the process that used them (pdfminer reads the
names at each call), but count only within a budget: the reader installs them in
its own worker process (:mod:`exportctl.readers.box`).
"""

from __future__ import annotations

import contextvars
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from io import BytesIO
from typing import Any

from pdfminer import pdftypes
from pdfminer.ascii85 import ascii85decode, asciihexdecode
from pdfminer.ccitt import CCITTFaxDecoder
from pdfminer.lzw import LZWDecoder
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import LITERAL_PAGE, LITERAL_PAGES, PDFPage
from pdfminer.pdftypes import PDFObjectNotFound, PDFObjRef, PDFValueError, dict_value, list_value
from pdfplumber.page import Page
from pdfplumber.table import TableFinder, TableSettings

from exportctl.errors import InputError
from exportctl.i18n import N_, _
from exportctl.limits import Limits, over

PAGE_TREE_DEPTH = 64
"""Levels of ``/Pages`` nodes followed (a balanced tree of 2,000 pages needs 4 to 11)."""

FEED = 1024
"""Compressed bytes inflated at a time: deflate gives at most 1,032 bytes for one, so
the budget is checked at least every MiB."""

_DAMAGED_TAIL = 3
"""pdfminer keeps what a damaged deflate stream gave when the damage is in its last
bytes (the checksum); an error before them loses the stream."""


class Exhausted(BaseException):  # noqa: N818 - a signal, like KeyboardInterrupt
    """Decoding went past the budget.

    A ``BaseException``, so that the ``except Exception`` of pdfminer and pdfplumber
    cannot take it for a damaged object and read on.
    """


class _Inflation:
    """The bytes decoded so far against the cap."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.used = 0

    def charge(self, size: int) -> None:
        self.used += size
        if self.used > self.cap:
            raise Exhausted

    def room(self, size: int) -> None:
        """Refuse to decode ``size`` bytes more when they would pass the cap."""
        if self.used + size > self.cap:
            self.used += size
            raise Exhausted


_budget: contextvars.ContextVar[_Inflation | None] = contextvars.ContextVar(
    "exportctl_inflation", default=None
)


@contextmanager
def inflation_budget(cap: int) -> Iterator[None]:
    """Count every stream pdfminer decodes in this block against ``cap`` bytes.

    Raises:
        Exhausted: From the decoding that passed the cap.
    """
    _install()
    token = _budget.set(_Inflation(cap))
    try:
        yield
    finally:
        _budget.reset(token)


def _charge(size: int) -> None:
    budget = _budget.get()
    if budget is not None:
        budget.charge(size)


def _room(size: int) -> None:
    budget = _budget.get()
    if budget is not None:
        budget.room(size)


class _CountedZlib:
    """What ``pdfminer.pdftypes`` calls ``zlib``: its ``decompress`` counts and stops."""

    error = zlib.error

    @staticmethod
    def decompress(data: bytes) -> bytes:
        return _inflate(data, damaged=False)

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)


def _inflate(data: bytes, *, damaged: bool) -> bytes:
    """Inflate ``data`` a step at a time, charging each step's output.

    As ``zlib.decompress`` when not ``damaged``; else as pdfminer's
    ``decompress_corrupted``: a truncated stream gives what it has, an error in the
    last bytes keeps what came before it.
    """
    inflater = zlib.decompressobj()
    pieces: list[bytes] = []
    charged = 0
    try:
        for start in range(0, len(data), FEED):
            if inflater.eof:
                break
            chunk = data[start : start + FEED]
            before = inflater.copy() if damaged else None
            try:
                piece = inflater.decompress(chunk)
            except zlib.error:
                if before is None:
                    raise
                kept, at = _until_damage(before, chunk)
                if start + at < len(data) - _DAMAGED_TAIL:
                    raise
                pieces.extend(kept)
                _charge(sum(map(len, kept)))
                return b"".join(pieces)
            _charge(len(piece))
            charged += len(piece)
            pieces.append(piece)
        if not damaged and not inflater.eof:
            raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")
    except zlib.error:
        # pdfminer tries again or drops the stream: what this attempt made is not kept.
        budget = _budget.get()
        if budget is not None:
            budget.used -= charged
        raise
    return b"".join(pieces)


def _until_damage(inflater: Any, chunk: bytes) -> tuple[list[bytes], int]:
    """What ``chunk`` inflates to a byte at a time up to its damaged byte, and where that is."""
    pieces: list[bytes] = []
    for at in range(len(chunk)):
        try:
            pieces.append(inflater.decompress(chunk[at : at + 1]))
        except zlib.error:
            return pieces, at
    return pieces, len(chunk)


def _inflate_damaged(data: bytes) -> bytes:
    return _inflate(data, damaged=True)


def _lzw(data: bytes) -> bytes:
    pieces: list[bytes] = []
    for piece in LZWDecoder(BytesIO(data)).run():
        _charge(len(piece))
        pieces.append(piece)
    return b"".join(pieces)


def _runlength(data: bytes) -> bytes:
    """RunLengthDecode (PDF 1.7, 7.4.5): a length byte, then its bytes or one repeated."""
    out = bytearray()
    at = 0
    while at < len(data) and data[at] != 128:
        length = data[at]
        if length < 128:
            out += data[at + 1 : at + 2 + length]
            at += 2 + length
        else:
            out += data[at + 1 : at + 2] * (257 - length)
            at += 2
        _room(len(out))
    _charge(len(out))
    return bytes(out)


def _ascii85(data: bytes) -> bytes:
    # Five characters give four bytes, and "z" alone gives four.
    _room(len(data) + 3 * data.count(b"z"))
    out = ascii85decode(data)
    _charge(len(out))
    return out


def _asciihex(data: bytes) -> bytes:
    out = asciihexdecode(data)
    _charge(len(out))
    return out


class _CountedFax(CCITTFaxDecoder):
    """pdfminer's fax decoder charging each line as it is made."""

    def __init__(self, width: int, bytealign: bool = False, reversed: bool = False) -> None:
        super().__init__(width, bytealign=bytealign, reversed=reversed)
        self._lines: list[bytes] = []

    def output_line(self, y: int, bits: Sequence[int]) -> None:
        super().output_line(y, bits)
        _charge(len(self._buf))
        self._lines.append(self._buf)
        self._buf = b""

    def close(self) -> bytes:
        return b"".join(self._lines)


def _ccitt(data: bytes, params: dict[str, object]) -> bytes:
    if params.get("K") != -1:
        raise PDFValueError(params.get("K"))
    columns = params.get("Columns")
    if not isinstance(columns, int) or columns < 1:
        raise PDFValueError(columns)
    _room(columns)  # a line is a list of that many bits before it is packed
    fax = _CountedFax(
        columns,
        bytealign=bool(params.get("EncodedByteAlign")),
        reversed=bool(params.get("BlackIs1")),
    )
    fax.feedbytes(data)
    return fax.close()


_COUNTED: dict[str, object] = {
    "zlib": _CountedZlib(),
    "decompress_corrupted": _inflate_damaged,
    "lzwdecode": _lzw,
    "rldecode": _runlength,
    "ccittfaxdecode": _ccitt,
    "ascii85decode": _ascii85,
    "asciihexdecode": _asciihex,
}
"""The names ``PDFStream.decode`` calls for the filters that expand, and their counted
replacements."""


def _install() -> None:
    for name, counted in _COUNTED.items():
        if getattr(pdftypes, name, None) is counted:
            continue
        # A pdfminer that decodes through other names would read unbounded: stop here.
        if not hasattr(pdftypes, name):
            raise RuntimeError(f"pdfminer.pdftypes has no {name}: streams cannot be counted")
        setattr(pdftypes, name, counted)


# --- pages ----------------------------------------------------------------------------


class TreeTooDeepError(Exception):
    """The page tree nests ``/Pages`` nodes past :data:`PAGE_TREE_DEPTH`."""


def page_tree(document: PDFDocument, most: int) -> list[tuple[object, dict[str, Any]]]:
    """The document's pages in order, at most ``most + 1`` of them.

    As pdfminer's ``PDFPage.create_pages`` finds them (inherited attributes, each
    node once, the objects scanned for pages when the tree has none), but depth
    first without recursion, only ``PAGE_TREE_DEPTH`` levels deep, and stopping one
    page past ``most`` so that the caller can refuse the rest unread.

    Returns:
        ``(object id, attributes)`` of each page.

    Raises:
        TreeTooDeepError: The tree is nested too deep.
    """
    found: list[tuple[object, dict[str, Any]]] = []
    catalog = document.catalog
    visited: set[int] = set()
    stack: list[tuple[object, dict[str, Any], int]] = []
    if "Pages" in catalog:
        stack.append((catalog["Pages"], catalog, 1))
    while stack and len(found) <= most:
        node, parent, depth = stack.pop()
        if depth > PAGE_TREE_DEPTH:
            raise TreeTooDeepError
        objid = node.objid if isinstance(node, PDFObjRef) else None
        if objid is not None:
            if objid in visited:
                continue
            visited.add(objid)
        attrs = dict(dict_value(node))
        for key, value in parent.items():
            if key in PDFPage.INHERITABLE_ATTRS and key not in attrs:
                attrs[key] = value
        kind = attrs.get("Type", attrs.get("type"))
        if kind is LITERAL_PAGES and "Kids" in attrs:
            stack.extend((kid, attrs, depth + 1) for kid in reversed(list_value(attrs["Kids"])))
        elif kind is LITERAL_PAGE:
            found.append((objid, attrs))
    if not found:
        found = _scanned_pages(document, most)
    return found


def _scanned_pages(document: PDFDocument, most: int) -> list[tuple[object, dict[str, Any]]]:
    """Page objects found through the cross-reference tables, for a document without a tree."""
    found: list[tuple[object, dict[str, Any]]] = []
    for xref in document.xrefs:
        for objid in xref.get_objids():
            try:
                obj = document.getobj(objid)
            except PDFObjectNotFound:
                continue
            if isinstance(obj, dict) and obj.get("Type") is LITERAL_PAGE:
                found.append((objid, obj))
                if len(found) > most:
                    return found
    return found


# --- table finding --------------------------------------------------------------------

_LINES = N_("page {page} has {value:,} ruled lines, more than the {cap:,} allowed on a page")
_CROSSINGS = N_(
    "page {page} has more than {cap:,} points where ruled lines cross, the most a page may have"
)
_BEFORE_TABLES = N_("refused before its tables were looked for")


class CappedFinder(TableFinder):
    """pdfplumber's table finder, refusing a page whose lines would take it too long.

    Args:
        page: The page (or the page turned upright).
        settings: pdfplumber's table settings.
        number: The page's number, for the refusal.
        limits: The caps (``max_page_edges``, ``max_page_crossings``).

    Raises:
        InputError: The page has too many lines, or they cross too often; its
            sentence names the page.
    """

    def __init__(
        self, page: Page, settings: dict[str, Any], *, number: int, limits: Limits
    ) -> None:
        self.number = number
        self.limits = limits
        super().__init__(page, settings)

    def get_edges(self) -> list[dict[str, Any]]:
        # The finder's own edges (merged, and from words for the text strategies),
        # checked before it looks for where they cross.
        edges: list[dict[str, Any]] = super().get_edges()
        settings: TableSettings = self.settings
        if len(edges) > self.limits.max_page_edges:
            raise InputError(self._over(_LINES, len(edges), "max_page_edges"))
        most = self.limits.max_page_crossings
        count = crossings(
            edges, settings.intersection_x_tolerance, settings.intersection_y_tolerance, most
        )
        if count > most:
            raise InputError(self._over(_CROSSINGS, count, "max_page_crossings"))
        return edges

    def _over(self, what: str, value: int, name: str) -> str:
        return over(_(what), value, name, self.limits, _BEFORE_TABLES, page=self.number)


def crossings(
    edges: Sequence[dict[str, Any]], x_tolerance: float, y_tolerance: float, most: int
) -> int:
    """Where vertical and horizontal edges meet, as pdfplumber's finder counts them,
    counted to one past ``most`` at most."""
    flat = sorted(
        (float(edge["top"]), float(edge["x0"]), float(edge["x1"]))
        for edge in edges
        if edge["orientation"] == "h"
    )
    tops = [top for top, _x0, _x1 in flat]
    count = 0
    for edge in edges:
        if edge["orientation"] != "v":
            continue
        x = float(edge["x0"])
        low = bisect_left(tops, float(edge["top"]) - y_tolerance)
        high = bisect_right(tops, float(edge["bottom"]) + y_tolerance)
        for index in range(low, high):
            _top, x0, x1 = flat[index]
            if x0 - x_tolerance <= x <= x1 + x_tolerance:
                count += 1
                if count > most:
                    return count
    return count
