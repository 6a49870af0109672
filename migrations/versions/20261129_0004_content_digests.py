"""content digests: each version's items, sections and row digested; the chain's head kept

Revision ID: 20261129_0004
Revises: 20261129_0003
Create Date: 2026-11-29 07:30:00.000000

Versions stored before this revision were imported without digests. The
upgrade computes them from the rows as they are at upgrade time, marks them so
(``digest_origin`` = ``upgrade 20261129_0004``) and records them, with each
version's facts and status, in one ``digests-computed`` audit event: from then
on ``audit verify`` checks those versions against that event. What happened to
them before the upgrade the digests cannot tell.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from exportctl.store.audit import append_event
from exportctl.store.digests import lifecycle, version_digests, version_record

revision = "20261129_0004"
down_revision = "20261129_0003"
branch_labels = None
depends_on = None

ORIGIN = f"upgrade {revision}"
# The scheme of this revision's columns: later schemes read columns added after it.
SCHEME = 1


def upgrade() -> None:
    with op.batch_alter_table("version", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("items_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("sections_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("record_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("digest_origin", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    bind = op.get_bind()
    last = bind.execute(
        sa.text("select id, hash from audit_event order by id desc limit 1")
    ).first()
    bind.execute(
        sa.text("insert into audit_head (id, event_id, hash) values (1, :e, :h)"),
        {"e": last.id if last is not None else None, "h": last.hash if last is not None else ""},
    )
    rows = bind.execute(
        sa.text(
            "select v.id, l.slug, v.label from version v "
            "join control_list l on l.id = v.list_id order by v.id"
        )
    ).all()
    if not rows:
        return
    states = lifecycle(bind, [row.id for row in rows])
    entries = []
    for row in rows:
        digests = version_digests(bind, row.id, SCHEME)
        bind.execute(
            sa.text(
                "update version set items_digest = :i, sections_digest = :s, "
                "record_digest = :r, digest_origin = :o where id = :id"
            ),
            {
                "i": digests.items,
                "s": digests.sections,
                "r": digests.record,
                "o": ORIGIN,
                "id": row.id,
            },
        )
        entries.append(
            {
                "list": row.slug,
                "label": row.label,
                "digests": digests.to_json(),
                "record": version_record(bind, row.id, SCHEME),
                "lifecycle": states[row.id],
            }
        )
    from exportctl.config import current_actor

    append_event(
        bind,
        action="digests-computed",
        actor=current_actor(),
        detail={
            "revision": revision,
            "scheme": SCHEME,
            "note": "digests of versions stored before this upgrade, computed at upgrade time",
            "versions": entries,
        },
        # The audit_event.mac column comes with revision 20261212_0007.
        signed=False,
    )


def downgrade() -> None:
    op.drop_table("audit_head")
    # Items point at versions: SQLite drops these columns in place (3.35+) rather
    # than through batch mode's rebuild, which the foreign keys would refuse.
    for name in ("digest_origin", "record_digest", "sections_digest", "items_digest"):
        op.execute(f"ALTER TABLE version DROP COLUMN {name}")
