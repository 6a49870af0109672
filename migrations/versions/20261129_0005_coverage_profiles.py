"""coverage and profiles: a list's regime profile, range ends, entry attributes, HS edition

Revision ID: 20261129_0005
Revises: 20261129_0004
Create Date: 2026-11-29 09:00:00.000000

Four nullable columns, so stored rows keep their meaning: a list without a
profile follows the default one (``kr-annex-2-2``), an item without ``code_end``
is one code, without ``attributes`` it has none, and a version without
``hs_edition`` was stored before the edition was recorded. Versions stored
before this revision keep digest scheme 1, which does not read these columns;
versions stored after it are digested under scheme 2, which does.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "20261129_0005"
down_revision = "20261129_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on both databases: nullable columns need no table rebuild.
    op.add_column(
        "control_list", sa.Column("profile", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
    )
    op.add_column(
        "item", sa.Column("code_end", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True)
    )
    op.add_column("item", sa.Column("attributes", sa.Text(), nullable=True))
    op.add_column(
        "version", sa.Column("hs_edition", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
    )


def downgrade() -> None:
    # Items point at versions: SQLite drops these columns in place (3.35+) rather
    # than through batch mode's rebuild, which the foreign keys would refuse.
    op.execute("ALTER TABLE version DROP COLUMN hs_edition")
    op.execute("ALTER TABLE item DROP COLUMN attributes")
    op.execute("ALTER TABLE item DROP COLUMN code_end")
    op.execute("ALTER TABLE control_list DROP COLUMN profile")
