"""A screening run: its rows streamed, their results, the counts and the report.

This module owns :func:`screen_rows`, which streams a catalogue through an
index and yields one :class:`ScreenResult` per row; the counts filled as they
go (:class:`ScreenSummary`), including what fails ``--fail-on``
(:data:`FAIL_ON`, :func:`fail_statuses`). A run with what was screened against
what is a :class:`~exportctl.screen.report.ScreenReport`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from exportctl.hscode import HSCode, Readings, read_code, shown_text
from exportctl.i18n import _, active, ngettext
from exportctl.models import ItemRecord
from exportctl.screen.index import STATUSES, ScreenIndex, Status, screen_code
from exportctl.screen.reasons import Reason

if TYPE_CHECKING:
    from exportctl.readers import ParsedRow
    from exportctl.reports.language import Text


FAIL_ON: tuple[str, ...] = ("controlled", "review", "invalid")
"""What ``--fail-on`` takes; ``review`` also fails on controlled rows."""


@dataclass(slots=True)
class ScreenResult:
    """The verdict on one catalogue row."""

    row: int
    """1-based row in the file (or sheet)."""
    sku: str | None
    """SKU as read."""
    description: str | None
    """Product description as read."""
    code: str | None
    """Normalised code (digits), None when the row has no usable code."""
    original_code: str | None
    """The code cell's text as found."""
    status: Status
    """Outcome against the version screened."""
    why: Reason
    """Why, as data: the rule that decided and its values (:attr:`reason` in words)."""
    entry: ItemRecord | None = None
    """The deciding list entry."""
    words: tuple[str, ...] = ()
    """Words that matched a name entry."""
    previous_status: Status | None = None
    """Outcome against the compared (older) version, with ``--compare``."""
    previous_entry: ItemRecord | None = None
    """The entry that decided against the compared version."""
    extra: tuple[str | None, ...] = ()
    """The catalogue's other columns, aligned with :attr:`ScreenReport.extra_columns`."""
    warning: str | None = None
    """Set when the code was not read as written: ``code read as 0101.21: ...``."""

    @property
    def reason(self) -> str:
        """One plain English sentence saying why (rendered when asked: most rows of a
        large run are only counted)."""
        return self.why.render("en")

    def reason_in(self, lang: str) -> str:
        """The reason as a sentence in ``lang`` (``en`` or ``ko``)."""
        return self.why.render(lang)

    @property
    def changed(self) -> bool:
        """True when a compared version gave a different status."""
        return self.previous_status is not None and self.previous_status != self.status

    @property
    def change(self) -> str:
        """``newly controlled``, ``newly for review``, ``no longer controlled``… or ``""``."""
        if not self.changed:
            return ""
        if self.status == "controlled":
            return "newly controlled"
        if self.previous_status == "controlled":
            return "no longer controlled"
        if self.status == "review" and self.previous_status == "clear":
            return "newly for review"
        return f"{self.previous_status} → {self.status}"

    @property
    def attributes(self) -> dict[str, str]:
        """The deciding entry's regime attributes (``{"tier": "1"}``); empty without."""
        return dict(self.entry.attributes) if self.entry is not None else {}

    @property
    def shown_code(self) -> str | None:
        """The code as people write it (``8471.30``), or the cell text when unusable."""
        return HSCode(self.code).dotted() if self.code else self.original_code

    def to_json(self) -> dict[str, Any]:
        """The row in the ``screen --format json`` shape."""
        return {
            "row": self.row,
            "sku": self.sku,
            "description": self.description,
            "code": self.code,
            "original_code": self.original_code,
            "status": self.status,
            "previous_status": self.previous_status,
            "entry": entry_json(self.entry),
            "words": list(self.words),
            "reason": self.reason,
            "rule": self.why.rule,
            "values": dict(self.why.values),
            "warning": self.warning,
            "extra": list(self.extra),
        }


def entry_json(entry: ItemRecord | None) -> dict[str, Any] | None:
    """The ``{"section", "serial", "code", "ex", "description"}`` object naming a deciding
    entry (``section`` is the number of its part of the annex), with ``code_end`` for a
    range and ``attributes`` (CHPL tier, price threshold) when the entry has them."""
    if entry is None:
        return None
    found: dict[str, Any] = {
        "section": entry.section,
        "serial": entry.serial,
        "code": entry.code,
        "ex": entry.ex,
        "description": entry.description,
    }
    if entry.code_end is not None:
        found["code_end"] = entry.code_end
    if entry.attributes:
        found["attributes"] = dict(entry.attributes)
    return found


