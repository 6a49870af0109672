"""Checks run before a file is handed to a parser: each hostile file gets one sentence.

Anything but a regular file (a directory, a FIFO, a device), Excel's lock files, empty
files, files that are not what their name says, password-protected workbooks, zip bombs
and XML entity tricks are refused here, cheaply (the zip directory and the first bytes
of each XML part), and so are files over a resource cap (:mod:`exportctl.limits`:
an .xlsx or .ods has its sheets' used range and shared strings measured by
:mod:`exportctl.readers.prescan`), so that parsers only ever see files that are safe
to open.
"""

from __future__ import annotations

import codecs
import os
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, NoReturn

from exportctl.errors import InputError
from exportctl.i18n import N_, _
from exportctl.inputs import regular_file
from exportctl.limits import DEFAULTS, RATIO_FLOOR, Limits, over
from exportctl.readers.csv import read_start, utf16_without_bom
from exportctl.readers.prescan import check_xlsx
from exportctl.readers.prescan_ods import check_ods
from exportctl.readers.xmlparse import MalformedXmlError, Stop, first_bytes, new_parser, parse

XML_PROLOG_SCAN = 64 * 1024
"""Bytes of an XML part fed to the parser at a time while looking for its root element."""

LOCK_PREFIX = "~$"
"""Excel's lock file for an open workbook is the workbook's name after this prefix."""

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"

Kind = Literal["xlsx", "xls", "xlsb", "ods", "csv", "pdf", "hwpx", "hwp", "json"]

EXTENSIONS: dict[str, Kind] = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".xlsb": "xlsb",
    ".ods": "ods",
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".pdf": "pdf",
    ".hwpx": "hwpx",
    ".hwp": "hwp",
    ".json": "json",
}
"""File name extension -> the reader that opens it."""

DOCUMENTS: frozenset[Kind] = frozenset({"pdf", "hwpx"})
"""Kinds read as documents holding tables (pages or paragraphs), not sheets."""

PDF_MAGIC = b"%PDF-"

_TOO_LARGE = N_("is {value:,} bytes, more than the {cap:,} bytes allowed")


@dataclass(frozen=True)
class Checked:
    """A file that passed the checks.

    Attributes:
        path: The file.
        kind: Which reader opens it.
        uncompressed: Total uncompressed size of a zip-based workbook, else file size.
        limits: The caps the file was checked under; the reader that opens it keeps
            to the same ones (so a caller's caps reach every parser through here).
        extents: For an .xlsx, each sheet's last row and the last column a cell
            holding something reaches, as measured: a reader reads no further
            (formatted empty cells beyond are nothing to read).
        identity: The file's device, inode, size and modification and change times
            as the checks began (empty when they could not be read): whether the
            file a caller hands on is still the one checked (:meth:`unchanged`).
    """

    path: Path
    kind: Kind
    uncompressed: int
    limits: Limits = DEFAULTS
    extents: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    identity: tuple[int, ...] = ()

    def unchanged(self) -> bool:
        """Whether the file at :attr:`path` is still the one that passed (the same
        :attr:`identity`): a file replaced or written since is checked again."""
        return bool(self.identity) and _identity(self.path) == self.identity


def _identity(path: Path) -> tuple[int, ...]:
    try:
        facts = os.stat(path)
    except OSError:
        return ()
    return (facts.st_dev, facts.st_ino, facts.st_size, facts.st_mtime_ns, facts.st_ctime_ns)


def checked_file(path: Path, limits: Limits, passed: Checked | None) -> Checked:
    """``passed`` when it is ``path`` checked under ``limits`` and the file is unchanged
    since, else :func:`check_file` of it: a caller that has just checked the file
    (the import checks what it hashes) hands that on instead of a second scan of
    the file; nothing is kept between calls.

    Raises:
        InputError: As :func:`check_file`.
    """
    if passed is not None and passed.path == path and passed.limits == limits:
        if passed.unchanged():
            return passed
    return check_file(path, limits)


def too_large(name: str, size: int, limits: Limits) -> InputError:
    """The refusal of a file of ``size`` bytes, over ``max_file_bytes`` (the same sentence
    for a file named on the command line and one uploaded to the web view)."""
    return InputError(
        over(
            _(_TOO_LARGE),
            size,
            "max_file_bytes",
            limits,
        ),
        file=name,
    )


