"""annex structure: serials as text, sections, sub-items, control numbers, notice identity

Revision ID: 20261129_0003
Revises: 20261129_0002
Create Date: 2026-11-29 05:00:00.000000

Serials were whole numbers; the annex prints branch numbers (``3의2``), so they
become text, each stored number written as its digits. Every stored version
gets one section (number 1, no title) carrying its declared counts and its item
count, which is what it was: a list without parts.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "20261129_0003"
down_revision = "20261129_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("version", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("notice_number", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("notice_authority", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("amendment", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
    # Nothing references item, so batch mode may rebuild it on SQLite; SQLite's
    # text affinity turns the copied integers into their digits.
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.alter_column(
            "serial",
            existing_type=sa.Integer(),
            type_=sqlmodel.sql.sqltypes.AutoString(),
            existing_nullable=True,
            postgresql_using="serial::text",
        )
        batch_op.add_column(sa.Column("section", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("sub_items", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("control_numbers", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("mentioned_codes", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
    if bind.dialect.name == "sqlite":
        op.execute("UPDATE item SET serial = CAST(serial AS TEXT) WHERE serial IS NOT NULL")
    op.create_table(
        "section",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("declared_total", sa.Integer(), nullable=True),
        sa.Column("declared_added", sa.Integer(), nullable=True),
        sa.Column("declared_removed", sa.Integer(), nullable=True),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"], ["version.id"], name=op.f("fk_section_version_id_version")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_section")),
        sa.UniqueConstraint("version_id", "number", name="uq_section_version_id_number"),
    )
    with op.batch_alter_table("section", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_section_version_id"), ["version_id"], unique=False)
    op.execute(
        "INSERT INTO section (version_id, number, title, declared_total, declared_added, "
        "declared_removed, item_count) SELECT id, 1, '', declared_total, declared_added, "
        "declared_removed, item_count FROM version"
    )


def downgrade() -> None:
    bind = op.get_bind()
    branched = bind.execute(
        sa.text("SELECT serial FROM item WHERE serial IS NOT NULL AND serial <> '' LIMIT 100000")
    ).scalars()
    if any(not str(value).isdigit() for value in branched):
        raise RuntimeError(
            "cannot downgrade: some serials are branch numbers (such as 3의2) that the older "
            "schema cannot hold"
        )
    with op.batch_alter_table("section", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_section_version_id"))
    op.drop_table("section")
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_column("mentioned_codes")
        batch_op.drop_column("control_numbers")
        batch_op.drop_column("sub_items")
        batch_op.drop_column("section")
        batch_op.alter_column(
            "serial",
            existing_type=sqlmodel.sql.sqltypes.AutoString(),
            type_=sa.Integer(),
            existing_nullable=True,
            postgresql_using="NULLIF(serial, '')::integer",
        )
    # Items point at versions: SQLite drops these columns in place (3.35+) rather
    # than through batch mode's rebuild, which the foreign keys would refuse.
    for name in ("amendment", "notice_authority", "notice_number"):
        op.execute(f"ALTER TABLE version DROP COLUMN {name}")
