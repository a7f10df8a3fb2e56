from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kizuna.accounts.models import User
from kizuna.core.models import AuditEntry


def _run(*args: str) -> str:
    out = StringIO()
    call_command("createuser", *args, stdout=out)
    return out.getvalue()


def test_admin_once_creates_an_administrator_and_prints_the_password_once(transactional_db):
    # No surrounding transaction, as under `make run`: the command's service must open its own.
    out = _run("--admin-once")
    password = re.search(r"password: (\S+)", out).group(1)
    admin = User.objects.get(username="admin")
    assert (admin.role, admin.is_superuser, admin.is_staff) == ("administrator", True, True)
    assert admin.check_password(password)
    again = _run("--admin-once")
    assert "already exists" in again and "password:" not in again
    assert User.objects.count() == 1


def test_createuser_with_team_and_role_is_audited_without_the_password(db):
    _run("hanako", "--role", "support", "--team", "カスタマーサポート", "--password", "s3cure-Passw0rd!")
    user = User.objects.get(username="hanako")
    assert (user.role, user.team.name, user.is_staff) == ("support", "カスタマーサポート", False)
    entry = AuditEntry.objects.get(object_type="accounts.user")
    assert (entry.via, entry.action) == ("cli", "create")
    assert "password" not in entry.changes
    assert "s3cure" not in str(entry.changes)


def test_weak_password_is_refused_with_a_coded_error(db):
    with pytest.raises(CommandError, match="KZ-VAL-004"):
        _run("jiro", "--password", "12345")
    assert not User.objects.filter(username="jiro").exists()


def test_duplicate_username_is_a_coded_conflict(db):
    _run("taro", "--password", "s3cure-Passw0rd!")
    with pytest.raises(CommandError, match="KZ-VAL-002"):
        _run("taro", "--password", "s3cure-Passw0rd!")