def check_file(path: Path, limits: Limits = DEFAULTS) -> Checked:
    """Refuse files that are missing, not regular, Excel lock files, empty, mislabelled,
    encrypted, hostile or over a cap.

    Args:
        path: The file the user named.
        limits: The caps (the defaults unless the caller says otherwise).

    Returns:
        What kind of file it is and how large it unpacks, and which file it was
        (:attr:`Checked.identity`, taken as the checks began).

    Raises:
        InputError: With one sentence naming the file.
    """
    identity = _identity(path)
    return replace(_check_file(path, limits), identity=identity)


def _check_file(path: Path, limits: Limits) -> Checked:
    name = path.name
    size = regular_file(path)
    if name.startswith(LOCK_PREFIX):
        # Excel keeps this small owner file beside a workbook while it is open;
        # opening it would only say "damaged".
        workbook = name[len(LOCK_PREFIX) :]
        raise InputError(
            _(
                'is Excel\'s lock file for the open workbook "{workbook}", not a workbook; give '
                "{workbook} itself (close it in Excel first if it will not open)"
            ).format(workbook=workbook),
            file=name,
        )
    kind = EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(EXTENSIONS))
        raise InputError(
            _("unsupported file type (readable: {known})").format(known=known), file=name
        )
    if size == 0:
        raise InputError(_("the file is empty (0 bytes)"), file=name)
    if size > limits.max_file_bytes:
        raise too_large(name, size, limits)
    head = read_head(path, 512)
    if kind == "hwp":
        # HWP 5 is a binary OLE2 format with no reader under a permissive licence.
        raise InputError(
            _(
                "is a binary HWP file, which exportctl does not read; in Hangul save it as HWPX "
                "(파일 > 다른 이름으로 저장 > HWPX), or take the PDF attachment of the same notice"
            ),
            file=name,
        )
    if kind == "pdf":
        if PDF_MAGIC not in head[:1024]:
            raise InputError(_("is not a PDF file (no %PDF header); it may be damaged"), file=name)
        return Checked(path, kind, size, limits)
    if kind == "hwpx":
        if head.startswith(OLE2_MAGIC):
            raise InputError(
                _(
                    "is a binary HWP 5 file named .hwpx; in Hangul save it as HWPX, or take the "
                    "PDF attachment of the same notice"
                ),
                file=name,
            )
        if not head.startswith((ZIP_MAGIC, _EMPTY_ZIP_MAGIC)):
            raise InputError(_("is not an HWPX document (not a zip archive)"), file=name)
        return Checked(path, kind, _check_zip(path, kind, limits), limits)
    if kind == "json":
        if size > limits.max_json_bytes:
            # JSON is read whole and parsed into objects twice its size.
            raise InputError(over(_(_TOO_LARGE), size, "max_json_bytes", limits), file=name)
        return Checked(path, kind, size, limits)
    if kind == "csv":
        if head.startswith((ZIP_MAGIC, OLE2_MAGIC)):
            raise InputError(
                _("is an Excel workbook, not CSV text; give it its .xlsx or .xls name"), file=name
            )
        return Checked(path, kind, size, limits)
    if head.startswith(OLE2_MAGIC):
        return _check_ole2(path, kind, limits)
    if _looks_like_html(head):
        raise InputError(
            _(
                "is HTML or XML text saved with a spreadsheet name, not a workbook; open it in "
                "Excel and save it as .xlsx"
            ),
            file=name,
        )
    if kind == "xls":
        if looks_like_tab_text(read_start(path)):
            # A SAP/ERP "spreadsheet" export: tab-separated text named .xls. The CSV
            # reader opens it (with a tab delimiter and a note saying so).
            return Checked(path, "csv", size, limits)
        raise InputError(_("is not an Excel 97-2003 (.xls) workbook; it may be damaged"), file=name)
    if not head.startswith((ZIP_MAGIC, _EMPTY_ZIP_MAGIC)):
        raise InputError(
            _("is not a {suffix} workbook (not a zip archive); it may be damaged").format(
                suffix=path.suffix.lower()
            ),
            file=name,
        )
    unpacked = _check_zip(path, kind, limits)
    if kind == "xlsx":
        return Checked(path, kind, unpacked, limits, check_xlsx(path, limits))
    if kind == "ods":
        check_ods(path, limits)
    return Checked(path, kind, unpacked, limits)


