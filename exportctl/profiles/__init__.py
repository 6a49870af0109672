"""Regime profiles: how one regime writes its goods list, as data.

A profile is a TOML file: the extra header spellings its files use, the code
levels it writes (and whether it writes ranges), what counts as an entry for the
notice's totals, whether the code or the description controls, and the
per-entry attribute columns it adds (CHPL ``tier``, US ``price_threshold``).
The built-in profiles live next to this module (``kr-annex-2-2``, ``eu-833``,
``us-746``, ``chpl``); a user adds one as ``NAME.toml`` in a profile folder
(``EXPORTCTL_PROFILES``, else ``profiles`` in the user data folder), or hands a
file to ``lists create --profile-file PATH``, which copies it there.

A list names its profile (``control_list.profile``); a list without one follows
:data:`DEFAULT_PROFILE`. Imports into the list read its files with the profile's
headers and attributes (:meth:`Profile.schema`), and screening against it turns
a code hit into ``review`` when the description controls (:attr:`Profile.reason`).

Example:
    >>> chpl = load_profile("chpl")
    >>> chpl.attribute_names, chpl.code_levels
    (('tier',), (6,))
    >>> load_profile("us-746").controls
    'description'
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from exportctl.errors import InputError
from exportctl.i18n import _
from exportctl.inputs import read_capped
from exportctl.limits import DEFAULTS, Limits
from exportctl.readers.schema import LIST_SCHEMA, Schema, extend_schema

__all__ = [
    "DEFAULT_PROFILE",
    "ENV_PROFILES",
    "Attribute",
    "Profile",
    "builtin_names",
    "default_folders",
    "install_profile",
    "load_profile",
    "profile_folder",
    "read_profile",
]

DEFAULT_PROFILE = "kr-annex-2-2"
"""The profile of a list that names none."""

ENV_PROFILES = "EXPORTCTL_PROFILES"
"""Environment variable naming the folder of user profiles."""

_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
_ATTRIBUTE = re.compile(r"[a-z][a-z0-9_]{0,39}")
Controls = Literal["code", "description"]


class _AttributeFile(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    label: str = ""
    """How people name the attribute (``Tier``)."""
    headers: list[str]
    """Header spellings of its column."""
    values: list[str] = []
    """The values it may take, when the regime fixes them (empty: any)."""


class _CountingFile(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    entries: Literal["entries", "coded"] = "entries"
    """What the notice's totals count: every entry (sub-items are never entries), or
    only entries with an HS code (entries defined by name are then left out)."""


class _ProfileFile(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str
    """The profile's name, as ``lists create --profile`` gives it."""
    title: str = ""
    """One line for people."""
    jurisdiction: str | None = None
    """Country or bloc of the regime."""
    authority: str | None = None
    """Who publishes the list."""
    hs_edition: str | None = None
    """HS edition the regime's codes are written in, recorded on versions (``HS2022``)."""
    nomenclature: str = "HS"
    """The tariff nomenclature of its codes past HS-6 (``HSK``, ``CN``, ``HTS``); codes
    of two nomenclatures agree only up to HS-6 (:mod:`exportctl.hscode.coverage`)."""
    code_levels: list[int] = [2, 4, 6, 8, 10]
    """Digit counts the regime writes entries at."""
    ranges: bool = False
    """Whether the regime writes ranges (``8471 30 – 8471 50``)."""
    controls: Controls = "code"
    """``code``: a code hit is a determination; ``description``: evidence to review."""
    controls_reason: str = ""
    """Why a code hit is only reviewed, in words (needed with ``controls = "description"``)."""
    counting: _CountingFile = _CountingFile()
    """What counts toward the declared totals."""
    headers: dict[str, list[str]] = {}
    """Extra header spellings per list field (``code``, ``description``, ...)."""
    attributes: dict[str, _AttributeFile] = {}
    """Per-entry attribute columns, by attribute name."""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.fullmatch(value):
            raise ValueError(
                _(
                    '{name} cannot be a profile name: use lower-case letters, digits, "-", "_" '
                    'or "."'
                ).format(name=repr(value))
            )
        return value

    @field_validator("code_levels")
    @classmethod
    def _levels(cls, value: list[int]) -> list[int]:
        wrong = [level for level in value if level not in (2, 4, 6, 8, 10)]
        if wrong or not value:
            raise ValueError(
                _("code levels are among 2, 4, 6, 8 and 10, not {value}").format(
                    value=repr(wrong or value)
                )
            )
        return sorted(set(value))

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = [name for name in value if name not in LIST_SCHEMA.fields]
        if unknown:
            raise ValueError(
                _(
                    "headers for unknown field {field} (fields: {fields}; attributes go under "
                    "[attributes])"
                ).format(field=repr(unknown[0]), fields=", ".join(LIST_SCHEMA.fields))
            )
        return value

    @field_validator("attributes")
    @classmethod
    def _attributes(cls, value: dict[str, _AttributeFile]) -> dict[str, _AttributeFile]:
        for name, attribute in value.items():
            if not _ATTRIBUTE.fullmatch(name) or name in LIST_SCHEMA.fields:
                raise ValueError(
                    _(
                        "{name} cannot be an attribute name: use lower-case letters, digits and "
                        "_, and none of the list's own fields"
                    ).format(name=repr(name))
                )
            if not attribute.headers:
                raise ValueError(
                    _("attribute {name} needs at least one header spelling").format(name=repr(name))
                )
        return value

    @model_validator(mode="after")
    def _reason(self) -> _ProfileFile:
        if self.controls == "description" and not self.controls_reason:
            raise ValueError(_('controls = "description" needs controls_reason: why, in words'))
        return self


