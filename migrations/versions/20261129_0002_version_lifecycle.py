"""version lifecycle: status, approval, withdrawal, source columns, declared warnings

Revision ID: 20261129_0002
Revises: 20261126_0001
Create Date: 2026-11-29 04:13:44.576082

Versions stored before this revision were in force as soon as they were
imported; they become ``approved`` (by their importer, when they were imported,
as a one-person sign-off) so that an upgrade never changes which version is in
force on any day.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "20261129_0002"
down_revision = "20261126_0001"
branch_labels = None
depends_on = None

UPGRADE_NOTE = "approved when the database was upgraded: imported before versions had a status"

_version = sa.table(
    "version",
    sa.column("id", sa.Integer()),
    sa.column("list_id", sa.Integer()),
    sa.column("source_sha256", sa.String()),
    sa.column("source_sheet", sa.String()),
    sa.column("imported_by", sa.String()),
    sa.column("imported_at", sqlmodel.sql.sqltypes.UTCDateTime()),
    sa.column("status", sa.String()),
    sa.column("approved_by", sa.String()),
    sa.column("approved_at", sqlmodel.sql.sqltypes.UTCDateTime()),
    sa.column("approval_note", sa.Text()),
    sa.column("one_person", sa.Boolean()),
)


@contextmanager
def _rows_set_aside(table: str) -> Iterator[None]:
    """On SQLite, empty ``table`` while batch mode rebuilds it, then put its rows back.

    Batch mode copies the rows to a new table, drops the old one and renames the
    new one. With foreign keys enforced the drop fails while items point at the
    old table, and even with the check deferred to the commit the rename does
    not satisfy it; rows inserted into the rebuilt table do. The rows go to a
    side table and back, in one transaction with the check deferred.
    """
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    # pysqlite runs DDL outside a transaction until the first data change, and
    # the deferral lasts only for the transaction.
    if not bind.connection.dbapi_connection.in_transaction:
        bind.exec_driver_sql("BEGIN")
    bind.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    aside = f"_aside_{table}"
    bind.exec_driver_sql(f"CREATE TABLE {aside} AS SELECT * FROM {table}")
    bind.exec_driver_sql(f"DELETE FROM {table}")
    yield
    kept = {column["name"] for column in sa.inspect(bind).get_columns(aside)}
    names = ", ".join(
        f'"{column["name"]}"'
        for column in sa.inspect(bind).get_columns(table)
        if column["name"] in kept
    )
    bind.exec_driver_sql(f"INSERT INTO {table} ({names}) SELECT {names} FROM {aside}")
    bind.exec_driver_sql(f"DROP TABLE {aside}")


def upgrade() -> None:
    with _rows_set_aside("version"), op.batch_alter_table("version", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status", sqlmodel.sql.sqltypes.AutoString(), server_default="draft", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("approved_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("approved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("approval_note", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("one_person", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("withdrawn_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("withdrawn_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("withdrawn_reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("source_columns", sa.Text(), server_default="{}", nullable=False)
        )
        batch_op.add_column(
            sa.Column("declared_warnings", sa.Text(), server_default="[]", nullable=False)
        )
        batch_op.drop_constraint("uq_version_list_id_source", type_="unique")
        batch_op.create_index(
            "ix_version_list_id_source_sha256", ["list_id", "source_sha256"], unique=False
        )
        batch_op.create_check_constraint(
            op.f("ck_version_status"), "status in ('draft', 'approved', 'withdrawn')"
        )

    op.execute(
        _version.update().values(
            status="approved",
            approved_by=_version.c.imported_by,
            approved_at=_version.c.imported_at,
            approval_note=UPGRADE_NOTE,
            one_person=True,
        )
    )


def downgrade() -> None:
    # The old schema allowed one version per source file and sheet; after a
    # withdrawal the same file may be stored twice, which it cannot hold.
    twice = (
        op.get_bind()
        .execute(
            sa.select(_version.c.list_id, _version.c.source_sha256, _version.c.source_sheet)
            .group_by(_version.c.list_id, _version.c.source_sha256, _version.c.source_sheet)
            .having(sa.func.count() > 1)
        )
        .first()
    )
    if twice is not None:
        raise RuntimeError(
            f"cannot downgrade: list id {twice.list_id} holds more than one version of the "
            f"source {twice.source_sha256[:12]}… (sheet {twice.source_sheet!r}), which the "
            "older schema does not allow"
        )
    with _rows_set_aside("version"), op.batch_alter_table("version", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_version_status"), type_="check")
        batch_op.drop_index("ix_version_list_id_source_sha256")
        batch_op.create_unique_constraint(
            "uq_version_list_id_source", ["list_id", "source_sha256", "source_sheet"]
        )
        batch_op.drop_column("declared_warnings")
        batch_op.drop_column("source_columns")
        batch_op.drop_column("withdrawn_reason")
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("withdrawn_by")
        batch_op.drop_column("one_person")
        batch_op.drop_column("approval_note")
        batch_op.drop_column("approved_at")
        batch_op.drop_column("approved_by")
        batch_op.drop_column("status")