def fail_statuses(fail_on: str | Iterable[str]) -> tuple[str, ...]:
    """Parse ``--fail-on`` values: names from :data:`FAIL_ON`, comma-separated or apart.

    Args:
        fail_on: ``"review"``, ``"controlled,invalid"`` or ``["review", "invalid"]``.

    Returns:
        The names given, in order, each once.

    Raises:
        ValueError: An unknown name, or none at all.
    """
    parts = [fail_on] if isinstance(fail_on, str) else list(fail_on)
    names = [name.strip().lower() for part in parts for name in part.split(",")]
    names = [name for name in names if name]
    unknown = [name for name in names if name not in FAIL_ON]
    if unknown or not names:
        given = ", ".join(repr(name) for name in unknown) or _("nothing")
        raise ValueError(
            _("--fail-on takes {names} (comma-separated), not {given}").format(
                names=", ".join(FAIL_ON), given=given
            )
        )
    return tuple(dict.fromkeys(names))


def failing_statuses(names: Iterable[str]) -> tuple[Status, ...]:
    """The row statuses that fail for ``names``; ``review`` brings ``controlled`` in."""
    wanted = set(names)
    if "review" in wanted:
        wanted.add("controlled")
    return tuple(status for status in STATUSES if status in wanted)


@dataclass(slots=True)
class ScreenSummary:
    """Counts of a screening run, filled while results stream."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    """Rows per status."""
    total: int = 0
    """Rows screened."""
    changes: Counter[str] = field(default_factory=Counter)
    """With a compared version: rows per change (``newly controlled``…)."""
    compared: bool = False
    """True when a previous version was screened too."""
    name_entries: int = 0
    """Entries of the version defined by name (no HS code): only a description finds them."""
    description_column: str | None = None
    """Header of the catalogue's description column; None when it has none."""
    described: int = 0
    """Rows with a description."""
    recovered: int = 0
    """Rows whose code was read with zeros put back (each carries a warning)."""
    coded: int = 0
    """Rows whose code cell was read as one or more real codes: those screened."""
    code_column: str | None = None
    """Header of the catalogue's code column."""
    catalogue: str = ""
    """The catalogue's file name, for sentences."""

    def add(self, result: ScreenResult) -> None:
        """Count one result."""
        self.total += 1
        self.counts[result.status] += 1
        if result.status != "invalid":
            # A code read as written, with zeros put back, or as several real readings.
            self.coded += 1
        if result.description:
            self.described += 1
        if result.warning is not None:
            self.recovered += 1
        if result.previous_status is not None:
            self.compared = True
            if result.previous_status != result.status:
                self.changes[result.change] += 1

    @property
    def changed(self) -> int:
        """Rows whose status differs between the compared versions."""
        return sum(self.changes.values())

    @property
    def description_checked(self) -> bool:
        """False when the version has entries defined by name and no row had a description.

        Complete once every result has been counted.
        """
        return self.name_entries == 0 or self.total == 0 or self.described > 0

    @property
    def description_warning(self) -> str | None:
        """The sentence saying the name entries were not checked, or None when they were."""
        if self.description_checked:
            return None
        n = self.name_entries
        entries = ngettext(
            "the {n:,} list entry defined by name (no HS code) was NOT checked",
            "the {n:,} list entries defined by name (no HS code) were NOT checked",
            n,
        ).format(n=n)
        if self.description_column is None:
            return _(
                "no description column: {entries}; map the column with --column description=HEADER"
            ).format(entries=entries)
        return _(
            'the description column "{column}" is empty in every row: {entries}; fill it in '
            "or map another column with --column description=HEADER"
        ).format(column=self.description_column, entries=entries)

    @property
    def nothing_screened(self) -> bool:
        """True when no row had a usable HS code (or there was no row): nothing was
        screened, which is not "all clear". Complete once every result has been counted."""
        return self.coded == 0

    def nothing_screened_warning(self, text: Text | None = None) -> str | None:
        """The sentence saying nothing was screened, in ``text``'s language (English
        when None); None when something was."""
        if not self.nothing_screened:
            return None
        from exportctl.reports.language import text_for

        t = text or text_for(active())
        file = self.catalogue or t("screening.nothing.catalogue")
        if self.total == 0:
            return t("screening.nothing.no_rows", file=file)
        return t("screening.nothing.no_codes", file=file, column=self.code_column or "code")

    @property
    def warnings(self) -> list[str]:
        """Plain sentences about what the run could not do as asked (empty when none)."""
        return self.warnings_in(None)

    def warnings_in(self, text: Text | None) -> list[str]:
        """:attr:`warnings`, the one saying nothing was screened in ``text``'s language."""
        found: list[str] = []
        nothing = self.nothing_screened_warning(text)
        if nothing is not None:
            found.append(nothing)
        warning = self.description_warning
        if warning is not None:
            found.append(warning)
        if self.recovered:
            found.append(
                ngettext(
                    "{n:,} code was read with zeros put back (its row's reason says how); check it",
                    "{n:,} codes were read with zeros put back (each such row's reason says "
                    "how); check them",
                    self.recovered,
                ).format(n=self.recovered)
            )
        return found

    def hits(self, fail_on: str | Iterable[str]) -> int:
        """Rows whose status fails ``fail_on`` (see :func:`fail_statuses`).

        ``controlled`` counts controlled rows; ``review`` counts controlled and
        review rows (a row worse than review fails too); ``invalid`` counts
        invalid rows. Several names add up.

        Raises:
            ValueError: ``fail_on`` names something else.
        """
        return sum(self.counts[status] for status in failing_statuses(fail_statuses(fail_on)))

    def failures(self, fail_on: str | Iterable[str]) -> list[str]:
        """Why the run fails ``fail_on``, one sentence each; empty when it passes.

        Rows count as in :meth:`hits`, named per status. With ``review``, a run
        whose descriptions could not be checked fails too, rows or not: a name
        entry that was not checked is not clear. With any name, a run that
        screened nothing (:attr:`nothing_screened`) fails: nothing screened is
        not all clear.

        Raises:
            ValueError: ``fail_on`` names something else.
        """
        names = fail_statuses(fail_on)
        flag = f"--fail-on {','.join(names)}"
        reasons: list[str] = []
        statuses = failing_statuses(names)
        hits = sum(self.counts[status] for status in statuses)
        if hits:
            from exportctl.reports.language import text_for

            t = text_for(active())
            each = ", ".join(
                f"{self.counts[status]:,} {t.status(status)}"
                for status in statuses
                if self.counts[status]
            )
            reasons.append(
                ngettext(
                    "{n:,} row fails {flag}: {each}.", "{n:,} rows fail {flag}: {each}.", hits
                ).format(n=hits, flag=flag, each=each)
            )
        warning = self.description_warning
        if "review" in names and warning is not None:
            reasons.append(f"{flag}: {warning}.")
        nothing = self.nothing_screened_warning()
        if nothing is not None:
            reasons.append(f"{flag}: {nothing}.")
        return reasons

    def to_json(self) -> dict[str, Any]:
        """The ``summary`` object of the JSON report."""
        data: dict[str, Any] = {status: self.counts[status] for status in STATUSES}
        data["total"] = self.total
        data["description_checked"] = self.description_checked
        data["nothing_screened"] = self.nothing_screened
        data["recovered"] = self.recovered
        if self.compared:
            data["changed"] = self.changed
            data["newly_controlled"] = self.changes["newly controlled"]
            data["no_longer_controlled"] = self.changes["no longer controlled"]
            data["changes"] = dict(sorted(self.changes.items()))
        return data


