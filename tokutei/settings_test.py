"""Settings for the test suite: SQLite in a temporary directory, or PostgreSQL via TOKUTEI_TEST_DATABASE_URL."""

import os
import tempfile

os.environ.setdefault("TOKUTEI_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("TOKUTEI_DATA_DIR", tempfile.mkdtemp(prefix="tokutei-test-"))
os.environ.setdefault("TOKUTEI_SECURE", "0")
if os.environ.get("TOKUTEI_TEST_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["TOKUTEI_TEST_DATABASE_URL"]
else:
    os.environ.pop("DATABASE_URL", None)

from tokutei.settings import *  # noqa: F403
from tokutei.settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests; production uses Argon2id
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# The audit-log tests name entries by their position in a single chain; the lane tests set their own count.
AUDIT_LOG_LANES = int(os.environ.get("TOKUTEI_AUDIT_LOG_LANES", "1"))
# Tests render pages without running collectstatic: plain storage, files found in the apps by WhiteNoise.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
