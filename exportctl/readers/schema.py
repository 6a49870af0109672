"""What a reader looks for: canonical fields and the header spellings that name them.

Header mapping is data (STYLE rule 9): each schema holds one lookup table from a
*normalised* header spelling to a field. Matching is always on the whole
normalised header, never on a substring: the Korea Customs master has both
``HS부호`` (the code) and ``HS부호내용`` (a text column), and only the first is
the code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from exportctl.errors import InputError
from exportctl.i18n import _

# Parenthetical notes such as "(6단위)", "(HS 6단위)", "[10 digits]".
_PARENTHETICAL = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
# Markers people put on headers: "*HS코드", "※비고".
_MARKERS = re.compile(r"[*※]")
_SPACES = re.compile(r"\s+")


def normalise_header(text: str, *, keep_parenthetical: bool = False) -> str:
    """Fold a header spelling into the key used for lookup.

    NFKC (full-width letters and digits become ASCII), lower case, no spaces or
    line breaks, no ``*``/``※`` markers and, unless ``keep_parenthetical``, no
    parenthetical notes such as ``(6단위)``.

    Args:
        text: The header as written in the file.
        keep_parenthetical: Keep ``(...)`` parts, so ``description(en)`` can be
            told apart from ``description``.

    Returns:
        The lookup key; empty when nothing is left.
    """
    key = unicodedata.normalize("NFKC", text).lower()
    key = _MARKERS.sub("", key)
    if not keep_parenthetical:
        key = _PARENTHETICAL.sub("", key)
    return _SPACES.sub("", key)


def header_keys(text: str) -> tuple[str, ...]:
    """The lookup keys for a header, most specific first (with, then without notes)."""
    full = normalise_header(text, keep_parenthetical=True)
    bare = normalise_header(text)
    keys = [k for k in (full, bare) if k]
    return tuple(dict.fromkeys(keys))


def _table(spellings: Mapping[str, Sequence[str]]) -> Mapping[str, str]:
    """Build a normalised spelling -> field table, refusing a spelling given twice."""
    table: dict[str, str] = {}
    for name, words in spellings.items():
        for word in words:
            key = normalise_header(word, keep_parenthetical=True)
            if table.setdefault(key, name) != name:
                raise ValueError(f"header spelling {word!r} given for two fields")
    return MappingProxyType(table)


@dataclass(frozen=True)
class Schema:
    """The fields a reader maps a table onto.

    Attributes:
        name: ``"list"`` or ``"catalogue"``.
        fields: Canonical field names, in output order.
        required: Fields that must be found in the header.
        aliases: Normalised header spelling -> field (see ``normalise_header``).
    """

    name: str
    fields: tuple[str, ...]
    required: tuple[str, ...]
    aliases: Mapping[str, str] = field(repr=False)

    def lookup(self, header: str) -> str | None:
        """The field a header names, or ``None``."""
        for key in header_keys(header):
            found = self.aliases.get(key)
            if found is not None:
                return found
        return None


_CODE_SPELLINGS = (
    "hs코드",
    "hscode",
    "hs-code",
    "hs부호",
    "hsk부호",
    "hs번호",
    "hsno",
    "hsno.",
    "세번",
    "세번부호",
    "hsk",
    "hsk코드",
    "hs",
)

LIST_SCHEMA = Schema(
    name="list",
    fields=(
        "serial",
        "code",
        "description",
        "description_en",
        "category",
        "note",
        "control_numbers",
    ),
    required=("code", "description"),
    aliases=_table(
        {
            "serial": ("연번", "순번", "번호", "no", "no.", "일련번호"),
            "code": (*_CODE_SPELLINGS, "품목번호", "code"),
            "description": (
                "품목명",
                "한글품목명",
                "품명",
                "국문품목명",
                "품목명국문",
                "품목명(국문)",
                "품목명(한글)",
                "국문명",
                "한글명",
                "품목",
                "description",
            ),
            "description_en": (
                "영문품목명",
                "품목명영문",
                "품목명(영문)",
                "영문",
                "영문명",
                "english",
                "englishdescription",
                "description(en)",
                "description(english)",
            ),
            "category": ("구분", "분류", "category", "대분류", "품목군"),
            "note": ("비고", "remarks", "remark", "note", "notes", "참고"),
            # A regime's own spellings come with its profile (kr-annex-2-2: 관련 통제번호).
            "control_numbers": ("control_numbers", "control number", "control numbers"),
        }
    ),
)
"""A control list: one HS code per row with its descriptions and, when the list has
the column, the control numbers each entry falls under."""

CATALOGUE_SCHEMA = Schema(
    name="catalogue",
    fields=("sku", "description", "code", "classification", "cas"),
    required=("code",),
    aliases=_table(
        {
            "sku": (
                "sku",
                "품번",
                "제품코드",
                "자재코드",
                "productcode",
                "itemcode",
                "partnumber",
                "partno",
                "partno.",
            ),
            # The product-name headers of common ERP exports (SAP, Douzone, Oracle...).
            "description": (
                "제품명",
                "품명",
                "품목명",
                "자재명",
                "자재내역",
                "자재설명",
                "품목설명",
                "품목내역",
                "제품설명",
                "상품명",
                "Description",
                "Product name",
                "Product description",
                "Item name",
                "Item description",
                "Material name",
                "Material description",
            ),
            "code": _CODE_SPELLINGS,
            # The product's export-control classification (Annex 2 / ECCN number).
            "classification": (
                "전략물자 해당번호",
                "해당번호",
                "판정번호",
                "전략물자 판정번호",
                "통제번호",
                "ECCN",
                "Export control number",
                "Classification",
            ),
            # A chemical's CAS registry number, matched exactly against the list's.
            "cas": ("CAS", "CAS No", "CAS No.", "CAS번호", "CAS 번호", "CAS Number", "CAS RN"),
        }
    ),
)
"""A product catalogue to screen: SKU, description, HS code, and optionally the
product's export-control classification (checked against the control numbers list
entries refer to)."""


EXPORT_COLUMNS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "section": ("section", "Annex part", "별표 부분"),
        "section_title": ("section_title", "Annex part title", "별표 부분 제목"),
        "serial": ("serial", "No.", "연번"),
        "code": ("code", "HS code", "HS 코드"),
        "code_digits": ("code_digits", "HS code (digits)", "HS 코드 (숫자)"),
        "level": ("level", "Code digits", "코드 자릿수"),
        "ex": ("ex", "ex (part of heading)", "ex (일부 해당)"),
        "description": ("description", "Description", "품명"),
        "description_en": ("description_en", "Description (English)", "영문 품명"),
        "category": ("category", "Category", "분류"),
        "note": ("note", "Note", "비고"),
        "sub_items": ("sub_items", "Sub-items", "세부 항목"),
        "control_numbers": ("control_numbers", "Control numbers", "통제번호"),
        "mentioned_codes": ("mentioned_codes", "Codes mentioned", "언급된 코드"),
        "code_end": ("code_end", "Range end", "범위 끝 코드"),
        "attributes": ("attributes", "Attributes", "속성"),
        "original_code": ("original_code", "Code as written", "원래 표기 코드"),
        "source_version": ("source_version", "Source version", "원본 버전"),
        "source_file": ("source_file", "Source file", "원본 파일"),
        "source_sheet": ("source_sheet", "sheet", "Source sheet", "원본 시트"),
        "source_row": ("source_row", "row", "Source row", "원본 행"),
    }
)
"""The columns of exportctl's own exports (``export`` and ``show --csv``) and their
headers in every spelling written: the machine name (``plain`` CSV) and the English and
Korean words (XLSX, ``excel`` CSV). They must stay the words of
the catalogue's ``column.*`` keys (:mod:`exportctl.i18n`); a test holds them together."""

