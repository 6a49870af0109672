"""Every rule id a finding or a reader's note can carry, with what it means.

Findings (:class:`exportctl.models.Finding`) and reader notes
(:class:`exportctl.readers.rows.Note`) name their rule with these ids, in
``--json`` and in the audit detail, so a program can act on them without parsing
sentences. An id, once published here, keeps its meaning. A test checks that
every id the code uses is listed.
"""

from __future__ import annotations

from types import MappingProxyType

RULES = MappingProxyType(
    {
        # Codes
        "malformed-code": "error: the code cell is not an HS code of any length",
        "ambiguous-code": "error: a number that lost zeros reads as more than one code",
        "no-code": "warning: the code cell holds words; the entry is kept as defined by name",
        "code-recovered": "warning: zeros a number lost were restored (number format, column)",
        "unknown-code": "warning: a well-formed code that is not in HS 2022",
        "duplicate-code": "error: the same code twice in one part",
        "overlapping-code": "warning: an entry already covered by a shorter one (or a range)",
        "code-level": "warning: a code of a level the list's profile does not write",
        "unexpected-range": "warning: a range in a list whose profile writes no ranges",
        "attribute-value": "warning: an entry attribute (CHPL tier...) its profile does not know",
        "unreadable-control-number": "warning: a control-number cell holds something that is "
        "not a control number (or a range of more than 100 entries); the rest is kept",
        "reversed-control-range": "warning: a range of control numbers that runs backwards "
        "(3C005~1); none of it is kept",
        "empty-item": "error: a row with neither code nor description",
        "nul-character": "error: a cell holds a NUL character, which no record can keep",
        "no-items": "error: no entries under the header (unless --declared-total 0)",
        # Serials and structure
        "malformed-serial": "warning: a serial that is neither a number nor a branch (3의2)",
        "duplicate-serial": "error: the same serial twice in one part",
        "missing-serial": "warning: serial numbers skip some numbers",
        "orphan-branch": "warning: a branch number (3의2) without its main number",
        "branch-gap": "warning: a branch (3의3) without the one before it (3의2)",
        "orphan-sub-item": "warning: a sub-item row with no entry above it; left out",
        "unplaced-row": "warning: a row with text but no serial, code or sub-item label, that "
        "continues nothing; left out, not counted as an entry",
        "sub-item-sequence": "warning: a sub-item label that continues no numbering open "
        "above it (c. after a., b.1.a. without b.1.); kept as a sub-item, never an entry",
        "continued-row": "warning: a row read as the rest of the entry or sub-item above "
        "(a merged cell, or a row cut by a page break)",
        "duplicate-section": "warning: a part repeats the number of a part above it",
        "section-left-out": "warning: a part of the annex read and not stored (--section)",
        "no-base-section": "warning: no part of the base version matches the part stored",
        "base-part-dropped": "warning: a part of the base version is not in the new one",
        # Counts, guards and the base
        "count-mismatch": "error: the entries stored differ from the declared total",
        "added-mismatch": "warning: the additions differ from the declared added",
        "removed-mismatch": "warning: the removals differ from the declared removed",
        "declared-sum": "warning: base + declared added - declared removed != declared total",
        "no-base": "warning or error: declared changes or --additions without --base",
        "looks-like-additions": "error: serials continue the base: a file of additions",
        "removes-most-of-base": "error: a complete list that would remove most of its base",
        "columns-lost": "warning: columns the earlier version had are missing",
        "notice-mismatch": "warning: --notice differs from the number the file prints",
        "notice-already-imported": "warning: the notice number was already imported into the list",
        "unmapped-column": "warning: a non-empty column no field maps to",
        # Reader notes
        "footnote-rows": "note: footnote rows under the table were skipped",
        "repeated-header": "note: header rows repeated (on each printed page) were skipped",
        "formula-cached": "note: formula cells were read from their cached values",
        "formula-outside": "note: formulas without cached values outside the mapped columns",
        "no-number-formats": "note: the reader gives no number formats for this file",
        "csv-delimiter": "note: a CSV separated by something other than commas",
        "csv-encoding": "note: a CSV that is not UTF-8, decoded as CP949 or UTF-16 without a BOM",
        "xls-text": "note: tab-separated text named .xls (a SAP/ERP export) read as text",
        "csv-quote": 'note: text after a closing quote in a CSV field ("abc"def, read as '
        "abcdef); a quote that never closes, or one that would merge rows, is refused",
        "pdf-restricted": "note: a PDF locked against copying or printing was read",
    }
)
"""Rule id -> severity and meaning."""