@dataclass(frozen=True, slots=True)
class Attribute:
    """A per-entry attribute column a profile adds."""

    name: str
    """Key in ``ItemRecord.attributes`` (``tier``)."""
    label: str
    """How people name it (``Tier``)."""
    headers: tuple[str, ...]
    """Header spellings of its column."""
    values: tuple[str, ...] = ()
    """The values it may take (empty: any)."""


@dataclass(frozen=True)
class Profile:
    """A regime profile, read and checked from its TOML file."""

    name: str
    """Its name (``eu-833``)."""
    title: str
    """One line for people."""
    jurisdiction: str | None
    """Country or bloc of the regime."""
    authority: str | None
    """Who publishes the list."""
    hs_edition: str | None
    """HS edition recorded on versions imported under it, unless ``--hs-edition``."""
    nomenclature: str
    """Tariff nomenclature of its codes past HS-6 (``HSK``, ``CN``, ``HTS``)."""
    code_levels: tuple[int, ...]
    """Digit counts the regime writes entries at."""
    ranges: bool
    """Whether it writes ranges."""
    controls: Controls
    """``code`` or ``description``: what decides whether goods are covered."""
    controls_reason: str
    """Why a code hit is only reviewed (``controls = "description"``)."""
    counting: Literal["entries", "coded"]
    """What the notice's totals count."""
    headers: Mapping[str, tuple[str, ...]]
    """Extra header spellings per list field."""
    attributes: tuple[Attribute, ...]
    """Per-entry attribute columns."""
    source: str
    """``built-in`` or the file it was read from."""
    text: str = field(default="", repr=False)
    """The TOML text, as read."""

    @property
    def attribute_names(self) -> tuple[str, ...]:
        """The attributes' names, in file order."""
        return tuple(attribute.name for attribute in self.attributes)

    @property
    def reason(self) -> str | None:
        """Why a code hit is ``review`` under this profile, or None when the code controls."""
        return self.controls_reason if self.controls == "description" else None

    def schema(self) -> Schema:
        """The list schema with this profile's header spellings and attribute columns."""
        return _schema(self)

    def to_json(self) -> dict[str, object]:
        """The profile as ``lists --json`` and ``show --json`` name it."""
        return {
            "name": self.name,
            "title": self.title,
            "controls": self.controls,
            "hs_edition": self.hs_edition,
            "attributes": list(self.attribute_names),
            "source": self.source,
        }


def _schema(profile: Profile) -> Schema:
    extra: dict[str, list[str]] = {name: list(words) for name, words in profile.headers.items()}
    for attribute in profile.attributes:
        extra[attribute.name] = [attribute.name, *attribute.headers]
    return extend_schema(LIST_SCHEMA, extra, profile.attribute_names)


def _build(data: Mapping[str, object], source: str, text: str, file: str) -> Profile:
    try:
        parsed = _ProfileFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise InputError(
            _("is not a usable profile: {problem}").format(
                problem=f"{where}: {message}" if where else message
            ),
            file=file,
        ) from exc
    return Profile(
        name=parsed.name,
        title=parsed.title,
        jurisdiction=parsed.jurisdiction,
        authority=parsed.authority,
        hs_edition=parsed.hs_edition,
        nomenclature=parsed.nomenclature,
        code_levels=tuple(parsed.code_levels),
        ranges=parsed.ranges,
        controls=parsed.controls,
        controls_reason=" ".join(parsed.controls_reason.split()),
        counting=parsed.counting.entries,
        headers={name: tuple(words) for name, words in parsed.headers.items()},
        attributes=tuple(
            Attribute(name, a.label or name, tuple(a.headers), tuple(a.values))
            for name, a in parsed.attributes.items()
        ),
        source=source,
        text=text,
    )


