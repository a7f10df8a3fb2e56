"""Shared fixtures: personas for access tests (an administrator, two sales users in one team, an outsider)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation


def pytest_configure(config: Any) -> None:
    from django.conf import settings

    # Real hashing costs ~0.3 s a user; tests create hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_texts() -> Any:
    # Tests assert English texts unless they switch language themselves.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    # Cached figures (the dashboard's) must not leak from one test into the next: SQLite hands out
    # the ids of rolled-back rows again, so a cache key could match another test's data.
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def team_a(db: Any) -> Any:
    from kizuna.accounts.models import Team

    return Team.objects.create(name="東京営業部")


@pytest.fixture
def team_b(db: Any) -> Any:
    from kizuna.accounts.models import Team

    return Team.objects.create(name="大阪営業部")


def _user(username: str, **extra: Any) -> Any:
    from kizuna.accounts.models import User

    return User.objects.create_user(username=username, password="correct-horse-battery", **extra)


@pytest.fixture
def admin_user(db: Any) -> Any:
    return _user("admin", role="administrator")


@pytest.fixture
def alice(team_a: Any) -> Any:
    """A sales user in team A: owner of most records in tests."""
    return _user("alice", role="sales", team=team_a)


@pytest.fixture
def bob(team_a: Any) -> Any:
    """Alice's teammate."""
    return _user("bob", role="sales", team=team_a)


@pytest.fixture
def charlie(team_b: Any) -> Any:
    """A sales user in another team: must never see or change team A's records."""
    return _user("charlie", role="sales", team=team_b)


@pytest.fixture
def reader(team_a: Any) -> Any:
    return _user("reader", role="read_only", team=team_a)


@pytest.fixture
def pipeline(admin_user: Any) -> Any:
    from kizuna.sales.services import pipeline_create

    return pipeline_create(
        actor=admin_user,
        name="新規営業",
        is_default=True,
        stages=[
            {"name": "リード", "probability": 10},
            {"name": "提案", "probability": 40},
            {"name": "交渉", "probability": 70},
            {"name": "受注", "probability": 100, "is_won": True},
            {"name": "失注", "probability": 0, "is_lost": True},
        ],
    )
