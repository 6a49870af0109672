"""``lists`` (and ``lists create``), ``approve``, ``dates`` and ``withdraw``: lists, version
status and a draft's dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from exportctl.cli.base import CONTEXT_SETTINGS, State, _parse_date, cli, list_option
from exportctl.cli.echo import echo_json, json_option
from exportctl.i18n import _, ngettext

F = TypeVar("F", bound=Callable[..., Any])

# exportctl.profiles.ENV_PROFILES, spelt here so that loading the CLI reads no profile.
ENV_PROFILES = "EXPORTCTL_PROFILES"

if TYPE_CHECKING:
    from exportctl.models import ControlList, Version


def _list_json(cl: ControlList, versions: list[Version]) -> dict[str, Any]:
    return {
        "slug": cl.slug,
        "name": cl.name,
        "jurisdiction": cl.jurisdiction,
        "authority": cl.authority,
        "targets": cl.targets.split(",") if cl.targets else [],
        "profile": cl.profile,
        "versions": len(versions),
        "latest": versions[-1].label if versions else None,
        "drafts": [v.label for v in versions if v.status == "draft"],
    }


@cli.group(name="lists", invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@json_option
@click.pass_context
def lists_cmd(ctx: click.Context, as_json: bool) -> None:
    """Show the control lists in the database, or create one.

    \b
    Example:
        exportctl lists
        exportctl lists --json
        exportctl lists create kr-russia --name "러시아·벨라루스 상황허가 대상 품목" \\
            --jurisdiction KR --authority 산업통상자원부 --targets RU,BY
    """
    if ctx.invoked_subcommand is not None:
        return
    from exportctl.api import list_lists

    state: State = ctx.obj
    found = list_lists(state.engine())
    if as_json:
        echo_json([_list_json(cl, versions) for cl, versions in found])
        return
    if not found:
        click.echo(_("No lists yet; create one with `exportctl lists create SLUG --name TEXT`."))
        return
    for cl, versions in found:
        latest = _(", latest {label}").format(label=versions[-1].label) if versions else ""
        drafts = [v.label for v in versions if v.status == "draft"]
        waiting = ngettext(
            ", {n} draft awaiting approval", ", {n} drafts awaiting approval", len(drafts)
        ).format(n=len(drafts))
        name = f" — {cl.name}" if cl.name and cl.name != cl.slug else ""
        follows = _(" (profile {profile})").format(profile=cl.profile) if cl.profile else ""
        counted = ngettext("{n} version", "{n} versions", len(versions)).format(n=len(versions))
        click.echo(f"{cl.slug}{name}{follows}: {counted}{latest}{waiting if drafts else ''}")


@lists_cmd.command(name="create")
@click.argument("slug")
@click.option("--name", required=True, metavar="TEXT", help="Display name, printed on reports.")
@click.option("--jurisdiction", metavar="CODE", help="Country or bloc issuing it, e.g. KR.")
@click.option("--authority", metavar="TEXT", help="Issuing authority, e.g. 산업통상자원부.")
@click.option("--targets", metavar="CC,..", help="Destinations it controls, e.g. RU,BY.")
@click.option(
    "--profile",
    metavar="NAME",
    help="Regime profile the list follows: kr-annex-2-2 (default), eu-833, us-746, chpl, "
    f"or NAME.toml in the profile folder (${ENV_PROFILES}).",
)
@click.option(
    "--profile-file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PATH",
    help="A profile of your own (TOML): checked, copied into the profile folder and followed.",
)
@json_option
@click.pass_obj
def lists_create(
    state: State,
    slug: str,
    name: str,
    jurisdiction: str | None,
    authority: str | None,
    targets: str | None,
    profile: str | None,
    profile_file: Path | None,
    as_json: bool,
) -> None:
    """Create a control list; imports go only into lists created this way.

    The list's profile says how its files are written (headers, code levels,
    per-entry attributes such as the CHPL tier) and whether a code hit decides
    or only asks for review (US Part 746: the description controls).

    \b
    Example:
        exportctl lists create kr-russia --name "러시아·벨라루스 상황허가 대상 품목" \\
            --jurisdiction KR --authority 산업통상자원부 --targets RU,BY
        exportctl lists create chpl --name "CHPL" --profile chpl
        exportctl lists create uk-russia --name "UK Russia" --profile-file uk.toml
    """
    import os

    from exportctl.api import create_list
    from exportctl.config import default_data_dir
    from exportctl.profiles import profile_folder

    created = create_list(
        state.engine(),
        slug,
        name=name,
        jurisdiction=jurisdiction,
        authority=authority,
        targets=targets,
        profile=profile,
        profile_file=profile_file,
        profile_folder=profile_folder(os.environ, default_data_dir()),
        actor=state.actor,
        limits=state.limits,
    )
    if as_json:
        echo_json(_list_json(created, []))
        return
    follows = _(", profile {profile}").format(profile=created.profile) if created.profile else ""
    state.info(
        _('Created list {slug}: "{name}"{follows}.').format(
            slug=created.slug, name=created.name, follows=follows
        )
    )


@lists_cmd.command(name="rename")
@click.argument("slug")
@click.option("--name", required=True, metavar="TEXT", help="New display name, printed on reports.")
@json_option
@click.pass_obj
def lists_rename(state: State, slug: str, name: str, as_json: bool) -> None:
    """Give a list a new display name (the slug stays); recorded in the audit log.

    \b
    Example:
        exportctl lists rename kr-russia --name "러시아·벨라루스 상황허가 대상 품목"
    """
    from exportctl.api import rename_list

    renamed = rename_list(state.engine(), slug, name=name, actor=state.actor)
    if as_json:
        echo_json(_list_json(renamed, []))
        return
    state.info(
        _('List {slug} is now called "{name}".').format(slug=renamed.slug, name=renamed.name)
    )


@lists_cmd.command(name="set-profile")
@click.argument("slug")
@click.option(
    "--profile",
    metavar="NAME",
    help="Regime profile to follow: kr-annex-2-2, eu-833, us-746, chpl, or NAME.toml in "
    f"the profile folder (${ENV_PROFILES}).",
)
@click.option(
    "--profile-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="PATH",
    help="A profile of your own (TOML): checked, copied into the profile folder and followed.",
)
@click.option("--reason", metavar="TEXT", help="Why the list follows it now (recorded).")
@json_option
@click.pass_obj
def lists_set_profile(
    state: State,
    slug: str,
    profile: str | None,
    profile_file: Path | None,
    reason: str | None,
    as_json: bool,
) -> None:
    """Make a list follow another regime profile; recorded in the audit log.

    The profile decides every verdict on the list's versions (under us-746 a
    code hit is only review: the description controls), so the change is an
    audited action, and `exportctl audit verify` names any change to it made
    outside exportctl.

    \b
    Example:
        exportctl lists set-profile us-russia --profile us-746 --reason "BIS Part 746 list"
    """
    import os

    from exportctl.api import set_list_profile
    from exportctl.config import default_data_dir
    from exportctl.profiles import profile_folder

    changed = set_list_profile(
        state.engine(),
        slug,
        profile=profile,
        profile_file=profile_file,
        profile_folder=profile_folder(os.environ, default_data_dir()),
        reason=reason,
        actor=state.actor,
        limits=state.limits,
    )
    if as_json:
        echo_json(_list_json(changed, []))
        return
    state.info(
        _("List {slug} now follows profile {profile}.").format(
            slug=changed.slug, profile=changed.profile
        )
    )


def _status_json(state: State, slug: str, version: Version) -> dict[str, Any]:
    from exportctl.cli import clock

    return {
        "list": slug,
        "version": version.label,
        **clock.status_json(version, clock.zone_of(state)),
    }


@cli.command()
@click.argument("names", nargs=-1, metavar="LABEL")
@list_option
@click.option("--note", metavar="TEXT", help="Why, or on what evidence, it is approved.")
@click.option(
    "--self",
    "one_person",
    is_flag=True,
    help="You imported it and approve it alone: recorded as a one-person sign-off.",
)
@json_option
@click.pass_obj
def approve(
    state: State,
    names: tuple[str, ...],
    slug: str | None,
    note: str | None,
    one_person: bool,
    as_json: bool,
) -> None:
    """Approve a draft version: from then on it can be the version in force.

    Versions are drafts after import; --as-of, screen, check and diff by date
    use approved versions only. The approver must be another person than the
    importer (EXPORTCTL_ACTOR or the config file's actor names who acts), or
    --self records a one-person sign-off as such. A version without an
    effective date is refused: give it one with `exportctl dates`. Recorded in
    the audit log.

    \b
    Example:
        exportctl approve 2024-06 --list kr-russia --note "checked against 고시 제2024-xxx호"
        exportctl approve 2024-06 --list kr-russia --self
    """
    from exportctl.api import approve_version

    slug, label = state.slug_and_label(slug, names, "exportctl approve LABEL --list SLUG")
    version = approve_version(
        state.engine(), slug, label, note=note, one_person=one_person, actor=state.actor
    )
    if as_json:
        echo_json(_status_json(state, slug, version))
        return
    alone = _(" (one-person sign-off)") if version.one_person else ""
    state.info(
        _("Approved {slug} {label} by {actor}{alone}.").format(
            slug=slug, label=version.label, actor=version.approved_by, alone=alone
        )
    )


@cli.command()
@click.argument("names", nargs=-1, metavar="LABEL")
@list_option
@click.option(
    "--effective", metavar="DATE", callback=_parse_date, help="Date the version takes effect."
)
@click.option("--notice-date", metavar="DATE", callback=_parse_date, help="Date of the notice.")
@json_option
@click.pass_obj
def dates(
    state: State,
    names: tuple[str, ...],
    slug: str | None,
    effective: dt.date | None,
    notice_date: dt.date | None,
    as_json: bool,
) -> None:
    """Set a draft's effective date and/or notice date (imported without them).

    Only drafts: an approved version's dates are part of what was approved. A
    draft needs an effective date before `exportctl approve` takes it, and only
    a dated version is chosen by --as-of (or today). Recorded in the audit log;
    `exportctl audit verify` checks the version against the dates set.

    \b
    Example:
        exportctl dates 2024-06 --list kr-russia --effective 2024-08-28
        exportctl dates 2024-06 --list kr-russia --effective "2024. 8. 28." \\
            --notice-date 2024-06-28
    """
    from exportctl.api import set_version_dates

    slug, label = state.slug_and_label(slug, names, "exportctl dates LABEL --list SLUG")
    if effective is None and notice_date is None:
        raise click.UsageError(_("Give --effective DATE, --notice-date DATE or both."))
    version = set_version_dates(
        state.engine(),
        slug,
        label,
        effective=effective,
        notice_date=notice_date,
        actor=state.actor,
    )
    if as_json:
        echo_json(
            {
                **_status_json(state, slug, version),
                "effective": version.effective.isoformat() if version.effective else None,
                "notice_date": version.published.isoformat() if version.published else None,
            }
        )
        return
    notice = _(", notice of {day}").format(day=version.published) if version.published else ""
    state.info(
        _(
            "Dated {slug} {label}: effective {effective}{notice} "
            "(still a draft: exportctl approve {label} --list {slug})."
        ).format(
            slug=slug,
            label=version.label,
            effective=version.effective or _("none"),
            notice=notice,
        )
    )


def _self_option(what: str) -> Callable[[F], F]:
    return click.option(
        "--self",
        "one_person",
        is_flag=True,
        help=f"You {what} and act alone: recorded as a one-person change.",
    )


@cli.command()
@click.argument("names", nargs=-1, metavar="LABEL")
@list_option
@click.option("--reason", required=True, metavar="TEXT", help="Why it is withdrawn (recorded).")
@_self_option("imported it")
@json_option
@click.pass_obj
def withdraw(
    state: State,
    names: tuple[str, ...],
    slug: str | None,
    reason: str,
    one_person: bool,
    as_json: bool,
) -> None:
    """Withdraw a version imported by mistake: it is never again the version in force.

    The version stays stored and is still shown by `versions` and
    `show --version`; its source file may be imported again, under the same
    label (the withdrawn version is then renamed "LABEL (withdrawn 1)") or a
    new one. Like an approval it takes a second person: someone other than the
    importer, or --self records a one-person withdrawal as such. Undo it with
    `exportctl reinstate`. Recorded in the audit log with the reason.

    \b
    Example:
        exportctl withdraw 2024-06 --list kr-russia --reason "imported without --additions"
        exportctl withdraw 2024-06 --list kr-russia --reason "wrong file" --self
    """
    from exportctl.api.lifecycle import withdraw_version

    slug, label = state.slug_and_label(slug, names, "exportctl withdraw LABEL --list SLUG")
    version = withdraw_version(
        state.engine(), slug, label, reason=reason, one_person=one_person, actor=state.actor
    )
    if as_json:
        echo_json(_status_json(state, slug, version))
        return
    alone = (
        _(" (one-person withdrawal)")
        if (version.withdrawn_by or "").casefold() == version.imported_by.casefold()
        else ""
    )
    state.info(
        _("Withdrew {slug} {label}{alone}: {reason}").format(
            slug=slug, label=version.label, alone=alone, reason=version.withdrawn_reason
        )
    )


@cli.command()
@click.argument("names", nargs=-1, metavar="LABEL")
@list_option
@click.option("--reason", required=True, metavar="TEXT", help="Why it is reinstated (recorded).")
@_self_option("withdrew it")
@json_option
@click.pass_obj
def reinstate(
    state: State,
    names: tuple[str, ...],
    slug: str | None,
    reason: str,
    one_person: bool,
    as_json: bool,
) -> None:
    """Undo a withdrawal: the version gets back the status it had before it.

    An approved version is in force again (by its effective date); a withdrawn
    draft is a draft again. It takes a second person: someone other than who
    withdrew it, or --self records a one-person reinstatement as such.
    Recorded in the audit log with the reason.

    \b
    Example:
        exportctl reinstate 2024-06 --list kr-russia --reason "withdrawn by mistake"
        exportctl reinstate "2024-06 (withdrawn 1)" --list kr-russia --reason "..." --self
    """
    from exportctl.api.lifecycle import reinstate_version

    slug, label = state.slug_and_label(slug, names, "exportctl reinstate LABEL --list SLUG")
    version = reinstate_version(
        state.engine(), slug, label, reason=reason, one_person=one_person, actor=state.actor
    )
    if as_json:
        echo_json(_status_json(state, slug, version))
        return
    from exportctl.cli import clock

    state.info(
        _("Reinstated {slug} {label}: {status}.").format(
            slug=slug, label=version.label, status=clock.status_text(version, clock.zone_of(state))
        )
    )
