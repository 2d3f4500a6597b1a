"""Test settings: fixed throw-away keys, a file-backed SQLite database (so
concurrency and at-rest checks see a real file) unless DATABASE_URL is set."""

import os

os.environ.setdefault("BAOXIU_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault(
    "BAOXIU_FIELD_KEYS",
    "t2:ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=,t1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
)
os.environ.setdefault("BAOXIU_BLIND_INDEX_KEY", "dGVzdC1ibGluZC1pbmRleC1rZXktMzItYnl0ZXMtLS0=")
os.environ.setdefault("BAOXIU_SECURE_COOKIES", "0")
os.environ.setdefault("BAOXIU_ENV_FILE", "/nonexistent")

from config.settings import *  # noqa: E402,F403
from config.settings import DATABASES, STATIC_ROOT, VAR_DIR  # noqa: E402

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    DATABASES["default"]["NAME"] = str(VAR_DIR / f"test-{worker}.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{worker}.sqlite3")}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]
LANGUAGE_CODE = "zh-hans"

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
