"""HS codes: read what people and spreadsheets write, and look codes up in the nomenclature.

Export-control lists write the same subheading as ``8471.30``, ``8471 30``,
``HS 847130``, ``ex 8471.30`` or, once Excel has had its way, as the number ``8471.3``.
:func:`normalise` turns one cell into an :class:`HSCode` (digits only), a
:class:`CodeProblem` saying why it cannot, or ``None`` for a blank cell. It never guesses:
a code that lost a zero is only restored when the cell's number format or the rest of the
column makes the missing digit certain (:class:`ColumnProfile`), and the restored code
says so in :attr:`HSCode.recovered`.

Example:
    >>> normalise("ex 8471.30")
    HSCode(digits='847130', ex=True, recovered=None)
    >>> normalise(8471.3, "0000.00").digits
    '847130'
    >>> normalise(10121).kind
    'ambiguous'
    >>> Nomenclature.load("2022").section("8471")[0]
    'XVI'
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Literal, TypeVar

from exportctl.errors import ExportctlError

__all__ = [
    "EDITIONS",
    "TIE_BREAK_EDITION",
    "CodeCell",
    "CodeProblem",
    "ColumnProfile",
    "HSCode",
    "Nomenclature",
    "ProblemKind",
    "UnknownEditionError",
    "chapter",
    "covers",
    "heading",
    "hs6",
    "normalise",
    "normalise_column",
    "settle_lost_zeros",
]

LEVELS = (2, 4, 6, 8, 10)
"""Digit counts an HS code can have: chapter, heading, subheading, 8- and 10-digit lines."""
EDITIONS = ("2022", "2017")
"""HS editions shipped in ``exportctl/data``."""

ProblemKind = Literal["malformed", "ambiguous", "not-a-code"]

# Indexed by digit count: is that a length an HS code has?
_VALID_LENGTH = tuple(n in LEVELS for n in range(11))


@dataclass(frozen=True, slots=True)
class HSCode:
    """A normalised HS code.

    Attributes:
        digits: Digits only; 2, 4, 6, 8 or 10 of them.
        ex: True for ``ex 8471.30``: only part of what the code covers is meant.
        recovered: A plain-English note when a lost zero was restored, e.g.
            ``"leading zero restored: column holds 6-digit codes"``; ``None`` when the
            digits are exactly what the cell showed.
    """

    digits: str
    ex: bool = False
    recovered: str | None = None

    def __post_init__(self) -> None:
        d = self.digits
        if not (len(d) <= 10 and _VALID_LENGTH[len(d)] and d.isascii() and d.isdigit()):
            raise ValueError(f"HS code digits must be 2, 4, 6, 8 or 10 ASCII digits, not {d!r}")

    @property
    def level(self) -> int:
        """The number of digits: 2 (chapter), 4 (heading), 6 (subheading), 8 or 10."""
        return len(self.digits)

    def dotted(self) -> str:
        """The code as people write it: ``84``, ``8471``, ``8471.30``, ``8471.30.1000``."""
        return _dotted(self.digits)

    def __str__(self) -> str:
        return f"ex {_dotted(self.digits)}" if self.ex else _dotted(self.digits)


@dataclass(frozen=True, slots=True)
class CodeProblem:
    """Why a cell could not be read as one HS code.

    Attributes:
        raw: The cell as read.
        kind: ``malformed`` (not an HS code), ``ambiguous`` (digits were lost and more
            than one code, or a code that cannot be confirmed, fits) or ``not-a-code``
            (no digits at all, e.g. ``승용차``: the item is defined by its name).
        reason: One sentence fragment naming the cell, e.g.
            ``'"8471.3" may be 8471.30 or 8471.03; format the cell as text'``.
        candidates: Digits of the codes the cell may stand for, most likely first.
        lost_zeros: True when the cell reads as a code once zeros it may have lost are
            put back, and ``candidates`` are those readings (``10121``: ``010121`` or
            ``101210``); False for every other problem, including a padded national
            code that would collide with another code of its column.
    """

    raw: str
    kind: ProblemKind
    reason: str
    candidates: tuple[str, ...] = ()
    lost_zeros: bool = False

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True, slots=True)
class CodeCell:
    """One spreadsheet cell of a code column, as a reader saw it.

    Attributes:
        text: The cell as a string; numbers rendered shortest (``"8471.3"``, ``"10121"``,
            ``"8471300000"``); ``None`` for a blank cell.
        number: The value when the cell held a number.
        number_format: The Excel number format when known (``"0000.00"``, ``"000000"``,
            ``"General"``, ``"@"``).
    """

    text: str | None
    number: float | int | None = None
    number_format: str | None = None

    @classmethod
    def of(cls, value: str | int | float | None, number_format: str | None = None) -> CodeCell:
        """Build a cell from a value read from a workbook or CSV file.

        Args:
            value: A string, a number or ``None``.
            number_format: The Excel number format of a numeric cell.

        Returns:
            A cell whose ``text`` is the string, or the number rendered shortest.
        """
        if value is None or isinstance(value, str):
            return cls(value, None, number_format)
        return cls(_number_text(value), value, number_format)


Result = HSCode | CodeProblem | None

# Compiled once: these run for every cell of lists with a million rows.
_PLACEHOLDERS = frozenset(
    {"", "-", "--", "–", "—", "‐", "−", ".", "/", "n/a", "na", "n.a.", "nan", "none", "null"}
)
_LEAD_RE = re.compile(
    r"(?:(?P<hs>h\.?\s?s\.?(?:\s?k\.?)?(?:\s*codes?)?)|(?P<ex>\(ex\)|ex\b\.?|ex(?=\d)))[\s:#.\-]*",
    re.IGNORECASE,
)
_TRAIL_EX_RE = re.compile(r"\s*\(ex\)$|\s+ex\.?$", re.IGNORECASE)
# The usual spellings, 8471 / 84.71 / 8471.30 / 8471.30.10 / 8471.30.1000 and the Korean
# list style 8471.30-1000, skip the parser (which reads them the same, more slowly).
_COMMON_RE = re.compile(r"(\d{4})(?:\.(\d{2})(?:[.\-](\d{2}|\d{4}))?)?|(\d{2})\.(\d{2})", re.ASCII)
_BODY_RE = re.compile(r"\d+(?:[.\s\-]+\d+)*", re.ASCII)
_SEP_RE = re.compile(r"[.\s\-]+")
_SCI_RE = re.compile(r"(\d)(?:\.(\d+))?e\+?(\d{1,2})", re.IGNORECASE | re.ASCII)
_MANY_RE = re.compile(r"\d\s*(?:[,;/~&]|\band\b|\bto\b|및|～)\s*(?:ex\b\.?\s*)?\d", re.IGNORECASE)
_NON_DIGIT_RE = re.compile(r"\D+", re.ASCII)
_DECIMAL_TEXT_RE = re.compile(r"\s*\d{4}\.\d{2}\s*")
# Invisible characters removed outright, dash look-alikes turned into "-".
_TRANSLATE = str.maketrans(
    {
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
        "\u00ad": None,
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)


def normalise(raw: str | int | float | None, number_format: str | None = None) -> Result:
    """Read one cell as an HS code, on its own (without the rest of its column).

    Args:
        raw: The cell value: text, or a number as a spreadsheet stored it.
        number_format: The Excel number format of a numeric cell. A format that fixes the
            digit count (``000000``, ``0000.00``, ``0000.00.0000``) restores lost zeros;
            ``General``, ``@`` or ``None`` does not. Ignored for text.

    Returns:
        ``None`` for a blank or placeholder cell (``""``, ``"-"``, ``"—"``, ``"N/A"``), an
        :class:`HSCode`, or a :class:`CodeProblem`. A number or text that may have lost a
        zero (``10121``, ``8471.3``) is ``ambiguous``; :class:`ColumnProfile` can settle it.

    Example:
        >>> normalise("HS: 8471.30")
        HSCode(digits='847130', ex=False, recovered=None)
        >>> normalise(10121, "000000").recovered
        'leading zero restored: number format 000000'
        >>> normalise("8471.3").candidates
        ('847130', '847103')
    """
    if raw is None:
        return None
    if isinstance(raw, str):
        if raw.isdigit() and raw.isascii():
            return _from_digits(raw, raw)
        return _from_text(raw)
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return CodeProblem(str(raw), "malformed", f'"{raw}" is not an HS code')
    return _from_number(raw, number_format)


def _from_digits(raw: str, digits: str, ex: bool = False) -> Result:
    n = len(digits)
    if n <= 10 and _VALID_LENGTH[n]:
        return HSCode(digits, ex)
    return _from_groups(raw, [digits], ex)


def _from_text(raw: str) -> Result:
    if _COMMON_RE.fullmatch(raw) is not None:
        # Digits and the separators the pattern allows, nothing else.
        return HSCode(raw.replace(".", "").replace("-", ""))
    s = raw if raw.isascii() else unicodedata.normalize("NFKC", raw).translate(_TRANSLATE)
    s = s.strip()
    if s.startswith("'"):  # Excel's "store as text" prefix survives some exports
        s = s[1:].lstrip()
    if s.casefold() in _PLACEHOLDERS:
        return None
    ex = False
    for _ in range(3):
        m = _LEAD_RE.match(s)
        if m is None or m.end() == 0:
            break
        ex = ex or m.group("ex") is not None
        s = s[m.end() :]
    m = _TRAIL_EX_RE.search(s)
    if m is not None:
        ex = True
        s = s[: m.start()]
    s = s.rstrip(". ")
    if _BODY_RE.fullmatch(s):
        return _from_groups(raw, _SEP_RE.split(s), ex)
    sci = _SCI_RE.fullmatch(s)
    if sci is not None:
        return _from_scientific(raw, sci, ex)
    if not any(ch.isdigit() for ch in s):
        if not any(ch.isdigit() for ch in raw):
            return CodeProblem(
                raw, "not-a-code", f'"{raw.strip()}" has no digits; it names the item'
            )
        return CodeProblem(raw, "malformed", f'"{raw.strip()}" is not an HS code')
    if _MANY_RE.search(s):
        return CodeProblem(
            raw,
            "malformed",
            f'"{raw.strip()}" holds more than one code or a range; give one per row',
        )
    return CodeProblem(raw, "malformed", f'"{raw.strip()}" is not an HS code')


def _from_groups(raw: str, groups: list[str], ex: bool) -> Result:
    """Digits written in groups (``8471.30`` is ``["8471", "30"]``)."""
    digits = "".join(groups)
    n = len(digits)
    if n > 10:
        return CodeProblem(
            raw, "malformed", f'"{raw.strip()}" has {n} digits; HS codes have at most 10'
        )
    if _VALID_LENGTH[n] and len(groups[0]) % 2 == 0:
        return HSCode(digits, ex)
    # An odd group lost a zero: the first one a leading zero, a later one either.
    if len(groups) == 1:
        options = [[f"0{digits}", f"{digits}0"]]
    else:
        options = [[g] if len(g) % 2 == 0 else [f"0{g}"] for g in groups[:1]]
        options += [[g] if len(g) % 2 == 0 else [f"{g}0", f"0{g}"] for g in groups[1:]]
    candidates = tuple(
        dict.fromkeys(
            c
            for c in map("".join, itertools.product(*options))
            if len(c) <= 10 and _VALID_LENGTH[len(c)]
        )
    )
    if not candidates:
        return CodeProblem(
            raw, "malformed", f'"{raw.strip()}" has {n} digits, which no HS code has'
        )
    if len(groups) == 1:
        alt = " or ".join(
            f"{_dotted(c)} with a lost {'leading' if c[1:] == digits else 'trailing'} zero"
            for c in candidates
        )
        reason = f'"{raw.strip()}" has {n} digit{"s" if n > 1 else ""}; it may be {alt}'
    else:
        reason = f'"{raw.strip()}" may be {" or ".join(_dotted(c) for c in candidates)}'
    return CodeProblem(raw, "ambiguous", f"{reason}; format the cell as text", candidates, True)


def _from_scientific(raw: str, m: re.Match[str], ex: bool) -> Result:
    mantissa = m.group(1) + (m.group(2) or "")
    exponent = int(m.group(3))
    if len(mantissa) > exponent + 1:
        return CodeProblem(raw, "malformed", f'"{raw}" is not a whole number')
    digits = mantissa.ljust(exponent + 1, "0")
    result = _from_digits(raw, digits, ex)
    if isinstance(result, HSCode) and len(mantissa) < len(digits):
        note = (
            f'expanded from scientific notation "{raw.strip()}"; '
            f"digits after {mantissa} are taken as zeros"
        )
        return HSCode(result.digits, ex, note)
    return result


def _number_text(value: int | float) -> str:
    """A number rendered shortest: ``8471.3``, ``10121``, ``8471300000``."""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


@functools.lru_cache(maxsize=256)
def _fixed_format(number_format: str) -> tuple[int, int, bool] | None:
    """Parse an Excel number format that fixes the digit count.

    Returns:
        ``(integer_zeros, fraction_zeros, has_decimal_point)``, or ``None`` when the
        format leaves the digit count open (``General``, ``@``, ``#``, ``0.00E+00``).
        ``0000.00.0000`` has two dots, so both are literal and the number is an integer.
    """
    section = number_format
    out: list[str] = []  # "0" for a placeholder, "." for an unescaped dot
    i = 0
    while i < len(section):
        ch = section[i]
        if ch == ";":
            break
        if ch == "\\":
            i += 2
            continue
        if ch == '"':
            end = section.find('"', i + 1)
            i = len(section) if end < 0 else end + 1
            continue
        if ch == "[":
            end = section.find("]", i + 1)
            i = len(section) if end < 0 else end + 1
            continue
        if ch in "0.":
            out.append(ch)
        elif ch.isalnum() or ch in "#?@%,/*_":
            return None
        i += 1
    zeros = out.count("0")
    if zeros < 2:
        return None
    if out.count(".") == 1:
        point = out.index(".")
        return out[:point].count("0"), out[point:].count("0"), True
    return zeros, 0, False


def _from_number(value: int | float, number_format: str | None) -> Result:
    text = _number_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return CodeProblem(text, "malformed", f'"{text}" is not an HS code')
    if value < 0:
        return CodeProblem(text, "malformed", f"the number {text} is not an HS code")
    if "e" in text:
        return CodeProblem(text, "malformed", f"the number {text} is not an HS code")
    fixed = _fixed_format(number_format) if number_format else None
    if fixed is not None:
        rendered = _render(value, text, fixed)
        if rendered is not None:
            return _formatted(text, rendered, number_format or "")
    integral, _, fraction = text.partition(".")
    if not fraction:
        n = len(integral)
        if n <= 10 and _VALID_LENGTH[n]:
            return HSCode(integral)
        if n > 10:
            return CodeProblem(
                text, "malformed", f"the number {text} has {n} digits; HS codes have at most 10"
            )
        padded = f"0{integral}"
        if not _VALID_LENGTH[len(padded)]:
            return CodeProblem(
                text, "malformed", f"the number {text} has {n} digits, which no HS code has"
            )
        return CodeProblem(
            text,
            "ambiguous",
            f"the number {text} has {n} digit{'s' if n > 1 else ''}; it may be "
            f"{_dotted(padded)} with its "
            "leading zero lost; format the cell as text",
            (padded,),
            True,
        )
    return _from_decimal(text, integral, fraction)


def _from_decimal(text: str, integral: str, fraction: str) -> Result:
    """A number with a fraction: ``8471.31``, ``84.71``, or ``8471.3`` (zero lost)."""
    ip, fp = len(integral), len(fraction)
    if (ip == 4 and fp in (2, 4, 6)) or (ip == 2 and fp == 2):
        return HSCode(integral + fraction)
    heads = [integral] if ip in (2, 4) else [f"0{integral}"] if ip in (1, 3) else []
    candidates: list[str] = []
    for head in heads:
        widths = (2,) if len(head) == 2 or fp <= 2 else tuple(w for w in (4, 6) if w >= fp)
        candidates += [head + fraction.ljust(w, "0") for w in widths]
    if not candidates:
        return CodeProblem(text, "malformed", f"the number {text} is not an HS code")
    lead = len(heads[0]) - ip
    trail = len(candidates[0]) - len(heads[0]) - fp
    what = _zeros_note(lead, trail)
    return CodeProblem(
        text,
        "ambiguous",
        f"the number {text} may be {' or '.join(_dotted(c) for c in candidates)} with its "
        f"{what} lost; format the cell as text",
        tuple(candidates),
        True,
    )


def _render(
    value: int | float, text: str, fixed: tuple[int, int, bool]
) -> tuple[str, int, int] | None:
    """The digits Excel shows for ``value`` under a fixed format, with the zeros it adds.

    Returns:
        ``(digits, leading_zeros_added, trailing_zeros_added)``, or ``None`` when the
        format does not fit the number (it would round digits away, or the number has
        more integer digits than the format asks for).
    """
    int_zeros, frac_zeros, has_point = fixed
    integral, _, fraction = text.partition(".")
    if len(integral) > int_zeros:
        return None
    if not has_point:
        if fraction:
            return None
        return text.zfill(int_zeros), int_zeros - len(integral), 0
    if len(fraction) > frac_zeros:
        return None
    shown = integral.zfill(int_zeros) + fraction.ljust(frac_zeros, "0")
    return shown, int_zeros - len(integral), frac_zeros - len(fraction)


def _formatted(text: str, rendered: tuple[str, int, int], number_format: str) -> Result:
    digits, lead, trail = rendered
    result = _from_digits(text, digits)
    if isinstance(result, CodeProblem):
        return CodeProblem(
            text,
            result.kind,
            f"the number {text} shows as {len(digits)} digits under number format "
            f"{number_format}, which no HS code has",
            result.candidates,
        )
    note = _zeros_note(lead, trail)
    if note is None or result is None:
        return result
    return HSCode(digits, False, f"{note} restored: number format {number_format}")


def _zeros_note(lead: int, trail: int) -> str | None:
    """``"leading zero"``, ``"trailing zeros"``, ... for the zeros put back."""
    if lead and trail:
        return "leading and trailing zeros"
    if lead:
        return "leading zero" if lead == 1 else "leading zeros"
    if trail:
        return "trailing zero" if trail == 1 else "trailing zeros"
    return None


def _dotted(digits: str) -> str:
    if len(digits) <= 4:
        return digits
    if len(digits) <= 6:
        return f"{digits[:4]}.{digits[4:]}"
    return f"{digits[:4]}.{digits[4:6]}.{digits[6:]}"


# --------------------------------------------------------------------------- columns

_MAJORITY = 0.8
"""Share of a column's well-formed codes that must agree before a zero is restored."""
_MIN_EVIDENCE = 5
"""Fewest well-formed codes a column needs before it can vouch for a restoration."""


CACHE_SIZE = 100_000
"""Distinct cells whose result :meth:`ColumnProfile.normalise` keeps (then starts over)."""

_MISSING = object()


class ColumnProfile:
    """What a column of codes shows about the zeros its cells may have lost.

    A single cell ``10121`` may be ``0101.21`` whose leading zero Excel dropped, or a typo.
    The column settles it: if nearly every code in it has 6 digits, a 5-digit number is a
    6-digit code that lost its leading zero. :meth:`learn` reads the column (or the first
    rows of it, when streaming); :meth:`normalise` then reads each cell with that context.
    A zero is restored only when the column makes it certain, and the result says so in
    :attr:`HSCode.recovered`; anything else stays an ``ambiguous`` :class:`CodeProblem`.

    Rules, in order:

    * A number whose format fixes the digit count (``000000``, ``0000.00``) is read
      through the format (as :func:`normalise` does).
    * When at least 80 % of the well-formed codes have one length ``L``
      (:attr:`dominant_length`), a number of ``L - 1`` digits gets a leading zero if that
      yields a heading of chapters 01–09 that exists in HS 2017 or HS 2022. Text cells are
      treated the same way only when no text code in the column keeps a leading zero
      (:attr:`text_keeps_leading_zeros` is False, as in a CSV file saved from numbers).
    * When at least 80 % of the well-formed codes are written ``dddd.dd``
      (:attr:`decimal_codes`), a number such as ``8471.3`` or ``101.21`` is padded back to
      ``8471.30`` / ``0101.21``; a whole number such as ``8548`` becomes ambiguous between
      the heading and ``8548.00``.
    * A column of 10-digit national codes kept as text with their leading zeros
      (:attr:`national`, e.g. the Korea Customs HSK master) loses trailing zeros instead:
      ``01029090`` is ``0102.90.9000``. Text codes of 7 to 9 digits are padded with
      trailing zeros to 10, unless the padded code is already in the column or two cells
      pad to the same code; then they are ambiguous.

    Attributes:
        cells: Non-blank cells seen by :meth:`learn`.
        well_formed: Cells that read as a code on their own.
        lengths: Well-formed codes by digit count.
        dominant_length: The digit count of at least 80 % of the well-formed codes, or
            ``None`` (also when fewer than 5 codes were seen).
        text_keeps_leading_zeros: True when some text code starts with ``0``, so text
            cells were not saved from numbers.
        national: True for a column of 10-digit national codes kept as text.
        decimal_codes: True when the codes are written ``dddd.dd`` (as text or numbers).

    Example:
        >>> cells = [CodeCell.of(c) for c in ("847130", "847141", "854231", "850440")]
        >>> cells += [CodeCell.of(901890), CodeCell.of(10121)]
        >>> profile = ColumnProfile.learn(cells)
        >>> profile.normalise(cells[-1]).digits
        '010121'
    """

    __slots__ = (
        "_cache",
        "_codes",
        "_padded",
        "cells",
        "decimal_codes",
        "dominant_length",
        "lengths",
        "national",
        "text_keeps_leading_zeros",
        "well_formed",
    )

    def __init__(self) -> None:
        self.cells = 0
        self.well_formed = 0
        self.lengths: dict[int, int] = {}
        self.dominant_length: int | None = None
        self.text_keeps_leading_zeros = False
        self.national = False
        self.decimal_codes = False
        self._codes: set[str] = set()
        # Padded 10-digit code -> the digits that pad to it; "" once two different ones do.
        self._padded: dict[str, str] = {}
        # Catalogues repeat codes: results per distinct cell, bounded (see normalise).
        self._cache: dict[tuple[str | None, object, str | None], Result] = {}

    @classmethod
    def learn(cls, cells: Iterable[CodeCell]) -> ColumnProfile:
        """Read a column, or a sample of its first rows, and note what its codes look like.

        Args:
            cells: The column's cells. With a sample, collisions between padded national
                codes are only detected within the sample.

        Returns:
            The profile; use :meth:`normalise` on each cell.
        """
        return cls._learn(cells, None)

    @classmethod
    def _learn(cls, cells: Iterable[CodeCell], keep: list[Result] | None) -> ColumnProfile:
        """:meth:`learn`, also appending each cell's standalone result to ``keep``."""
        profile = cls()
        lengths: Counter[int] = Counter()
        text_codes = text_zero = decimal = 0
        codes = profile._codes
        for cell in cells:
            is_text = cell.number is None
            if not is_text:
                result = normalise(cell.number, cell.number_format)
            elif cell.text is not None:
                result = normalise(cell.text)
            else:
                result = None
            if keep is not None:
                keep.append(result)
            if result is None:
                continue
            profile.cells += 1
            if isinstance(result, HSCode):
                digits = result.digits
                lengths[len(digits)] += 1
                codes.add(digits)
                if is_text:
                    text_codes += 1
                    if digits[0] == "0":
                        text_zero += 1
                    if cell.text and _DECIMAL_TEXT_RE.fullmatch(cell.text):
                        decimal += 1
                    if len(digits) == 8:
                        profile._note_padding(digits)
                elif _is_decimal_number(cell):
                    decimal += 1
            elif result.kind == "ambiguous" and is_text and cell.text is not None:
                digits = _NON_DIGIT_RE.sub("", unicodedata.normalize("NFKC", cell.text))
                if 7 <= len(digits) <= 9:
                    profile._note_padding(digits)
        well = profile.well_formed = lengths.total()
        profile.lengths = dict(sorted(lengths.items()))
        profile.text_keeps_leading_zeros = text_zero > 0
        if well >= _MIN_EVIDENCE:
            length, count = lengths.most_common(1)[0]
            if count >= _MAJORITY * well:
                profile.dominant_length = length
            profile.decimal_codes = decimal >= _MAJORITY * well
            profile.national = (
                profile.dominant_length == 10
                and text_codes >= _MAJORITY * well
                and profile.text_keeps_leading_zeros
            )
        return profile

    def _note_padding(self, digits: str) -> None:
        padded = digits.ljust(10, "0")
        seen = self._padded.setdefault(padded, digits)
        if seen != digits:
            self._padded[padded] = ""

    def normalise(self, cell: CodeCell) -> Result:
        """Read one cell of the column, restoring zeros the column makes certain.

        Args:
            cell: A cell of the column this profile learned.

        Returns:
            As :func:`normalise`, with restored codes noted in :attr:`HSCode.recovered`.
        """
        number = cell.number
        # The number's type is part of the key: 8471 and 8471.0 hash alike.
        key = (
            cell.text,
            number if number is None else (number.__class__, number),
            cell.number_format,
        )
        found = self._cache.get(key, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        if number is not None:
            result = self._in_context(cell, normalise(number, cell.number_format))
        elif cell.text is None:
            result = None
        else:
            result = self._in_context(cell, normalise(cell.text))
        if len(self._cache) >= CACHE_SIZE:
            self._cache.clear()
        self._cache[key] = result
        return result

    def _in_context(self, cell: CodeCell, result: Result) -> Result:
        """Revisit the standalone ``result`` of ``cell`` with what the column showed."""
        value = cell.number
        if isinstance(result, HSCode):
            if value is None:
                if self.national and len(result.digits) == 8 and cell.text is not None:
                    return self._pad_national(cell.text, result.digits, result.ex)
            elif (
                self.decimal_codes
                and len(result.digits) == 4
                and result.recovered is None
                and _is_integral(value)
                and not (cell.number_format and _fixed_format(cell.number_format))
            ):
                whole = result.digits
                return CodeProblem(
                    whole,
                    "ambiguous",
                    f"the number {whole} may be heading {whole} or {whole}.00 with its "
                    "zeros lost (the column holds codes written dddd.dd); "
                    "format the cell as text",
                    (whole, f"{whole}00"),
                )
            return result
        if result is None or result.kind != "ambiguous":
            return result
        if value is not None:
            return (
                self._restore(result.raw.replace(".", ""), result.raw, False, numeric=True)
                or result
            )
        text = cell.text or ""
        digits = _NON_DIGIT_RE.sub("", unicodedata.normalize("NFKC", text))
        if self.national and 7 <= len(digits) <= 9:
            return self._pad_national(text, digits, _is_ex(text))
        if self.text_keeps_leading_zeros:
            return result
        # Text saved from numbers (a CSV export) lost zeros the way numbers do.
        return self._restore(digits, text.strip(), _is_ex(text)) or result

    def _restore(
        self, digits: str, shown: str, ex: bool, *, numeric: bool = False
    ) -> HSCode | None:
        """Restore the zeros a number (or text saved from one) lost, when certain."""
        integral, point, fraction = shown.partition(".")
        if point:
            # A decimal in a column of dotted codes, or a decimal *number* in a column
            # of 6-digit codes, was typed dddd.dd: HS-6 is the only reading left.
            six_digit = self.decimal_codes or (numeric and self.dominant_length == 6)
            if not (
                six_digit
                and len(integral) in (3, 4)
                and len(fraction) in (1, 2)
                and integral.isdigit()
                and fraction.isdigit()
            ):
                return None
            code = integral.zfill(4) + fraction.ljust(2, "0")
            if len(integral) == 3 and not _zero_chapter_heading(code):
                return None
            note = _zeros_note(4 - len(integral), 2 - len(fraction))
            why = "codes written dddd.dd" if self.decimal_codes else "6-digit codes"
            return HSCode(code, ex, f"{note} restored: column holds {why}")
        length = self.dominant_length
        if length is None or len(digits) != length - 1:
            return None
        code = f"0{digits}"
        if not _zero_chapter_heading(code):
            return None
        return HSCode(code, ex, f"leading zero restored: column holds {length}-digit codes")

    def _pad_national(self, text: str, digits: str, ex: bool) -> Result:
        padded = digits.ljust(10, "0")
        if padded in self._codes or self._padded.get(padded, digits) != digits:
            return CodeProblem(
                text,
                "ambiguous",
                f'"{text}" has {len(digits)} digits; padded to {_dotted(padded)} it would '
                "collide with another code in the column",
                (padded,),
            )
        return HSCode(padded, ex, "trailing zeros restored: column holds 10-digit national codes")


def _is_integral(value: int | float) -> bool:
    return isinstance(value, int) or value.is_integer()


def _is_decimal_number(cell: CodeCell) -> bool:
    """A number written ``dddd.dd`` (a code typed as a decimal number)."""
    value = cell.number
    if value is None:
        return False
    if not _is_integral(value):
        integral, _, fraction = repr(value).partition(".")
        return len(integral) <= 4 and len(fraction) <= 2
    fixed = _fixed_format(cell.number_format) if cell.number_format else None
    return fixed is not None and fixed[2] and fixed[1] == 2


def _is_ex(text: str) -> bool:
    return "ex" in text.casefold()


def _zero_chapter_heading(code: str) -> bool:
    """True when ``code`` starts with a chapter 01–09 heading that HS 2017 or 2022 has."""
    if code[0] != "0" or code[1] == "0":
        return False
    return len(code) < 4 or code[:4] in _known_headings()


PROFILE_SAMPLE = 20_000
"""Rows read ahead to learn the code column's habits before streaming the rest."""

_Row = TypeVar("_Row")


def learn_ahead(
    rows: Iterable[_Row],
    code_of: Callable[[_Row], CodeCell | None],
    sample: int = PROFILE_SAMPLE,
) -> tuple[ColumnProfile, Iterator[_Row]]:
    """Learn a column from its first ``sample`` rows, then give every row back in order.

    The rows read ahead are let go as they are yielded again, so a stream of a
    million rows never holds more than ``sample`` of them.

    Args:
        rows: Any rows, read once.
        code_of: The code cell of a row (None when blank).
        sample: How many rows to learn from.

    Returns:
        The profile, and an iterator over all the rows.
    """
    iterator = iter(rows)
    buffered = list(itertools.islice(iterator, sample))
    profile = ColumnProfile.learn(c for c in map(code_of, buffered) if c is not None)
    return profile, itertools.chain(_drain(buffered), iterator)


def _drain(buffered: list[_Row]) -> Iterator[_Row]:
    buffered.reverse()
    while buffered:
        yield buffered.pop()


def normalise_column(cells: Sequence[CodeCell]) -> list[Result]:
    """Normalise every cell of a column, using the column as context.

    Args:
        cells: The column's cells, top to bottom.

    Returns:
        One result per cell, as :meth:`ColumnProfile.normalise`.
    """
    standalone: list[Result] = []
    profile = ColumnProfile._learn(cells, standalone)
    return [profile._in_context(c, r) for c, r in zip(cells, standalone, strict=True)]


# --------------------------------------------------------------------------- code arithmetic


def covers(entry: str, code: str) -> bool:
    """True when list entry ``entry`` covers ``code``: its digits are a prefix of the code's.

    Args:
        entry: An entry's digits, e.g. ``"8471"``; dots and spaces are ignored.
        code: A code's digits, e.g. ``"8471300000"``.

    Example:
        >>> covers("8471", "847130"), covers("847130", "8471")
        (True, False)
    """
    if not (entry.isdigit() and code.isdigit()):
        entry, code = _NON_DIGIT_RE.sub("", entry), _NON_DIGIT_RE.sub("", code)
    return bool(entry) and code.startswith(entry)


def hs6(digits: str) -> str | None:
    """The international six-digit part of a code, or ``None`` for a shorter code."""
    return digits[:6] if len(digits) >= 6 else None


def chapter(digits: str) -> str:
    """The two-digit chapter of a code.

    Raises:
        ValueError: If ``digits`` has fewer than two characters.
    """
    if len(digits) < 2:
        raise ValueError(f"an HS code has at least 2 digits, not {digits!r}")
    return digits[:2]


def heading(digits: str) -> str | None:
    """The four-digit heading of a code, or ``None`` for a chapter."""
    return digits[:4] if len(digits) >= 4 else None


# --------------------------------------------------------------------------- nomenclature


class UnknownEditionError(ExportctlError, ValueError):
    """An HS edition that exportctl does not ship."""


class Nomenclature:
    """One edition of the HS nomenclature: chapters, headings and subheadings.

    Data: datasets/harmonized-system (UN Comtrade), ODC-PDDL-1.0; see
    ``exportctl/data/NOTICE.md``. UN Comtrade's reporting aggregate ``99``/``9999``/
    ``999999`` is not included.

    Example:
        >>> hs = Nomenclature.load("2022")
        >>> hs.known("8471300000"), hs.description("847130")[:23]
        (True, 'Automatic data processi')
    """

    __slots__ = ("_chapter_sections", "_descriptions", "_section_names", "edition")

    def __init__(
        self,
        edition: str,
        rows: Iterable[tuple[str, str, str]],
        sections: Iterable[tuple[str, str]],
    ) -> None:
        """Build an edition from ``(code, section, description)`` rows and section names."""
        self.edition = edition
        self._descriptions: dict[str, str] = {}
        self._chapter_sections: dict[str, str] = {}
        for code, section, description in rows:
            self._descriptions[code] = description
            if len(code) == 2:
                self._chapter_sections[code] = section
        self._section_names = dict(sections)

    @classmethod
    def load(cls, edition: str = "2022") -> Nomenclature:
        """The packaged edition, read on first use and cached.

        Args:
            edition: ``"2022"`` or ``"2017"``.

        Raises:
            UnknownEditionError: For any other edition (also a ``ValueError``).
        """
        return _load(str(edition))

    def codes(self, level: int) -> frozenset[str]:
        """All codes of one level: 2 (chapters), 4 (headings) or 6 (subheadings)."""
        return frozenset(c for c in self._descriptions if len(c) == level)

    def known(self, digits: str) -> bool:
        """True when the code exists in this edition.

        Chapters, headings and subheadings must exist themselves; an 8- or 10-digit
        national code is known when its six-digit subheading is.
        """
        n = len(digits)
        if n in (2, 4, 6):
            return digits in self._descriptions
        if n in (8, 10):
            return digits[:6] in self._descriptions
        return False

    def description(self, digits: str) -> str | None:
        """The description of the deepest known level of the code (6, then 4, then 2)."""
        for k in (6, 4, 2):
            if len(digits) >= k:
                found = self._descriptions.get(digits[:k])
                if found is not None:
                    return found
        return None

    def section(self, digits: str) -> tuple[str, str] | None:
        """The section of the code's chapter: ``("XVI", "Machinery and ...")``."""
        numeral = self._chapter_sections.get(digits[:2])
        if numeral is None:
            return None
        return numeral, self._section_names.get(numeral, "")

    def __repr__(self) -> str:
        return f"Nomenclature(edition={self.edition!r})"


def _read_data(name: str) -> list[list[str]]:
    text = resources.files("exportctl.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text)))[1:]


@functools.cache
def _load(edition: str) -> Nomenclature:
    if edition not in EDITIONS:
        raise UnknownEditionError(
            f"unknown HS edition {edition!r}; choose one of {', '.join(EDITIONS)}"
        )
    rows = (
        (code, section, description)
        for code, _, section, description in _read_data(f"hs{edition}.csv")
    )
    sections = ((numeral, name) for numeral, name in _read_data("sections.csv"))
    return Nomenclature(edition, rows, sections)


@functools.cache
def _known_headings() -> frozenset[str]:
    return frozenset().union(*(_load(e).codes(4) for e in EDITIONS))


TIE_BREAK_EDITION = "2022"
"""The HS edition :func:`settle_lost_zeros` checks readings against."""

_LEVEL_NAMES = {2: "chapter", 4: "heading"}


@functools.lru_cache(maxsize=4096)
def settle_lost_zeros(problem: CodeProblem, edition: str = TIE_BREAK_EDITION) -> Result:
    """Read a cell that lost zeros when the nomenclature leaves one reading.

    The tie-breaker for what number formats and :class:`ColumnProfile` leave
    ambiguous: of the cell's readings (:attr:`CodeProblem.candidates`), the one
    whose chapter, heading or six-digit subheading exists in ``edition`` is
    taken when it is the only one (8- and 10-digit readings are checked on
    their first six digits, since national lines are not in the nomenclature).
    The code then carries the warning in :attr:`HSCode.recovered`. With no
    real reading, or several, the problem stays, naming each reading and
    whether the nomenclature has it. Anything but a lost-zeros problem is
    returned as it is.

    Args:
        problem: A cell's problem, as :func:`normalise` or a profile gave it.
        edition: The HS edition whose codes are real.

    Returns:
        The code read, or the problem (unchanged, or with the readings named).

    Example:
        >>> settle_lost_zeros(normalise(10121)).recovered
        'a leading zero was restored because only that reading is an HS 2022 subheading'
    """
    if not (problem.lost_zeros and problem.candidates):
        return problem
    hs = Nomenclature.load(edition)
    readings = problem.candidates
    real = [code for code in readings if hs.known(code)]
    lengths = {min(len(code), 6) for code in readings}
    level = _LEVEL_NAMES.get(lengths.pop(), "subheading") if len(lengths) == 1 else "code"
    what = f"HS {hs.edition} {level}"
    if len(real) == 1:
        code = real[0]
        digits = _NON_DIGIT_RE.sub("", problem.raw)
        return HSCode(
            code,
            _is_ex(problem.raw),
            f"{_restored(digits, code)} because only that reading is an {what}",
        )
    shown = [_dotted(code) for code in readings]
    if not real:
        if len(shown) == 1:
            verdict = f"{shown[0]} is not an {what}"
        elif len(shown) == 2:
            verdict = f"neither {shown[0]} nor {shown[1]} is an {what}"
        else:
            verdict = f"none of {', '.join(shown)} is an {what}"
    else:
        named = [_dotted(code) for code in real]
        both = "both" if len(named) == 2 else "all"
        verdict = f"{' and '.join(named)} are {both} {what}s, so the cell cannot be read"
    return CodeProblem(
        problem.raw, problem.kind, f"{problem.reason} ({verdict})", readings, lost_zeros=True
    )


def _restored(digits: str, code: str) -> str:
    """``"a leading zero was restored"``... for the zeros that turn ``digits`` into ``code``."""
    lead = code.find(digits) if digits else -1
    if lead < 0:
        return "zeros were restored"
    added = len(code) - len(digits)
    note = _zeros_note(lead, added - lead) or "no zero"
    return f"a {note} was restored" if added == 1 else f"{note} were restored"
