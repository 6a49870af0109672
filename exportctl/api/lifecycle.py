"""Creating lists on purpose, and moving versions through draft → approved / withdrawn."""

from __future__ import annotations

from sqlalchemy import Engine

from exportctl import store
from exportctl.config import current_actor
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

    Raises:
        ListExistsError: The slug is taken.
        InputError: The slug or name is malformed.
    """
    with store.session_scope(engine) as session:
        return store.create_list(
            session,
            slug,
            name=name,
            jurisdiction=jurisdiction,
            authority=authority,
            targets=targets,
            actor=actor or current_actor(),
        )


def rename_list(engine: Engine, slug: str, *, name: str, actor: str | None = None) -> ControlList:
    """Give a list a new display name (printed on reports), recorded in the audit log.

    Raises:
        ListNotFoundError: No such list.
        InputError: The name is empty.
    """
    with store.session_scope(engine) as session:
        return store.rename_list(session, slug, name=name, actor=actor or current_actor())


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
    with store.session_scope(engine) as session:
        version = store.get_version(session, slug, label)
        return store.set_status(
            session,
            version,
            status="approved",
            actor=actor or current_actor(),
            note=note,
            one_person=one_person,
        )


def withdraw_version(
    engine: Engine, slug: str, label: str, *, reason: str, actor: str | None = None
) -> Version:
    """Withdraw a version: never chosen by date again, still shown by label.

    Its content stays as stored; its source file may be imported again.

    Raises:
        StatusError: Already withdrawn, or no reason given.
        ListNotFoundError, VersionNotFoundError: No such list or version.
    """
    with store.session_scope(engine) as session:
        version = store.get_version(session, slug, label)
        return store.set_status(
            session, version, status="withdrawn", actor=actor or current_actor(), note=reason
        )
