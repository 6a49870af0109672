"""HS code values and how people spell them.

:class:`HSCode` is a normalised code, :class:`CodeProblem` why a cell is not one,
and :class:`CodeCell` a spreadsheet cell as a reader saw it. The code arithmetic
(:func:`hs6`, :func:`chapter`, :func:`heading`) and the small
helpers that write codes and restored zeros in words for people live here too;
reading a cell is :mod:`exportctl.hscode.parsing`'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from exportctl.i18n import _

__all__ = [
    "LEVELS",
    "CodeCell",
    "CodeProblem",
    "HSCode",
    "ProblemKind",
    "Readings",
    "Result",
    "chapter",
    "heading",
    "hs6",
]

LEVELS = (2, 4, 6, 8, 10)
"""Digit counts an HS code can have: chapter, heading, subheading, 8- and 10-digit lines."""

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
        end: For a range (``8471 30 – 8471 50``), the digits of its last code, of the
            same level as ``digits``; ``None`` for one code.
    """

    digits: str
    ex: bool = False
    recovered: str | None = None
    end: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        d = self.digits
        if not (len(d) <= 10 and _VALID_LENGTH[len(d)] and d.isascii() and d.isdigit()):
            raise ValueError(f"HS code digits must be 2, 4, 6, 8 or 10 ASCII digits, not {d!r}")
        e = self.end
        if e is not None and not (len(e) == len(d) and e.isascii() and e.isdigit() and e > d):
            raise ValueError(f"a range {d!r}-{e!r} must end after its start, at its level")

    @property
    def level(self) -> int:
        """The number of digits: 2 (chapter), 4 (heading), 6 (subheading), 8 or 10."""
        return len(self.digits)

    def dotted(self) -> str:
        """The code as people write it: ``84``, ``8471``, ``8471.30``, ``8471.30.1000``;
        a range as ``8471.30–8471.50``."""
        if self.end is not None:
            return f"{_dotted(self.digits)}–{_dotted(self.end)}"
        return _dotted(self.digits)

    def __str__(self) -> str:
        return f"ex {self.dotted()}" if self.ex else self.dotted()


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


@dataclass(frozen=True, slots=True)
class Readings:
    """A cell that lost zeros and reads as more than one code that exists.

    ``90111`` is ``0901.11`` (coffee) with its leading zero lost or ``9011.10``
    (microscopes) with its trailing zero lost, and HS 2022 has both: the cell
    cannot be settled, so each reading is screened.

    Attributes:
        raw: The cell as a person sees it.
        codes: The readings the nomenclature has, each noting in
            :attr:`HSCode.recovered` which zeros it puts back.
        what: What each reading is, e.g. ``"HS 2022 subheading"``.
    """

    raw: str
    codes: tuple[HSCode, ...]
    what: str

    @property
    def reason(self) -> str:
        """``'"90111" lost a zero: it may be 0901.11 or 9011.10, both HS 2022 subheadings'``."""
        shown = [code.dotted() for code in self.codes]
        listed = _("{codes} or {last}").format(codes=", ".join(shown[:-1]), last=shown[-1])
        message = (
            _('"{raw}" lost a zero: it may be {codes}, both {what}s')
            if len(shown) == 2
            else _('"{raw}" lost a zero: it may be {codes}, all {what}s')
        )
        return message.format(raw=self.raw.strip(), codes=listed, what=self.what)

    def __str__(self) -> str:
        return self.reason


Result = HSCode | CodeProblem | None

_NON_DIGIT_RE = re.compile(r"\D+", re.ASCII)


def _number_text(value: int | float) -> str:
    """A number rendered shortest: ``8471.3``, ``10121``, ``8471300000``."""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def _zeros_note(lead: int, trail: int) -> str | None:
    """``"leading zero"``, ``"trailing zeros"``, ... for the zeros put back."""
    if lead and trail:
        return _("leading and trailing zeros")
    if lead:
        return _("leading zero") if lead == 1 else _("leading zeros")
    if trail:
        return _("trailing zero") if trail == 1 else _("trailing zeros")
    return None


def _dotted(digits: str) -> str:
    if len(digits) <= 4:
        return digits
    if len(digits) <= 6:
        return f"{digits[:4]}.{digits[4:]}"
    return f"{digits[:4]}.{digits[4:6]}.{digits[6:]}"


def _is_ex(text: str) -> bool:
    return "ex" in text.casefold()


# --------------------------------------------------------------------------- code arithmetic


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