def looks_like_tab_text(head: bytes) -> bool:
    """Whether the first bytes of a file are tab-separated text (not a workbook).

    UTF-16 (with a BOM, or told by its NULs) or bytes with no NUL that decode as
    UTF-8 or CP949 (a character cut at the end of the sample is fine), with a tab.
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "\t" in head[2:].decode(
            "utf-16-le" if head[:1] == b"\xff" else "utf-16-be", "replace"
        )
    codec = utf16_without_bom(head)
    if codec is not None:
        return "\t" in head.decode(codec, "replace")
    if b"\x00" in head or b"\t" not in head:
        return False
    for encoding in ("utf-8-sig", "cp949"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head)
        except UnicodeDecodeError:
            continue
        return True
    return False


_BOMB = N_("refused as a possible zip bomb")


def read_head(path: Path, size: int) -> bytes:
    """The first bytes of a regular file (checked with :func:`regular_file`)."""
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError as exc:
        raise InputError(
            _("cannot be read ({reason})").format(reason=exc.strerror), file=path.name
        ) from exc


def _looks_like_html(head: bytes) -> bool:
    """Whether the first bytes are HTML or XML text (common for "xls" downloads)."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml"))


def _check_ole2(path: Path, kind: Kind, limits: Limits) -> Checked:
    """An OLE2 compound file: a legacy .xls, or an encrypted Office Open XML workbook."""
    name = path.name
    marker = "EncryptedPackage".encode("utf-16-le")
    if _file_contains(path, marker):
        raise InputError(_("is password-protected; save an unprotected copy"), file=name)
    if kind == "xls":
        return Checked(path, kind, path.stat().st_size, limits)
    raise InputError(
        _("is an Excel 97-2003 (.xls) workbook named {suffix}; rename it to .xls").format(
            suffix=path.suffix
        ),
        file=name,
    )


def _file_contains(path: Path, needle: bytes, chunk: int = 1024 * 1024) -> bool:
    """Search a file for bytes, streaming, without reading it whole."""
    tail = b""
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            if needle in tail + block:
                return True
            tail = block[-len(needle) :]
    return False


def _check_zip(path: Path, kind: Kind, limits: Limits) -> int:
    """Check a zip-based workbook's directory and XML prologs; return its unpacked size."""
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > limits.max_members:
                raise InputError(
                    over(
                        _("has {value:,} parts, more than the {cap:,} parts allowed"),
                        len(members),
                        "max_members",
                        limits,
                        _BOMB,
                    ),
                    file=name,
                )
            total = 0
            for info in members:
                total += info.file_size
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > RATIO_FLOOR and ratio > limits.max_ratio:
                    raise InputError(
                        over(
                            _(
                                'has a part "{part}" that unpacks {size:,} bytes from its '
                                "compressed size, a ratio of {value:,}, more than the {cap:,} "
                                "allowed"
                            ),
                            int(ratio),
                            "max_ratio",
                            limits,
                            _BOMB,
                            part=info.filename,
                            size=info.file_size,
                        ),
                        file=name,
                    )
            if total > limits.max_unpacked_bytes:
                raise InputError(
                    over(
                        _("unpacks to {value:,} bytes, more than the {cap:,} bytes allowed"),
                        total,
                        "max_unpacked_bytes",
                        limits,
                        _BOMB,
                    ),
                    file=name,
                )
            names = {info.filename for info in members}
            needed = {"ods": "content.xml", "hwpx": "mimetype"}.get(kind, "[Content_Types].xml")
            if needed not in names:
                raise InputError(
                    _("is a zip archive but not a {suffix} workbook").format(
                        suffix=path.suffix.lower()
                    ),
                    file=name,
                )
            for info in members:
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    _check_xml_prolog(archive, info, name, limits)
            return total
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise InputError(
            _("is not a readable {suffix} workbook (damaged or truncated: {reason})").format(
                suffix=path.suffix.lower(), reason=exc
            ),
            file=name,
        ) from exc


def _check_xml_prolog(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: Limits
) -> None:
    """Refuse an XML part that declares a DOCTYPE or entities before its root element.

    The part is parsed (whatever its encoding) up to its first element, within
    ``max_prolog_bytes``: what a comment or a processing instruction holds cannot
    pass for that element, and nothing before it escapes the parse.
    """
    part = info.filename

    def start(_name: str, _attrs: dict[str, str]) -> None:
        raise Stop

    def refuse(read: int) -> NoReturn:
        raise InputError(
            over(
                _(
                    'part "{part}" has no XML element in its first {value:,} bytes, more '
                    "than the {cap:,} bytes allowed before it"
                ),
                read,
                "max_prolog_bytes",
                limits,
                part=part,
            ),
            file=name,
        )

    parser = new_parser()
    parser.StartElementHandler = start
    with archive.open(info) as stream:
        try:
            parse(
                parser,
                first_bytes(stream, limits.max_prolog_bytes, refuse),
                part,
                name,
                chunk=XML_PROLOG_SCAN,
            )
        except MalformedXmlError:
            pass  # a damaged part is for the parser that reads it to report
