"""exportctl: keep export-control lists of HS codes straight.

The public API is re-exported here and loaded on first use, so that importing
``exportctl`` (and starting the command line) stays cheap.

Example:
    >>> import exportctl
    >>> engine = exportctl.open_database("sqlite:///lists.db", create=True)
    >>> result = exportctl.import_workbook(
    ...     engine, Path("list.xlsx"), exportctl.ImportOptions(slug="kr-russia", label="2024-02")
    ... )
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "open_database": "exportctl.api",
    "init_database": "exportctl.api",
    "import_workbook": "exportctl.api",
    "validate_workbook": "exportctl.api",
    "show_version": "exportctl.api",
    "list_lists": "exportctl.api",
    "list_versions": "exportctl.api",
    "audit_log": "exportctl.api",
    "verify_audit_log": "exportctl.api",
    "ImportOptions": "exportctl.api",
    "ImportResult": "exportctl.api",
    "Structure": "exportctl.structure",
    "diff_versions": "exportctl.api",
    "write_change_report": "exportctl.api",
    "screen_catalogue": "exportctl.api",
    "screen_frame": "exportctl.api.frame_screening",
    "screener": "exportctl.api.frame_screening",
    "Screener": "exportctl.screen.batches",
    "VERDICT_DDL": "exportctl.screen.batches",
    "run_demo": "exportctl.api",
    "create_list": "exportctl.api",
    "set_list_profile": "exportctl.api",
    "approve_version": "exportctl.api",
    "withdraw_version": "exportctl.api",
    "set_version_dates": "exportctl.api",
    "check_codes": "exportctl.api",
    "select_items": "exportctl.api",
    "export_version": "exportctl.api",
    "entry_history": "exportctl.api",
    "add_user": "exportctl.api",
    "list_users": "exportctl.api",
    "compare": "exportctl.diff",
    "summarise": "exportctl.diff",
    "ChangeSet": "exportctl.diff",
    "Change": "exportctl.diff",
    "ScreenIndex": "exportctl.screen",
    "ScreenReport": "exportctl.screen",
    "screen_rows": "exportctl.screen",
    "Declared": "exportctl.validate",
    "validate_table": "exportctl.parts",
    "read_table": "exportctl.readers",
    "LIST_SCHEMA": "exportctl.readers",
    "CATALOGUE_SCHEMA": "exportctl.readers",
    "normalise": "exportctl.hscode",
    "HSCode": "exportctl.hscode",
    "Nomenclature": "exportctl.hscode",
    "ItemRecord": "exportctl.models",
    "Finding": "exportctl.models",
    "ValidationReport": "exportctl.models",
    "ExportctlError": "exportctl.errors",
    "InputError": "exportctl.errors",
    "RefusedError": "exportctl.errors",
    "TamperedError": "exportctl.errors",
    "convert_version": "exportctl.api.convert",
    "convert_items": "exportctl.convert",
    "CorrelationTable": "exportctl.hscode.correlation",
    "load_table": "exportctl.hscode.correlation",
    "compare_versions": "exportctl.api.compare",
    "write_crosslist_report": "exportctl.api.compare",
    "compare_lists": "exportctl.crosslist",
    "read_version": "exportctl.api.frames",
    "read_sub_items": "exportctl.api.frames",
    "read_changes": "exportctl.api.frames",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'exportctl' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
