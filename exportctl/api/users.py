"""Who may use the web view: users added, listed, disabled, given a new password or role,
and passwords checked.

Passwords are hashed with Argon2id (argon2-cffi, the ``web`` extra) and never
kept; each change to a user is an audit event whose actor is who made it. The
web view and ``exportctl users`` both come here.

Example:
    >>> add_user(engine, "kim", role="officer", password="correct horse battery", actor="lee")
    >>> authenticate(engine, "kim", "correct horse battery").role
    'officer'
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy import Engine

from exportctl import store
from exportctl.errors import MissingExtraError, UserError
from exportctl.i18n import _
from exportctl.store import users as stored
from exportctl.users import ROLES, User, UserIn, check_password

if TYPE_CHECKING:
    from argon2 import PasswordHasher

__all__ = [
    "UserInfo",
    "add_user",
    "authenticate",
    "count_users",
    "disable_user",
    "enable_user",
    "find_user",
    "list_users",
    "set_password",
    "set_role",
]


@dataclass(frozen=True, slots=True)
class UserInfo:
    """A user as the callers see one: never the password hash."""

    name: str
    """Log-in name, the actor the audit trail records."""
    role: str
    """``viewer``, ``officer``, ``approver`` or ``admin``."""
    enabled: bool
    """False once disabled."""
    created_at: dt.datetime
    """When added (UTC)."""
    created_by: str
    """Who added them."""
    password_changed_at: dt.datetime
    """When the password was last set (UTC)."""

    @classmethod
    def of(cls, user: User) -> UserInfo:
        """The caller's view of a stored user."""
        return cls(
            name=user.name,
            role=user.role,
            enabled=user.enabled,
            created_at=_aware(user.created_at),
            created_by=user.created_by,
            password_changed_at=_aware(user.password_changed_at),
        )


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; they are UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


@functools.cache
def _hasher() -> PasswordHasher:
    try:
        from argon2 import PasswordHasher
    except ImportError as exc:
        raise MissingExtraError(
            _("users need the web extra: pip install 'exportctl[web]'")
        ) from exc
    return PasswordHasher()


@functools.cache
def _decoy() -> str:
    """A hash to check a password against when there is no such user, so that a
    wrong name takes as long as a wrong password."""
    return _hasher().hash("no such user: this hash is only checked to spend the time")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(
            _('"{role}" is not a role (roles: {roles})').format(role=role, roles=", ".join(ROLES))
        )


def _checked(name: str, role: str) -> UserIn:
    _check_role(role)
    try:
        return UserIn.model_validate({"name": name, "role": role})
    except ValidationError as exc:
        message = str(exc.errors()[0].get("ctx", {}).get("error", exc.errors()[0]["msg"]))
        raise UserError(message) from None


def _new_hash(password: str) -> str:
    problem = check_password(password)
    if problem is not None:
        raise UserError(problem)
    return _hasher().hash(password)


def add_user(engine: Engine, name: str, *, role: str, password: str, actor: str) -> UserInfo:
    """Add a user who may log in with ``password``, recorded in the audit log.

    Raises:
        UserError: The name is malformed or taken (in any case), the role unknown,
            or the password too short.
        MissingExtraError: argon2-cffi is not installed.
    """
    given = _checked(name, role)
    password_hash = _new_hash(password)
    with store.session_scope(engine) as session:
        return UserInfo.of(stored.add_user(session, given, password_hash, actor=actor))


def list_users(engine: Engine) -> list[UserInfo]:
    """Every user, by name."""
    with store.session_scope(engine) as session:
        return [UserInfo.of(user) for user in stored.all_users(session)]


def find_user(engine: Engine, name: str) -> UserInfo | None:
    """The user called ``name`` (any case), or None."""
    with store.session_scope(engine) as session:
        found = stored.find_user(session, name)
        return UserInfo.of(found) if found is not None else None


def count_users(engine: Engine, *, enabled_only: bool = False) -> int:
    """How many users there are (only those who may log in, with ``enabled_only``)."""
    with store.session_scope(engine) as session:
        return stored.count_users(session, enabled_only=enabled_only)


def authenticate(engine: Engine, name: str, password: str) -> UserInfo | None:
    """The enabled user ``name`` if ``password`` is theirs; None otherwise.

    A wrong name, a disabled user and a wrong password all take an Argon2 check
    and give None, so the answer and its time do not tell which. A hash made with
    weaker settings than today's is replaced on success.
    """
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    with store.session_scope(engine) as session:
        user = stored.find_user(session, name) if name else None
        try:
            if user is None or not user.enabled or len(password) > 1024:
                hasher.verify(_decoy(), password[:1024])
                return None
            hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if hasher.check_needs_rehash(user.password_hash):
            stored.set_password_hash(session, user.name, hasher.hash(password), actor=None)
        return UserInfo.of(user)


def disable_user(engine: Engine, name: str, *, actor: str) -> UserInfo:
    """Disable a user: they can no longer log in and their sessions end.

    Raises:
        UserNotFoundError: No such user.
        UserError: Disabled already.
    """
    with store.session_scope(engine) as session:
        return UserInfo.of(stored.set_enabled(session, name, False, actor=actor))


def enable_user(engine: Engine, name: str, *, actor: str) -> UserInfo:
    """Let a disabled user log in again.

    Raises:
        UserNotFoundError: No such user.
        UserError: Enabled already.
    """
    with store.session_scope(engine) as session:
        return UserInfo.of(stored.set_enabled(session, name, True, actor=actor))


def set_password(engine: Engine, name: str, password: str, *, actor: str) -> UserInfo:
    """Give a user a new password; their sessions end.

    Raises:
        UserNotFoundError: No such user.
        UserError: The password is too short.
    """
    password_hash = _new_hash(password)
    with store.session_scope(engine) as session:
        return UserInfo.of(stored.set_password_hash(session, name, password_hash, actor=actor))


def set_role(engine: Engine, name: str, role: str, *, actor: str) -> UserInfo:
    """Give a user another role.

    Raises:
        UserNotFoundError: No such user.
        UserError: An unknown role, or the user's already.
    """
    _check_role(role)
    with store.session_scope(engine) as session:
        return UserInfo.of(stored.set_role(session, name, role, actor=actor))
