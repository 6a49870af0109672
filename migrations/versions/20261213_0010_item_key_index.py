"""item key index: a version's entries by part and code, for diff's joins

Revision ID: 20261213_0010
Revises: 20261211_0008
Create Date: 2026-12-13 09:00:00.000000

``diff`` pairs two versions' entries in the database on their identity
(:data:`exportctl.identity.CODE_KEY`: part and code). With this index SQLite finds
each entry's partner by a lookup and checks a version's keys for repeats in index
order; without it, it builds an automatic index for every comparison, which takes
about twice as long on a million entries. An index only: no row changes, digests
are untouched.
"""

from __future__ import annotations

from alembic import op

revision = "20261213_0010"
down_revision = "20261211_0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain CREATE INDEX on both databases: no table rebuild.
    op.create_index(
        "ix_item_version_id_section_code", "item", ["version_id", "section", "code"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_item_version_id_section_code", table_name="item")
