"""Library verbs that mirror the commands: one function per CLI command.

Each takes an engine (or nothing, when no database is needed) and plain
arguments, and returns data; the CLI only renders it.

Example:
    >>> from exportctl import api
    >>> engine = api.open_database("sqlite:///lists.db", create=True)
    >>> result = api.import_workbook(
    ...     engine, Path("list.xlsx"),
    ...     ImportOptions(slug="kr-russia", label="2024-02", declared=Declared(total=1159)),
    ... )
    >>> result.ok, result.report.item_count
"""

from __future__ import annotations

from exportctl.api.browse import (
    audit_log,
    drafts_passed_over,
    list_lists,
    list_versions,
    record_output,
    resolve_version,
    show_version,
    undated_passed_over,
    verify_audit_log,
)
from exportctl.api.changes import (
    REPORT_FORMATS,
    diff_versions,
    report_format,
    write_change_report,
)
from exportctl.api.database import init_database, open_database
from exportctl.api.demo import DEMO_LIST, DemoResult, demo_samples, run_demo
from exportctl.api.exports import export_version
from exportctl.api.history import EntryStep, entry_history
from exportctl.api.import_options import ImportOptions, ImportResult
from exportctl.api.imports import import_workbook, validate_workbook
from exportctl.api.lifecycle import (
    approve_version,
    create_list,
    rename_list,
    set_list_profile,
    set_version_dates,
    withdraw_version,
)
from exportctl.api.lookups import (
    CheckReport,
    CodeCheck,
    ItemSelection,
    check_codes,
    filter_items,
    select_items,
)
from exportctl.api.screening import screen_catalogue
from exportctl.api.users import (
    UserInfo,
    add_user,
    authenticate,
    disable_user,
    enable_user,
    list_users,
    set_password,
    set_role,
)

__all__ = [
    "DEMO_LIST",
    "REPORT_FORMATS",
    "CheckReport",
    "CodeCheck",
    "DemoResult",
    "EntryStep",
    "ImportOptions",
    "ImportResult",
    "ItemSelection",
    "UserInfo",
    "add_user",
    "approve_version",
    "audit_log",
    "authenticate",
    "check_codes",
    "create_list",
    "demo_samples",
    "drafts_passed_over",
    "diff_versions",
    "disable_user",
    "enable_user",
    "entry_history",
    "export_version",
    "filter_items",
    "import_workbook",
    "init_database",
    "list_lists",
    "list_users",
    "list_versions",
    "open_database",
    "record_output",
    "rename_list",
    "report_format",
    "resolve_version",
    "run_demo",
    "screen_catalogue",
    "select_items",
    "set_password",
    "set_role",
    "set_list_profile",
    "set_version_dates",
    "show_version",
    "undated_passed_over",
    "validate_workbook",
    "verify_audit_log",
    "withdraw_version",
    "write_change_report",
]
