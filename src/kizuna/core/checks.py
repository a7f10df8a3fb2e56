"""System checks with stable ids; ``kizuna doctor`` (ops issue) shows them too."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.database, deploy=False)
def check_sqlite_pragmas(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    db: dict[str, Any] = settings.DATABASES["default"]
    if not str(db["ENGINE"]).endswith("sqlite3"):
        return []
    options: dict[str, Any] = db.get("OPTIONS", {})
    problems: list[checks.CheckMessage] = []
    if options.get("transaction_mode") != "IMMEDIATE":
        problems.append(
            checks.Error(
                "SQLite must use transaction_mode IMMEDIATE, or concurrent writers fail with 'database is locked'.",
                hint="Do not override DATABASES['default']['OPTIONS'] for SQLite.",
                id="kizuna.core.E001",
            )
        )
    if "journal_mode=WAL" not in str(options.get("init_command", "")):
        problems.append(
            checks.Error(
                "SQLite must run in WAL mode so readers never block the writer.",
                hint="Keep PRAGMA journal_mode=WAL in the init_command.",
                id="kizuna.core.E002",
            )
        )
    return problems
