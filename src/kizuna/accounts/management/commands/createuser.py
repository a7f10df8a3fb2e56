"""``kizuna createuser``: add a user, or the first administrator once (``--admin-once``, used by make run)."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kizuna.accounts import services
from kizuna.core.errors import KizunaError
from kizuna.core.permissions import Role


class Command(BaseCommand):
    help = (
        "Create a user. With --admin-once, create the administrator 'admin' only if no administrator exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?")
        parser.add_argument("--role", choices=Role.values, default=Role.SALES)
        parser.add_argument("--team", default="", help="team name (created if missing)")
        parser.add_argument("--password", default="", help="default: a generated one, printed once")
        parser.add_argument("--admin-once", action="store_true")

    def handle(
        self,
        *args: Any,
        username: str | None,
        role: str,
        team: str,
        password: str,
        admin_once: bool,
        **options: Any,
    ) -> None:
        if admin_once:
            if services.administrator_exists():
                self.stdout.write(
                    "An administrator already exists; sign in with it (kizuna changepassword NAME to reset)."
                )
                return
            username, role = username or "admin", Role.ADMINISTRATOR
        if not username:
            raise CommandError("give a user name, or --admin-once")
        password = password or secrets.token_urlsafe(12)
        try:
            user = services.user_create(
                username=username, password=password, role=role, team_name=team, via="cli"
            )
        except KizunaError as exc:
            raise CommandError(f"{exc.code}: {exc.cause()} {exc.remedy()}") from exc
        self.stdout.write(self.style.SUCCESS(f"User created: {user.username} ({user.get_role_display()})"))
        self.stdout.write(f"  password: {password}   (shown once — store it now)")
