"""Control lists: finding, creating and listing them.

This module owns the ``control_list`` rows: the slug rules
(:data:`SLUG_PATTERN`), a list created on purpose with its audit event
(:func:`create_list`) or on the fly by an import (:func:`ensure_list`, whose
import event records it), its name and profile changed with theirs
(:func:`rename_list`, :func:`set_list_profile`), and the look-up by slug whose
error names the lists there are. Each of these events carries the digest of the
list's row as written (:func:`exportctl.store.digests.list_vouch`); a change is
refused on a list that no longer matches the chain, which it would vouch for.
"""

from __future__ import annotations

import difflib
import re

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from exportctl.errors import InputError, ListExistsError, ListNotFoundError
from exportctl.i18n import _
from exportctl.models import ControlList
from exportctl.store.audit import record_event
from exportctl.store.digests import list_vouch
from exportctl.store.vouch import check_vouched


def get_list(session: Session, slug: str) -> ControlList:
    """The list with this slug.

    Raises:
        ListNotFoundError: No such list; the message names the closest slug,
            the lists there are, and how to create one.
    """
    found = session.exec(select(ControlList).where(ControlList.slug == slug)).first()
    if found is None:
        slugs = all_slugs(session)
        close = difflib.get_close_matches(slug, slugs, n=1)
        guess = _('; did you mean "{slug}"?').format(slug=close[0]) if close else ""
        known = _("lists: {slugs}").format(slugs=", ".join(slugs)) if slugs else _("no lists yet")
        example = slug if SLUG_PATTERN.fullmatch(slug) else "SLUG"
        raise ListNotFoundError(
            _(
                'no control list "{slug}"{guess} ({known}); create a list with: '
                "exportctl lists create {example} --name TEXT"
            ).format(slug=slug, guess=guess, known=known, example=example)
        )
    return found


SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
"""What a list slug may be: 1 to 100 lower-case letters, digits, ``-``, ``_``, ``.``."""

_COUNTRY = re.compile(r"[A-Z]{2,3}")


def create_list(
    session: Session,
    slug: str,
    *,
    name: str,
    jurisdiction: str | None = None,
    authority: str | None = None,
    targets: str | None = None,
    profile: str | None = None,
    actor: str,
) -> ControlList:
    """Create a control list and write its ``create-list`` audit event (the caller's transaction).

    Args:
        session: The session to write through.
        slug: Short name for the command line, e.g. ``kr-russia``.
        name: Human name of the list.
        jurisdiction: Country or bloc issuing the list, e.g. ``KR``.
        authority: Issuing authority, e.g. ``MOTIE``.
        targets: Destination countries, comma-separated (``"ru, by"`` is stored ``RU,BY``).
        profile: Name of the regime profile the list follows (checked by the caller,
            see :func:`exportctl.profiles.load_profile`); ``None`` for the default.
        actor: Who creates it.

    Raises:
        InputError: The slug, name or targets cannot be used.
        ListExistsError: The slug is taken.
    """
    if not SLUG_PATTERN.fullmatch(slug):
        raise InputError(
            _(
                '"{slug}" cannot be a list slug: use 1 to 100 lower-case letters, digits, '
                '"-", "_" or ".", starting with a letter or digit (e.g. kr-russia)'
            ).format(slug=slug)
        )
    name = name.strip()
    if not name:
        raise InputError(
            _('list "{slug}" needs a name (e.g. --name "Russia/Belarus situational")').format(
                slug=slug
            )
        )
    existing = session.exec(select(ControlList).where(ControlList.slug == slug)).first()
    if existing is not None:
        raise ListExistsError(
            _(
                'a list "{slug}" already exists ("{name}", created {day}); choose another '
                "slug or import into that list"
            ).format(slug=slug, name=existing.name, day=f"{existing.created_at:%Y-%m-%d}")
        )
    values = {
        "slug": slug,
        "name": name,
        "jurisdiction": (jurisdiction or "").strip() or None,
        "authority": (authority or "").strip() or None,
        "targets": _normalise_targets(targets),
        "profile": profile,
    }
    control_list = ControlList.model_validate(values)
    session.add(control_list)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent create won the race
        raise ListExistsError(_('a list "{slug}" already exists').format(slug=slug)) from exc
    record_event(
        session,
        action="create-list",
        actor=actor,
        list_slug=slug,
        detail={
            **{
                key: value
                for key, value in values.items()
                if key != "slug" and (key != "profile" or value is not None)
            },
            "list": list_vouch(session.connection(), slug),
        },
    )
    return control_list


