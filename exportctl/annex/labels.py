"""Sub-item labels (``a.``, ``(1)``, ``가.``, ``b.1.a.``): at the start of a row, or inside
an entry's cell, and the numbering scheme each continues."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from exportctl.annex.serials import _fold

_KOREAN_LETTERS = "가나다라마바사아자차카타파하"
_ROMANS = frozenset("ii iii iv vi vii viii ix xi xii xiii xiv xv xvi xvii xviii xix xx".split())
# A sub-item label at the start of a text: (a) (ii) (1) (가), 가. 나) (no space needed
# after these), or a. b) ii. 1. 1) followed by a space or the end (so 8471.30, 3A001,
# 1,000 cc and e.g. are not labels; a year has too many digits).
_LABEL_RE = re.compile(
    rf"""(?P<label>
        \((?P<paren>[a-z]|[ivx]{{2,5}}|\d{{1,2}}|[{_KOREAN_LETTERS}])\)
      | (?P<korean>[{_KOREAN_LETTERS}])[.)]
      | (?P<plain>[a-z]|[ivx]{{2,5}}|\d{{1,2}})[.)](?=\s|$)
    )\s*(?P<rest>.*)""",
    re.VERBOSE | re.DOTALL,
)


def split_label(text: str | None) -> tuple[str, str] | None:
    """Split a sub-item label off a text: ``(label, rest)``, or ``None`` without one.

    Labels: ``a.`` ``a)`` ``(a)``, ``가.`` ``나)`` ``(가)`` (가 to 하), ``1.`` ``1)`` ``(1)``
    (one or two digits), roman ``ii.`` ``(iv)``. Latin letters are lower case, as Annex 2
    prints them (``A.``, ``I.`` start titles). ``a.`` and ``1.`` need a space or the end
    after them, bracketed and Korean labels do not. The label comes back trimmed, the
    rest stripped; full-width forms are folded (NFKC).

    Example:
        >>> split_label(" a. 3A001.a.3에 해당하는 것")
        ('a.', '3A001.a.3에 해당하는 것')
        >>> split_label("(1)주파수"), split_label("가.전자 장치")
        (('(1)', '주파수'), ('가.', '전자 장치'))
        >>> [split_label(t) for t in ("8471.30", "2024. 6. 28.", "3A001", "1,000 cc")]
        [None, None, None, None]
    """
    if text is None:
        return None
    m = _LABEL_RE.match(_fold(text))
    if m is None:
        return None
    core = m.group("paren") or m.group("plain") or ""
    if len(core) > 1 and core.isalpha() and core not in _ROMANS:
        return None
    return m.group("label"), m.group("rest").strip()


Kind = Literal["latin", "digit", "korean", "roman"]
"""What a label counts with: ``a``, ``1``, ``가``, ``ii``."""
Style = Literal["dot", "close", "paren"]
"""How it is written: ``a.``, ``a)``, ``(a)``."""

_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}
# Wassenaar-style full labels: letters and numbers alternate, from a letter or a
# number (b.1.a., 1.a.), ending in a dot and a space. "e.g." and "i.e." never alternate.
_COMPOUND_RE = re.compile(
    r"(?P<label>(?:[a-z]\.\d{1,2}|\d{1,2}\.[a-z])(?:\.(?:[a-z]|\d{1,2}))*\.)(?=\s|$)\s*(?P<rest>.*)",
    re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a label: ``b``, ``1`` and ``a`` are the steps of ``b.1.a.``.

    Two steps of the same :attr:`scheme` follow each other when their ordinals do
    (``a.`` then ``b.``; ``(1)`` then ``(2)``).
    """

    kind: Kind
    """What it counts with."""
    style: Style
    """How it is written."""
    ordinal: int
    """Its place in its count, from 1: ``c`` is 3, ``다`` 3, ``iv`` 4."""
    key: str
    """How a sub-item path spells it: ``a``, ``1``, ``(1)``, ``1)``, ``가)``."""

    @property
    def scheme(self) -> tuple[Kind, Style]:
        """Its numbering scheme: kind and style (``a.`` and ``a)`` are two schemes)."""
        return self.kind, self.style


@dataclass(frozen=True, slots=True)
class Label:
    """A sub-item label read off the start of a text (see :func:`parse_label`)."""

    text: str
    """The label as printed, trimmed: ``b.1.a.``, ``(가)``."""
    steps: tuple[Step, ...]
    """Its steps: one for ``a.``, three for ``b.1.a.`` (a full path)."""
    rest: str
    """The text after it, stripped."""


