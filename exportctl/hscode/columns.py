"""Restoring the zeros a cell lost, from what surrounds it.

:class:`ColumnProfile` learns what a column of codes looks like (from the whole
column, or its first rows with :func:`learn_ahead`) and restores a lost zero only
when the column makes it certain. Reading by the nomenclature alone is
:mod:`exportctl.hscode.reading`'s job.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

from exportctl.hscode.codes import (
    _NON_DIGIT_RE,
    CodeCell,
    CodeProblem,
    HSCode,
    Result,
    _dotted,
    _is_ex,
    _zeros_note,
)
from exportctl.hscode.nomenclature import _known_headings
from exportctl.hscode.parsing import _fixed_format, normalise
from exportctl.i18n import _

__all__ = [
    "CACHE_SIZE",
    "PROFILE_SAMPLE",
    "ColumnProfile",
    "learn_ahead",
    "normalise_column",
]

_DECIMAL_TEXT_RE = re.compile(r"\s*\d{4}\.\d{2}\s*")

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
                    _(
                        "the number {number} may be heading {number} or {number}.00 with its "
                        "zeros lost (the column holds codes written dddd.dd); format the cell as "
                        "text"
                    ).format(number=whole),
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
            message = (
                _("{zeros} restored: column holds codes written dddd.dd")
                if self.decimal_codes
                else _("{zeros} restored: column holds 6-digit codes")
            )
            return HSCode(code, ex, message.format(zeros=note))
        length = self.dominant_length
        if length is None or len(digits) != length - 1:
            return None
        code = f"0{digits}"
        if not _zero_chapter_heading(code):
            return None
        return HSCode(
            code,
            ex,
            _("leading zero restored: column holds {length}-digit codes").format(length=length),
        )

    def _pad_national(self, text: str, digits: str, ex: bool) -> Result:
        padded = digits.ljust(10, "0")
        if padded in self._codes or self._padded.get(padded, digits) != digits:
            return CodeProblem(
                text,
                "ambiguous",
                _(
                    '"{raw}" has {n} digits; padded to {code} it would collide with another code '
                    "in the column"
                ).format(raw=text, n=len(digits), code=_dotted(padded)),
                (padded,),
            )
        return HSCode(
            padded, ex, _("trailing zeros restored: column holds 10-digit national codes")
        )


def _is_integral(value: int | float) -> bool:
    return isinstance(value, int) or value.is_integer()


def _is_decimal_number(cell: CodeCell) -> bool:
    """A number written ``dddd.dd`` (a code typed as a decimal number)."""
    value = cell.number
    if value is None:
        return False
    if not _is_integral(value):
        integral, _point, fraction = repr(value).partition(".")
        return len(integral) <= 4 and len(fraction) <= 2
    fixed = _fixed_format(cell.number_format) if cell.number_format else None
    return fixed is not None and fixed[2] and fixed[1] == 2


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