def _parse(text: str, source: str, file: str) -> Profile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(_("is not valid TOML: {reason}").format(reason=exc), file=file) from exc
    return _build(data, source, text, file)


def builtin_names() -> tuple[str, ...]:
    """The names of the profiles shipped with exportctl."""
    folder = resources.files(__name__)
    return tuple(
        sorted(
            entry.name.removesuffix(".toml")
            for entry in folder.iterdir()
            if entry.name.endswith(".toml")
        )
    )


@functools.lru_cache(maxsize=16)
def _builtin(name: str) -> Profile:
    text = resources.files(__name__).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return _parse(text, "built-in", f"{name}.toml")


def _profile_text(path: Path, limits: Limits) -> str:
    """A profile file's text, opened as every input is (a regular file, within
    ``max_settings_bytes``).

    Raises:
        InputError: Not a regular file, too large, unreadable or not UTF-8.
    """
    data = read_capped(path, "max_settings_bytes", limits)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            _("cannot be read as a profile: {reason}").format(reason=exc), file=path.name
        ) from exc


def read_profile(path: Path, limits: Limits = DEFAULTS) -> Profile:
    """Read and check a profile file.

    Raises:
        InputError: The file is missing, not a regular file, too large, not TOML,
            or not a usable profile (unknown key, field or level; description
            control without its reason).
    """
    text = _profile_text(path, limits)
    profile = _parse(text, str(path), path.name)
    if profile.name != path.stem:
        raise InputError(
            _('names the profile "{name}"; save it as {name}.toml').format(name=profile.name),
            file=path.name,
        )
    return profile


def load_profile(name: str | None, folders: Sequence[Path] = ()) -> Profile:
    """The profile called ``name`` (:data:`DEFAULT_PROFILE` when None).

    Built-in profiles first, then ``NAME.toml`` in each of ``folders``.

    Raises:
        InputError: No profile has that name (the message lists those known), or
            its file is not a usable profile.
    """
    name = name or DEFAULT_PROFILE
    if name in builtin_names():
        return _builtin(name)
    for folder in folders:
        candidate = folder / f"{name}.toml"
        if candidate.is_file():
            return read_profile(candidate)
    known = [*builtin_names(), *_user_names(folders)]
    raise InputError(
        _('no profile "{name}"; known profiles: {known} (add one with --profile-file PATH)').format(
            name=name, known=", ".join(known)
        )
    )


def _user_names(folders: Sequence[Path]) -> list[str]:
    names: list[str] = []
    for folder in folders:
        if folder.is_dir():
            names += sorted(path.stem for path in folder.glob("*.toml"))
    return names


def install_profile(path: Path, folder: Path, limits: Limits = DEFAULTS) -> Profile:
    """Check a profile file and copy it into the user profile folder as ``NAME.toml``.

    Args:
        path: The file the user wrote.
        folder: The user profile folder (created when missing).
        limits: The caps the file is read under (``max_settings_bytes``).

    Returns:
        The profile, as later loads will read it.

    Raises:
        InputError: The file is not a usable profile, takes a built-in profile's
            name, or a different file of that name is already installed.
    """
    text = _profile_text(path, limits)
    profile = _parse(text, str(path), path.name)
    if profile.name in builtin_names():
        raise InputError(
            _('names the built-in profile "{name}"; give yours another name').format(
                name=profile.name
            ),
            file=path.name,
        )
    target = folder / f"{profile.name}.toml"
    if target.exists() and _profile_text(target, limits) != text:
        raise InputError(
            _(
                'a different profile "{name}" is already installed at {target}; rename yours or '
                "remove that file"
            ).format(name=profile.name, target=target),
            file=path.name,
        )
    if not target.exists():
        folder.mkdir(parents=True, exist_ok=True)
        # The text checked is what is kept: the file named may change meanwhile.
        target.write_text(text, encoding="utf-8")
    return read_profile(target, limits)


def default_folders() -> tuple[Path, ...]:
    """The user profile folder as the environment and platform give it (API callers that
    were handed no folders, as ``current_actor`` resolves the actor)."""
    import os

    from exportctl.config import default_data_dir

    return (profile_folder(os.environ, default_data_dir()),)


def profile_folder(environ: Mapping[str, str], data_dir: Path) -> Path:
    """Where user profiles are kept: ``EXPORTCTL_PROFILES``, else ``DATA_DIR/profiles``.

    For the CLI; library callers pass folders explicitly.
    """
    given = environ.get(ENV_PROFILES, "").strip()
    return Path(given).expanduser() if given else data_dir / "profiles"
