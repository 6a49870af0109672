"""Sub-item labels (``a.``, ``(1)``, ``가.``): at the start of a row, or inside an entry's cell."""

from __future__ import annotations

import re

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
