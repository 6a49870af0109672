"""The columnar screening engine: a whole catalogue against one version at once.

:func:`~exportctl.screen.screen_rows` decides row by row; this engine decides the
same things for Arrow columns (code, description, classification, CAS) and
:mod:`exportctl.screen.table` turns its answer back into
:class:`~exportctl.screen.ScreenResult` rows when a writer asks for them. The two give
identical statuses, entries, reasons and warnings (a property test holds them to
it); the row engine stays as the reference.

How a column goes through:

1. **Codes are read as written where that is certain.** The usual spellings
   (``8471``, ``847130``, ``8471.30``, ``8471.30.1000``, ``8471.30-1000``, ``84.71``)
   are read by vectorised string operations: they are codes as written, as
   :func:`~exportctl.hscode.read_code` reads them. Any other cell text goes through
   ``read_code`` itself, the one reading of a code cell, once per distinct text: a
   code read as written (a prefix, spaces, ``ex``) joins the vectorised rows; one read
   with zeros put back, read several ways, unreadable or blank is screened by
   :func:`~exportctl.screen.index.screen_code`, the reference, once per distinct
   (text, description, classification, CAS).
2. **Coverage is a join** of each code's prefixes against the version's entries keyed
   by code (:class:`~exportctl.screen.prefixes.PrefixTable`): covered, ``ex``, a
   national tail of another nomenclature, broader than entries.
3. **The rest** (no entry by code) is asked, in the reference's order: the
   classification column (once per distinct value), a code an entry mentions (a
   join), then the words of the description: a keyword pre-filter (the entries' head
   nouns and synonyms, one regular expression over the distinct descriptions) leaves
   only descriptions that can name an entry to the matcher of
   :mod:`~exportctl.screen.evidence`, once each; the chapter is weighed per distinct
   (evidence, chapter).

Reasons are shared :class:`~exportctl.screen.shapes.Shape` objects with the row's code
left as a slot. :class:`ColumnarIndex` is built once from a
:class:`~exportctl.screen.ScreenIndex` (its prefix tables; the name matcher's
pre-filter on first use): batches then go through :meth:`ColumnarIndex.screen` with
nothing else to look up.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Hashable, Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from exportctl.arrowtext import digit_runs
from exportctl.hscode import HSCode, Readings, read_code
from exportctl.models import ItemRecord
from exportctl.screen.evidence import Hit
from exportctl.screen.index import CATALOGUE_NOMENCLATURE, STATUSES, Match, ScreenIndex, screen_code
from exportctl.screen.prefilter import Distinct, bools, could_name
from exportctl.screen.prefixes import NONE, Codes, PrefixTable
from exportctl.screen.reasons import sub_value
from exportctl.screen.references import Reference
from exportctl.screen.shapes import CODE, Reread, Shape, Verdicts, reading_warning

__all__ = ["ColumnarIndex"]

CONTROLLED, REVIEW, CLEAR, INVALID = range(len(STATUSES))
"""Statuses as numbers: their place in :data:`~exportctl.screen.STATUSES`."""

# The spellings read_code takes as written without looking anything up (normalise's
# digit strings of a code's length and its _COMMON_RE), in RE2 syntax: \d is ASCII.
_AS_WRITTEN = (
    r"^(?:\d{2}|\d{4}|\d{6}|\d{8}|\d{10}"
    r"|\d{4}(?:\.\d{2}(?:[.\-](?:\d{2}|\d{4}))?)?|\d{2}\.\d{2})$"
)


def _indices(indices: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(indices, NONE).to_numpy(zero_copy_only=False), dtype=np.int64)


class ColumnarIndex:
    """A version indexed for columns: built once, then any number of batches.

    Example:
        >>> engine = ColumnarIndex(ScreenIndex.build(items, slug="kr-russia", label="2024-06"))
        >>> verdicts = engine.screen(codes, descriptions, classifications, cas)
        >>> [STATUSES[s] for s in verdicts.status]
    """

    def __init__(self, index: ScreenIndex, edition: str | None = None) -> None:
        """Index ``index``'s entries for columns.

        Args:
            index: The version, as the row engine indexes it.
            edition: The HS edition codes are read by (``HS2022``): the version's.
        """
        self.index = index
        self.edition = edition
        self.entries: tuple[ItemRecord, ...] = index.items
        places = {id(item): n for n, item in enumerate(self.entries)}
        self._places = places
        self.coverage: PrefixTable[ItemRecord] = PrefixTable(index.coverage, self.place)
        self.tails: PrefixTable[ItemRecord] | None = (
            PrefixTable(index.tails, self.place) if index.tails else None
        )
        self.references = [ref for refs in index.references.codes.values() for ref in refs]
        self.mentioned: PrefixTable[Reference] | None = None
        if self.references:
            refs = {id(ref): n for n, ref in enumerate(self.references)}
            self.mentioned = PrefixTable(index.references.code_index, lambda ref: refs[id(ref)])
        self.shapes: list[Shape] = []
        self._shape_at: dict[Hashable, int] = {}
        self.words: list[tuple[str, ...]] = [()]
        self._words_at: dict[tuple[str, ...], int] = {(): 0}
        self.warnings: list[Callable[[], str | None]] = []
        self._warning_at: dict[str, int] = {}

    def __getstate__(self) -> dict[str, object]:
        # Built once, screened with anywhere (a picklable screener of Arrow batches):
        # what one run met (its reasons, words and warnings by number) stays with it.
        state = dict(self.__dict__)
        state.update(
            shapes=[], _shape_at={}, words=[()], _words_at={(): 0}, warnings=[], _warning_at={}
        )
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        # Entries are known by identity, which a copy does not keep.
        self._places = {id(item): n for n, item in enumerate(self.entries)}

    def place(self, item: ItemRecord) -> int:
        """An entry's place in :attr:`entries`."""
        return self._places[id(item)]

    # ------------------------------------------------------------------ registries

    def shape(self, key: Hashable, make: Callable[[], Shape]) -> int:
        """The place of the shape known by ``key``, made on first use."""
        at = self._shape_at.get(key)
        if at is None:
            at = self._shape_at[key] = len(self.shapes)
            self.shapes.append(make())
        return at

    def words_of(self, words: tuple[str, ...]) -> int:
        """The place of a tuple of matched words."""
        at = self._words_at.get(words)
        if at is None:
            at = self._words_at[words] = len(self.words)
            self.words.append(words)
        return at

    def _warning_of(self, text: str) -> int:
        at = self._warning_at.get(text)
        if at is None:
            at = self._warning_at[text] = len(self.warnings)
            self.warnings.append(functools.partial(reading_warning, text, self.edition))
        return at

    def _match_shape(self, key: Hashable, match: Match) -> int:
        return self.shape(key, functools.partial(Shape, match.why.rule, match.why.values))

    def _entry_shape(self, rule: str, place: int, more: Mapping[str, Any] | None = None) -> int:
        """The shape ``{"entry": …, "code": CODE, **more}`` of one entry under ``rule``."""
        key = (rule, place, *(more or {}).items())
        return self.shape(key, functools.partial(self._new_entry_shape, rule, place, more))

    def _new_entry_shape(self, rule: str, place: int, more: Mapping[str, Any] | None) -> Shape:
        entry = self.index.entry_of(self.entries[place])
        return Shape(rule, {"entry": entry, "code": CODE, **(more or {})})

    def _clear(self, rule: str, more: Mapping[str, Any] | None = None) -> int:
        index = self.index
        values = {"slug": index.slug, "label": index.label, "code": CODE, **(more or {})}
        return self.shape((rule, *values.values()), functools.partial(Shape, rule, values))

    # ------------------------------------------------------------------ screening

    def screen(
        self,
        codes: pa.Array,
        descriptions: pa.Array,
        classifications: pa.Array,
        cas: pa.Array,
    ) -> Verdicts:
        """Screen a batch of rows: each row's code cell (as a person sees it), its
        description, classification and CAS cell (Arrow strings, null when blank).

        Returns:
            One verdict per row, in order.
        """
        n = len(codes)
        fast, spelt = _as_written(codes)
        digits = codes
        if spelt.any():
            digits = pc.replace_substring_regex(codes, r"[.\-]", "")
        out = Verdicts(
            status=np.full(n, CLEAR, dtype=np.int8),
            entry=np.full(n, NONE, dtype=np.int32),
            shape=np.zeros(n, dtype=np.int32),
            words=np.zeros(n, dtype=np.int32),
            warning=np.full(n, NONE, dtype=np.int32),
            # Cells not in a usual spelling get their digits (or none) from _read.
            digits=digits,
            shown=pa.nulls(n, pa.string()),
        )
        plain = fast.copy()
        slow = np.flatnonzero(~fast & bools(pc.is_valid(codes)))
        if slow.size:
            self._read(codes, slow, plain, out)
        rows = np.flatnonzero(plain)
        if rows.size:
            self._screen_plain(
                rows, _codes(out.digits, rows, n), out, descriptions, classifications, cas
            )
        others = np.flatnonzero(~plain)
        if others.size:
            self._screen_read(others, codes, out, descriptions, classifications, cas)
        return out

    def _read(
        self,
        codes: pa.Array,
        slow: np.ndarray,
        plain: np.ndarray,
        out: Verdicts,
    ) -> None:
        """Cells not in a usual spelling, read by :func:`read_code` once per distinct text:
        a code read as written joins the plain rows (its digits, and how it is shown when
        that is not its dotted digits: a range)."""
        cells = pc.dictionary_encode(codes.take(pa.array(slow)))
        at = _indices(cells.indices)
        found: list[tuple[str | None, str | None, bool]] = []
        for text in cells.dictionary.to_pylist():
            reading = read_code(text, self.edition)
            if isinstance(reading, HSCode) and reading.recovered is None:
                written = reading.dotted() if reading.end is not None else None
                found.append((reading.digits, written, True))
            else:
                found.append((reading.digits if isinstance(reading, HSCode) else None, None, False))
        is_plain = np.asarray([f[2] for f in found], dtype=bool)[at]
        plain[slow[is_plain]] = True
        mask = np.zeros(len(plain), dtype=bool)
        mask[slow] = True
        read = [found[i][0] for i in at.tolist()]
        out.digits = pc.replace_with_mask(out.digits, pa.array(mask), pa.array(read, pa.string()))
        spelt = [found[i][1] for i in at.tolist()]
        if any(each is not None for each in spelt):
            out.shown = pc.replace_with_mask(
                out.shown, pa.array(mask), pa.array(spelt, pa.string())
            )

    def _screen_plain(
        self,
        rows: np.ndarray,
        codes: Codes,
        out: Verdicts,
        descriptions: pa.Array,
        classifications: pa.Array,
        cas: pa.Array,
    ) -> None:
        """Rows whose code was read as written: coverage by joins, then the rest."""
        status, entry, shape, passed = self._by_code(codes)
        out.status[rows] = status
        out.entry[rows] = entry
        out.shape[rows] = shape
        if passed.any():
            self._screen_open(
                rows[passed], codes.take(passed), out, descriptions, classifications, cas
            )

    def _by_code(self, codes: Codes) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per code: what its entries say (status, entry, shape), and whether nothing did
        (the row goes on to its other cells)."""
        index = self.index
        n = len(codes)
        status = np.full(n, REVIEW, dtype=np.int8)
        entry = np.full(n, NONE, dtype=np.int32)
        shape = np.zeros(n, dtype=np.int32)
        plain, ex = self.coverage.deciding(codes)
        covered = plain >= 0
        if index.controls_reason is not None:
            rule = "code-covered-profile"
            profile = {
                "profile": index.profile.name if index.profile else "",
                "why": index.controls_reason,
            }
        else:
            rule, profile = "code-covered", {}
            status[covered] = CONTROLLED
        _fill(shape, covered, plain, lambda place: self._entry_shape(rule, place, profile))
        entry[covered] = plain[covered]
        partial = ~covered & (ex >= 0)
        _fill(shape, partial, ex, lambda place: self._entry_shape("ex-partial", place))
        entry[partial] = ex[partial]
        rest = ~covered & ~partial
        if self.tails is not None and rest.any():
            self._tails(codes, rest, entry, shape)
            rest &= entry < 0
        if rest.any():
            self._broader(codes, rest, entry, shape)
            rest &= entry < 0
        return status, entry, shape, rest

    def _tails(self, codes: Codes, rest: np.ndarray, entry: np.ndarray, shape: np.ndarray) -> None:
        """Entries of another nomenclature meeting a code at HS-6 (``national-tail``)."""
        assert self.tails is not None
        which = np.flatnonzero(rest)
        some = codes.take(which)
        plain, ex = self.tails.deciding(some)
        found = np.where(plain >= 0, plain, ex)
        for n in np.flatnonzero(found >= 0).tolist():
            place = int(found[n])
            entry[which[n]] = place
            more = {
                "hs6": HSCode(some.text(n)[:6]).dotted(),
                "nomenclature": self.index.nomenclature,
                "catalogue": CATALOGUE_NOMENCLATURE,
            }
            shape[which[n]] = self._entry_shape("national-tail", place, more)

    def _broader(
        self, codes: Codes, rest: np.ndarray, entry: np.ndarray, shape: np.ndarray
    ) -> None:
        """Codes broader than entries: ``review`` naming the first and how many more."""
        which = np.flatnonzero(rest)
        some = codes.take(which)
        first, count = self.coverage.narrower(some)
        if self.tails is not None:
            tail_first, tail_count = self.tails.narrower(some)
            first = np.where(count > 0, first, tail_first)
            count = count + tail_count
        hit = count > 0
        entry[which[hit]] = first[hit]
        # One number per (entry, count): the shape names the first and how many more.
        keyed = np.zeros(len(shape), dtype=np.int64)
        keyed[which[hit]] = first[hit].astype(np.int64) * (1 << 31) + count[hit]
        mask = np.zeros(len(shape), dtype=bool)
        mask[which[hit]] = True
        _fill(shape, mask, keyed, self._broader_shape)

    def _broader_shape(self, pair: int) -> int:
        place, many = divmod(pair, 1 << 31)
        if many > 1:
            return self._entry_shape("broader-more", place, {"more": many - 1})
        return self._entry_shape("broader", place)

    def _screen_open(
        self,
        rows: np.ndarray,
        codes: Codes,
        out: Verdicts,
        descriptions: pa.Array,
        classifications: pa.Array,
        cas: pa.Array,
    ) -> None:
        """Rows no entry decided by code: classification, a mentioned code, then words."""
        index = self.index
        open_ = np.ones(rows.size, dtype=bool)
        if index.references.numbers:
            found = self._classification(classifications.take(pa.array(rows)))
            hit = found[:, 0] >= 0
            out.status[rows[hit]] = REVIEW
            out.entry[rows[hit]] = found[hit, 0]
            out.shape[rows[hit]] = found[hit, 1]
            open_ &= ~hit
        if self.mentioned is not None and open_.any():
            best = self.mentioned.longest_first(codes)
            hit = open_ & (best >= 0)
            shapes = np.zeros(rows.size, dtype=np.int32)
            _fill(shapes, hit, best, self._mentioned_shape)
            entries = np.asarray([self.place(ref.entry) for ref in self.references], np.int32)
            out.status[rows[hit]] = REVIEW
            out.entry[rows[hit]] = entries[best[hit]]
            out.shape[rows[hit]] = shapes[hit]
            open_ &= ~hit
        if not open_.any():
            return
        if index.words:
            # The analyser needs room: what the columns' work held is handed back first.
            pa.default_memory_pool().release_unused()
            self._words(rows[open_], codes.take(open_), out, descriptions, cas)
        else:
            out.status[rows[open_]] = CLEAR
            out.shape[rows[open_]] = self._clear("clear")

    def _mentioned_shape(self, place: int) -> int:
        return self.shape(("mentioned-code", place), functools.partial(self._new_mentioned, place))

    def _new_mentioned(self, place: int) -> Shape:
        ref = self.references[place]
        values = {
            "entry": self.index.entry_of(ref.entry),
            "within": sub_value(ref.sub_item),
            "mentioned": HSCode(ref.value).dotted(),
        }
        return Shape("mentioned-code", values)

    def _classification(self, given: pa.Array) -> np.ndarray:
        """Per row, ``(entry, shape)`` of a classification naming a control number an entry
        refers to; ``-1`` where none does."""
        cells = pc.dictionary_encode(given)
        at = _indices(cells.indices)
        per = np.full((len(cells.dictionary) + 1, 2), NONE, dtype=np.int32)
        for i, value in enumerate(cells.dictionary.to_pylist()):
            if not value:
                continue
            match = self.index.match_classification(value)
            if match is not None and match.entry is not None:
                per[i] = (self.place(match.entry), self._match_shape(("class", value), match))
        chosen: np.ndarray = per[at]  # a null (at -1) takes the last row, which stays -1
        return chosen

    def _words(
        self,
        rows: np.ndarray,
        codes: Codes,
        out: Verdicts,
        descriptions: pa.Array,
        cas: pa.Array,
    ) -> None:
        """The words of the description (and CAS cell) against the entries defined by name."""
        index = self.index
        # Each distinct description (and CAS cell) once: rows keep only their numbers.
        described, cas_cells = Distinct.of(descriptions), Distinct.of(cas)
        said, given = described.at[rows], cas_cells.at[rows]
        blank = (said < 0) & (given < 0)
        named = len(index.words.entries)
        if blank.any():
            out.status[rows[blank]] = CLEAR
            out.shape[rows[blank]] = (
                self._clear("clear-unchecked-one")
                if named == 1
                else self._clear("clear-unchecked", {"count": named})
            )
        asked = ~blank
        out.status[rows[asked]] = CLEAR
        out.shape[rows[asked]] = self._clear("clear")
        if not asked.any():
            return
        pairs = (said[asked] + 1) * (len(cas_cells.values) + 1) + given[asked] + 1
        distinct, inverse = np.unique(pairs, return_inverse=True)
        found, hits = self._hits(
            described.take(distinct // (len(cas_cells.values) + 1) - 1),
            cas_cells.take(distinct % (len(cas_cells.values) + 1) - 1),
        )
        evidence = found[inverse.reshape(-1)]
        has = evidence >= 0
        if not has.any():
            return
        chosen = rows[asked][has]
        chapters = codes.take(asked).cut(2)[has]  # the codes are at least two digits
        keys = evidence[has].astype(np.int64) * 100 + chapters
        distinct, inverse = np.unique(keys, return_inverse=True)
        decided = np.asarray(
            [self._decide(hits[int(k) // 100], f"{int(k) % 100:02d}") for k in distinct],
            dtype=np.int64,
        ).reshape(-1, 4)
        verdicts = decided[inverse.reshape(-1)]
        review = verdicts[:, 0] == REVIEW
        out.status[chosen[review]] = REVIEW
        out.entry[chosen[review]] = verdicts[review, 1]
        out.shape[chosen[review]] = verdicts[review, 2]
        out.words[chosen[review]] = verdicts[review, 3]

    def _decide(self, hits: tuple[Hit, ...], chapter: str) -> tuple[int, int, int, int]:
        """Weigh one description's evidence with one chapter: ``(status, entry, shape,
        words)``; clear when it does not reach review."""
        verdict = self.index.words.decide(hits, chapter)
        if verdict is None or not verdict.review:
            return CLEAR, NONE, 0, 0
        match = self.index.description_match(verdict)
        assert match.entry is not None
        return (
            REVIEW,
            self.place(match.entry),
            self._match_shape(("description", _stable(match)), match),
            self.words_of(match.words),
        )

    def _hits(self, described: pa.Array, cas_cells: pa.Array) -> tuple[np.ndarray, list[Any]]:
        """For each distinct (description, CAS cell), the place of its evidence among those
        found (``-1`` for none); only those that can hold any are looked at."""
        matcher = self.index.words
        may = could_name(matcher, described, cas_cells)
        found: list[Any] = []
        place = np.full(len(described), NONE, dtype=np.int64)
        texts = described.to_pylist()
        matcher.prime(text for text, could in zip(texts, may, strict=True) if could)
        pairs = zip(texts, cas_cells.to_pylist(), may, strict=True)
        for at, (description, cell, could) in enumerate(pairs):
            if could:
                hits = matcher.hits(description, cell)
                if hits:
                    place[at] = len(found)
                    found.append(hits)
        return place, found

    def _screen_read(
        self,
        rows: np.ndarray,
        codes: pa.Array,
        out: Verdicts,
        descriptions: pa.Array,
        classifications: pa.Array,
        cas: pa.Array,
    ) -> None:
        """Cells not read as written (zeros put back, several readings, a problem, blank):
        screened by the reference, once per distinct (text, description, classification,
        CAS)."""
        taking = pa.array(rows)
        keys = zip(
            codes.take(taking).to_pylist(),
            descriptions.take(taking).to_pylist(),
            classifications.take(taking).to_pylist(),
            cas.take(taking).to_pylist(),
            strict=True,
        )
        done: dict[tuple[str | None, ...], tuple[int, int, int, int, int]] = {}
        for row, key in zip(rows.tolist(), keys, strict=True):
            verdict = done.get(key)
            if verdict is None:
                verdict = done[key] = self._reread(*key)
            status, entry, shape, words, warning = verdict
            out.status[row] = status
            out.entry[row] = entry
            out.shape[row] = shape
            out.words[row] = words
            out.warning[row] = warning

    def _reread(
        self, text: str | None, description: str | None, classification: str | None, cas: str | None
    ) -> tuple[int, int, int, int, int]:
        index, edition = self.index, self.edition

        def match() -> Match:
            return screen_code(index, read_code(text, edition), description, classification, cas)

        found = match()
        shape = self.shape(
            ("read", text, description, classification, cas), lambda: Reread(lambda: match().why)
        )
        reading = read_code(text, edition)
        recovered = isinstance(reading, Readings) or (
            isinstance(reading, HSCode) and reading.recovered is not None
        )
        return (
            STATUSES.index(found.status),
            self.place(found.entry) if found.entry is not None else NONE,
            shape,
            self.words_of(found.words),
            self._warning_of(text) if recovered and text is not None else NONE,
        )


def _as_written(codes: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Per cell, whether it is in a usual spelling (:data:`_AS_WRITTEN`), and whether it
    is one with dots or a hyphen. Digits alone are told by their bytes; only a cell
    holding anything else is asked of the expression (whose other spellings all have
    a dot)."""
    if isinstance(codes, pa.ChunkedArray):
        codes = codes.combine_chunks()
    lengths, digits = digit_runs(codes)
    fast = digits & np.isin(lengths, (2, 4, 6, 8, 10))
    others = np.flatnonzero(~digits & (lengths > 0))
    spelt = np.zeros(len(fast), dtype=bool)
    if others.size:
        asked = bools(pc.match_substring_regex(codes.take(pa.array(others)), _AS_WRITTEN))
        spelt[others[asked]] = True
        fast |= spelt
    return fast, spelt


def _codes(digits: pa.Array, rows: np.ndarray, n: int) -> Codes:
    """The codes of ``rows`` (digits of a code's length) as numbers (nothing else kept)."""
    found = digits if rows.size == n else digits.take(pa.array(rows))
    values = np.array(pc.cast(found, pa.int64()).to_numpy(zero_copy_only=False))
    sizes = np.asarray(pc.binary_length(found).to_numpy(zero_copy_only=False), dtype=np.int64)
    return Codes.of(values, sizes)


def _stable(match: Match) -> str:
    """A key naming a verdict's reason whatever batch found it."""
    return json.dumps(match.why.to_json(), sort_keys=True, ensure_ascii=False, default=str)


def _fill(
    target: np.ndarray, where: np.ndarray, keys: np.ndarray, make: Callable[[int], int]
) -> None:
    """``target[where] = make(key)`` for each row's key, ``make`` called once per
    distinct key."""
    if not where.any():
        return
    distinct, inverse = np.unique(keys[where], return_inverse=True)
    made = np.asarray([make(int(key)) for key in distinct], dtype=target.dtype)
    target[where] = made[inverse]
