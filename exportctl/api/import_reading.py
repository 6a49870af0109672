"""What an import reads before it validates: the profile and HS edition a list file is
read with, the file itself (a column at a time when it is plain, else row by row), and
the notice it belongs to."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from exportctl import store
from exportctl.api.import_options import ImportOptions
from exportctl.errors import InputError, ListNotFoundError
from exportctl.i18n import _
from exportctl.models import Finding

if TYPE_CHECKING:
    from sqlmodel import Session

    from exportctl.annex import Notice
    from exportctl.listcolumns import CleanList
    from exportctl.profiles import Profile
    from exportctl.readers import Table
    from exportctl.readers.guard import Checked

__all__ = ["edition_of", "open_list", "read_clean", "read_notice", "resolve_profile"]


def read_notice(table: Table, options: ImportOptions) -> tuple[Notice, list[Finding]]:
    """The notice a file belongs to: its title lines, overridden by ``--notice``/``--notice-date``.

    Returns:
        The notice, and a warning (``notice-mismatch``) when the file and
        ``--notice`` give different numbers (the option wins).
    """
    from dataclasses import replace

    from exportctl.annex import parse_notice

    found = parse_notice(table.title_lines)
    notice = found
    findings: list[Finding] = []
    if options.notice is not None:
        if found.number is not None and found.number != options.notice:
            findings.append(
                Finding(
                    severity="warning",
                    rule="notice-mismatch",
                    message=(
                        f"the file names notice {found.number} but --notice gives "
                        f"{options.notice}; {options.notice} is stored"
                    ),
                    file=table.file,
                    sheet=table.sheet,
                )
            )
        notice = replace(notice, number=options.notice)
    if options.notice_date is not None:
        notice = replace(notice, date=options.notice_date)
    return notice, findings


def resolve_profile(session: Session | None, options: ImportOptions) -> Profile:
    """The profile a file is read with: the list's, or ``options.profile`` for a new list.

    Raises:
        InputError: No such profile, or ``options.profile`` differs from the profile
            of the existing list (a list keeps the profile it was created with).
    """
    from exportctl.profiles import load_profile

    named = options.profile
    if session is not None:
        try:
            control_list = store.get_list(session, options.slug)
        except ListNotFoundError:
            control_list = None
        if control_list is not None:
            if named is not None and named != (control_list.profile or _default_profile()):
                raise InputError(
                    _(
                        'list "{slug}" follows profile "{profile}", not "{named}"; leave out '
                        "--profile, or import into a list created with that profile"
                    ).format(
                        slug=options.slug,
                        profile=control_list.profile or _default_profile(),
                        named=named,
                    )
                )
            named = control_list.profile
    return load_profile(named, options.profile_folders)


def _default_profile() -> str:
    from exportctl.profiles import DEFAULT_PROFILE

    return DEFAULT_PROFILE


def edition_of(options: ImportOptions, profile: Profile) -> str | None:
    """``--hs-edition`` (``2022`` or ``HS2022``), else the profile's edition."""
    from exportctl.hscode import EDITIONS

    given = options.hs_edition
    if given is None:
        return profile.hs_edition
    year = given.strip().upper().removeprefix("HS").strip()
    if year not in EDITIONS:
        raise InputError(
            _('--hs-edition "{given}" is not an HS edition (known: {known})').format(
                given=given, known=", ".join("HS" + e for e in EDITIONS)
            )
        )
    return f"HS{year}"


def open_list(
    path: Path,
    options: ImportOptions,
    progress: Callable[[int], None] | None,
    profile: Profile | None = None,
    checked: Checked | None = None,
) -> Table:
    from exportctl.readers import LIST_SCHEMA, read_table

    return read_table(
        path,
        profile.schema() if profile is not None else LIST_SCHEMA,
        sheet=options.sheet,
        encoding=options.encoding,
        overrides=options.overrides,
        progress=progress,
        table=options.table,
        limits=options.limits,
        checked=checked,
    )


def read_clean(
    path: Path,
    options: ImportOptions,
    profile: Profile,
    progress: Callable[[int], None] | None,
    checked: Checked,
) -> CleanList | None:
    """The list as columns when nothing in it needs the rows read one by one
    (:mod:`exportctl.listcolumns`): a new complete list, its parts not chosen, no
    version before it to guard against, none of a profile's own columns."""
    if options.base or options.additions or options.section or options.table is not None:
        return None
    if options.encoding is not None or profile.attributes:
        return None
    from exportctl.listcolumns import read_clean_list

    return read_clean_list(
        path,
        profile.schema(),
        sheet=options.sheet,
        overrides=options.overrides,
        limits=options.limits,
        levels=tuple(profile.code_levels),
        progress=progress,
        checked=checked,
    )
