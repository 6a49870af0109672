"""Alembic environment for exportctl.

The application passes an open connection through ``config.attributes``; the
``alembic`` command line (for developers) uses ``EXPORTCTL_DATABASE_URL`` or a
scratch SQLite file. No logging configuration is applied: running migrations
in-process must not change the host's loggers.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

import exportctl.users  # noqa: F401  (registers the app_user table)
from exportctl.models import SQLModel

target_metadata = SQLModel.metadata
config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    url = os.environ.get("EXPORTCTL_DATABASE_URL", "sqlite:///alembic-dev.db")
    engine = create_engine(url)
    with engine.begin() as conn:
        context.configure(
            connection=conn,
            target_metadata=target_metadata,
            render_as_batch=conn.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    context.configure(
        url=os.environ.get("EXPORTCTL_DATABASE_URL", "sqlite://"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
