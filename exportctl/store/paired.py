"""Two stored versions compared in the database: their entries joined on their identity.

:class:`PairedVersions` is what :func:`exportctl.diff.compare_joined` reads. The
database pairs each entry of the old version with the entry of the new one that has
the same identity (:data:`exportctl.identity.CODE_KEY`: part and code, the old
version's parts in the new one's numbering) and hands over, a row at a time, only
what may have changed: pairs that differ on a compared column, entries on one side
only, and entries without a code, which Python keys by their description. Pairs equal
on every compared column never leave the database, so two versions of a million
entries a few percent apart cost a few percent of their rows in Python.

The full outer join is written as two left outer joins (the old side with its
partners, then the new entries without one), which SQLite runs before 3.39 too and
which it can answer from an index on (version, part, code) or, without one, from an
automatic index it builds for the statement. The rows are streamed from the cursor.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import replace
from typing import Any

from sqlalchemy import (
    ARRAY,
    Connection,
    Table,
    Text,
    and_,
    any_,
    bindparam,
    case,
    func,
    inspect,
    null,
    or_,
    select,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from exportctl.identity import CODE_KEY, NO_CODE, part_number
from exportctl.models import Item, ItemRecord, Version
from exportctl.store.items import RECORD_COLUMNS, _records, load_items
from exportctl.store.session import _streamed_rows

__all__ = ["Leftover", "PairedVersions"]

YIELD_PER = 1000
"""Rows fetched at a time from the joins (on PostgreSQL, with libpq 17 or later)."""

ITEM: Table = Item.__table__  # type: ignore[attr-defined]

Leftover = tuple[int | None, ItemRecord | None, int | None, ItemRecord | None]
"""``(old position, old entry, new position, new entry)``: a pair that may differ, or
an entry on one side (``None`` on the other)."""


def _has_code(table: Any) -> ColumnElement[bool]:
    """SQL for :func:`exportctl.identity.has_code` on ``table``'s code."""
    code = table.c.code
    return and_(code.is_not(None), *(code != value for value in NO_CODE if value is not None))


def _renumbered(column: Any, numbers: Mapping[int, int]) -> Any:
    """``column`` mapped through ``numbers`` (values not among them kept)."""
    if all(before == after for before, after in numbers.items()):
        return column
    return case(numbers, value=column, else_=column)


