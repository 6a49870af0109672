"""What changed between two versions of a control list, as data.

:func:`compare` is a pure function from two versions' items to a :class:`ChangeSet`;
it reads no database and writes no file. :func:`compare_joined` gives the same change
set for two versions a database has paired entry by entry, building items only for
the few that may have changed (most of a new version is its old version unchanged);
:func:`compare_stored` does the same from plain rows read in full. The writers in
:mod:`exportctl.reports` only format a change set, and :func:`summarise` ties its
counts out against the figures the notice declares.

Items are matched as :mod:`exportctl.identity` says, the rule an import's counts
against its base follow too: by part and normalised code (a range by its first
code), an item without a code by its description and, failing that, by its serial
number (연번). Each matched pair is compared on the chosen ``fields``. Unmatched
items are then looked at once more, so that a structural change is not reported as
an unrelated removal and addition.

Change kinds, and the rule for each (every old and every new item appears in at
most one change):

``added`` / ``removed``
    The item's code is only in the new / only in the old version, and none of the
    rules below explains it.
``modified``
    Same code in both, and at least one compared field other than ``serial``
    differs. When the serial number moved too, ``"serial"`` is among the fields:
    a renumbered item that also changed is *modified*, not reported twice.
``renumbered``
    Same code in both, only the serial number differs (needs ``"serial"`` in
    ``fields``, which it is by default).
``recoded``
    One removed and one added code that mean the same entry: either both cover
    exactly the same goods (``8471300000`` → ``847130``: equal once the trailing
    ``00`` pairs are dropped), or they share their four-digit heading and have the
    same description, that description occurs exactly once in the old and once in
    the new version, and it is not a generic name (``기타``, ``Other``, ``그 밖의
    것``), which real nomenclatures repeat hundreds of times. When in doubt a pair
    stays a removal and an addition.
``split``
    A removed code replaced by one or more added codes it covers (its sub-codes):
    ``2903890000`` → ``2903891000`` + ``2903899000``. One change for the removed
    code (``old`` set, ``related`` = the sub-codes) and one per sub-code (``new`` set,
    ``related`` = the removed code).
``merged``
    The reverse: an added code replacing one or more removed codes it covers.

The summary's ``added``/``removed`` count *items* left unmatched in one version,
whatever change kind explains them, so ``before + added − removed = after`` always
holds and the figures compare with the notice's (1,159 + 243 = 1,402) exactly as the
import of the new version against its base compared them. The per-kind counts say
how those items were classified.

Example:
    >>> changes = compare(old_items, new_items, fields=("description", "category"))
    >>> changes.counts()["added"], summarise(changes).reconciles
"""

from __future__ import annotations

from exportctl.diff.changeset import (
    CHANGE_KINDS,
    COMPARABLE_FIELDS,
    DEFAULT_FIELDS,
    Change,
    ChangeKind,
    ChangeSet,
    SectionInfo,
    VersionInfo,
    check_fields,
    dotted,
    parse_fields,
    sub_item_changes,
)
from exportctl.diff.joined import JoinedVersions, compare_joined
from exportctl.diff.matching import NameCounts, compare, significant_prefix
from exportctl.diff.stored import PartsRenumbered, StoredVersion, compare_stored, row_columns
from exportctl.diff.summary import GroupCount, Summary, summarise

__all__ = [
    "CHANGE_KINDS",
    "COMPARABLE_FIELDS",
    "DEFAULT_FIELDS",
    "Change",
    "ChangeKind",
    "ChangeSet",
    "GroupCount",
    "JoinedVersions",
    "NameCounts",
    "SectionInfo",
    "StoredVersion",
    "Summary",
    "VersionInfo",
    "check_fields",
    "compare",
    "compare_joined",
    "compare_stored",
    "PartsRenumbered",
    "dotted",
    "parse_fields",
    "row_columns",
    "significant_prefix",
    "sub_item_changes",
    "summarise",
]
