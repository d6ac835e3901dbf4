"""Yiwang settings, read from the environment (see README: Configuration).

Development defaults are safe on a laptop; with DEBUG off every secret must be given
and the security headers tighten (``manage.py check --deploy`` is clean).
"""

from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import database_config, env_bool, env_int, env_list, env_str, env_url
from yiwang.core.logmask import install as install_log_masking

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-yiwang-0000"  # noqa: S105 (DEBUG only)

# Key for PII encryption at rest (SM4) and the keyed hash that finds encrypted values.
# 64 hex characters = 32 bytes: 16 for SM4, 16 for the HMAC-SM3 lookup key.
PII_KEY = env_str("PII_KEY")
if not PII_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("PII_KEY (64 hex characters) is required when DEBUG is off")
    PII_KEY = "00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210"
try:
    if len(bytes.fromhex(PII_KEY)) != 32:
        raise ValueError
except ValueError:
    raise ImproperlyConfigured("PII_KEY must be 64 hex characters (32 bytes)") from None

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if DEBUG:
    ALLOWED_HOSTS += ["testserver"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "bootstrap",
    "ninja",
    "yiwang.core",
    "yiwang.workdays",
    "yiwang.org",
    "yiwang.measures",
    "yiwang.catalog",
    "yiwang.cases",
    "yiwang.hotline",
    "yiwang.credit",
    "yiwang.licences",
    "yiwang.ratings",
    "yiwang.inspections",
    "yiwang.projects",
    "yiwang.policies",
    "yiwang.supervision",
    "yiwang.accounts",
    "yiwang.portal",
    "yiwang.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # NUL bytes, oversized and malformed bodies refused with a coded 4xx before any view (core.middleware).
    "yiwang.core.middleware.RequestGuardMiddleware",
    # Django's, except that an API call writes the session only when it changed (core.sessions).
    "yiwang.core.sessions.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

if not DEBUG:
    # Production serves collected static files itself; development uses runserver's static view.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yiwang.portal.context_processors.ui",
                "yiwang.core.context_processors.inbox",
            ],
        },
    }
]

DATABASE_URL = env_url("DATABASE_URL", schemes={"postgres", "postgresql", "sqlite"})
DATABASES = {"default": database_config(DATABASE_URL, sqlite_path=BASE_DIR / "db.sqlite3")}
# pgbouncer in transaction pooling mode (deploy/pgbouncer): no server-side cursors (a cursor would outlive
# the transaction that holds its server connection). psycopg binds parameters client-side, so no prepared
# statements either; CONN_MAX_AGE then keeps the cheap client connection to pgbouncer, not a server one.
DATABASE_TRANSACTION_POOLING = env_bool("DATABASE_TRANSACTION_POOLING", default=False)
# A streaming replica for dashboards and public lookups (config/routers.py); unset ⇒ everything reads the primary.
DATABASE_REPLICA_URL = env_url("DATABASE_REPLICA_URL", schemes={"postgres", "postgresql"})
# How long a client that has just written reads the primary (read-your-writes; 县级默认, seconds).
DATABASE_REPLICA_PIN_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 30, minimum=1)
# Views whose GET reads may go to the replica: leader dashboards and public lookups (fnmatch patterns).
DATABASE_REPLICA_VIEWS = [
    "cases:leader",
    "cases:leader_export",
    "hotline:dashboard",
    "supervision:dashboard",
    "supervision:indicators",
    "catalog:targets",
    "ratings:targets",
    "inspections:measures",
    "policies:measures",
    "projects:measures",
    "cases:status",
    "hotline:track",
    "hotline:public_list",
    "hotline:villages",
    "hotline:unresolved_summary",
    "catalog:search",
    "catalog:guide",
    "credit:public",
    "ratings:public",
    "inspections:public",
    "inspections:public_plan",
    "licences:verify",
    "policies:integrated_verify",
    "projects:connection_status",
]
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **database_config(DATABASE_REPLICA_URL, sqlite_path=None),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "config.routers.ReplicaReadMiddleware",
    )
if DATABASE_TRANSACTION_POOLING:
    for _alias in DATABASES.values():
        _alias["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
# Every authenticate() — login page, admin, API — goes through the lockout and its audit.
AUTHENTICATION_BACKENDS = ["yiwang.org.backends.LockoutModelBackend"]
LOGIN_URL = "org:login"
LOGIN_REDIRECT_URL = "org:workbench"
LOGOUT_REDIRECT_URL = "portal:home"

# 等保 level 3: complex passwords, lockout after 5 failures for 15 minutes, 30-minute idle timeout.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "yiwang.org.passwords.ComplexityValidator"},
    # Common words and the county's own names with a year or a short number ("Meixian@2026", "Admin@123").
    {"NAME": "yiwang.org.passwords.PatternPasswordValidator"},
]
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
# The lockout counts per username + client IP (one address cannot lock someone else's account);
# failures across all addresses lock the account itself at this ceiling (county default).
LOGIN_ACCOUNT_MAX_FAILURES = env_int("LOGIN_ACCOUNT_MAX_FAILURES", 20, minimum=1)
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_SAVE_EVERY_REQUEST = True  # sliding expiry: the cookie dies after 30 idle minutes
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end vendor files come from npm at install time (package.json); nothing is fetched at run time.
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Request sizes (county defaults): the whole body, uploads included (413 above it); form fields and
# JSON bodies without their files — 4 MB, so that a partner's push of 100 appeals at the content limit
# (HOTLINE INTAKE_BATCH_MAX, each character written \uXXXX as JSON encoders do: about 3.1 MB) fits;
# uploads above FILE_UPLOAD_MAX_MEMORY_SIZE spill to a temporary file.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 12 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 4 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Reference material kept beside the project, never inside it (the reform plan, holiday notices,
# public appeal samples). Tests and tools read from here when it exists and say so when it doesn't.
SHARED_DIR = Path(env_str("YIWANG_SHARED_DIR", str(BASE_DIR.parent / "shared")))
MEDIA_URL = "/media/"