def _roman(numeral: str) -> int:
    total = 0
    for i, letter in enumerate(numeral):
        value = _ROMAN_VALUES[letter]
        following = _ROMAN_VALUES[numeral[i + 1]] if i + 1 < len(numeral) else 0
        total += -value if value < following else value
    return total


def _step(core: str, style: Style) -> Step:
    key = {"dot": core, "close": f"{core})", "paren": f"({core})"}[style]
    if core.isdigit():
        return Step("digit", style, int(core), key)
    if core in _KOREAN_LETTERS:
        return Step("korean", style, _KOREAN_LETTERS.index(core) + 1, key)
    if core in _ROMANS:
        return Step("roman", style, _roman(core), key)
    return Step("latin", style, ord(core) - ord("a") + 1, key)


def parse_label(text: str | None) -> Label | None:
    """A sub-item label at the start of a text, with its steps; ``None`` without one.

    Every label :func:`split_label` reads, and full Wassenaar-style labels whose
    letters and numbers alternate (``b.1.``, ``b.1.a.``, ``1.a.``), which name the
    whole path from the entry.

    Example:
        >>> label = parse_label("b.1.a. 주파수가 3 GHz 초과인 것")
        >>> label.text, [s.key for s in label.steps], label.rest
        ('b.1.a.', ['b', '1', 'a'], '주파수가 3 GHz 초과인 것')
        >>> [(s.kind, s.style, s.ordinal) for s in parse_label("(다) 기타").steps]
        [('korean', 'paren', 3)]
        >>> parse_label("e.g. 노트북"), parse_label("3A001.a.3")
        (None, None)
    """
    if text is None:
        return None
    folded = _fold(text)
    compound = _COMPOUND_RE.match(folded)
    if compound is not None:
        cores = compound.group("label")[:-1].split(".")
        steps = tuple(_step(core, "dot") for core in cores)
        return Label(compound.group("label"), steps, compound.group("rest").strip())
    split = split_label(folded)
    if split is None:
        return None
    label, rest = split
    if label.startswith("("):
        style: Style = "paren"
    elif label.endswith(")"):
        style = "close"
    else:
        style = "dot"
    return Label(label, (_step(label.strip("().").strip(), style),), rest)


def label_level(label: str) -> int:
    """The kind of a sub-item label: 1 letters, 2 numbers, 3 roman numerals.

    The level names the kind, not the depth. A lone ``i``, ``v`` or ``x`` is a letter
    (Annex 2 letters run ``a.`` to ``o.``); roman numerals are read from ``ii`` on.

    Raises:
        ValueError: The text is not a label.

    Example:
        >>> label_level("a."), label_level("(가)"), label_level("1)"), label_level("(ii)")
        (1, 1, 2, 3)
    """
    split = split_label(label)
    if split is None or split[1]:
        raise ValueError(f'"{label}" is not a sub-item label')
    core = split[0].strip("().")
    if core.isdigit():
        return 2
    return 3 if core in _ROMANS else 1


_INLINE_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_INLINE_KOREAN = _KOREAN_LETTERS
_INLINE_LABEL = re.compile(
    rf"(?:(?<=\s)|^)(?:\((?P<p>[a-z{_INLINE_KOREAN}])\)|(?P<l>[a-z{_INLINE_KOREAN}])[.)])(?=\s)"
)
"""A lettered label inside a cell's text: `` a. ``, `` b) ``, `` (c) ``, `` 가. ``."""


def split_inline(text: str | None) -> tuple[str, list[tuple[str, str]]] | None:
    """An entry's text whose sub-items were printed inside the same cell.

    A specification entry often prints ``… 다음 각 목의 어느 하나에 해당하는 것 a. … b. …``
    in one cell (its line breaks are gone once read). The labels must run in order
    from ``a.`` (or ``가.``), two at least, each after a space, so that ``e.g.`` or a
    lone ``b.`` never splits a text.

    Returns:
        The text before the first label and ``(label, text)`` per sub-item, or
        ``None`` when the text holds no such run of labels.
    """
    if not text:
        return None
    found: list[tuple[int, int, str]] = []
    for alphabet in (_INLINE_LETTERS, _INLINE_KOREAN):
        expected = 0
        found = []
        for match in _INLINE_LABEL.finditer(text):
            letter = match.group("p") or match.group("l")
            if expected < len(alphabet) and letter == alphabet[expected]:
                found.append((match.start(), match.end(), match.group(0)))
                expected += 1
        if len(found) >= 2:
            break
    if len(found) < 2:
        return None
    head = text[: found[0][0]].strip()
    items = [
        (label, text[end : found[i + 1][0] if i + 1 < len(found) else len(text)].strip())
        for i, (_start, end, label) in enumerate(found)
    ]
    return head, items
