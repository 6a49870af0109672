"""Reading one cell as an HS code, on its own: :func:`normalise`.

Text is cleaned of prefixes (``HS``, ``ex``), separators and look-alike characters;
a number is read through its Excel number format when that fixes the digit count.
A cell that may have lost a zero becomes an ``ambiguous`` :class:`CodeProblem` with
its candidate readings; settling it from context is
:mod:`exportctl.hscode.columns`'s job.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata

from exportctl.hscode.codes import (
    _VALID_LENGTH,
    CodeProblem,
    HSCode,
    Result,
    _dotted,
    _number_text,
    _zeros_note,
)
from exportctl.i18n import _, ngettext

__all__ = ["normalise"]

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
# A chapter written in words: "Chapter 88", "Ch. 88", "제88류", "88류".
_CHAPTER_RE = re.compile(r"(?:chapters?|ch\.?)\s*(\d{1,2})|제?\s*(\d{1,2})\s*류", re.IGNORECASE)
# Between the two ends of a range: a dash (not a hyphen, which Korean lists put
# inside one code: 8471.30-1000), a tilde, "to", "through", or a hyphen with spaces.
_RANGE_RE = re.compile(
    r"(?P<a>.+?)\s*(?:[‒–—−~]|\bto\b|\bthrough\b|\s-\s)\s*(?P<b>.+)",
    re.IGNORECASE,
)
_RANGE_HINT = frozenset("‒–—−~～")
_MANY_RE = re.compile(r"\d\s*(?:[,;/~&]|\band\b|\bto\b|및|～)\s*(?:ex\b\.?\s*)?\d", re.IGNORECASE)
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
        return CodeProblem(str(raw), "malformed", _('"{raw}" is not an HS code').format(raw=raw))
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
    if not _RANGE_HINT.isdisjoint(raw) or " - " in raw or "t" in raw.casefold():
        found = _from_range(raw)
        if found is not None:
            return found
    s = raw if raw.isascii() else unicodedata.normalize("NFKC", raw).translate(_TRANSLATE)
    s = s.strip()
    if s.startswith("'"):  # Excel's "store as text" prefix survives some exports
        s = s[1:].lstrip()
    if s.casefold() in _PLACEHOLDERS:
        return None
    ex = False
    for _attempt in range(3):
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
    chapter = _CHAPTER_RE.fullmatch(s)
    if chapter is not None:
        return HSCode((chapter.group(1) or chapter.group(2)).zfill(2), ex)
    if _BODY_RE.fullmatch(s):
        return _from_groups(raw, _SEP_RE.split(s), ex)
    sci = _SCI_RE.fullmatch(s)
    if sci is not None:
        return _from_scientific(raw, sci, ex)
    if not any(ch.isdigit() for ch in s):
        if not any(ch.isdigit() for ch in raw):
            return CodeProblem(
                raw,
                "not-a-code",
                _('"{raw}" has no digits; it names the item').format(raw=raw.strip()),
            )
        return CodeProblem(raw, "malformed", _('"{raw}" is not an HS code').format(raw=raw.strip()))
    if _MANY_RE.search(s):
        return CodeProblem(
            raw,
            "malformed",
            _('"{raw}" holds more than one code or a range; give one per row').format(
                raw=raw.strip()
            ),
        )
    return CodeProblem(raw, "malformed", _('"{raw}" is not an HS code').format(raw=raw.strip()))


def _from_range(raw: str) -> Result:
    """``8471 30 – 8471 50``, ``ex 8471.30 ~ 8471.50``, ``Chapter 84 to Chapter 85``.

    Returns:
        One :class:`HSCode` with ``end`` when both ends are codes of one level, the
        second after the first; a problem when they are of one level in the wrong
        order; ``None`` when the text is no range (read it as one code).
    """
    text = unicodedata.normalize("NFKC", raw).strip()
    m = _RANGE_RE.fullmatch(text)
    if m is None:
        return None
    first, last = _from_text(m.group("a")), _from_text(m.group("b"))
    if not (isinstance(first, HSCode) and isinstance(last, HSCode)):
        return None
    if first.end is not None or last.end is not None or first.level != last.level:
        return None
    if last.ex or last.digits <= first.digits:
        return CodeProblem(
            raw,
            "malformed",
            _('"{raw}" is not a range: its second code must come after the first').format(
                raw=raw.strip()
            ),
        )
    return HSCode(first.digits, first.ex, None, last.digits)


def _from_groups(raw: str, groups: list[str], ex: bool) -> Result:
    """Digits written in groups (``8471.30`` is ``["8471", "30"]``)."""
    digits = "".join(groups)
    n = len(digits)
    if n > 10:
        return CodeProblem(
            raw,
            "malformed",
            _('"{raw}" has {n} digits; HS codes have at most 10').format(raw=raw.strip(), n=n),
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
            raw,
            "malformed",
            _('"{raw}" has {n} digits, which no HS code has').format(raw=raw.strip(), n=n),
        )
    if len(groups) == 1:
        alt = _(" or ").join(
            (
                _("{code} with a lost leading zero")
                if c[1:] == digits
                else _("{code} with a lost trailing zero")
            ).format(code=_dotted(c))
            for c in candidates
        )
        reason = ngettext(
            '"{raw}" has {n} digit; it may be {options}; format the cell as text',
            '"{raw}" has {n} digits; it may be {options}; format the cell as text',
            n,
        ).format(raw=raw.strip(), n=n, options=alt)
    else:
        reason = _('"{raw}" may be {options}; format the cell as text').format(
            raw=raw.strip(), options=_(" or ").join(_dotted(c) for c in candidates)
        )
    return CodeProblem(raw, "ambiguous", reason, candidates, True)


def _from_scientific(raw: str, m: re.Match[str], ex: bool) -> Result:
    mantissa = m.group(1) + (m.group(2) or "")
    exponent = int(m.group(3))
    if len(mantissa) > exponent + 1:
        return CodeProblem(raw, "malformed", _('"{raw}" is not a whole number').format(raw=raw))
    digits = mantissa.ljust(exponent + 1, "0")
    result = _from_digits(raw, digits, ex)
    if isinstance(result, HSCode) and len(mantissa) < len(digits):
        note = _(
            'expanded from scientific notation "{raw}"; digits after {mantissa} are taken as zeros'
        ).format(raw=raw.strip(), mantissa=mantissa)
        return HSCode(result.digits, ex, note)
    return result


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
        return CodeProblem(text, "malformed", _('"{raw}" is not an HS code').format(raw=text))
    if value < 0:
        return CodeProblem(
            text, "malformed", _("the number {number} is not an HS code").format(number=text)
        )
    if "e" in text:
        return CodeProblem(
            text, "malformed", _("the number {number} is not an HS code").format(number=text)
        )
    fixed = _fixed_format(number_format) if number_format else None
    if fixed is not None:
        rendered = _render(value, text, fixed)
        if rendered is not None:
            return _formatted(text, rendered, number_format or "")
    integral, _point, fraction = text.partition(".")
    if not fraction:
        n = len(integral)
        if n <= 10 and _VALID_LENGTH[n]:
            return HSCode(integral)
        if n > 10:
            return CodeProblem(
                text,
                "malformed",
                _("the number {number} has {n} digits; HS codes have at most 10").format(
                    number=text, n=n
                ),
            )
        padded = f"0{integral}"
        if not _VALID_LENGTH[len(padded)]:
            return CodeProblem(
                text,
                "malformed",
                _("the number {number} has {n} digits, which no HS code has").format(
                    number=text, n=n
                ),
            )
        return CodeProblem(
            text,
            "ambiguous",
            ngettext(
                "the number {number} has {n} digit; it may be {code} with its leading zero lost; "
                "format the cell as text",
                "the number {number} has {n} digits; it may be {code} with its leading zero "
                "lost; format the cell as text",
                n,
            ).format(number=text, n=n, code=_dotted(padded)),
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
        return CodeProblem(
            text, "malformed", _("the number {number} is not an HS code").format(number=text)
        )
    lead = len(heads[0]) - ip
    trail = len(candidates[0]) - len(heads[0]) - fp
    what = _zeros_note(lead, trail)
    return CodeProblem(
        text,
        "ambiguous",
        _(
            "the number {number} may be {options} with its {zeros} lost; format the cell as text"
        ).format(number=text, options=_(" or ").join(_dotted(c) for c in candidates), zeros=what),
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
    integral, _point, fraction = text.partition(".")
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
            _(
                "the number {number} shows as {n} digits under number format {format}, which no "
                "HS code has"
            ).format(number=text, n=len(digits), format=number_format),
            result.candidates,
        )
    note = _zeros_note(lead, trail)
    if note is None or result is None:
        return result
    return HSCode(
        digits,
        False,
        _("{zeros} restored: number format {format}").format(zeros=note, format=number_format),
    )
