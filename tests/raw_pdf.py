"""Small PDFs written byte by byte, for the PDF reader's hostile cases.

A PDF is numbered objects and a table of where each starts. These builders write
the objects as text (a page tree, pages, a Helvetica font, content streams) so that
a test can say what no PDF library would write: a stream that decodes to far more
than it stores, a damaged checksum, a page tree whose ``/Count`` lies, a tree that
loops or nests without end, a page of a million crossing rules.

Run as a script (``python tests/raw_pdf.py DIR``) it writes each case to DIR, for
trying a build by hand.
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
RESOURCES = b"/Resources << /Font << /F1 %d 0 R >> >>"
MEDIABOX = b"/MediaBox [0 0 612 792]"


def write_pdf(path: Path, objects: Sequence[bytes]) -> Path:
    """Write ``objects`` as objects 1, 2, … (object 1 is the catalogue) with their table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        table,
    )
    path.write_bytes(bytes(out))
    return path


def stream(data: bytes, filters: Sequence[str] = ()) -> bytes:
    """A stream object holding ``data`` (already encoded by ``filters``, first applied last)."""
    named = b" /Filter [%s]" % b" ".join(b"/" + name.encode() for name in filters)
    return b"<< /Length %d%s >>\nstream\n" % (len(data), named if filters else b"") + (
        data + b"\nendstream"
    )


def text(line: str, y: int = 720) -> bytes:
    """Content operators that show one line of Helvetica."""
    return b"BT /F1 11 Tf 72 %d Td (%s) Tj ET\n" % (y, line.encode("latin-1"))


def one_page(path: Path, content: bytes, mediabox: bytes = MEDIABOX) -> Path:
    """A one-page PDF whose page draws the stream object ``content``."""
    return write_pdf(
        path,
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R %s %s /Contents 4 0 R >>" % (mediabox, RESOURCES % 5),
            content,
            FONT,
        ],
    )


# --- streams that decode to far more than they store -----------------------------------


def spaces(size: int) -> Iterator[bytes]:
    """``size`` bytes of spaces in pieces of a MiB at most."""
    step = 1024**2
    for start in range(0, size, step):
        yield b" " * min(step, size - start)


def deflated(pieces: Iterator[bytes]) -> bytes:
    packer = zlib.compressobj(9)
    return b"".join(packer.compress(piece) for piece in pieces) + packer.flush()


def bomb(path: Path, size: int, how: str = "flate") -> Path:
    """A page with a line of text, then ``size`` bytes of spaces, encoded so they store small.

    ``how``: ``flate`` (about 1,000 to 1), ``flate twice`` (deflated again: a million to 1),
    ``damaged`` (deflated with its checksum broken, which pdfminer inflates again a byte
    at a time), ``runlength`` (64 to 1) or ``ascii85`` (``z``: four zero bytes each).
    """
    lead = text("1 Spaces follow")
    if how == "flate":
        content = stream(deflated(iter([lead, *spaces(size)])), ["FlateDecode"])
    elif how == "flate twice":
        once = deflated(iter([lead, *spaces(size)]))
        content = stream(zlib.compress(once, 9), ["FlateDecode", "FlateDecode"])
    elif how == "damaged":
        data = bytearray(deflated(iter([lead, *spaces(size)])))
        data[-1] ^= 0xFF  # the Adler-32 checksum's last byte
        content = stream(bytes(data), ["FlateDecode"])
    elif how == "runlength":
        # A length byte of 129 repeats the next byte 128 times.
        runs = bytes([len(lead) - 1]) + lead + b"\x81 " * (size // 128) + b"\x80"
        content = stream(runs, ["RunLengthDecode"])
    elif how == "ascii85":
        content = stream(b"z" * (size // 4) + b"~>", ["ASCII85Decode"])
    else:
        raise ValueError(how)
    return one_page(path, content)


# --- page trees ------------------------------------------------------------------------


def pages(
    path: Path, count: int, declared: int | None = None, contents: Sequence[bytes] = ()
) -> Path:
    """``count`` pages under a tree that says ``/Count declared``.

    Each page shows a line of text, or draws its own stream of ``contents`` when given.
    """
    first = 5  # objects 1-4: catalogue, tree, the shared content, font
    kids = b" ".join(b"%d 0 R" % (first + n) for n in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d %s %s >>"
        % (kids, count if declared is None else declared, MEDIABOX, RESOURCES % 4),
        stream(text("1 A line of text")),
        FONT,
    ]
    own = [first + count + n for n in range(len(contents))]
    objects += [
        b"<< /Type /Page /Parent 2 0 R /Contents %d 0 R >>" % (own[n] if n < len(own) else 3)
        for n in range(count)
    ]
    return write_pdf(path, [*objects, *contents])


def looping_tree(path: Path) -> Path:
    """Two pages under a tree whose nodes list themselves and each other as kids."""
    return write_pdf(
        path,
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 6 0 R 3 0 R 6 0 R] /Count 1000000 %s %s >>"
            % (MEDIABOX, RESOURCES % 5),
            b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
            stream(text("1 A line of text")),
            FONT,
            b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 7 0 R 6 0 R] /Count 1000000 >>",
            b"<< /Type /Page /Parent 6 0 R /Contents 4 0 R >>",
        ],
    )


