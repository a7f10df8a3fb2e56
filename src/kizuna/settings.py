"""Kizuna settings: one module, driven by environment variables.

Secrets come from the environment or from ``NAME_FILE`` (a path whose contents are the value).
Without ``DATABASE_URL`` Kizuna uses an embedded SQLite file under ``var/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value else default


def envsecret(name: str, default: str = "") -> str:
    """Read NAME, else the contents of the file named by NAME_FILE, else the default."""
    if os.environ.get(name):
        return os.environ[name]
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return default


VAR_DIR = Path(envstr("KIZUNA_VAR_DIR", str(PROJECT_DIR / "var")))

DEBUG = envbool("DEBUG", False)


def _secret_key() -> str:
    key = envsecret("SECRET_KEY")
    if key:
        return key
    # Development default: a random key generated once and kept under var/ (never committed).
    from django.core.management.utils import get_random_secret_key

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(get_random_secret_key(), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h for h in envstr("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in envstr("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "kizuna.core",
    "kizuna.accounts",
    "kizuna.customers",
    "kizuna.sales",
    "kizuna.support",
    "kizuna.activities",
    "kizuna.demo",
    "kizuna.reports",
    "kizuna.imports",
    "kizuna.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kizuna.web.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kizuna.urls"
WSGI_APPLICATION = "kizuna.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kizuna.web.context_processors.navigation",
            ],
        },
    },
]

# Form widgets render through Jinja2 where Django ships a Jinja2 template (kizuna.web.renderers): the
# Django template engine took 0.1-0.2 ms a widget, several milliseconds of every record page.
FORM_RENDERER = "kizuna.web.renderers.WidgetRenderer"

# --- Database -------------------------------------------------------------------------------
SQLITE_DEFAULT = VAR_DIR / "kizuna.sqlite3"
DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{SQLITE_DEFAULT}")
# Seconds a writer waits for SQLite's lock, and the statement timeout on PostgreSQL.
DB_BUSY_TIMEOUT = envint("KIZUNA_DB_BUSY_TIMEOUT", 20)
DB_POOL_MAX = envint("KIZUNA_DB_POOL_MAX", 10)


def _database(url: str) -> dict[str, object]:
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=0))
    engine = str(config["ENGINE"])
    if engine.endswith("sqlite3"):
        name = Path(str(config["NAME"]))
        name.parent.mkdir(parents=True, exist_ok=True)
        config["OPTIONS"] = {
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy timeout
            # instead of failing with "database is locked" when a read lock is upgraded.
            "transaction_mode": "IMMEDIATE",
            "timeout": DB_BUSY_TIMEOUT,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                f"PRAGMA busy_timeout={DB_BUSY_TIMEOUT * 1000};"
            ),
        }
        # Tests use a file, not :memory:, so worker subprocesses see the same database.
        config["TEST"] = {"NAME": str(name.with_name(f"test_{name.stem}.sqlite3"))}
    elif engine.endswith("postgresql"):
        config["OPTIONS"] = {
            "options": f"-c statement_timeout={DB_BUSY_TIMEOUT * 1000} -c lock_timeout={DB_BUSY_TIMEOUT * 1000}",
            "connect_timeout": 5,
            # A bounded pool per process: a burst of requests waits for a connection instead of
            # exhausting the server's max_connections ("too many clients").
            "pool": {"min_size": 1, "max_size": DB_POOL_MAX, "timeout": DB_BUSY_TIMEOUT},
        }
        config.setdefault("TEST", {})
    return config


# Imports: the largest file accepted, and how many processes prepare rows beside the importing one
# (0: as many as there are cores, for files over a few megabytes; -1: none).
KIZUNA_IMPORT_MAX_BYTES = envint("KIZUNA_IMPORT_MAX_BYTES", 2 * 1024**3)
KIZUNA_IMPORT_WORKERS = envint("KIZUNA_IMPORT_WORKERS", 0)

DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background tasks -------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A worker that has not written a heartbeat for this long is dead; its RUNNING tasks are re-queued.
KIZUNA_WORKER_HEARTBEAT_SECONDS = envint("KIZUNA_WORKER_HEARTBEAT_SECONDS", 5)
KIZUNA_WORKER_DEAD_AFTER_SECONDS = envint("KIZUNA_WORKER_DEAD_AFTER_SECONDS", 30)
KIZUNA_TASK_MAX_ABANDONS = envint("KIZUNA_TASK_MAX_ABANDONS", 5)

# --- Auth -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from here after collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if envbool("KIZUNA_HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
