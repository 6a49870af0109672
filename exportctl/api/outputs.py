"""Delivering a report and recording it: the one path every report and export takes.

:func:`publish` writes through :func:`exportctl.reports.registry.prepare_report`
(complete or not at all, permissions from the umask), records an audit event with
the SHA-256 of the bytes delivered, and only then hands the report over: renamed
into place, or copied to standard output. If recording fails, nothing is
delivered, and if the event cannot be committed the file delivered is taken back: the
event and the file stand or fall together (only a crash between the rename and the
commit could leave a file without its event).
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
        delivered: Written | None = None
        try:
            with store.session_scope(engine) as session:
                store.record_event(
                    session,
                    action=action,
                    actor=options.evidence.operator or current_actor(),
                    list_slug=slug,
                    version_label=label,
                    file=file_name,
                    sha256=pending.sha256,
                    detail={
                        "report": subject,
                        "format": fmt,
                        "output": "file" if file_name else "stdout",
                        "language": options.lang,
                        **({"csv_dialect": options.csv_dialect} if fmt == "csv" else {}),
                        "bytes": pending.size,
                        **(detail or {}),
                        **extra,
                    },
                )
                session.flush()
                delivered = pending.deliver()
        except BaseException:
            # The event was not committed: take back the file it would have recorded.
            if delivered is not None and delivered.path is not None:
                delivered.path.unlink(missing_ok=True)
            raise
    return delivered
