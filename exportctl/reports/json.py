"""The change report as JSON, for other programs.

Shape (``show --json`` items under ``old``/``new``)::

    {"report": {"generated_at", "timezone", "utc_offset", "operator",
                "exportctl_version", "database", "language"},
     "list": str, "from": str, "to": str, "fields": [str],
     "versions": {"from": {...}, "to": {...}},
     "summary": {"before", "after", "added", "removed", "modified", "unchanged",
                 "kinds", "declared", "reconciles", "statements", "by_section", "by_chapter"},
     "changes": [{"change", "section", "code", "old_code", "serial", "old", "new", "fields",
                  "related"}]}

Each version says its notice (``notice_number``, ``notice_date``, ``amendment``) and its
parts (``sections``: ``[{number, title, count}]``); a change's ``section`` is the number
of the part its entry is in. ``report`` says how the file was made (time with its UTC
offset, IANA zone, operator, exportctl version, database without password, language);
it is there when the report is written with options (always through the CLI). Keys and
values are machine names whatever the language: JSON is for programs.

This module is named after the format; it uses the standard library's ``json``
through an absolute import.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from exportctl.diff import Change, ChangeSet, Summary, VersionInfo, summarise
from exportctl.reports.evidence import ReportOptions
from exportctl.reports.language import tie_out_sentences
from exportctl.reports.tabular import report_json

__all__ = ["change_set_to_json", "write_json"]


def _version_json(info: VersionInfo | None) -> dict[str, Any] | None:
    if info is None:
        return None
    return {
        "label": info.label,
        "effective": info.effective.isoformat() if info.effective else None,
        "source_file": info.source_file or None,
        "source_sheet": info.source_sheet or None,
        "sha256": info.source_sha256 or None,
        "count": info.item_count,
        "declared_total": info.declared_total,
        "declared_added": info.declared_added,
        "declared_removed": info.declared_removed,
        "status": info.status,
        "status_by": info.status_by,
        "declared_warnings": list(info.declared_warnings),
        "notice_number": info.notice_number,
        "notice_date": info.notice_date.isoformat() if info.notice_date else None,
        "amendment": info.amendment,
        "sections": [
            {"number": part.number, "title": part.title, "count": part.item_count}
            for part in info.sections
        ],
    }


def change_to_json(change: Change) -> dict[str, Any]:
    """One change as a JSON object."""
    return {
        "change": change.kind,
        "section": change.section,
        "code": change.code,
        "old_code": change.old_code,
        "serial": change.serial,
        "old": change.old.to_json() if change.old is not None else None,
        "new": change.new.to_json() if change.new is not None else None,
        "fields": list(change.fields),
        "sub_item_paths": list(change.sub_item_paths),
        "related": list(change.related),
    }


def change_set_to_json(
    changes: ChangeSet, summary: Summary | None = None, options: ReportOptions | None = None
) -> dict[str, Any]:
    """The whole change set and its summary as one JSON-ready object.

    Args:
        changes: The change set.
        summary: Its summary (computed when not given).
        options: The report's record; adds the ``report`` object when given.
    """
    summary = summary or summarise(changes)
    head = {"report": report_json(options)} if options is not None else {}
    return {
        **head,
        "list": changes.list_slug,
        "from": changes.old_version.label if changes.old_version else None,
        "to": changes.new_version.label if changes.new_version else None,
        "fields": list(changes.fields),
        "versions": {
            "from": _version_json(changes.old_version),
            "to": _version_json(changes.new_version),
        },
        "summary": _summary_json(summary, options),
        "changes": [change_to_json(c) for c in changes.changes],
    }


def _summary_json(summary: Summary, options: ReportOptions | None) -> dict[str, Any]:
    """The summary, its ``statements`` in the report's language (English without options)."""
    data = summary.to_json()
    if options is not None:
        data["statements"] = tie_out_sentences(summary.checks, options.text)
    return data


def write_json(
    changes: ChangeSet,
    target: Path | TextIO,
    *,
    summary: Summary | None = None,
    options: ReportOptions | None = None,
) -> None:
    """Write the JSON report to a file path or an open text stream (UTF-8, indented).

    Args:
        changes: The change set.
        target: A path, or a stream such as ``sys.stdout``.
        summary: Its summary (computed when not given).
        options: The report's record (the ``report`` object); none when None.
    """
    data = change_set_to_json(changes, summary, options)
    if isinstance(target, Path):
        with target.open("w", encoding="utf-8", newline="\n") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
    else:
        json.dump(data, target, ensure_ascii=False, indent=2)
        target.write("\n")


def change_report(changes: ChangeSet, path: Path, options: ReportOptions) -> None:
    """The ``changes``/``json`` entry of :data:`exportctl.reports.registry.REPORTS`."""
    write_json(changes, path, options=options)
