"""Who may use the web view: its users, their roles, and what each role may do.

Roles rise in order, each allowed what the one before it is:

* ``viewer`` reads lists, versions, entries, changes and the audit trail, looks
  codes up and downloads change reports;
* ``officer`` also imports lists, sets a draft's dates and screens item masters;
* ``approver`` also approves, withdraws and reinstates versions (never alone a
  version they imported or withdrew, unless recorded as one person's, as on the
  command line);
* ``admin`` also manages users.

The table is :class:`User` (``app_user``: ``user`` is a reserved word in
PostgreSQL). Passwords are kept only as Argon2id hashes (:mod:`exportctl.api.users`).
Nothing here reads a database or a file.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator
from sqlalchemy import CheckConstraint, Column, Text, true
from sqlmodel import Field, SQLModel

from exportctl.i18n import _

# The table joins the metadata exportctl.models gives its naming convention.
from exportctl.models import utcnow

Role = Literal["viewer", "officer", "approver", "admin"]

ROLES: tuple[Role, ...] = ("viewer", "officer", "approver", "admin")
"""Every role, from the least allowed to the most."""

NEEDS: dict[str, Role] = {
    "read": "viewer",
    "report": "viewer",
    "import": "officer",
    "dates": "officer",
    "screen": "officer",
    "approve": "approver",
    "withdraw": "approver",
    "reinstate": "approver",
    "users": "admin",
}
"""The least role each action needs."""

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
"""A user name: it is the actor the audit trail records, so it stays plain."""

MIN_PASSWORD = 10
"""Characters a password has at least."""
MAX_PASSWORD = 1024
"""Characters a password has at most (hashing a megabyte is a denial of service)."""


def allowed(role: str, action: str) -> bool:
    """Whether ``role`` may do ``action`` (an unknown role or action may do nothing)."""
    if role not in ROLES or action not in NEEDS:
        return False
    return ROLES.index(role) >= ROLES.index(NEEDS[action])


class User(SQLModel, table=True):
    """A person who may log in to the web view."""

    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint(f"role in ({', '.join(repr(role) for role in ROLES)})", name="role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=64)
    """Log-in name, and the actor the audit trail records for what they do."""
    role: str = Field(max_length=16)
    """One of :data:`ROLES`."""
    password_hash: str = Field(sa_column=Column(Text, nullable=False))
    """The password's Argon2id hash (PHC string); the password itself is never kept."""
    enabled: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    """False once disabled: the user can no longer log in, their sessions end."""
    created_at: dt.datetime = Field(default_factory=utcnow)
    """When the user was added (UTC)."""
    created_by: str = ""
    """Who added them."""
    password_changed_at: dt.datetime = Field(default_factory=utcnow)
    """When the password was last set (UTC); sessions older than it end."""


class UserIn(BaseModel):
    """A user as given to ``users add``, checked before it is stored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str
    """Log-in name (letters, digits, ``._@-``; 64 at most)."""
    role: Role
    """One of :data:`ROLES`."""

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        if not NAME_PATTERN.fullmatch(value):
            raise ValueError(
                _(
                    '"{name}" is not a user name: use letters, digits and . _ @ - '
                    "(64 at most, starting with a letter or digit)"
                ).format(name=value)
            )
        return value


def check_password(password: str) -> str | None:
    """Why ``password`` cannot be used (None when it can)."""
    if len(password) < MIN_PASSWORD:
        return _("a password has at least {n} characters").format(n=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        return _("a password has at most {n} characters").format(n=MAX_PASSWORD)
    if "\x00" in password:
        return _("a password cannot hold a NUL character (U+0000)")
    return None