def deep_tree(path: Path, depth: int) -> Path:
    """One page under ``depth`` levels of page tree nodes, each with one kid."""
    first = 5
    objects = [
        b"<< /Type /Catalog /Pages %d 0 R >>" % first,
        b"<< /Type /Page /Parent %d 0 R /Contents 3 0 R >>" % (first + depth - 1),
        stream(text("1 A line of text")),
        FONT,
    ]
    for level in range(depth):
        kid = first + level + 1 if level < depth - 1 else 2
        objects.append(
            b"<< /Type /Pages /Kids [%d 0 R] /Count 1 %s %s >>" % (kid, MEDIABOX, RESOURCES % 4)
        )
    return write_pdf(path, objects)


# --- pages of rules --------------------------------------------------------------------


def grid(path: Path, lines: int) -> Path:
    """A page ruled into ``lines`` by ``lines`` cells, under a line of text (a few kB).

    The rules are 5 points apart (the table finder merges rules closer than 3) on a
    page as large as that takes.
    """
    step, margin = 5, 50
    side = 2 * margin + lines * step
    rules = [text("1 A grid follows", side - 20)]
    for n in range(lines + 1):
        at, end = margin + n * step, side - margin
        rules.append(
            b"%d %d m %d %d l S %d %d m %d %d l S\n" % (margin, at, end, at, at, margin, at, end)
        )
    content = stream(zlib.compress(b"".join(rules), 9), ["FlateDecode"])
    return one_page(path, content, b"/MediaBox [0 0 %d %d]" % (side, side))


def dashes(path: Path, count: int) -> Path:
    """A page of ``count`` short horizontal rules that neither touch nor cross."""
    ops = [text("1 Dashes follow", 760)]
    per_row = 50
    for n in range(count):
        x, y = 40 + (n % per_row) * 10, 40 + (n // per_row) * 6
        ops.append(b"%d %d m %d %d l S\n" % (x, y, x + 5, y))
    return one_page(path, stream(zlib.compress(b"".join(ops), 9), ["FlateDecode"]))


def write_all(folder: Path) -> dict[str, Path]:
    """Every case, at the sizes the probe used, by name."""
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "flate bomb": bomb(folder / "bomb.pdf", 6 * 1024**3),
        "damaged flate": bomb(folder / "damaged.pdf", 512 * 1024**2, "damaged"),
        "lying count": pages(folder / "count.pdf", 20_000, declared=1),
        "grid": grid(folder / "grid.pdf", 1_000),
    }


if __name__ == "__main__":
    for name, written in write_all(Path(sys.argv[1])).items():
        print(f"{name}: {written} ({written.stat().st_size:,} bytes)")
