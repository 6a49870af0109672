"""Screening a product catalogue against one version of a control list.

Matching rules (DESIGN.md, "Matching semantics"), decided per catalogue row:

``invalid``
    The row has no usable HS code (blank, malformed or ambiguous). The row is
    reported with the reason, never dropped.
``controlled``
    A list entry without ``ex`` covers the code: the entry's digits are a prefix
    of the catalogue code (a heading ``8471`` covers ``8471.30.1000``). The
    longest such entry decides.
``review``
    A human must decide, because

    * only ``ex`` entries cover the code (part of the heading is controlled);
    * the catalogue code is shorter than a list entry it prefixes (catalogue
      ``8471.30``, entry ``8471.30.1000``): some goods under it are controlled;
    * the product description names an entry defined by name or specification
      (no HS code), on evidence weighed in :mod:`~exportctl.screen.evidence`.
``clear``
    Nothing above applies. When the version has entries defined by name and the
    row has no description, the reason says those entries were not checked; a
    catalogue where no row has one is not fully screened
    (:attr:`ScreenSummary.description_checked`).

Every code cell is read by :func:`~exportctl.hscode.read_code`, whatever the
file: a number as its number format shows it, then as text. A code that lost a
zero is read as the one reading the list's HS edition has, with a warning; when
several exist, each is screened (:func:`screen_code`): the same status when they
agree, ``review`` naming each when they do not.

Lookups go through a prefix index (:class:`ScreenIndex`): at most one dict
lookup per code level (2/4/6/8/10 digits) for covering entries and one for the
entries under a short code, so a row costs the same whether the list has ten
entries or ten thousand. :func:`screen_rows` streams, one :class:`ScreenResult` per
row: it is the reference. ``screen`` and ``check`` run the columnar engine
(:mod:`~exportctl.screen.columnar`), which decides the same for whole Arrow columns
at once and holds a run in one table (:mod:`~exportctl.screen.table`) that every
output is written from; a property test holds the two engines to the same verdicts.

Example:
    >>> index = ScreenIndex.build(items, slug="kr-russia", label="2024-06")
    >>> summary = ScreenSummary()
    >>> for result in screen_rows(table.rows, index, summary=summary):
    ...     print(result.row, result.status, result.reason)
    >>> summary.to_json()

The modules, each importing only those listed before it:

* :mod:`~exportctl.screen.lexicon`: stop words, spellings, synonyms, chapters (data).
* :mod:`~exportctl.screen.nouns`: noun phrases of a text (Kiwi for Korean).
* :mod:`~exportctl.screen.evidence`: :class:`NameMatcher` and the weights of evidence.
* :mod:`~exportctl.screen.reasons`: :class:`Reason`, a rule id and its values.
* :mod:`~exportctl.screen.index`: statuses, :class:`ScreenIndex` and the verdict on one code.
* :mod:`~exportctl.screen.results`: :func:`screen_rows`, results, summary and report.
* :mod:`~exportctl.screen.related`: every entry a code meets (``show --code``).
* :mod:`~exportctl.screen.prefixes`: an index's answers for a column of codes.
* :mod:`~exportctl.screen.shapes`: verdicts in arrays, reasons as shared shapes.
* :mod:`~exportctl.screen.prefilter`: which descriptions the name matcher must read.
* :mod:`~exportctl.screen.columnar`: the columnar engine.
* :mod:`~exportctl.screen.table`: a run as one table; its rows and counts.
"""

from __future__ import annotations

from exportctl.screen.evidence import REVIEW_AT, WEIGHTS, Hit, NameMatcher, Verdict
from exportctl.screen.index import (
    STATUSES,
    Match,
    ScreenIndex,
    Status,
    entry_label,
    screen_code,
)
from exportctl.screen.nouns import Analyser, phrases
from exportctl.screen.reasons import Reason
from exportctl.screen.report import ScreenReport
from exportctl.screen.results import (
    FAIL_ON,
    ScreenResult,
    ScreenSummary,
    entry_json,
    fail_statuses,
    failing_statuses,
    screen_rows,
)

__all__ = [
    "FAIL_ON",
    "REVIEW_AT",
    "STATUSES",
    "WEIGHTS",
    "Analyser",
    "Hit",
    "Match",
    "NameMatcher",
    "Reason",
    "ScreenIndex",
    "ScreenReport",
    "ScreenResult",
    "ScreenSummary",
    "Status",
    "Verdict",
    "entry_json",
    "entry_label",
    "fail_statuses",
    "failing_statuses",
    "screen_code",
    "phrases",
    "screen_rows",
]