class PairedVersions:
    """Two stored versions read through joins on the identity of their entries.

    Args:
        session: The session to read through (one transaction for every statement).
        old: The old version.
        new: The new version.
        parts: :func:`exportctl.identity.pair_parts` of the two: the old version's parts
            are read in the new one's numbering (:func:`exportctl.identity.part_number`).

    Example:
        >>> paired = PairedVersions(session, old_version, new_version, {1: 2})
        >>> changes = exportctl.diff.compare_joined(paired)
    """

    def __init__(
        self, session: Session, old: Version, new: Version, parts: Mapping[int, int] | None = None
    ) -> None:
        self.session = session
        self.old = old
        self.new = new
        self.parts = dict(parts or {})
        self._numbers: tuple[dict[int, int], dict[int, int]] | None = {}, {}
        self._numbered = False

    @property
    def _conn(self) -> Connection:
        return self.session.connection()

    def sizes(self) -> tuple[int, int]:
        """The number of entries in the old and in the new version."""
        counts = dict.fromkeys((self.old.id, self.new.id), 0)
        query = (
            select(ITEM.c.version_id, func.count())
            .where(ITEM.c.version_id.in_(list(counts)))
            .group_by(ITEM.c.version_id)
        )
        for version_id, count in self._conn.execute(query):
            counts[version_id] = count
        return counts[self.old.id], counts[self.new.id]

    def keys_repeat(self) -> bool:
        """Whether two entries of the old version may share a key.

        True when a part and code repeat within the old version (a file may list two
        ranges from the same first code), or when two of its parts take the same number
        in the new one's numbering. The new version is not asked: a key it repeats is
        either on its side only, and then every copy is handed over by :meth:`differing`,
        or paired, and then the old entry is in every pair of that key, so that the pairs
        left out and the entries handed over no longer add up to the versions' sizes.
        """
        if self._numbering() is None:
            return True
        query = (
            select(ITEM.c.section)
            .where(ITEM.c.version_id == self.old.id, _has_code(ITEM))
            .group_by(*(ITEM.c[name] for name in CODE_KEY))
            .having(func.count() > 1)
            .limit(1)
        )
        return self._conn.execute(query).first() is not None

    def _numbering(self) -> tuple[dict[int, int], dict[int, int]] | None:
        """Old part numbers to new and back, over the old version's parts; None when two
        of them take the same number. Empty when no part changes its number."""
        moved = any(part_number(before, self.parts) != before for before in self.parts)
        if moved and not self._numbered:
            query = select(ITEM.c.section).where(ITEM.c.version_id == self.old.id)
            present = self._conn.execute(query.distinct()).scalars().all()
            forward = {number: part_number(number, self.parts) for number in present}
            backward = {after: before for before, after in forward.items()}
            self._numbers = (forward, backward) if len(backward) == len(forward) else None
            self._numbered = True
        return self._numbers

    def _plain_probe(self) -> bool:
        """Whether the database finds a version's entry by part and code unaided.

        SQLite, without statistics, takes one version for ten rows and would scan the
        probed version once per entry of the other; unless an index leads with the
        version and the key, the join hides the version from its indexes so that it
        builds an automatic index on the key instead.
        """
        if self._conn.dialect.name != "sqlite":
            return True
        wanted = ["version_id", *CODE_KEY]
        return any(
            index["column_names"][: len(wanted)] == wanted
            for index in inspect(self._conn).get_indexes(ITEM.name)
        )

    def differing(self, columns: Sequence[str]) -> Iterator[Leftover]:
        """What may have changed, streamed: see :data:`Leftover`.

        The entries that do not come are in pairs equal on every one of ``columns``;
        entries without a code all come, unpaired. Each entry comes once, but an old
        one whose key the new version repeats comes with each of its partners.

        Args:
            columns: Item columns compared (the chosen fields, the serial among them).

        Raises:
            ValueError: A name is not an item column, or two parts of the old version
                take the same number (:meth:`keys_repeat` is True).
        """
        unknown = [name for name in columns if name not in RECORD_COLUMNS]
        if unknown or not columns:
            raise ValueError(f"not item columns: {unknown or 'none given'}")
        numbering = self._numbering()
        if numbering is None:
            raise ValueError("two parts of the old version take the same number")
        forward, backward = numbering
        plain = self._plain_probe()
        old, new = ITEM.alias("o"), ITEM.alias("n")
        wide = len(RECORD_COLUMNS) + 1
        for row in _streamed(self._conn, self._old_side(old, new, columns, forward, plain)):
            entry = _entry(row[:wide])
            partner = _entry(row[wide:]) if row[wide] is not None else None
            yield row[0], entry, row[wide], partner
        for row in _streamed(self._conn, self._new_side(old, new, backward, plain)):
            yield None, None, row[0], _entry(row)

    def _old_side(
        self,
        old: Any,
        new: Any,
        columns: Sequence[str],
        forward: Mapping[int, int],
        plain: bool,
    ) -> Any:
        """Each old entry with its new partner when it has one and they differ; each old
        entry without one (with or without a code)."""
        key = {name: old.c[name] for name in CODE_KEY}
        key["section"] = _renumbered(old.c.section, forward)
        partner = and_(
            _in_version(new, self.new.id, plain),
            _has_code(old),
            *(new.c[name] == key[name] for name in CODE_KEY),
        )
        differs = or_(*(old.c[name].is_distinct_from(new.c[name]) for name in columns))
        shown = [key["section"] if name == "section" else old.c[name] for name in RECORD_COLUMNS]
        return (
            select(old.c.position, *shown, new.c.position, *(new.c[n] for n in RECORD_COLUMNS))
            .select_from(old.outerjoin(new, partner))
            .where(_in_version(old, self.old.id, plain), or_(new.c.id.is_(None), differs))
        )

    def _new_side(self, old: Any, new: Any, backward: Mapping[int, int], plain: bool) -> Any:
        """Each new entry without an old partner (with or without a code)."""
        key = {name: new.c[name] for name in CODE_KEY}
        if backward:
            # The old part that takes this new part's number; none for the others.
            key["section"] = case(backward, value=new.c.section, else_=null())
        partner = and_(
            _in_version(old, self.old.id, plain),
            _has_code(new),
            *(old.c[name] == key[name] for name in CODE_KEY),
        )
        return (
            select(new.c.position, *(new.c[name] for name in RECORD_COLUMNS))
            .select_from(new.outerjoin(old, partner))
            .where(_in_version(new, self.new.id, plain), old.c.id.is_(None))
        )

    def description_counts(self, names: AbstractSet[str]) -> tuple[Counter[str], Counter[str]]:
        """How often each of ``names`` is an entry's description in the old and the new version."""
        counts: dict[int | None, Counter[str]] = {self.old.id: Counter(), self.new.id: Counter()}
        if names:
            description = ITEM.c.description
            query = (
                select(ITEM.c.version_id, description, func.count())
                .where(
                    ITEM.c.version_id.in_(list(counts)),
                    _one_of(self._conn.dialect.name, description, sorted(names)),
                )
                .group_by(ITEM.c.version_id, description)
            )
            for version_id, name, count in self._conn.execute(query):
                counts[version_id][name] = count
        return counts[self.old.id], counts[self.new.id]

    def whole(self) -> tuple[list[ItemRecord], list[ItemRecord]]:
        """Every entry of both versions in stored order, the old in the new one's numbering."""
        old = [
            replace(item, section=part_number(item.section, self.parts))
            if item.section in self.parts
            else item
            for item in load_items(self.session, self.old)
        ]
        return old, load_items(self.session, self.new)


def _streamed(conn: Connection, statement: Any) -> Iterator[Sequence[Any]]:
    """The rows of ``statement`` as the database produces them, a chunk at a time."""
    if conn.dialect.driver == "psycopg":
        compiled = statement.compile(dialect=conn.dialect)
        yield from _streamed_rows(conn, str(compiled), compiled.params, YIELD_PER)
        return
    yield from conn.execute(statement, execution_options={"yield_per": YIELD_PER})


def _entry(values: Sequence[Any]) -> ItemRecord:
    """An entry from its position and :data:`RECORD_COLUMNS` values."""
    return _records([values[1:]])[0]


def _in_version(table: Any, version_id: int | None, plain: bool) -> ColumnElement[bool]:
    # "+ 0" keeps SQLite from using an index on version_id alone (PairedVersions._plain_probe).
    column: ColumnElement[int] = table.c.version_id
    return (column if plain else column + 0) == version_id


def _one_of(dialect: str, column: Any, values: list[str]) -> ColumnElement[bool]:
    """``column`` is one of ``values``, as one parameter however many values there are."""
    if dialect == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(Text)))  # type: ignore[no-any-return]
    if dialect == "sqlite":
        listed = func.json_each(json.dumps(values, ensure_ascii=False)).table_valued("value")
        return column.in_(select(listed.c.value))  # type: ignore[no-any-return]
    return column.in_(values)  # type: ignore[no-any-return]
