"""Creating lists on purpose, and moving versions through draft → approved / withdrawn."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine

from exportctl import store
from exportctl.config import current_actor
from exportctl.errors import InputError
from exportctl.i18n import _
from exportctl.limits import DEFAULTS, Limits
from exportctl.models import ControlList, Version


def create_list(
    engine: Engine,
    slug: str,
    *,
    name: str,
    jurisdiction: str | None = None,
    authority: str | None = None,
    targets: str | None = None,
    actor: str | None = None,
    profile: str | None = None,
    profile_file: Path | None = None,
    profile_folder: Path | None = None,
    limits: Limits = DEFAULTS,
) -> ControlList:
    """Create a control list, recorded in the audit log.

    Lists are created on purpose: an import into a slug that does not exist is
    refused, so a typo never starts a second list.

    Args:
        engine: The database.
        slug: Short stable name, e.g. ``kr-russia`` (lower case, digits, ``-_.``).
        name: Display name, printed on reports.
        jurisdiction: Country or bloc that issues the list, e.g. ``KR``.
        authority: Issuing authority, e.g. ``산업통상자원부``.
        targets: Destination countries it controls, e.g. ``RU,BY``.
        actor: Who creates it (the OS user when None).
        profile: The regime profile the list follows (``eu-833``): a built-in one or
            ``NAME.toml`` in ``profile_folder``; the default profile when None.
        profile_file: A profile file of the user's: checked, copied into
            ``profile_folder`` and followed (instead of ``profile``).
        profile_folder: The user profile folder.
        limits: The caps ``profile_file`` is read under.

    Raises:
        ListExistsError: The slug is taken.
        InputError: The slug or name is malformed; the profile is unknown or its
            file is not a usable profile.
    """
    profile = _chosen_profile(profile, profile_file, profile_folder, limits)
    with store.session_scope(engine) as session:
        return store.create_list(
            session,
            slug,
            name=name,
            jurisdiction=jurisdiction,
            authority=authority,
            targets=targets,
            profile=profile,
            actor=actor or current_actor(),
        )


def _chosen_profile(
    profile: str | None,
    profile_file: Path | None,
    profile_folder: Path | None,
    limits: Limits = DEFAULTS,
) -> str | None:
    """The name of the profile asked for, checked (a profile file installed first)."""
    from exportctl.profiles import install_profile, load_profile

    folders = (profile_folder,) if profile_folder is not None else ()
    if profile_file is not None:
        if profile is not None:
            raise InputError(_("give --profile or --profile-file, not both"))
        if profile_folder is None:
            raise InputError(_("--profile-file needs a profile folder to keep the file in"))
        return install_profile(profile_file, profile_folder, limits).name
    if profile is not None:
        return load_profile(profile, folders).name
    return None


def rename_list(engine: Engine, slug: str, *, name: str, actor: str | None = None) -> ControlList:
    """Give a list a new display name (printed on reports), recorded in the audit log.

    Raises:
        ListNotFoundError: No such list.
        InputError: The name is empty.
        TamperedError: The list no longer matches the audit chain.
    """
    with store.session_scope(engine) as session:
        return store.rename_list(session, slug, name=name, actor=actor or current_actor())


def set_list_profile(
    engine: Engine,
    slug: str,
    *,
    profile: str | None = None,
    profile_file: Path | None = None,
    profile_folder: Path | None = None,
    reason: str | None = None,
    actor: str | None = None,
    limits: Limits = DEFAULTS,
) -> ControlList:
    """Make a list follow another regime profile, recorded in the audit log.

    The profile decides every verdict on the list (US Part 746: a code hit is only
    review), so the change is audited like a rename, with its reason.

    Args:
        engine: The database.
        slug: The list.
        profile: A built-in profile or ``NAME.toml`` in ``profile_folder``.
        profile_file: A profile file of the user's: checked, copied into
            ``profile_folder`` and followed (instead of ``profile``).
        profile_folder: The user profile folder.
        reason: Why, recorded.
        actor: Who changes it (the OS user when None).

    Raises:
        ListNotFoundError: No such list.
        InputError: No profile given, an unknown or unusable one, or the one it follows.
        TamperedError: The list no longer matches the audit chain.

    Example:
        >>> set_list_profile(engine, "us-russia", profile="us-746", reason="Part 746 list")
    """
    chosen = _chosen_profile(profile, profile_file, profile_folder, limits)
    if chosen is None:
        raise InputError(_("give --profile NAME or --profile-file PATH"))
    with store.session_scope(engine) as session:
        return store.set_list_profile(
            session, slug, profile=chosen, reason=reason, actor=actor or current_actor()
        )


def approve_version(
    engine: Engine,
    slug: str,
    label: str,
    *,
    note: str | None = None,
    one_person: bool = False,
    actor: str | None = None,
) -> Version:
    """Approve a draft version; from then on by-date choices may fall on it.

    The approver must not be the importer, unless ``one_person`` records the
    sign-off as one person's.

    Raises:
        StatusError: The version is not a draft, or the approver imported it.
        ListNotFoundError, VersionNotFoundError: No such list or version.
    """
    return _set_status(engine, slug, label, "approved", note, one_person, actor)


def set_version_dates(
    engine: Engine,
    slug: str,
    label: str,
    *,
    effective: dt.date | None = None,
    notice_date: dt.date | None = None,
    actor: str | None = None,
) -> Version:
    """Give a draft its effective date and/or notice date, recorded in the audit log.

    Only a draft's dates can be set: an approved version's dates are part of what
    was approved. A draft needs an effective date before it can be approved.

    Args:
        engine: The database.
        slug: The list.
        label: The draft's label.
        effective: The date it takes effect; unchanged when None.
        notice_date: The date of its notice; unchanged when None.
        actor: Who sets them (the OS user when None).

    Raises:
        StatusError: No date given, nothing would change, the version is not a
            draft, or it no longer matches the audit chain.
        ListNotFoundError, VersionNotFoundError: No such list or version.

    Example:
        >>> set_version_dates(engine, "kr-russia", "2024-06", effective=dt.date(2024, 8, 28))
    """
    with store.session_scope(engine) as session:
        version = store.get_version(session, slug, label)
        return store.set_dates(
            session,
            version,
            actor=actor or current_actor(),
            effective=effective,
            published=notice_date,
        )


def withdraw_version(
    engine: Engine,
    slug: str,
    label: str,
    *,
    reason: str,
    one_person: bool = False,
    actor: str | None = None,
) -> Version:
    """Withdraw a version: never chosen by date again, still shown by label.

    Its content stays as stored; its source file may be imported again, and its
    label reused by the corrected import (the withdrawn version is then renamed
    ``LABEL (withdrawn N)``). Someone other than the importer withdraws it,
    unless ``one_person`` records the withdrawal as one person's.

    Raises:
        StatusError: Already withdrawn, no reason given, or the importer withdraws
            it without ``one_person``.
        ListNotFoundError, VersionNotFoundError: No such list or version.
    """
    return _set_status(engine, slug, label, "withdrawn", reason, one_person, actor)


def reinstate_version(
    engine: Engine,
    slug: str,
    label: str,
    *,
    reason: str,
    one_person: bool = False,
    actor: str | None = None,
) -> Version:
    """Undo a withdrawal: the version gets back the status it had (approved or draft).

    Someone other than who withdrew it reinstates it, unless ``one_person``
    records the reinstatement as one person's. Recorded in the audit log.

    Raises:
        StatusError: The version is not withdrawn, no reason given, or the one who
            withdrew it reinstates it without ``one_person``.
        ListNotFoundError, VersionNotFoundError: No such list or version.

    Example:
        >>> reinstate_version(engine, "kr-russia", "2024-06", reason="withdrawn by mistake")
    """
    return _set_status(engine, slug, label, "reinstated", reason, one_person, actor)


def _set_status(
    engine: Engine,
    slug: str,
    label: str,
    status: str,
    note: str | None,
    one_person: bool,
    actor: str | None,
) -> Version:
    """One status change, by the store's rules (who may, what is recorded)."""
    with store.session_scope(engine) as session:
        version = store.get_version(session, slug, label)
        return store.set_status(
            session,
            version,
            status=status,
            actor=actor or current_actor(),
            note=note,
            one_person=one_person,
        )
