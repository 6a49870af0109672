"""Delivering a report and recording it: the one path every report and export takes.

:func:`publish` writes through :func:`exportctl.reports.registry.prepare_report`
(complete or not at all, permissions from the umask), records an audit event with
the SHA-256 of the bytes delivered, and only then hands the report over: renamed
into place, or copied to standard output. If recording fails, nothing is
delivered. A new file is created exclusively before the commit (a second run to the
same new name is refused, its event rolled back) and taken back if the commit
fails; a file being replaced (``--force``) is replaced only after the commit, so a
failed commit keeps the earlier report. Only a crash between the two steps could
leave a file without its event (new name) or an event without its file (replacing).
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine

from exportctl import store
from exportctl.config import current_actor
from exportctl.reports.evidence import ReportOptions
from exportctl.reports.registry import Written, prepare_report

__all__ = ["publish"]


def publish(
    engine: Engine,
    subject: str,
    fmt: str,
    data: Any,
    target: Path | IO[Any],
    options: ReportOptions,
    *,
    action: str,
    slug: str | None,
    label: str | None,
    detail: dict[str, Any] | None = None,
    detail_after: Any = None,
) -> Written:
    """Write a report, record it in the audit log, then deliver it.

    Args:
        engine: The database holding the audit log.
        subject: ``changes``, ``screening`` or ``version``
            (:data:`exportctl.reports.registry.REPORTS`).
        fmt: The format.
        data: The subject's data.
        target: A file path, or a text stream such as ``sys.stdout``.
        options: Language, dialect and evidence (its operator is the actor recorded).
        action: The audit action (``report``, ``screen``, ``export``).
        slug: The list, for the audit event.
        label: The version, for the audit event.
        detail: The audit event's detail; ``format``, ``output`` and ``language``
            are added.
        detail_after: Called with the writer's result to add to the detail
            (e.g. a screening summary known only once every row is written).

    Returns:
        The hash, size and writer's result.
    """
    with prepare_report(subject, fmt, data, target, options) as pending:
        extra = detail_after(pending.result) if callable(detail_after) else {}
        file_name = target.name if isinstance(target, Path) else None
        event: dict[str, Any] = {
            "action": action,
            "actor": options.evidence.operator or current_actor(),
            "list_slug": slug,
            "version_label": label,
            "file": file_name,
            "sha256": pending.sha256,
            "detail": {
                "report": subject,
                "format": fmt,
                "output": "file" if file_name else "stdout",
                "language": options.lang,
                **({"csv_dialect": options.csv_dialect} if fmt == "csv" else {}),
                "bytes": pending.size,
                **(detail or {}),
                **extra,
            },
        }
        if pending.replaces:
            # Replacing a report (--force): the earlier file stays until the new
            # one's event is committed, so a failed commit loses nothing.
            with store.session_scope(engine) as session:
                store.record_event(session, **event)
            return pending.deliver()
        delivered: Written | None = None
        try:
            with store.session_scope(engine) as session:
                store.record_event(session, **event)
                session.flush()
                # A new name is claimed before the commit: if another run took it
                # meanwhile, this run is refused and its event rolled back.
                delivered = pending.deliver()
        except BaseException:
            # The event was not committed: take back the file it would have recorded
            # (created by this run, so no one else's).
            if delivered is not None and delivered.path is not None:
                delivered.path.unlink(missing_ok=True)
            raise
    return delivered
