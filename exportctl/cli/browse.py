"""Read-only commands: ``lists``, ``versions`` and ``audit``."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Any

import click

from exportctl.cli.base import CONTEXT_SETTINGS, State, cli, list_option
from exportctl.cli.echo import echo_json, json_option
from exportctl.i18n import _

if TYPE_CHECKING:
    from collections.abc import Sequence

    from exportctl.models import Section, Version
    from exportctl.store.verify import Signing


def _version_json(version: Version, sections: Sequence[Section], zone: dt.tzinfo) -> dict[str, Any]:
    from exportctl.api.browse import notice_json, sections_json
    from exportctl.cli import clock

    return {
        "label": version.label,
        "effective": version.effective.isoformat() if version.effective else None,
        "count": version.item_count,
        "source_file": version.source_file,
        "source_sheet": version.source_sheet or None,
        "sha256": version.source_sha256,
        "additions_only": version.additions_only,
        "declared_total": version.declared_total,
        "declared_added": version.declared_added,
        "declared_removed": version.declared_removed,
        "imported_at": clock.iso(version.imported_at, zone),
        "imported_by": version.imported_by,
        **clock.status_json(version, zone),
        "declared_warnings": version.warnings(),
        "notice": notice_json(version),
        "sections": sections_json(sections),
        "hs_edition": version.hs_edition,
    }


@cli.command()
@click.argument("legacy", required=False, metavar="[SLUG]")
@list_option
@json_option
@click.pass_obj
def versions(state: State, legacy: str | None, slug: str | None, as_json: bool) -> None:
    """Show the versions of a list by effective date, with their status.

    Each version is a draft until approved, approved, or withdrawn; under it the
    notice it comes from, its parts with their entry counts (when it has several)
    and the counts the notice declared that did not match at import.

    \b
    Example:
        exportctl versions --list kr-russia
        exportctl versions --list kr-russia --json
    """
    from exportctl.api import list_versions
    from exportctl.api.browse import version_notice, version_sections
    from exportctl.cli import clock

    zone = clock.zone_of(state)
    slug = state.slug(slug, legacy, usage="exportctl versions --list SLUG")
    engine = state.engine()
    found = list_versions(engine, slug)
    parts = version_sections(engine, found)
    if as_json:
        echo_json([_version_json(v, parts.get(v.id or 0, []), zone) for v in found])
        return
    if not found:
        click.echo(_("List {slug} has no versions yet.").format(slug=slug))
    for v in found:
        effective = v.effective.isoformat() if v.effective else _("undated")
        sheet = f" [{v.source_sheet}]" if v.source_sheet else ""
        click.echo(
            _(
                "{label} effective {effective} {count} items  {file}  {sha}  {at} by {actor}; "
                "{status}"
            ).format(
                label=f"{v.label:<12}",
                effective=f"{effective:<10}",
                count=f"{v.item_count:>7,}",
                file=f"{v.source_file}{sheet}",
                sha=v.source_sha256[:12],
                at=clock.shown(v.imported_at, zone),
                actor=v.imported_by,
                status=clock.status_text(v, zone),
            )
        )
        notice = version_notice(v)
        if notice:
            click.echo(f"{'':<12} {notice}")
        if v.hs_edition:
            click.echo(f"{'':<12} " + _("codes of {edition}").format(edition=v.hs_edition))
        sections = parts.get(v.id or 0, [])
        if len(sections) > 1:
            for part in sections:
                title = f" {part.title}" if part.title else ""
                click.echo(
                    f"{'':<12} "
                    + _("part {number}{title}: {count:,} entries").format(
                        number=part.number, title=title, count=part.item_count
                    )
                )
        for warning in v.warnings():
            click.echo(f"{'':<12} " + _("declared counts: {warning}").format(warning=warning))


@cli.group(invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@json_option
@click.pass_context
def audit(ctx: click.Context, as_json: bool) -> None:
    """Show the audit log: every import, report and export, chained by hash.

    \b
    Example:
        exportctl audit
        exportctl audit verify
    """
    if ctx.invoked_subcommand is not None:
        return
    from exportctl.api import audit_log
    from exportctl.cli import clock

    state: State = ctx.obj
    zone = clock.zone_of(state)
    events = audit_log(state.engine())
    if as_json:
        echo_json(
            [
                {
                    "id": e.id,
                    "at": clock.iso(e.at, zone),
                    "actor": e.actor,
                    "action": e.action,
                    "list": e.list_slug,
                    "version": e.version_label,
                    "file": e.file,
                    "sha256": e.sha256,
                    "detail": json.loads(e.detail),
                    "hash": e.hash,
                }
                for e in events
            ]
        )
        return
    for e in events:
        what = " ".join(x for x in (e.list_slug, e.version_label) if x)
        file = f" {e.file} {e.sha256[:12]}" if e.file and e.sha256 else ""
        when = clock.shown(e.at, zone, seconds=True)
        click.echo(f"{e.id:>5} {when} {e.actor:<10} {e.action:<8} {what}{file}")


@audit.command(name="head")
@json_option
@click.pass_obj
def audit_head(state: State, as_json: bool) -> None:
    """Print the last event of the audit chain: its id and hash, to file outside the database.

    Anyone able to write to the database can rewrite the whole chain so that it
    verifies; a head filed elsewhere (a signed memo, the compliance file, an
    e-mail to yourself) cannot be rewritten with it. Check against it with
    `exportctl audit verify --head ID:HASH`.

    \b
    Example:
        exportctl audit head
        exportctl audit head --json
    """
    from exportctl.api.browse import audit_head as head_of
    from exportctl.cli import clock

    zone = clock.zone_of(state)
    event = head_of(state.engine())
    if event is None:
        if as_json:
            echo_json(None)
        else:
            click.echo(_("The audit log is empty: nothing to file yet."))
        return
    anchor = f"{event.id}:{event.hash}"
    if as_json:
        echo_json(
            {
                "id": event.id,
                "hash": event.hash,
                "at": clock.iso(event.at, zone),
                "action": event.action,
                "head": anchor,
            }
        )
        return
    click.echo(anchor)
    state.info(
        _(
            "(event {id}, {action} of {at}; file this line outside the database and "
            "check with `exportctl audit verify --head {anchor}`)"
        ).format(
            id=event.id,
            action=event.action,
            at=clock.shown(event.at, zone, seconds=True),
            anchor=anchor,
        ),
        err=True,
    )


@audit.command(name="verify")
@click.option(
    "--head",
    "head",
    metavar="ID:HASH",
    help="The head filed earlier (`exportctl audit head`): fail if the chain was rewritten "
    "or cut before it.",
)
@json_option
@click.pass_obj
def audit_verify(state: State, head: str | None, as_json: bool) -> None:
    """Check the audit chain and every version against it (exit 1 if anything changed).

    Recomputes every event's hash and link, every list's row (name, profile,
    jurisdiction...) and every version's digests (its items, its sections and
    its row as imported) and status against the events that changed them;
    prints one line per event, list or version that no longer matches. With
    --head, also fails when the chain does not hold the head filed at its
    place, or ends before it. With an audit key (EXPORTCTL_AUDIT_KEY or
    audit_key_file in the config file), also fails on an event appended or
    rewritten without the key; says what the key proved.

    \b
    Example:
        exportctl audit verify
        exportctl audit verify --head 42:3f1c…
        exportctl audit verify --json
    """
    from exportctl.api import verify_audit_log
    from exportctl.api.browse import audit_signing

    engine = state.engine()
    problems = verify_audit_log(engine, head)
    signed = audit_signing(engine)
    if as_json:
        key = {
            "used": signed.key,
            "source": state.audit_key.source if state.audit_key is not None else None,
            "signed_from": signed.first,
            "last": signed.last,
        }
        echo_json({"intact": not problems, "problems": problems, "head": head, "key": key})
    else:
        for problem in problems:
            click.echo(problem)
        if not problems:
            if head:
                said = _(
                    "The audit chain and every version are intact, and the chain holds "
                    "the head filed."
                )
                click.echo(said)
            else:
                click.echo(_("The audit chain and every version are intact."))
        _say_what_the_key_proves(state, signed)
    if problems:
        sys.exit(1)


def _say_what_the_key_proves(state: State, signed: Signing) -> None:
    if signed.last is None:
        return
    if not signed.key:
        state.info(
            _(
                "(No audit key was given: a chain rewritten whole by someone able to write "
                "to the database would verify too; --head, or an audit key "
                "(EXPORTCTL_AUDIT_KEY or audit_key_file), rules that out.)"
            ),
            err=True,
        )
    elif signed.first is not None:
        state.info(
            _(
                "(Signed with the audit key from {source} from event {first} on: no event "
                "since was appended or rewritten without the key, and none before it was "
                "rewritten since; a chain cut back to an earlier event is caught by --head.)"
            ).format(
                source=state.audit_key.source if state.audit_key else "",
                first=signed.first,
            ),
            err=True,
        )
