"""The web view's users: stored, found, changed, each change an audit event.

Names are unique whatever their case: the approval rule compares the actor with
the importer case-blind (:mod:`exportctl.store.status`), so ``Kim`` and ``kim``
must be one person. No user is ever deleted, only disabled, so the names the
audit trail records keep meaning someone.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from exportctl.errors import UserError, UserNotFoundError
from exportctl.i18n import _
from exportctl.models import utcnow
from exportctl.store.audit import record_event
from exportctl.users import User, UserIn


def find_user(session: Session, name: str) -> User | None:
    """The user called ``name`` (any case), or None."""
    return session.exec(select(User).where(func.lower(col(User.name)) == name.lower())).first()


def get_user(session: Session, name: str) -> User:
    """The user called ``name`` (any case).

    Raises:
        UserNotFoundError: No such user.
    """
    found = find_user(session, name)
    if found is None:
        raise UserNotFoundError(_('no user is called "{name}"').format(name=name))
    return found


def all_users(session: Session) -> list[User]:
    """Every user, by name."""
    return list(session.exec(select(User).order_by(func.lower(col(User.name)))))


def count_users(session: Session, *, enabled_only: bool = False) -> int:
    """How many users there are (only those who may log in, with ``enabled_only``)."""
    query = select(func.count()).select_from(User)
    if enabled_only:
        query = query.where(col(User.enabled).is_(True))
    return int(session.exec(query).one())


def add_user(session: Session, given: UserIn, password_hash: str, *, actor: str) -> User:
    """Store a new user and its audit event (the caller's transaction).

    Raises:
        UserError: The name is taken (in any case).
    """
    taken = find_user(session, given.name)
    if taken is not None:
        raise UserError(_('a user called "{name}" exists already').format(name=taken.name))
    user = User.model_validate(
        {"name": given.name, "role": given.role, "password_hash": password_hash}
    )
    user.created_by = actor
    session.add(user)
    record_event(
        session, action="user-add", actor=actor, detail={"user": user.name, "role": user.role}
    )
    return user


def set_enabled(session: Session, name: str, enabled: bool, *, actor: str) -> User:
    """Disable a user (they can no longer log in) or enable them again.

    Raises:
        UserNotFoundError: No such user.
        UserError: Nothing would change.
    """
    user = get_user(session, name)
    if user.enabled == enabled:
        said = _("enabled") if enabled else _("disabled")
        raise UserError(_("{name} is {state} already").format(name=user.name, state=said))
    user.enabled = enabled
    session.add(user)
    action = "user-enable" if enabled else "user-disable"
    record_event(session, action=action, actor=actor, detail={"user": user.name})
    return user


def set_password_hash(
    session: Session, name: str, password_hash: str, *, actor: str | None
) -> User:
    """Give a user a new password hash; with an ``actor``, a new password (an audit
    event, and the user's sessions end); without, the same password rehashed.

    Raises:
        UserNotFoundError: No such user.
    """
    user = get_user(session, name)
    user.password_hash = password_hash
    if actor is not None:
        user.password_changed_at = utcnow()
        record_event(session, action="user-password", actor=actor, detail={"user": user.name})
    session.add(user)
    return user


def set_role(session: Session, name: str, role: str, *, actor: str) -> User:
    """Give a user another role.

    Raises:
        UserNotFoundError: No such user.
        UserError: The role is the user's already.
    """
    user = get_user(session, name)
    given = UserIn.model_validate({"name": user.name, "role": role})
    if user.role == given.role:
        raise UserError(_("{name} is {role} already").format(name=user.name, role=user.role))
    before, user.role = user.role, given.role
    session.add(user)
    record_event(
        session,
        action="user-role",
        actor=actor,
        detail={"user": user.name, "role_before": before, "role": user.role},
    )
    return user
