"""Transactions, version writes, reads, as-of lookups and the audit chain.

Versions are append-only: nothing here deletes a stored version or item, and
the only changes a stored version sees are to its status (:func:`set_status`:
draft, approved, withdrawn) and, while a draft, to its dates (:func:`set_dates`).
An import writes the version, its items and its audit events in one transaction
(:func:`session_scope`), so a failure leaves the database as it was.

The modules, each importing only those listed before it:

* :mod:`~exportctl.store.session`: :func:`session_scope` and the driver's cursor.
* :mod:`~exportctl.store.audit`: the audit chain.
* :mod:`~exportctl.store.digests`: digests of what is stored (lists, versions).
* :mod:`~exportctl.store.anchors`: what the chain vouches for; :mod:`~exportctl.store.verify`
  checks everything against it (``audit verify``), :mod:`~exportctl.store.vouch` what a
  command is about to use.
* :mod:`~exportctl.store.lists`: control lists.
* :mod:`~exportctl.store.items`: a version's items, written and read in bulk.
* :mod:`~exportctl.store.paired`: two versions' items joined on their identity, for ``diff``.
* :mod:`~exportctl.store.versions`: versions written by an import and found by
  label or date.
* :mod:`~exportctl.store.status`: approval, withdrawal, reinstatement; a draft's dates.
* :mod:`~exportctl.store.labels`: a withdrawn version's label reused; notices seen twice.
"""

from __future__ import annotations

from exportctl.store.audit import audit_events, record_event
from exportctl.store.items import (
    _CODE_IN,
    _ITEM_COLUMNS,
    INSERT_CHUNK,
    RECORD_COLUMNS,
    ItemWriter,
    StoredItems,
    _insert_copy,
    _insert_core,
    _insert_sqlite,
    _item_rows,
    insert_item_rows,
    insert_items,
    load_items,
)
from exportctl.store.labels import notice_warnings, retire_label
from exportctl.store.lists import (
    SLUG_PATTERN,
    all_lists,
    all_slugs,
    create_list,
    ensure_list,
    get_list,
    rename_list,
    set_list_profile,
)
from exportctl.store.paired import PairedVersions
from exportctl.store.session import session_scope
from exportctl.store.status import APPROVABLE, WITHDRAWABLE, set_dates, set_status
from exportctl.store.verify import verify_audit
from exportctl.store.versions import (
    NewSection,
    NewVersion,
    begin_version,
    dating_hint,
    find_source,
    finish_version,
    get_version,
    sections_of,
    store_version,
    undated_reason,
    undated_versions,
    version_as_of,
    versions_of,
)
from exportctl.store.vouch import check_vouched

__all__ = [
    "APPROVABLE",
    "INSERT_CHUNK",
    "RECORD_COLUMNS",
    "SLUG_PATTERN",
    "WITHDRAWABLE",
    "ItemWriter",
    "NewSection",
    "NewVersion",
    "PairedVersions",
    "StoredItems",
    "all_lists",
    "all_slugs",
    "audit_events",
    "begin_version",
    "check_vouched",
    "create_list",
    "dating_hint",
    "rename_list",
    "set_list_profile",
    "ensure_list",
    "find_source",
    "finish_version",
    "get_list",
    "get_version",
    "insert_item_rows",
    "insert_items",
    "load_items",
    "notice_warnings",
    "retire_label",
    "record_event",
    "session_scope",
    "set_dates",
    "set_status",
    "sections_of",
    "store_version",
    "undated_reason",
    "undated_versions",
    "verify_audit",
    "version_as_of",
    "versions_of",
    # Internals the tests reach into.
    "_CODE_IN",
    "_ITEM_COLUMNS",
    "_insert_copy",
    "_insert_core",
    "_insert_sqlite",
    "_item_rows",
]
