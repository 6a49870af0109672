"""Every form carries a token only this browser's session knows; a form without it is
refused (403) before anything is done.

The token is made once per session (and again at each log-in, when the session
starts afresh), kept in the signed cookie, and written into each form as the
hidden field ``csrf`` by the templates. A page on another site can make the
browser post a form here, cookie and all, but cannot read the token.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from exportctl.i18n import _

FIELD = "csrf"
"""The form field (and cookie-session key) holding the token."""

MAX_FIELDS = 64
"""Fields a form of the web view has at most."""
MAX_PART_BYTES = 1024 * 1024
"""Bytes a form field other than a file has at most."""


def form_token(request: Request) -> str:
    """This session's form token (made on first use)."""
    token = request.session.get(FIELD)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[FIELD] = token
    return token


async def checked_form(request: Request) -> FormData:
    """The posted form, once its token is checked (read once, kept on the request).

    Raises:
        HTTPException: 403 when the token is missing or not this session's.
    """
    form: FormData = await request.form(
        max_files=1, max_fields=MAX_FIELDS, max_part_size=MAX_PART_BYTES
    )
    given = form.get(FIELD)
    expected = request.session.get(FIELD)
    if (
        not isinstance(given, str)
        or not isinstance(expected, str)
        or not expected
        or not hmac.compare_digest(given.encode(), expected.encode())
    ):
        await form.close()
        raise HTTPException(
            403, _("The form has expired or did not come from this site; load the page again.")
        )
    return form
