"""A withdrawn version's label, freed for the corrected import; notices imported twice.

A label names one version of a list (the unique constraint on ``list_id,
label``). When a version was withdrawn, its label may be wanted again by the
import that corrects it: :func:`retire_label` renames the withdrawn version
``LABEL (withdrawn N)`` in the import's transaction and writes a ``relabel``
event carrying the renamed version's new digests (its label is among the facts
digested), and those of the versions built on it (their record names their
base by label). ``audit verify`` follows the event: the history keeps both
versions and the chain stays whole.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from exportctl.errors import StatusError
from exportctl.i18n import N_, _
from exportctl.models import ControlList, Finding, Version
from exportctl.store.anchors import chain_digests
from exportctl.store.audit import record_event
from exportctl.store.digests import version_digests, version_record

RETIRED_LABEL = "{label} (withdrawn {n})"
"""What a withdrawn version is renamed to when its label is reused; ``n`` counts up."""
STATUS_WORDS = {"draft": N_("draft"), "approved": N_("approved"), "withdrawn": N_("withdrawn")}
"""A version's status as a message says it."""
LABEL_LENGTH = 100
"""``version.label``'s column width."""


def retire_label(session: Session, version: Version, slug: str, actor: str) -> str:
    """Rename a withdrawn version so that its label can be reused (the caller's transaction).

    Args:
        session: The import's session.
        version: The withdrawn version holding the label.
        slug: Its list.
        actor: Who imports the correction.

    Returns:
        The version's new label.

    Raises:
        StatusError: The version is not withdrawn, the new label would be too long,
            or the version (or one built on it) no longer matches the audit chain.
    """
    old = version.label
    which = _('version "{label}" of "{slug}"').format(label=old, slug=slug)
    if version.status != "withdrawn":
        raise StatusError(
            _("{which} is {status}: only a withdrawn version gives up its label").format(
                which=which, status=_(STATUS_WORDS.get(version.status, version.status))
            )
        )
    dependants = list(
        session.exec(
            select(Version).where(Version.base_version_id == version.id).order_by(col(Version.id))
        )
    )
    schemes = {each.label: _checked_scheme(session, slug, each) for each in (version, *dependants)}
    new = _free_label(session, version)
    if len(new) > LABEL_LENGTH:
        raise StatusError(
            _("{which} cannot be renamed {new}: labels have at most {n} characters").format(
                which=which, new=new, n=LABEL_LENGTH
            )
        )
    result = session.exec(
        update(Version)
        .where(col(Version.id) == version.id, col(Version.status) == "withdrawn")
        .values(label=new)
    )
    if result.rowcount != 1:
        raise StatusError(
            _("{which} was changed by someone else meanwhile; look at it again").format(which=which)
        )
    session.refresh(version)
    detail: dict[str, Any] = {
        "from": old,
        "to": new,
        "reason": "label reused by a new import",
        **_redigest(session, version, schemes[old]),
        "dependants": [
            {"label": each.label, **_redigest(session, each, schemes[each.label])}
            for each in dependants
        ],
    }
    record_event(
        session,
        action="relabel",
        actor=actor,
        list_slug=slug,
        version_label=old,
        file=version.source_file,
        sha256=version.source_sha256,
        detail=detail,
    )
    return new


def _free_label(session: Session, version: Version) -> str:
    taken = set(session.exec(select(Version.label).where(Version.list_id == version.list_id)).all())
    n = 1
    while RETIRED_LABEL.format(label=version.label, n=n) in taken:
        n += 1
    return RETIRED_LABEL.format(label=version.label, n=n)


def _checked_scheme(session: Session, slug: str, version: Version) -> int:
    """The scheme the chain recorded the version's digests under, once they still match.

    Renaming re-digests the version: done over a changed row, it would vouch for
    the change (as :func:`exportctl.store.status.set_dates` refuses to).
    """
    assert version.id is not None
    recorded = chain_digests(session, slug, version.label)
    which = _('version "{label}" of "{slug}"').format(label=version.label, slug=slug)
    if recorded is None:
        raise StatusError(
            _(
                "{which} has no digests in the audit chain, so its label is not reused; "
                "run exportctl audit verify, or import under a new label"
            ).format(which=which)
        )
    scheme = int(recorded.get("scheme", 1))
    now = version_digests(session.connection(), version.id, scheme)
    if (now.items, now.sections, now.record) != (
        recorded.get("items"),
        recorded.get("sections"),
        recorded.get("record"),
    ):
        raise StatusError(
            _(
                "{which} no longer matches the audit chain, so its label is not reused; "
                "run exportctl audit verify"
            ).format(which=which)
        )
    return scheme


def _redigest(session: Session, version: Version, scheme: int) -> dict[str, Any]:
    """Digest the version again after a rename; store and return what the event carries."""
    assert version.id is not None
    conn = session.connection()
    digests = version_digests(conn, version.id, scheme)
    session.exec(
        update(Version)
        .where(col(Version.id) == version.id)
        .values(
            items_digest=digests.items,
            sections_digest=digests.sections,
            record_digest=digests.record,
        )
    )
    session.refresh(version)
    return {"digests": digests.to_json(), "record": version_record(conn, version.id, scheme)}


def _notice_key(number: str) -> str:
    """``제 2024-123 호`` and ``2024-123`` are one notice number."""
    text = "".join(unicodedata.normalize("NFKC", number).split())
    return text.removeprefix("제").removesuffix("호").casefold()


def notice_warnings(session: Session, slug: str, number: str | None, file: str) -> list[Finding]:
    """A warning per version of the list already imported from notice ``number``.

    A notice amends the list once: its number seen again is a re-import of the
    same notice (under another label or from another file), or a typo in the
    notice. Withdrawn versions count too, named as such.

    Args:
        session: The session to read through.
        slug: The list.
        number: The notice number of the file being imported (None: no warning).
        file: The file's name, for the finding.
    """
    if not number or not _notice_key(number):
        return []
    key = _notice_key(number)
    # Joined on the slug: a list this import creates has no versions (and no row) yet.
    found = session.exec(
        select(Version)
        .join(ControlList, col(ControlList.id) == col(Version.list_id))
        .where(ControlList.slug == slug, col(Version.notice_number).is_not(None))
        .order_by(col(Version.id))
    ).all()
    return [
        Finding(
            severity="warning",
            rule="notice-already-imported",
            message=_(
                'notice {number} was already imported into "{slug}" as version "{label}" '
                "({status}); check that this file is not the same notice again"
            ).format(
                number=number,
                slug=slug,
                label=version.label,
                status=_(STATUS_WORDS.get(version.status, version.status)),
            ),
            file=file,
            value=number,
        )
        for version in found
        if version.notice_number and _notice_key(version.notice_number) == key
    ]
