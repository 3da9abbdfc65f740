"""Django settings for Tokutei, read from the environment.

Every value comes from an environment variable (prefix ``TOKUTEI_``) or a file under the data directory.
Nothing falls back to a random secret: ``tokutei init`` writes the secret files, and start-up stops with a
clear message when they are missing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    """A boolean variable: 1/true/yes/on or 0/false/no/off (any case). Anything else stops start-up: a
    typo such as ``TOKUTEI_SECURE=ture`` must not quietly turn a protection off."""
    value = os.environ.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} は 1/0（true/false, yes/no, on/off）で指定してください: {value!r} "
        f"({name} must be a boolean: 1/0, true/false, yes/no, on/off; got {value!r})"
    )


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {value!r}") from exc


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Where the database (SQLite), key files and exports live. Key files are kept here, outside the database.
DATA_DIR = Path(env_str("TOKUTEI_DATA_DIR", str(BASE_DIR / "var"))).resolve()
KEY_DIR = Path(env_str("TOKUTEI_KEY_DIR", str(DATA_DIR / "keys"))).resolve()
EXPORT_DIR = Path(env_str("TOKUTEI_EXPORT_DIR", str(DATA_DIR / "exports"))).resolve()

DEBUG = env_bool("TOKUTEI_DEBUG", False)


def _read_secret_key() -> str:
    direct = env_str("TOKUTEI_SECRET_KEY")
    if direct:
        return direct
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    if os.environ.get("TOKUTEI_ALLOW_NO_SECRET") == "1":
        # Only the bootstrap step of `tokutei init` runs without a secret (it writes one).
        return "bootstrap-only-not-for-requests"
    raise ImproperlyConfigured(
        f"SECRET_KEY がありません: {path} が見つかりません。`tokutei init --profile NAME` を先に実行してください。 "
        f"(No secret key at {path}; run `tokutei init --profile NAME` first, or set TOKUTEI_SECRET_KEY.)"
    )


SECRET_KEY = _read_secret_key()

ALLOWED_HOSTS = env_list("TOKUTEI_ALLOWED_HOSTS", "127.0.0.1,localhost")
CANONICAL_HOST = env_str("TOKUTEI_CANONICAL_HOST", "")  # e.g. localhost:8000 (make demo): loopback IPs go there
CSRF_TRUSTED_ORIGINS = env_list("TOKUTEI_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "tokutei.core",
    "tokutei.profiles",
    "tokutei.policy",
    "tokutei.staff",
    "tokutei.auditlog",
    "tokutei.vault",
    "tokutei.ledgers",
    "tokutei.approvals",
    "tokutei.registers",
    "tokutei.incidents",
    "tokutei.committee",
    "tokutei.bulk",
    "tokutei.ops",
    "tokutei.retention",
    "tokutei.vendors",
    "tokutei.audits",
    "tokutei.pia",
    "tokutei.org",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files from the application itself, hashed and compressed (no separate web server needed).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tokutei.core.middleware.SecurityHeadersMiddleware",
    "tokutei.core.middleware.CanonicalHostMiddleware",  # demo: 127.0.0.1 → localhost (TOKUTEI_CANONICAL_HOST)
    "tokutei.core.middleware.ApiJsonErrorsMiddleware",  # every error under /api/ is JSON with a code
    "tokutei.core.middleware.NoNumberInRedirectMiddleware",  # no 個人番号 in a Location (core/mynumber.py)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tokutei.staff.middleware.TerminalMiddleware",
    "tokutei.core.middleware.InputRefusalMiddleware",  # logs what the field types refused (core/fields.py)
    "tokutei.staff.middleware.SignInPolicyMiddleware",
    "tokutei.policy.web.RefusalMiddleware",
]

ROOT_URLCONF = "tokutei.urls"
CSRF_FAILURE_VIEW = "tokutei.core.views.csrf_failure"  # the Japanese 403 page in the layout (issue 18)
WSGI_APPLICATION = "tokutei.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tokutei" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tokutei.core.context_processors.shell",
            ],
        },
    }
]

# Database: SQLite file under DATA_DIR by default; PostgreSQL (psycopg 3) through DATABASE_URL.
_default_sqlite = f"sqlite:///{DATA_DIR / 'tokutei.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_sqlite), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a writing transaction takes the write lock at BEGIN, so concurrent writers queue
        # instead of failing with "database is locked" half-way through (the audit chain relies on it).
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "staff.User"
# ModelBackend with a fixed-statement user load (tokutei/staff/backends.py). Sessions signed in under another
# backend path are signed out once (Django checks the stored path against this list).
AUTHENTICATION_BACKENDS = ["tokutei.staff.backends.StaffBackend"]
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "staff:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("日本語")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "tokutei" / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("TOKUTEI_STATIC_ROOT", str(DATA_DIR / "static"))).resolve()
# `tokutei serve` runs collectstatic: every file gets a content hash in its name (cached for a year by the
# browser) and a gzip / Brotli copy; WhiteNoise serves them from the application.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Sessions: server-side, short, cookie flags strict. Idle logoff is enforced by SignInPolicyMiddleware
# with the profile's idle timeout (002 §33); the session cookie also dies with the browser.
SESSION_ENGINE = "tokutei.staff.sessions"  # Django's database sessions, one fixed read per request
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
SECURE = env_bool("TOKUTEI_SECURE", not DEBUG)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = env_bool("TOKUTEI_SSL_REDIRECT", SECURE)
SECURE_HSTS_SECONDS = env_int("TOKUTEI_HSTS_SECONDS", 31536000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a monitoring system may poll over plain HTTP on the inside
BEHIND_PROXY = env_bool("TOKUTEI_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# `tokutei serve` (docs/operations.md): gunicorn on Linux / Unix, waitress on Windows.
SERVE_BIND = env_list("TOKUTEI_BIND", "127.0.0.1:8000")  # host:port[,host:port]
SERVE_WORKERS = env_int("TOKUTEI_WORKERS", 0)  # 0: from the cores (2 × cores + 1, at most 9)
SERVE_THREADS = env_int("TOKUTEI_THREADS", 4)  # threads per worker (each keeps its own DB connection)
SERVE_TIMEOUT = env_int("TOKUTEI_SERVE_TIMEOUT", 60)  # seconds a request may take before the worker restarts
SERVE_KEEPALIVE = env_int("TOKUTEI_KEEPALIVE", 5)  # seconds an idle keep-alive connection stays open
SERVE_MAX_REQUESTS = env_int("TOKUTEI_MAX_REQUESTS", 0)  # recycle a worker after N requests (0: never)
# The only proxy addresses whose X-Forwarded-* headers are believed (comma-separated; gunicorn's
# forwarded_allow_ips). Empty: none, the headers are ignored.
SERVE_FORWARDED_ALLOW_IPS = env_list("TOKUTEI_FORWARDED_ALLOW_IPS", "127.0.0.1" if BEHIND_PROXY else "")
SERVE_CERTFILE = env_str("TOKUTEI_CERTFILE")  # TLS by the server itself (a small site without a proxy)
SERVE_KEYFILE = env_str("TOKUTEI_KEYFILE")
SERVE_PIDFILE = env_str("TOKUTEI_PIDFILE", str(DATA_DIR / "tokutei-serve.pid"))
SERVE_ACCESS_LOG = env_bool("TOKUTEI_ACCESS_LOG", True)
# Which server: "auto" (gunicorn on Linux / Unix, waitress on Windows), "gunicorn" or "waitress".
SERVE_SERVER = env_str("TOKUTEI_SERVER", "auto")
if SERVE_SERVER not in ("auto", "gunicorn", "waitress"):
    raise ImproperlyConfigured(f"TOKUTEI_SERVER は auto・gunicorn・waitress のいずれかです（{SERVE_SERVER!r}）")

# Content-Security-Policy: everything from this server only (三層分離: nothing from a CDN).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)

# WebAuthn relying party (biometric second factor / passkeys).
WEBAUTHN_RP_ID = env_str("TOKUTEI_WEBAUTHN_RP_ID", "localhost")
WEBAUTHN_RP_NAME = env_str("TOKUTEI_WEBAUTHN_RP_NAME", "Tokutei 特定個人情報等安全管理システム")
WEBAUTHN_ORIGINS = env_list("TOKUTEI_WEBAUTHN_ORIGINS", "http://localhost:8000,http://127.0.0.1:8000")

# The registered-terminal credential cookie (002 §31, 004 §14(7)).
TERMINAL_COOKIE_NAME = "tokutei_terminal"
TERMINAL_COOKIE_SECURE = SECURE

# Logging: to stderr; the formatter never receives personal data (services log ids and digests only).
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_my_numbers": {"()": "tokutei.core.logging.RedactMyNumbers"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_my_numbers"]},
    },
    "root": {"handlers": ["console"], "level": env_str("TOKUTEI_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger would print request bodies on some errors; keep it to the summary line.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # The development server's access log: URLs a client sent pass through the My Number filter too.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # `tokutei serve`: gunicorn keeps its own handlers (tokutei.ops.serve adds the My Number filter to them);
        # waitress's lines and the access log of tokutei.ops.serve.AccessLog go to the filtered console.
        "waitress": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "tokutei.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Operation-log checkpoint signing key (Ed25519), kept outside the database.
AUDIT_SIGNING_KEY_FILE = Path(env_str("TOKUTEI_AUDIT_SIGNING_KEY", str(KEY_DIR / "audit_ed25519.pem")))
# The witness: every signed checkpoint also appended to this file outside the database (empty: the file
# audit_checkpoints.witness beside the signing key). `tokutei log verify` checks against it by default.
AUDIT_WITNESS_FILE = env_str("TOKUTEI_AUDIT_WITNESS_FILE", "")

# Which organisation profile the database was initialised with is stored in the database
# (profiles.ActiveProfile); TOKUTEI_PROFILE_DIR adds a directory of extra profile files.
PROFILE_DIRS = [BASE_DIR / "tokutei" / "profiles" / "data", *map(Path, env_list("TOKUTEI_PROFILE_DIR"))]
LOGIN_URL_PATH = "/login/"

# Operation log: number of independent hash chains ("lanes", PostgreSQL only). Several lanes let concurrent
# server processes append without queueing behind one chain head's commit (docs/auditlog.md, docs/performance.md).
AUDIT_LOG_LANES = env_int("TOKUTEI_AUDIT_LOG_LANES", 8)
AUDIT_CHECKPOINT_EVERY = env_int("TOKUTEI_AUDIT_CHECKPOINT_EVERY", 1000)
# Where the profile sets no operation-log retention period: days after which `tokutei log purge` may remove
# entries (0: never). The profile's period, where it has one, always wins.
AUDIT_LOG_RETENTION_DAYS = env_int("TOKUTEI_AUDIT_LOG_RETENTION_DAYS", 0)
# Public keys (PEM files, comma-separated) of earlier checkpoint signing keys, so old checkpoints verify.
AUDIT_PREVIOUS_PUBLIC_KEYS = env_list("TOKUTEI_AUDIT_PREVIOUS_PUBLIC_KEYS")
# The log analysis (auditlog/reports.py): office hours, unusual volumes, repeated failures, shared terminals.
AUDIT_WORK_START_HOUR = env_int("TOKUTEI_AUDIT_WORK_START_HOUR", 8)
AUDIT_WORK_END_HOUR = env_int("TOKUTEI_AUDIT_WORK_END_HOUR", 19)
AUDIT_VOLUME_FACTOR = env_float("TOKUTEI_AUDIT_VOLUME_FACTOR", 3.0)  # × a person's usual daily count
AUDIT_VOLUME_MIN = env_int("TOKUTEI_AUDIT_VOLUME_MIN", 20)  # … and at least this many operations
AUDIT_SIGN_IN_FAILURES = env_int("TOKUTEI_AUDIT_SIGN_IN_FAILURES", 3)
AUDIT_SHARED_TERMINAL_MINUTES = env_int("TOKUTEI_AUDIT_SHARED_TERMINAL_MINUTES", 30)
AUDIT_MANY_TERMINALS = env_int("TOKUTEI_AUDIT_MANY_TERMINALS", 3)

# Health (/healthz, `tokutei check`, the administrators' dashboard banner; docs/operations.md).
# Free disk space below which the log is about to stop (fail-closed: no log, no operation).
AUDIT_DISK_MIN_FREE_BYTES = env_int("TOKUTEI_DISK_MIN_FREE_MB", 2048) * 1024 * 1024
AUDIT_DISK_MIN_FREE_PERCENT = env_float("TOKUTEI_DISK_MIN_FREE_PERCENT", 10.0)
# Which directory's disk holds the log (SQLite: the database file's; PostgreSQL: mount the server's data
# disk or watch it with the server's own monitoring). Default: the data directory.
HEALTH_LOG_DISK_PATH = Path(env_str("TOKUTEI_LOG_DISK_PATH", str(DATA_DIR))).resolve()
# Entries not covered by a signed checkpoint for longer than this are "overdue" (`tokutei log checkpoint`).
HEALTH_CHECKPOINT_MAX_AGE_HOURS = env_float("TOKUTEI_CHECKPOINT_MAX_AGE_HOURS", 24.0)
# Addresses that may read /healthz's details (comma-separated). Everyone else gets the status word only.
HEALTH_DETAIL_IPS = env_list("TOKUTEI_HEALTH_DETAIL_IPS", "127.0.0.1,::1")

# Backups (`tokutei backup`, docs/operations.md): where they go by default; never the data directory.
BACKUP_DIR = Path(env_str("TOKUTEI_BACKUP_DIR", str(DATA_DIR.parent / "tokutei-backups"))).resolve()
# The data backups' passphrase, in a 0600 file (nightly jobs). The key backups' passphrase is never here.
BACKUP_PASSPHRASE_FILE = env_str("TOKUTEI_BACKUP_PASSPHRASE_FILE")

# tokutei.pia: extra sources of 取扱者数 (dotted paths to ``handler_groups(info, profile, day)``), for a source
# outside the project's apps; an app of the project adds ``<app>/pia_handlers.py`` instead (docs/pia.md).
PIA_HANDLER_SOURCES: list[str] = []
