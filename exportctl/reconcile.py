"""A version's counts against its base and the notice, said as findings.

:func:`reconcile` pairs a part's entries with its base's and ties the counts out
(:func:`exportctl.identity.tie_out`, shared with ``diff``), turning each check that
fails into a warning or an error in the file's terms; :func:`guard_against_base`
refuses a complete list that would silently remove most of its base (an additions
file imported without ``--additions``); :func:`declared_warnings` gives back the
warnings a stored version keeps about its declared counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from exportctl.annex import Serial, parse_serial
from exportctl.i18n import _
from exportctl.identity import Declared, Keys, match, tie_out
from exportctl.models import ItemRecord, ValidationReport
from exportctl.validate import _Collector, _same


def reconcile(
    out: _Collector,
    declared: Declared,
    count: int,
    base_items: Sequence[ItemRecord] | None,
    base_label: str | None,
    new_keys: Keys | None,
    *,
    part: str = "",
) -> tuple[int, int] | None:
    """Compare a part's entry count and its change against the base with what the notice declares.

    The entries are paired with the base's and the counts tied out as ``diff`` does
    (:func:`exportctl.identity.match`, :func:`~exportctl.identity.tie_out`), so a
    ``diff`` of the two versions reports the same additions and removals.

    Args:
        out: Where findings go.
        declared: What the notice declares for the part.
        count: Entries of the part in the new version.
        base_items: The base version's entries of the same part, when a base is given.
        base_label: Label of the base version, for messages.
        new_keys: The keys of every entry of the part, within the part (needed with
            ``base_items``).
        part: Starts every message (``'part 2 "…": '``) when a version holds several parts.

    Returns:
        ``(added, removed)`` against the base, or ``None`` without one.
    """
    if base_items is None:
        if declared.total is not None and declared.total != count:
            _declared_total_differs(out, part, count, declared.total)
        if declared.added is not None or declared.removed is not None:
            out.add(
                "warning",
                "no-base",
                part
                + _(
                    "declared added/removed counts are only checked against a base version; "
                    "give --base"
                ),
            )
        return None
    assert new_keys is not None
    old_keys = Keys.of(base_items, in_part=True)
    added, removed = match(old_keys.fallbacks, new_keys.fallbacks, fallback=_same).counts
    base_count = len(base_items)
    label = f'"{base_label}"' if base_label else _("the base")
    # "sum" holds by construction: every entry is paired, added or removed.
    for check in tie_out(base_count, count, added, removed, declared):
        if check.ok:
            continue
        if check.name == "declared_total":
            _declared_total_differs(out, part, count, check.figures["declared"])
        elif check.name == "declared_added":
            out.add(
                "warning",
                "added-mismatch",
                part
                + _(
                    "the notice declares {declared:,} added items but {added:,} are new against "
                    "{base} ({before:,} items before, {after:,} after, {removed:,} removed)"
                ).format(
                    declared=check.figures["declared"],
                    added=added,
                    base=label,
                    before=base_count,
                    after=count,
                    removed=removed,
                ),
            )
        elif check.name == "declared_removed":
            out.add(
                "warning",
                "removed-mismatch",
                part
                + _(
                    "the notice declares {declared:,} removed items but {removed:,} are gone from "
                    "{base} ({before:,} items before, {after:,} after, {added:,} added)"
                ).format(
                    declared=check.figures["declared"],
                    removed=removed,
                    base=label,
                    before=base_count,
                    after=count,
                    added=added,
                ),
            )
        elif check.name == "declared_sum":
            f = check.figures
            out.add(
                "warning",
                "declared-sum",
                part
                + _(
                    "the declared figures do not add up: base {base:,} + added {added:,} − "
                    "removed {removed:,} = {computed:,}, not the declared total {declared:,}"
                ).format(
                    base=base_count,
                    added=f["added"],
                    removed=f["removed"],
                    computed=f["computed"],
                    declared=f["declared"],
                ),
            )
    return added, removed


def _declared_total_differs(out: _Collector, part: str, count: int, total: int) -> None:
    out.add(
        "error",
        "count-mismatch",
        part
        + _(
            "the version has {count:,} items but the notice declares {total:,}; a truncated or "
            "wrong file is never stored"
        ).format(count=count, total=total),
        sheet=True,
    )


@dataclass(frozen=True, slots=True)
class Previous:
    """A version a new one is checked against: its ``--base``, or the one in force before it."""

    label: str | None
    """Its label, for messages."""
    items: Sequence[ItemRecord]
    """Its items."""
    named: bool = False
    """True when the user named it with ``--base``."""
    sections: Mapping[int, str] | None = None
    """Its parts, number -> title (read from its items when ``None``)."""


REMOVAL_GUARD = 0.5
"""A complete list that would remove more than this share of its base is refused."""


def guard_against_base(
    out: _Collector,
    previous: Previous,
    new_keys: Keys,
    first_serial: str | None,
    declared: Declared,
) -> None:
    """Refuse a file of additions about to be stored as a complete list.

    Two signs, either enough: the file's serial numbers start right after the
    last serial of the base (an additions annex continues the numbering), or the
    new version would remove more than half of the base. The user overrides with
    ``--additions`` (the file is additions) or a ``--declared-removed`` equal to
    the removals found (the notice really removes them).
    """
    old_keys = Keys.of(previous.items, in_part=True).fallbacks
    if not old_keys:
        return
    _added, removed = match(old_keys, new_keys.fallbacks, fallback=_same).counts
    if declared.removed is not None and declared.removed == removed:
        return
    numbers = [
        parsed.number
        for i in previous.items
        if i.serial is not None and isinstance(parsed := parse_serial(i.serial), Serial)
    ]
    last = max(numbers) if numbers else None
    first = parse_serial(first_serial)
    first_number = first.number if isinstance(first, Serial) and not first.branches else None
    continues = last is not None and first_number is not None and first_number == last + 1
    removes_most = removed > REMOVAL_GUARD * len(old_keys)
    if not (continues or removes_most):
        return
    label = f'"{previous.label}"' if previous.label else _("the previous version")
    share = f"{removed / len(old_keys):.0%}".replace("%", " %")
    signs: list[str] = []
    if continues:
        signs.append(
            _(
                "its serial numbers start at {first:,}, right after the last serial of {base} "
                "({last:,})"
            ).format(first=first_number, base=label, last=last)
        )
    signs.append(
        _(
            "as a complete list it would remove {removed:,} of the {total:,} items of {base} "
            "({share})"
        ).format(removed=removed, total=len(old_keys), base=label, share=share)
    )
    base_flag = "" if previous.named or not previous.label else f" --base {previous.label}"
    out.add(
        "error",
        "looks-like-additions" if continues else "removes-most-of-base",
        _(
            "{signs}. If the file holds only the additions, import it with{base} --additions; if "
            "the notice really removes those items, confirm with --declared-removed {removed}"
        ).format(signs=_(", and ").join(signs), base=base_flag, removed=removed),
    )


DECLARED_RULES = frozenset({"added-mismatch", "removed-mismatch", "declared-sum", "no-base"})
"""Warnings about the notice's declared counts: kept on the stored version."""


def declared_warnings(report: ValidationReport) -> list[str]:
    """The declared-count warnings of a report, as sentences to keep on the version.

    Real notices do not always add up (one announced 798 + 682 for a list of
    1,159), so these never block an import; they are recorded so that every
    place that shows the version can say so.
    """
    return [f.message for f in report.findings if f.rule in DECLARED_RULES]
