"""The exception tree: every problem a user can fix is an ``ExportctlError``."""

from __future__ import annotations

import re

from exportctl.i18n import _

_DOCUMENT_TABLE = re.compile(r"table \d+")


class ExportctlError(Exception):
    """A problem the user can fix; ``str()`` is the whole message."""

    exit_code = 2


class InputError(ExportctlError):
    """A file the user gave cannot be read as asked.

    The message names the file and, where they apply, the sheet, row and column:
    ``catalogue.csv, row 12, column "HS": "84.7x" is not an HS code``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        super().__init__(self.render())

    def render(self) -> str:
        """The one-line message with its location prefix."""
        where = location(self.file, self.sheet, self.row, self.column)
        return f"{where}: {self.message}" if where else self.message


def location(
    file: str | None,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    *,
    place: str | None = None,
) -> str:
    """Render ``file, sheet "S", row 3, column "HS"`` leaving out the parts not known.

    ``place`` (``page 3, table 1, row 5``) stands for the sheet and row of a printed
    document (PDF, HWPX).
    """
    parts: list[str] = []
    if file:
        parts.append(file)
    if place:
        parts.append(place)
    else:
        if sheet:
            # A document's tables are named "table 1", "table 2" (readers.documents).
            if _DOCUMENT_TABLE.fullmatch(sheet):
                parts.append(_("table {number}").format(number=sheet.split()[1]))
            else:
                parts.append(_('sheet "{sheet}"').format(sheet=sheet))
        if row is not None:
            parts.append(_("row {row}").format(row=row))
    if column:
        parts.append(_('column "{column}"').format(column=column))
    return ", ".join(parts)


class ConfigError(ExportctlError):
    """A database URL or setting that cannot be used."""


class SchemaOutOfDateError(ExportctlError):
    """The database is not at the newest migration."""


class NotFoundError(ExportctlError):
    """A list, version or other named thing does not exist."""


class ListNotFoundError(NotFoundError):
    """No control list has the given slug."""


class VersionNotFoundError(NotFoundError):
    """No version matches the given label or date."""


class DuplicateSourceError(ExportctlError):
    """The same file and sheet was already imported into this list."""


class VersionExistsError(ExportctlError):
    """A version label is already taken in this list; versions are immutable."""


class MissingExtraError(ExportctlError):
    """An optional dependency is not installed."""


class RefusedError(ExportctlError):
    """A guard refused the input: it would silently give a wrong list (exit 1).

    The message says what looks wrong, with the numbers, and names the option
    that overrides the guard when the input is what the user meant.
    """

    exit_code = 1


class ListExistsError(ExportctlError):
    """``lists create`` named a slug that is taken."""


class StatusError(ExportctlError):
    """A version's status cannot change as asked (e.g. approving a withdrawn version)."""


class UserError(ExportctlError):
    """A web-view user cannot be added or changed as asked (name taken, bad password...)."""


class UserNotFoundError(NotFoundError):
    """No web-view user has the given name."""


class TamperedError(ExportctlError):
    """A list or version no longer matches what the audit chain recorded: it is not used."""