def screen_rows(
    rows: Iterable[ParsedRow],
    index: ScreenIndex,
    *,
    previous: ScreenIndex | None = None,
    summary: ScreenSummary | None = None,
    edition: str | None = None,
) -> Iterator[ScreenResult]:
    """Screen catalogue rows one by one, in file order.

    Each code cell is read by :func:`~exportctl.hscode.read_code`, whatever file
    it came from: a number as its number format shows it, then as text; a cell
    that lost a zero only as codes HS ``edition`` has. The rest of the column
    plays no part, so rows stream and a row's verdict is the one ``check``
    gives its code.

    Args:
        rows: Parsed rows with ``sku``, ``description`` and the ``code`` cell.
        index: The version to screen against.
        previous: An older version to compare with; fills ``previous_status``.
        summary: Counts are added here as results are yielded.
        edition: The version's HS edition (``HS2022``); see
            :func:`~exportctl.hscode.reading_edition`.

    Yields:
        One result per row, invalid rows included, with the row's
        :attr:`~exportctl.readers.ParsedRow.extra` cells.
    """
    if summary is not None:
        summary.name_entries = len(index.words.entries)
    match_code = index.match_code
    for parsed in rows:
        cell = parsed.code
        text = shown_text(cell) if cell is not None and cell.text else None
        reading = read_code(text, edition)
        values = parsed.values
        description = values.get("description")
        classification = values.get("classification")
        cas = values.get("cas")
        code: str | None = None
        warning: str | None = None
        if isinstance(reading, HSCode) and reading.recovered is None:
            # screen_code() without the call: most rows hold a code read as written.
            code = reading.digits
            match = match_code(
                code,
                description,
                shown=reading.dotted(),
                classification=classification,
                cas=cas,
            )
        else:
            if isinstance(reading, HSCode):
                code = reading.digits
                warning = _("code read as {code}: {how}").format(
                    code=reading.dotted(), how=reading.recovered
                )
            elif isinstance(reading, Readings):
                warning = _("code may be read as {readings}").format(
                    readings=_(" or ").join(
                        f"{each.dotted()} ({each.recovered})" for each in reading.codes
                    )
                )
            match = screen_code(index, reading, description, classification, cas)
        # Positional: one is built per row (field order of ScreenResult).
        result = ScreenResult(
            parsed.row,
            values.get("sku"),
            description,
            code,
            text,
            match.status,
            match.why,
            match.entry,
            match.words,
            None,
            None,
            parsed.extra,
            warning,
        )
        if previous is not None:
            before = screen_code(previous, reading, description, classification, cas)
            result.previous_status = before.status
            result.previous_entry = before.entry
        if summary is not None:
            summary.add(result)
        yield result
