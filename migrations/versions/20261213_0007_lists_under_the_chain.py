"""lists under the chain: each list's row digested; events signed with an audit key

Revision ID: 20261213_0007
Revises: 20261206_0006
Create Date: 2026-12-13 09:00:00.000000

A list's profile, name and jurisdiction decide verdicts and what reports say,
so from this revision on every event that creates or changes a list, and every
import, carries the digest of the list's row (:func:`exportctl.store.digests.list_vouch`).
Lists stored before it get theirs from the rows as they are at upgrade time,
recorded in one ``digests-computed`` event (``lists``, no ``versions``), as
revision ``20261129_0004`` did for versions: from then on ``audit verify``, and
every command that uses a version, checks those lists against that event. What
happened to them before the upgrade the digests cannot tell.

``audit_event.mac`` holds each event's HMAC under the audit key kept outside the
database, when one is given; events written without a key have none.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from exportctl.store.audit import append_event
from exportctl.store.digests import list_records, list_vouch

revision = "20261213_0007"
down_revision = "20261206_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "audit_event", sa.Column("mac", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
    )
    bind = op.get_bind()
    slugs = list(list_records(bind))
    if not slugs:
        return
    from exportctl.config import current_actor

    append_event(
        bind,
        action="digests-computed",
        actor=current_actor(),
        detail={
            "revision": revision,
            "note": "digests of lists stored before this upgrade, computed at upgrade time",
            "lists": [{"list": slug, **list_vouch(bind, slug)} for slug in slugs],
            "versions": [],
        },
    )


def downgrade() -> None:
    # The digests-computed event stays: it is history, and older code ignores "lists".
    op.execute("ALTER TABLE audit_event DROP COLUMN mac")