EXPORT_REPEATS: Mapping[str, str] = MappingProxyType(
    {
        "code_digits": "code",
        "level": "code",
        "original_code": "code",
        "mentioned_codes": "description",
        "source_version": "provenance",
        "source_file": "provenance",
        "source_sheet": "provenance",
        "source_row": "provenance",
    }
)
"""Export columns that only repeat another (the code's digits and length, the codes a
description names) or say where the entry was read before (provenance): an export read
back takes its entries from the other columns, and these claim no field."""

EXPORT_MARKS = frozenset({"section", "code", "code_digits", "ex", "description", "sub_items"})
"""Columns that together tell a table is an export of exportctl's: ``code`` and
``code_digits`` side by side would otherwise both claim the code."""

_EXPORT_TABLE = _table(EXPORT_COLUMNS)


def export_columns(headers: Sequence[str | None]) -> dict[int, str] | None:
    """The export column each header names (by 0-based index), when ``headers`` is the
    header of an export of exportctl's; else ``None``.

    Every non-empty header must be an export column (see :data:`EXPORT_COLUMNS`), none
    named twice, and the columns of :data:`EXPORT_MARKS` all present: a list of another
    source that happens to share a few words is read the usual way.
    """
    found: dict[int, str] = {}
    for index, header in enumerate(headers):
        if header is None or not header.strip():
            continue
        name = _EXPORT_TABLE.get(normalise_header(header, keep_parenthetical=True))
        if name is None or name in found.values():
            return None
        found[index] = name
    return found if EXPORT_MARKS <= set(found.values()) else None


def extend_schema(
    base: Schema, spellings: Mapping[str, Sequence[str]], extra_fields: Sequence[str] = ()
) -> Schema:
    """``base`` with more header spellings and more fields (a list profile's).

    Args:
        base: The schema extended (``LIST_SCHEMA``).
        spellings: Field -> more header spellings; a spelling ``base`` gives another
            field is taken from it (the profile knows its files better).
        extra_fields: Fields added after ``base``'s (attribute columns), never required.

    Raises:
        ValueError: A spelling given for two of the new fields, or one for a field
            that is neither ``base``'s nor among ``extra_fields``.
    """
    fields = (*base.fields, *(name for name in extra_fields if name not in base.fields))
    unknown = [name for name in spellings if name not in fields]
    if unknown:
        raise ValueError(f"header spellings for unknown field {unknown[0]!r}")
    added = _table(spellings)
    return Schema(
        name=base.name,
        fields=fields,
        required=base.required,
        aliases=MappingProxyType({**base.aliases, **added}),
    )


def parse_overrides(specs: Sequence[str], schema: Schema) -> dict[str, str]:
    """Parse ``--column FIELD=HEADER`` strings into a field -> header mapping.

    Args:
        specs: Strings such as ``"code=품목코드"``.
        schema: The schema whose fields may be named.

    Returns:
        Field -> header text as the user wrote it.

    Raises:
        InputError: On a string without ``=``, an empty side, an unknown field
            or a field given twice.
    """
    valid = ", ".join(schema.fields)
    result: dict[str, str] = {}
    for spec in specs:
        name, sep, header = spec.partition("=")
        name, header = name.strip(), header.strip()
        if not sep or not name or not header:
            raise InputError(
                _('--column "{spec}" is not FIELD=HEADER (fields: {fields})').format(
                    spec=spec, fields=valid
                )
            )
        if name not in schema.fields:
            raise InputError(
                _('--column "{spec}": unknown field "{name}" (fields: {fields})').format(
                    spec=spec, name=name, fields=valid
                )
            )
        if name in result:
            raise InputError(_('--column names field "{name}" twice').format(name=name))
        result[name] = header
    return result
