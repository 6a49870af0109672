"""Reading a code cell, the one way every file type and ``check`` take: :func:`read_code`.

A code cell is read from the text a person sees: a workbook number is first rendered
through its number format, as a CSV file saved from the workbook would hold it
(:func:`shown_text`), so ``101211000`` reads the same in a CSV, an XLSX or an ODS file,
typed to ``check`` or piped to it. Text that reads as a code is taken as written.
Text that lost a zero (``10121``, ``8471.3``, ``101211000``) is read by the
nomenclature of the list's HS edition (:func:`settle_lost_zeros`): a reading the
edition does not have is never taken; one reading that exists is taken, with a
warning; several that exist stay several (:class:`Readings`) and are each screened.
The rest of the column plays no part: it cannot make a code that does not exist.
"""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Decimal

from exportctl.hscode.codes import (
    _NON_DIGIT_RE,
    CodeCell,
    CodeProblem,
    HSCode,
    Readings,
    _dotted,
    _is_ex,
    _number_text,
    _zeros_note,
)
from exportctl.hscode.columns import CACHE_SIZE
from exportctl.hscode.nomenclature import EDITIONS, Nomenclature
from exportctl.hscode.parsing import _fixed_format, normalise
from exportctl.i18n import N_, _, active

__all__ = [
    "TIE_BREAK_EDITION",
    "CodeReading",
    "read_code",
    "reading_edition",
    "settle_lost_zeros",
    "shown_text",
]

CodeReading = HSCode | CodeProblem | Readings | None
"""What :func:`read_code` makes of a cell: one code, several, a problem, or nothing."""

TIE_BREAK_EDITION = "2022"
"""The HS edition readings are checked against when the list records none that is shipped."""

_LEVEL_NAMES = {2: N_("HS {edition} chapter"), 4: N_("HS {edition} heading")}


def settle_lost_zeros(problem: CodeProblem, edition: str = TIE_BREAK_EDITION) -> CodeReading:
    """Read a cell that lost zeros by the nomenclature of ``edition``.

    Of the cell's readings (:attr:`CodeProblem.candidates`), only those whose
    chapter, heading or six-digit subheading exists in ``edition`` count (8- and
    10-digit readings are checked on their first six digits, since national
    lines are not in the nomenclature). One such reading is taken, carrying the
    warning in :attr:`HSCode.recovered`; several are :class:`Readings`, to be
    screened each; with none, the problem stays, naming each reading and saying
    the nomenclature has none of them. Anything but a lost-zeros problem is
    returned as it is.

    Args:
        problem: A cell's problem, as :func:`normalise` or a profile gave it.
        edition: The HS edition whose codes are real (``"2022"`` or ``"2017"``).

    Returns:
        The code read, the readings, or the problem (unchanged, or with the
        readings named).

    Example:
        >>> settle_lost_zeros(normalise(10121)).recovered
        'a leading zero was restored because only that reading is an HS 2022 subheading'
    """
    return _settle(problem, edition, active())


# Cached per language too: the readings carry sentences in the active language.
@functools.lru_cache(maxsize=4096)
def _settle(problem: CodeProblem, edition: str, _lang: str) -> CodeReading:
    if not (problem.lost_zeros and problem.candidates):
        return problem
    hs = Nomenclature.load(edition)
    readings = problem.candidates
    real = [code for code in readings if hs.known(code)]
    lengths = {min(len(code), 6) for code in readings}
    level = (
        _LEVEL_NAMES.get(lengths.pop(), N_("HS {edition} subheading"))
        if len(lengths) == 1
        else N_("HS {edition} code")
    )
    what = _(level).format(edition=hs.edition)
    digits = _NON_DIGIT_RE.sub("", problem.raw)
    ex = _is_ex(problem.raw)
    if len(real) == 1:
        code = real[0]
        return HSCode(
            code,
            ex,
            _("{restored} because only that reading is an {what}").format(
                restored=_restored(digits, code), what=what
            ),
        )
    if real:
        return Readings(
            problem.raw, tuple(HSCode(code, ex, _restored(digits, code)) for code in real), what
        )
    shown = [_dotted(code) for code in readings]
    if len(shown) == 1:
        verdict = _("{code} is not an {what}").format(code=shown[0], what=what)
    elif len(shown) == 2:
        verdict = _("neither {first} nor {second} is an {what}").format(
            first=shown[0], second=shown[1], what=what
        )
    else:
        verdict = _("none of {codes} is an {what}").format(codes=", ".join(shown), what=what)
    return CodeProblem(
        problem.raw, problem.kind, f"{problem.reason} ({verdict})", readings, lost_zeros=True
    )


