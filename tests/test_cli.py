"""The ``kizuna`` console script: its own help, every Kizuna command's --help, Django's commands behind it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kizuna.cli import KIZUNA_COMMANDS

# Options each command's help must mention: the ones the README and `make run` rely on.
EXPECTED_OPTIONS = {
    "serve": ("--host", "--port", "--workers", "--no-worker"),
    "worker": ("--queue-name", "--batch", "--max-tasks", "--format"),
    "migrate": ("--no-input",),
    "demo": ("--contacts", "--seed", "--if-empty", "--password", "--format"),
    "createuser": ("--role", "--team", "--password", "--admin-once"),
    "errors": ("--format",),
    "import": ("contacts", "status", "resume", "undo", "list"),
    "export": ("--format", "--encoding", "--output"),
}


def _kizuna() -> list[str]:
    """The installed console script when there is one (what users type), else the module."""
    script = Path(sys.executable).parent / "kizuna"
    if script.exists():
        return [str(script)]
    found = shutil.which("kizuna")
    return [found] if found else [sys.executable, "-m", "kizuna.cli"]


def run(*args: str, tmp_path: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["KIZUNA_VAR_DIR"] = str(tmp_path)
    env.update(extra_env)
    return subprocess.run(  # noqa: S603 - our own script
        [*_kizuna(), *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def test_every_kizuna_command_has_expected_options() -> None:
    assert set(EXPECTED_OPTIONS) == set(KIZUNA_COMMANDS)


@pytest.mark.parametrize("flag", ["--help", "-h", "help"])
def test_top_level_help_lists_every_kizuna_command(flag: str, tmp_path: Path) -> None:
    done = run(flag, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: kizuna COMMAND")
    for name in KIZUNA_COMMANDS:
        assert f"\n  {name} " in done.stdout


def test_no_arguments_prints_the_usage(tmp_path: Path) -> None:
    done = run(tmp_path=tmp_path)
    assert done.returncode == 0
    assert "Kizuna commands:" in done.stdout


@pytest.mark.parametrize("command", sorted(EXPECTED_OPTIONS))
def test_each_command_has_help(command: str, tmp_path: Path) -> None:
    done = run(command, "--help", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: kizuna {command}")
    for option in EXPECTED_OPTIONS[command]:
        assert option in done.stdout, f"{command} --help does not mention {option}"
    assert "Traceback" not in done.stderr


def test_errors_explains_one_code(tmp_path: Path) -> None:
    done = run("errors", "KZ-VAL-002", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "KZ-VAL-002" in done.stdout


def test_an_unknown_command_fails_with_a_hint_not_a_traceback(tmp_path: Path) -> None:
    done = run("serv", tmp_path=tmp_path)
    assert done.returncode != 0
    assert "Unknown command: 'serv'" in done.stderr
    assert "serve" in done.stderr  # Django suggests the nearest command
    assert "Traceback" not in done.stderr


def test_migrate_on_a_new_database_is_quiet(tmp_path: Path) -> None:
    """A fresh install's ``migrate`` leaves every search index complete: no repair warning."""
    done = run(
        "migrate", "--no-input", tmp_path=tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'new.sqlite3'}"
    )
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr, done.stderr
