from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.sqlite
def test_sqlite_runs_in_wal_with_foreign_keys_busy_timeout_and_immediate_transactions(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-specific settings; this run is on " + connection.vendor)
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cursor.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] == settings.DB_BUSY_TIMEOUT * 1000
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.postgresql
def test_postgresql_sessions_have_statement_and_lock_timeouts(db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-specific settings; this run is on " + connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == f"{settings.DB_BUSY_TIMEOUT}s"
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == f"{settings.DB_BUSY_TIMEOUT}s"
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 150000


def test_system_checks_pass(db):
    from django.core.management import call_command

    call_command("check", fail_level="WARNING")