def _normalise_targets(targets: str | None) -> str | None:
    """``"ru, by"`` as ``"RU,BY"`` (each once, in the order given); None when empty."""
    codes: list[str] = []
    for part in (targets or "").split(","):
        code = part.strip().upper()
        if not code:
            continue
        if not _COUNTRY.fullmatch(code):
            raise InputError(
                _(
                    '"{code}" is not a country code; give targets as comma-separated '
                    'ISO codes such as "RU,BY"'
                ).format(code=part.strip())
            )
        if code not in codes:
            codes.append(code)
    return ",".join(codes) or None


def all_slugs(session: Session) -> list[str]:
    """Slugs of every list, sorted."""
    return list(session.exec(select(ControlList.slug).order_by(ControlList.slug)))


def all_lists(session: Session) -> list[ControlList]:
    """Every list, by slug."""
    return list(session.exec(select(ControlList).order_by(ControlList.slug)))


def ensure_list(
    session: Session, slug: str, name: str | None = None, *, profile: str | None = None
) -> ControlList:
    """The list with this slug, created (following ``profile``) if it does not exist yet."""
    found = session.exec(select(ControlList).where(ControlList.slug == slug)).first()
    if found is not None:
        return found
    new = ControlList.model_validate({"slug": slug, "name": name or slug, "profile": profile})
    session.add(new)
    session.flush()
    return new


def rename_list(session: Session, slug: str, *, name: str, actor: str) -> ControlList:
    """Give list ``slug`` a new display name and write its ``rename-list`` audit event.

    Raises:
        ListNotFoundError: No such list.
        InputError: The name is empty.
    """
    control_list = get_list(session, slug)
    name = name.strip()
    if not name:
        raise InputError(
            _('list "{slug}" needs a name (e.g. --name "Russia/Belarus situational")').format(
                slug=slug
            )
        )
    check_vouched(session, lists=[slug])
    before = control_list.name
    control_list.name = name
    session.add(control_list)
    session.flush()
    record_event(
        session,
        action="rename-list",
        actor=actor,
        list_slug=slug,
        detail={"from": before, "to": name, "list": list_vouch(session.connection(), slug)},
    )
    return control_list


def set_list_profile(
    session: Session, slug: str, *, profile: str | None, actor: str, reason: str | None = None
) -> ControlList:
    """Make list ``slug`` follow another regime profile, with its ``set-profile`` audit event.

    The profile decides every verdict on the list's versions (US Part 746: a code
    hit is only review), so a change is an audited action like a rename.

    Args:
        session: The session to write through (the caller's transaction).
        slug: The list.
        profile: The profile's name (checked by the caller, see
            :func:`exportctl.profiles.load_profile`); None for the default.
        actor: Who changes it.
        reason: Why, recorded with the event.

    Raises:
        ListNotFoundError: No such list.
        InputError: The list already follows that profile.
        TamperedError: The list, or one of its versions, no longer matches the audit chain.
    """
    control_list = get_list(session, slug)
    if control_list.profile == profile:
        raise InputError(
            _('list "{slug}" already follows profile {profile}').format(
                slug=slug, profile=profile or _("(the default)")
            )
        )
    check_vouched(session, lists=[slug])
    before = control_list.profile
    control_list.profile = profile
    session.add(control_list)
    session.flush()
    record_event(
        session,
        action="set-profile",
        actor=actor,
        list_slug=slug,
        detail={
            "from": before,
            "to": profile,
            "reason": reason,
            "list": list_vouch(session.connection(), slug),
        },
    )
    return control_list
