"""Reading lists, versions, items and the audit log; recording outputs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from exportctl import store
from exportctl.api.database import _sha256_file
from exportctl.config import current_actor
from exportctl.errors import InputError
from exportctl.i18n import _
from exportctl.models import AuditEvent, ControlList, ItemRecord, Section, Version, notice_text

if TYPE_CHECKING:
    from exportctl.store.verify import Signing


def list_lists(engine: Engine) -> list[tuple[ControlList, list[Version]]]:
    """Every list with its versions."""
    with store.session_scope(engine) as session:
        return [(cl, store.versions_of(session, cl)) for cl in store.all_lists(session)]


def list_versions(engine: Engine, slug: str) -> list[Version]:
    """Versions of one list, by effective date."""
    with store.session_scope(engine) as session:
        return store.versions_of(session, store.get_list(session, slug))


def version_sections(engine: Engine, versions: Sequence[Version]) -> dict[int, list[Section]]:
    """The parts of each version (``store.sections_of``), by version id."""
    with store.session_scope(engine) as session:
        return {v.id: store.sections_of(session, v) for v in versions if v.id is not None}


def notice_json(version: Version) -> dict[str, Any]:
    """``{number, authority, date, amendment}``: the notice a version comes from."""
    return {
        "number": version.notice_number,
        "authority": version.notice_authority,
        "date": version.published.isoformat() if version.published else None,
        "amendment": version.amendment,
    }


def version_notice(version: Version) -> str:
    """``notice 제2024-123호 (산업통상자원부) of 2024-06-28, <개정 …>``; ``""`` when unknown."""
    return notice_text(
        version.notice_number, version.published, version.amendment, version.notice_authority
    )


def sections_json(sections: Sequence[Section]) -> list[dict[str, Any]]:
    """The parts of a version as the ``--json`` outputs show them."""
    return [
        {
            "number": part.number,
            "title": part.title,
            "count": part.item_count,
            "declared_total": part.declared_total,
            "declared_added": part.declared_added,
            "declared_removed": part.declared_removed,
        }
        for part in sections
    ]


def resolve_version(
    engine: Engine,
    slug: str,
    *,
    label: str | None = None,
    as_of: dt.date | None = None,
    include_drafts: bool = False,
) -> Version:
    """A version by label, or the one in force on ``as_of``.

    A label finds any version, withdrawn ones included (their status says so).
    By date, only approved versions count, drafts too with ``include_drafts``;
    a withdrawn version never does.

    Raises:
        InputError: Neither a label nor a date given.
        ListNotFoundError: No such list.
        VersionNotFoundError: No such label, or nothing in force on the date.
    """
    with store.session_scope(engine) as session:
        if label is not None:
            return store.get_version(session, slug, label)
        if as_of is None:
            raise InputError(_("give a version label or an --as-of date"))
        return store.version_as_of(session, slug, as_of, include_drafts=include_drafts)


def show_version(
    engine: Engine,
    slug: str,
    *,
    label: str | None = None,
    as_of: dt.date | None = None,
    include_drafts: bool = False,
) -> tuple[Version, list[ItemRecord]]:
    """A version and its items."""
    version = resolve_version(engine, slug, label=label, as_of=as_of, include_drafts=include_drafts)
    with store.session_scope(engine) as session:
        return version, store.load_items(session, version)


def audit_log(engine: Engine) -> list[AuditEvent]:
    """The audit log, oldest first."""
    with store.session_scope(engine) as session:
        return store.audit_events(session)


def verify_audit_log(engine: Engine, head: str | None = None) -> list[str]:
    """What no longer matches the audit chain, one sentence each (empty when intact).

    Args:
        engine: The database.
        head: The head filed outside the database, ``ID:HASH`` or ``HASH``
            (:func:`audit_head`): a chain rewritten or cut before it fails.

    Raises:
        InputError: ``head`` is in neither form.
    """
    from exportctl.store.audit import parse_head

    try:
        filed = parse_head(head) if head is not None else None
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    with store.session_scope(engine) as session:
        return store.verify_audit(session, filed)


def audit_signing(engine: Engine) -> Signing:
    """Whether the engine signs with an audit key, and from which event the chain is signed."""
    from exportctl.store.verify import signing

    with store.session_scope(engine) as session:
        return signing(session)


def audit_head(engine: Engine) -> AuditEvent | None:
    """The last event of the audit chain, whose id and hash the officer files (None: empty)."""
    from exportctl.store.audit import chain_head

    with store.session_scope(engine) as session:
        return chain_head(session)


def record_output(
    engine: Engine,
    *,
    action: str,
    path: Path | None,
    slug: str | None,
    label: str | None,
    detail: dict[str, Any],
    actor: str | None = None,
) -> None:
    """Record a written report or export in the audit log with the file's SHA-256."""
    with store.session_scope(engine) as session:
        store.record_event(
            session,
            action=action,
            actor=actor or current_actor(),
            list_slug=slug,
            version_label=label,
            file=path.name if path is not None else None,
            sha256=_sha256_file(path) if path is not None else None,
            detail=detail,
        )


def undated_passed_over(engine: Engine, slug: str, *, include_drafts: bool = False) -> list[str]:
    """Why each version a by-date choice cannot see, for want of an effective date, was
    left out, and the command that mends it: one sentence each (empty when none).

    Approved versions without a date (a database may hold some from before
    ``approve`` required one), and with ``include_drafts`` undated drafts.
    """
    with store.session_scope(engine) as session:
        found = store.undated_versions(
            session, store.get_list(session, slug), include_drafts=include_drafts
        )
    return [store.undated_reason(slug, version) for version in found]


def drafts_passed_over(engine: Engine, slug: str, day: dt.date, chosen: str) -> list[Version]:
    """Drafts that would be in force on ``day`` instead of ``chosen`` were they approved.

    A by-date choice skips drafts; this names them so the user is told, not left
    to wonder why a newer revision was not used.
    """
    with store.session_scope(engine) as session:
        versions = store.versions_of(session, store.get_list(session, slug))
    picked = next((v for v in versions if v.label == chosen), None)
    floor = picked.effective if picked is not None else None
    return [
        v
        for v in versions
        if v.status == "draft"
        and v.effective is not None
        and v.effective <= day
        and (floor is None or v.effective >= floor)
        and v.label != chosen
    ]
