"""Times as the officer reads them: stored in UTC, printed in the configured zone.

The zone is the config file's ``timezone``, else ``TZ``, else the machine's
(:func:`exportctl.config.resolve_timezone`). JSON carries ISO 8601 with the
offset (``2024-06-28T09:00:00+09:00``), so a program reading it loses nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from exportctl.cli.base import State
    from exportctl.models import Version

STATUS_TIMES = ("approved_at", "withdrawn_at")
"""The times :meth:`Version.status_json` holds (ISO, UTC)."""


def zone_of(state: State) -> dt.tzinfo:
    """The zone this run prints times in."""
    from exportctl.config import resolve_timezone

    return resolve_timezone(config=state.config)


def local(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """``moment`` in ``zone``; a naive moment is UTC (as the database hands back)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zone)


def iso(moment: dt.datetime | None, zone: dt.tzinfo) -> str | None:
    """ISO 8601 with the offset, to the second: ``2024-06-28T09:00:00+09:00``."""
    return None if moment is None else local(moment, zone).isoformat(timespec="seconds")


def shown(moment: dt.datetime, zone: dt.tzinfo, *, seconds: bool = False) -> str:
    """For a line of text: ``2024-06-28 09:00 +09:00`` (the offset says which clock)."""
    here = local(moment, zone)
    offset = here.isoformat()[-6:] if here.utcoffset() else "UTC"
    return f"{here:%Y-%m-%d %H:%M{':%S' if seconds else ''}} {offset}"


def status_json(version: Version, zone: dt.tzinfo) -> dict[str, Any]:
    """:meth:`Version.status_json` with its times in ``zone``."""
    data = version.status_json()
    for key in STATUS_TIMES:
        data[key] = iso(getattr(version, key), zone)
    return data


def status_text(version: Version, zone: dt.tzinfo) -> str:
    """:meth:`Version.status_text`, with the approval's day as it was in ``zone``."""
    from exportctl.i18n import _

    if version.status != "approved" or version.approved_at is None:
        return version.status_text()
    day = f"{local(version.approved_at, zone):%Y-%m-%d}"
    if version.one_person:
        return _("approved by {actor} {day} (one-person sign-off)").format(
            actor=version.approved_by, day=day
        )
    return _("approved by {actor} {day}").format(actor=version.approved_by, day=day)
