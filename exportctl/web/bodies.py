"""Uploads refused by their declared size, before any byte of them is read.

The gate (:mod:`exportctl.web.auth`) asks this of every upload form; it stands
below both the gate and the upload jobs (:mod:`exportctl.web.jobs`), which check
the bytes themselves as they are saved.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from exportctl.i18n import _
from exportctl.limits import Limits
from exportctl.readers.guard import too_large
from exportctl.web.render import error_page

FORM_OVERHEAD = 64 * 1024
"""Bytes a form's other fields and multipart boundaries add to a file, at most."""


def refuse_oversized(request: Request) -> Response | None:
    """A page refusing a body whose declared length is over the file cap (None if
    not), before any of it is read; a body without a declared length is refused too."""
    limits: Limits = request.app.state.settings.limits
    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit():
        return error_page(request, _("The upload did not say how large it is."), 411)
    size = int(declared)
    if size > limits.max_file_bytes + FORM_OVERHEAD:
        return error_page(request, str(too_large(_("the upload"), size, limits)), 413)
    return None
