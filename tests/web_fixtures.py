"""The web view tests' databases, as fixtures (loaded by ``pytest_plugins`` in each web
test module, so the session builds each database once for all of them)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_helpers import build_web_db, copy_db

from exportctl.api import users

PRODUCTION_HASHER = users._hasher
"""The hasher exportctl uses, before the tests swap in a quick one."""

_TEMPLATES: dict[bool, Path] = {}
"""The databases built this session, with and without users (shared by the modules)."""


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashes() -> Iterator[None]:
    """Passwords hashed with Argon2id at its smallest cost while the tests run: at the
    production parameters each hash and each check costs a tenth of a second, hundreds of
    times over, and the tests check what is done with a hash, not what it costs."""
    from argon2 import PasswordHasher

    with pytest.MonkeyPatch.context() as monkeypatch:
        users._decoy.cache_clear()
        quick = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        monkeypatch.setattr(users, "_hasher", functools.cache(lambda: quick))
        yield
        users._decoy.cache_clear()


def _template(factory: pytest.TempPathFactory, users: bool) -> Path:
    if users not in _TEMPLATES:
        _TEMPLATES[users] = build_web_db(factory.mktemp("web"), users=users)
    return _TEMPLATES[users]


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test database, built once for the session."""
    return _template(tmp_path_factory, True)


@pytest.fixture
def db(template_db: Path, tmp_path: Path) -> str:
    """A copy of the test database for one test."""
    return copy_db(template_db, tmp_path)


@pytest.fixture
def token_db(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> str:
    """A copy of the test database without users (the token admits)."""
    return copy_db(_template(tmp_path_factory, False), tmp_path)
