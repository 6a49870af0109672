"""Reading a cell that lost zeros by the nomenclature: :func:`settle_lost_zeros`.

A cell such as ``10121`` or ``8471.3`` may stand for several codes (its
:attr:`CodeProblem.candidates`); the HS edition of the list says which of them exist.
"""

from __future__ import annotations

import functools

from exportctl.hscode.codes import (
    _NON_DIGIT_RE,
    CodeProblem,
    HSCode,
    Result,
    _dotted,
    _is_ex,
    _zeros_note,
)
from exportctl.hscode.nomenclature import Nomenclature

__all__ = ["TIE_BREAK_EDITION", "settle_lost_zeros"]

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
