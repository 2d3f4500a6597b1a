"""Settings for every deployment, driven by environment variables (README)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from config.env import BASE_DIR, env, env_bool, env_list

DEBUG = env_bool("BAOXIU_DEBUG", False)
SECRET_KEY = env("BAOXIU_SECRET_KEY", required=True)
ALLOWED_HOSTS = env_list("BAOXIU_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("BAOXIU_CSRF_TRUSTED_ORIGINS", "")

# Field encryption: comma-separated "key_id:base64(32 bytes)" pairs, newest first.
# Data is written with the first key and read with whichever key id it names.
FIELD_ENCRYPTION_KEYS = env("BAOXIU_FIELD_KEYS", required=True)
# Keyed hash for blind indexes (look-up of a phone number without decrypting).
BLIND_INDEX_KEY = env("BAOXIU_BLIND_INDEX_KEY", required=True)

VAR_DIR = BASE_DIR / "var"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # so the API docs page uses the Swagger UI files ninja ships, not a CDN
    "baoxiu.core",
    "baoxiu.accounts",
    "baoxiu.areas",
    "baoxiu.catalog",
    "baoxiu.workforce",
    "baoxiu.customers",
    "baoxiu.tickets",
    "baoxiu.dispatch",
    "baoxiu.notifications",
    "baoxiu.privacy",
    "baoxiu.support",
    "baoxiu.pricing",
    "baoxiu.quotes",
    "baoxiu.evidence",
    "baoxiu.lockopening",
    "baoxiu.feedback",
    "baoxiu.portal",
    "baoxiu.console",
    "baoxiu.api",
    "baoxiu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "baoxiu.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "baoxiu.core.middleware.StaffSessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "baoxiu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "baoxiu.core.context_processors.organisation",
            ],
        },
    }
]


def database_from_url(url: str) -> dict:
    """SQLite gets WAL, a busy timeout and IMMEDIATE transactions, so writers
    queue for the lock at BEGIN instead of failing half-way through, and
    synchronous=FULL, so an acknowledged ticket survives a power cut too."""
    config = dj_database_url.parse(url, conn_max_age=0 if url.startswith("sqlite") else 60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
            ),
        }
    else:
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {
    "default": database_from_url(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'baoxiu.sqlite3'}") or ""
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "baoxiu" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"

# Security. Production runs behind TLS; `manage.py check --deploy` passes with
# BAOXIU_DEBUG unset and BAOXIU_SECURE_COOKIES on (the default when not DEBUG).
SECURE_COOKIES = env_bool("BAOXIU_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
STAFF_IDLE_MINUTES = int(env("BAOXIU_STAFF_IDLE_MINUTES", "30") or 30)
STAFF_SESSION_HOURS = int(env("BAOXIU_STAFF_SESSION_HOURS", "12") or 12)
SECURE_SSL_REDIRECT = env_bool("BAOXIU_SSL_REDIRECT", SECURE_COOKIES)
SECURE_HSTS_SECONDS = int(env("BAOXIU_HSTS_SECONDS", "31536000" if SECURE_COOKIES else "0") or 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Job photos, residence proofs and signatures: outside the web root, served only
# through views that check who is asking (baoxiu.evidence.files).
PRIVATE_MEDIA_ROOT = Path(env("BAOXIU_PRIVATE_MEDIA_DIR", "") or VAR_DIR / "private")
PHOTO_MAX_BYTES = int(env("BAOXIU_PHOTO_MAX_MB", "8") or 8) * 1024 * 1024

# Where customers reach the tracking page from outside (links in messages).
PUBLIC_BASE_URL = env("BAOXIU_PUBLIC_BASE_URL", "http://127.0.0.1:8000")

# Notification channels, one module per vendor; "fake" records and delivers nothing.
SMS_BACKEND = env("BAOXIU_SMS_BACKEND", "baoxiu.notifications.channels.sms.fake.FakeSmsChannel")
# Payment provider class for the final bill (only the fake exists; no real gateway).
PAYMENT_BACKEND = env("BAOXIU_PAYMENT_BACKEND", "baoxiu.quotes.payments.fake.FakePaymentProvider")

# Privacy numbers (隐私号): the provider class, and for the HTTP one its base URL,
# bearer token and per-call timeout; a binding lives this many hours at most.
PRIVACY_NUMBER_BACKEND = env(
    "BAOXIU_PRIVACY_NUMBER_BACKEND", "baoxiu.privacy.numbers.fake.FakePrivacyNumbers"
)
PRIVACY_NUMBER_URL = env("BAOXIU_PRIVACY_NUMBER_URL", "")
PRIVACY_NUMBER_TOKEN = env("BAOXIU_PRIVACY_NUMBER_TOKEN", "")
PRIVACY_NUMBER_TIMEOUT = float(env("BAOXIU_PRIVACY_NUMBER_TIMEOUT", "5") or 5)
PRIVACY_NUMBER_HOURS = int(env("BAOXIU_PRIVACY_NUMBER_HOURS", "72") or 72)
# Audit rows about access to personal data are kept at least this long (law: >= 180 days).
AUDIT_RETENTION_DAYS = int(env("BAOXIU_AUDIT_RETENTION_DAYS", "365") or 365)

# Travel times for dispatch: "estimate" (great-circle × detour) or "osrm" (OSRM_URL).
TRAVEL_BACKEND = env("BAOXIU_TRAVEL_BACKEND", "estimate")
OSRM_URL = env("BAOXIU_OSRM_URL", "")

# Dispatch: "auto" assigns the best technician who can arrive in time; "suggest"
# leaves the top three on the dispatcher board for a person to confirm.
DISPATCH_MODE = env("BAOXIU_DISPATCH_MODE", "auto")
# Emergency cover: a technician who can answer a locked-out emergency takes other
# work only while at least this many other such technicians on duty could still
# reach both the job's area and the area they leave within the emergency arrival
# promise (0: no reserve). See baoxiu/dispatch/assignment.py and bench/README.md.
DISPATCH_EMERGENCY_RESERVE = int(env("BAOXIU_DISPATCH_EMERGENCY_RESERVE", "3") or 0)
# An emergency nobody reaches within its promise may take a technician who is driving
# to other work (not yet started) when turning back makes it; that job goes back
# to dispatch at once.
DISPATCH_DIVERT_EN_ROUTE = env("BAOXIU_DISPATCH_DIVERT_EN_ROUTE", "1") not in ("0", "false", "no")
# When even that leaves an emergency late, a technician driving to another emergency
# may be turned back as well, if that one is late anyway or another technician
# reaches it within its promise; it is decided again at once. At most this many
# times per emergency (0: never). Needs DISPATCH_DIVERT_EN_ROUTE.
DISPATCH_EMERGENCY_HANDOVER = int(env("BAOXIU_DISPATCH_EMERGENCY_HANDOVER", "2") or 0)
# Engine for the periodic re-optimisation: vroom (default), pyvrp (no breaks) or fake.
ROUTING_ENGINE = env("BAOXIU_ROUTING_ENGINE", "vroom")
# Next-day appointment plans: engine (pyvrp, the batch engine; vroom; fake), the
# local hour from which tomorrow is planned, and seconds of search per city.
DAY_PLAN_ENGINE = env("BAOXIU_DAY_PLAN_ENGINE", "pyvrp")
DAY_PLAN_HOUR = int(env("BAOXIU_DAY_PLAN_HOUR", "20") or 20)
DAY_PLAN_SECONDS = float(env("BAOXIU_DAY_PLAN_SECONDS", "10") or 10)

# Public intake limits (reports per hour): per client IP and per phone number.
INTAKE_LIMIT_PER_IP = int(env("BAOXIU_INTAKE_LIMIT_PER_IP", "20") or 20)
INTAKE_LIMIT_PER_PHONE = int(env("BAOXIU_INTAKE_LIMIT_PER_PHONE", "5") or 5)

# Customer service (support app): chat and verify limits per client address per
# hour; the telephony vendor module and the shared secret its webhook is signed
# with (empty: derived from the secret key, fine for the demo, not for production).
SUPPORT_CHAT_LIMIT_PER_IP = int(env("BAOXIU_CHAT_LIMIT_PER_IP", "60") or 60)
VERIFY_LIMIT_PER_IP = int(env("BAOXIU_VERIFY_LIMIT_PER_IP", "60") or 60)
TELEPHONY_BACKEND = env(
    "BAOXIU_TELEPHONY_BACKEND", "baoxiu.support.telephony.signed_json.SignedJsonTelephony"
)
TELEPHONY_WEBHOOK_SECRET = env("BAOXIU_TELEPHONY_SECRET", "")
TELEPHONY_MAX_SKEW_SECONDS = int(env("BAOXIU_TELEPHONY_MAX_SKEW", "300") or 300)

# Background worker: how often an idle worker polls the queue, and how long a
# claimed job may run before another worker may take it over.
WORKER_POLL_SECONDS = float(env("BAOXIU_WORKER_POLL_SECONDS", "1.0") or 1.0)
WORKER_LEASE_SECONDS = int(env("BAOXIU_WORKER_LEASE_SECONDS", "300") or 300)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact": {"()": "baoxiu.core.log_redaction.RedactTokens"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env("BAOXIU_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