# Cache: Redis when CACHE_URL (or REDIS_URL) is set — production, shared by every web process, so the
# rate limits on public lookups and sign-in forms (yiwang.core.ratelimits) hold across processes;
# the in-process LocMem cache otherwise (the embedded default, one process).
CACHE_URL = env_url("CACHE_URL", schemes={"redis", "rediss"}) or env_url("REDIS_URL", schemes={"redis", "rediss"})
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
    # Sessions are read from the shared cache and written to it and to the database (a sign-out in one
    # process ends the session in all): a signed-in request reads no session row (core.sessions).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "yiwang"}}
RATELIMIT_USE_CACHE = "default"
RATELIMIT_CACHE_PREFIX = "yiwang:rl:"
# Rate limits per operation: county defaults in yiwang.core.ratelimits.DEFAULTS, overridden here, e.g.
# YIWANG_RATELIMITS = {"hotline.track": {"ip": "60/10m", "target": "10/10m"}}

# Celery: with no broker, tasks run eagerly in-process (the embedded default).
CELERY_BROKER_URL = env_url("CELERY_BROKER_URL", schemes={"redis", "rediss", "amqp", "memory"})
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND")
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True  # a crashed worker's task is redelivered, never lost

CELERY_BEAT_SCHEDULE = {
    # The outbox is drained in batches here, not by a task per commit (core.outbox).
    "deliver-outbox": {"task": "core.deliver_outbox", "schedule": 5.0},
    # The audit sequencer links the events committed since its last run (core.audit.audit_seal).
    "seal-audit": {"task": "core.seal_audit", "schedule": 1.0},
    # Online appeals whose routing suggestion (queued after their commit) was lost.
    "hotline-suggest-missing": {"task": "hotline.suggest_missing_routing", "schedule": 300.0},
    # Open appeals whose similar pairs (stored after their commit) were not stored: a lost task.
    "hotline-index-similar": {"task": "hotline.index_similar", "schedule": 300.0},
    "purge-idempotency-records": {"task": "core.purge_idempotency_records", "schedule": 3600.0},
    "workdays-sweep": {"task": "workdays.sweep_deadlines", "schedule": crontab(minute="*/15")},
    "measures-fold": {"task": "measures.fold", "schedule": 60.0},
    "hotline-train-routing": {"task": "hotline.train_routing", "schedule": crontab(hour=2, minute=30)},
}

# Notifications: SMS through a gateway interface (console | file | locmem | dotted class path).
# The file backend writes phone numbers in plain text under MEDIA_ROOT/outbox/: never serve that folder.
# Default: console in development (numbers masked); file with DEBUG off, so a deployment that has not
# named its gateway yet keeps every message for forwarding instead of printing it to the logs.
# The console backend is refused with DEBUG off unless SMS_CONSOLE_ALLOWED=1 says so deliberately
# (a staging box without a gateway); it masks phone numbers either way.
SMS_CONSOLE_ALLOWED = env_bool("SMS_CONSOLE_ALLOWED", default=False)
SMS_BACKEND = env_str("SMS_BACKEND", "console" if DEBUG else "file")
if SMS_BACKEND == "console" and not DEBUG and not SMS_CONSOLE_ALLOWED:
    raise ImproperlyConfigured(
        "SMS_BACKEND=console prints every SMS to standard output and is refused when DEBUG is off; "
        "set SMS_BACKEND=file or a gateway class path, or SMS_CONSOLE_ALLOWED=1 to allow it deliberately"
    )
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "眉县政务服务 <noreply@meixian.gov.cn>")

# Production only tightens.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# No phone or ID number in any log line: every record is masked when it is created (gunicorn,
# Celery and every library included), and the console handler masks its finished lines again.
install_log_masking()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"pii": {"()": "yiwang.core.logmask.PiiMaskingFilter"}},
    "formatters": {"pii": {"()": "yiwang.core.logmask.PiiMaskingFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["pii"], "formatter": "pii"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO"), "filters": ["pii"]},
    # Eager tasks would log every run in development; workers log their own progress.
    "loggers": {"celery.app.trace": {"level": "WARNING"}},
}