def _restored(digits: str, code: str) -> str:
    """``"a leading zero was restored"``... for the zeros that turn ``digits`` into ``code``."""
    lead = code.find(digits) if digits else -1
    if lead < 0:
        return _("zeros were restored")
    added = len(code) - len(digits)
    note = _zeros_note(lead, added - lead) or _("no zero")
    if added == 1:
        return _("a {zeros} was restored").format(zeros=note)
    return _("{zeros} were restored").format(zeros=note)


def reading_edition(hs_edition: str | None) -> str:
    """The shipped edition a list's codes are read by: ``"2022"`` for ``HS2022``.

    A list that records no edition, or one exportctl does not ship, is read by
    :data:`TIE_BREAK_EDITION` (the reasons name it).
    """
    if hs_edition:
        year = hs_edition.strip().upper().removeprefix("HS").strip()
        if year in EDITIONS:
            return year
    return TIE_BREAK_EDITION


def shown_text(cell: CodeCell) -> str | None:
    """The code cell as a person sees it, as a CSV file saved from its workbook holds it.

    Text is returned as it is. A number whose format fixes its digits is rendered
    through it (rounded as Excel shows it): ``10121`` under ``000000`` shows
    ``010121``, ``101.21`` under ``0000.00`` shows ``0101.21``, ``101211000`` under
    ``0000.00.0000`` shows its ten digits (the format's literal dots are left out;
    they do not change the reading). Any other number shows as under ``General``:
    shortest (``8471.3``, ``101211000``).

    Example:
        >>> shown_text(CodeCell.of(8471.3, "0000.00"))
        '8471.30'
    """
    number = cell.number
    if number is None:
        return cell.text
    text = cell.text if cell.text is not None else _number_text(number)
    fixed = _fixed_format(cell.number_format) if cell.number_format else None
    if fixed is None or not text.replace(".", "", 1).isdigit():
        return text
    int_zeros, frac_zeros, has_point = fixed
    if "." in text or has_point:
        places = frac_zeros if has_point else 0
        text = str(Decimal(text).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))
    integral, point, fraction = text.partition(".")
    return integral.zfill(int_zeros) + point + fraction


def read_code(cell: CodeCell | str | None, edition: str | None = None) -> CodeReading:
    """Read one code cell, the same way whatever file or command it came from.

    The cell is read as the text a person sees (:func:`shown_text`); text that
    reads as a code is taken as written, without looking anything up. Text that
    lost a zero is read by the nomenclature (:func:`settle_lost_zeros`): never as
    a code the edition does not have. Results are kept per distinct text.

    Args:
        cell: A cell as a reader gave it, or text as typed; ``None`` for a blank.
        edition: The list's HS edition (``HS2022``, ``2017``); see
            :func:`reading_edition`.

    Returns:
        ``None`` for a blank or placeholder cell, an :class:`HSCode` (with
        :attr:`HSCode.recovered` set when zeros were put back), :class:`Readings`
        when several existing codes fit, or a :class:`CodeProblem`.

    Example:
        >>> read_code("101211000").dotted()
        '0101.21.1000'
        >>> read_code(CodeCell.of(10121, "000000")) == read_code("010121")
        True
        >>> read_code("90111").reason
        '"90111" lost a zero: it may be 0901.11 or 9011.10, both HS 2022 subheadings'
    """
    text = cell if cell is None or isinstance(cell, str) else shown_text(cell)
    return None if text is None else _read_text(text, edition, active())


@functools.lru_cache(maxsize=CACHE_SIZE)
def _read_text(text: str, edition: str | None, _lang: str) -> CodeReading:
    result = normalise(text)
    if isinstance(result, CodeProblem) and result.lost_zeros:
        return settle_lost_zeros(result, reading_edition(edition))
    return result
