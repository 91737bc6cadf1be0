"""Settings for the xingan_training portal.

Every value that differs between a laptop and production comes from the environment through the strict
helpers in ``env.py``; the defaults run the portal locally with no service installed (SQLite, an embedded
Celery broker on the file system, a file-based cache).
"""

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_str
from .personal_data import demo_key, parse_blind_index_key, parse_encryption_keys

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("XINGAN_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _local_secret_key() -> str:
    """A key generated once per checkout, so a local run never uses a published key."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env_str("SECRET_KEY", "") or _local_secret_key()
# A deployment sets its own key (and usually HTTPS); a local run uses the generated one. Demo data and other
# local-only conveniences refuse to run against a production configuration.
IS_PRODUCTION = bool(env_str("SECRET_KEY", "")) or env_bool("HTTPS", False)

# Personal data at rest (personal_data.py): ID and phone numbers are AES-GCM encrypted under the first of
# FIELD_ENCRYPTION_KEYS ("k2:<base64 of 32 bytes>,k1:<...>"; every listed key still decrypts) and looked up by
# an HMAC under BLIND_INDEX_KEY (base64 of 32 bytes, never changed). Generate one with
# `python -c "import os, base64; print(base64.b64encode(os.urandom(32)).decode())"`.
if env_str("FIELD_ENCRYPTION_KEYS", ""):
    FIELD_ENCRYPTION_KEYS = parse_encryption_keys(env_str("FIELD_ENCRYPTION_KEYS", ""))
elif IS_PRODUCTION:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set in production: personal data is stored encrypted")
else:
    # !!! LOCAL RUNS AND TESTS ONLY: a fixed key anybody can derive from this source. Data encrypted under it is
    # !!! NOT protected. A production configuration (SECRET_KEY or HTTPS set) refuses to start without real keys.
    FIELD_ENCRYPTION_KEYS = {"demo1": demo_key("field encryption")}
if env_str("BLIND_INDEX_KEY", ""):
    BLIND_INDEX_KEY = parse_blind_index_key(env_str("BLIND_INDEX_KEY", ""))
elif IS_PRODUCTION:
    raise ImproperlyConfigured("BLIND_INDEX_KEY must be set in production: personal data is looked up by its digest")
else:
    # !!! LOCAL RUNS AND TESTS ONLY, like the demo encryption key above.
    BLIND_INDEX_KEY = demo_key("blind index")
if set(FIELD_ENCRYPTION_KEYS.values()) & {BLIND_INDEX_KEY}:
    raise ImproperlyConfigured("BLIND_INDEX_KEY must differ from every FIELD_ENCRYPTION_KEYS key")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Behind TLS in production (nginx terminates it): cookies secure, HSTS, redirect to https.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Number of reverse proxies in front of the app that append to X-Forwarded-For (nginx: 1).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "import_export",
    "simple_history",
    "xingan_training.apps.AxesConfig",  # django-axes with a Chinese name in the admin
    "django_otp",
    "django_otp.plugins.otp_totp",
    "accounts",
    "classes",
    "evaluations",
    "followups",
    "supervision",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "xingan_training.middleware.SecurityHeadersMiddleware",
    # Before WhiteNoise and every view: a NUL byte in a path or value reaches neither the file system nor the database.
    "xingan_training.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks request.user.is_verified() from the device the session passed (django_otp.login).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    # After the timeout: an expired session is logged out before it is asked for a code or recorded as active.
    "accounts.second_factor.middleware.SecondFactorMiddleware",
    "accounts.user_sessions.middleware.UserSessionMiddleware",
    # After authentication and the session timeout: an auditor's unsafe request never reaches a view.
    "accounts.read_only.AuditorReadOnlyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes last, as its documentation asks, so it sees the final response of a login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xingan_training.urls"
WSGI_APPLICATION = "xingan_training.wsgi.application"

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
                "accounts.context_processors.role_navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the SQLite file in a local run: wait for locks instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Covering indexes (INCLUDE) are for PostgreSQL at region scale; SQLite keeps the key columns, which is all a
    # local run needs, so its warning would only be noise in `make run`.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "xingan_training.redis_cache.RedisCache", "LOCATION": CACHE_URL}}
else:
    # A file cache is shared by every local process (unlike the per-process memory cache).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "accounts.passwords.UsernameInPasswordValidator"},
]

# Sessions: stored in the database so web nodes stay stateless. 等保 level 3: idle timeout 30 min,
# absolute lifetime 12 h (enforced by accounts.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("SESSION_IDLE_MINUTES", 30))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env_int("SESSION_ABSOLUTE_HOURS", 12))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Login lockout (django-axes): five failures on one (normalised) username lock it for 30 min, whatever address
# they come from. The address alone never locks: a county office or a classroom shares one address, and one
# user's typos must not lock out their colleagues. Failures are also counted per (username, address), which
# axes' check (W006) asks for; with one limit that counter never fires before the username's own.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.security.axes_username"
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "id_number"]

# Second factor (accounts/second_factor): TOTP with django-otp, plus one-time recovery codes kept as SHA-256 digests.
# django-otp's own per-device back-off is off: wrong codes count towards our lockout instead, like wrong passwords
# (OTP_FAILURE_LIMIT wrong codes lock the second factor for OTP_LOCKOUT_MINUTES, audited).
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "兴安盟职业技能培训监督平台")
OTP_TOTP_THROTTLE_FACTOR = 0
# django-otp's admin pages of devices show no secret key or QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
OTP_FAILURE_LIMIT = env_int("OTP_FAILURE_LIMIT", 5)
OTP_LOCKOUT_PERIOD = timedelta(minutes=env_int("OTP_LOCKOUT_MINUTES", 30))
OTP_RECOVERY_CODE_COUNT = 10

LANGUAGE_CODE = "zh-hans"
# Chinese for what django-axes and the newest admin strings lack (see the .po file).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files (generated documents, check-in photos) go through the storage API; locally a folder under var/.
# There is no MEDIA_URL route: files are served only by scoped views.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# Audit records are kept at least 180 days (网络安全法 §21; the database trigger enforces the same floor), then
# written to compressed JSON-lines files in AUDIT_ARCHIVE_DIR and only then removed (accounts/audit_archive.py).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 180)
if AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured(f"AUDIT_RETENTION_DAYS must be at least 180, got {AUDIT_RETENTION_DAYS}")
AUDIT_ARCHIVE_DIR = Path(env_str("AUDIT_ARCHIVE_DIR", str(VAR_DIR / "audit-archive")))
# manage.py backup writes one tar file per run here (accounts/backup.py).
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(VAR_DIR / "backups")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Roster uploads: the request body limit and the workbook's own limits (zip-bomb guard).
ROSTER_UPLOAD_MAX_BYTES = env_int("ROSTER_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
ROSTER_MAX_ROWS = env_int("ROSTER_MAX_ROWS", 5000)
# Class-opening documents (policy §8.2: teaching and assessment plans) and the departments' lists, within the
# same request body limit as a roster (nginx: client_max_body_size 6m).
OPENING_DOCUMENT_MAX_BYTES = env_int("OPENING_DOCUMENT_MAX_BYTES", 5 * 1024 * 1024)
DEPARTMENT_LIST_UPLOAD_MAX_BYTES = env_int("DEPARTMENT_LIST_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
DEPARTMENT_LIST_MAX_ROWS = env_int("DEPARTMENT_LIST_MAX_ROWS", 20000)
DATA_UPLOAD_MAX_MEMORY_SIZE = ROSTER_UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = ROSTER_UPLOAD_MAX_BYTES + 1024 * 1024

IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_USE_TRANSACTIONS = True

SIMPLE_HISTORY_REVERT_DISABLED = True

# Celery: Redis in production and CI; otherwise kombu's file-system transport, a real broker that
# needs no service, shared by the web, worker and beat processes of a local run.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "") or "filesystem://localhost//"


def filesystem_broker_options(folder: Path) -> dict:
    """kombu's file-system transport: one folder for messages in and out, one for broadcasts (inspect ping)."""
    for sub in ("queue", "processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(VAR_DIR / "celery")
else:
    # A request must never hang on a dead broker: fail fast, the work is already recorded in the database.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5, "socket_connect_timeout": 2,
    }
    CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "purge-stale-roster-imports": {"task": "classes.purge_stale_roster_imports", "schedule": 3600.0},
    # Policy §5 asks for a daily draw at least; every 10 minutes shows samples sooner and costs ~0.03 s when
    # nothing is due (bench/sampling.py). A worker also sweeps once when it starts (followups/tasks.py).
    "sweep-followup-samples": {"task": "followups.sweep_samples", "schedule": 600.0},
    "remind-overdue-followups": {"task": "followups.remind_overdue", "schedule": 24 * 3600.0},
    # Generated PDFs may print full ID numbers: they are kept a day (reports/services.py), checked hourly.
    "purge-generated-documents": {"task": "reports.purge_generated_documents", "schedule": 3600.0},
    # A document whose worker died goes back to the queue (reports/services.py STALLED_AFTER, 5 minutes).
    "resume-stalled-documents": {"task": "reports.resume_stalled_documents", "schedule": 120.0},
    # The dashboards' and the statistics report's summary rows (reports/dashboards/services.py); pages show the time.
    "refresh-class-figures": {"task": "reports.refresh_class_figures", "schedule": 600.0},
    # Fraud signals (policy §8.4) follow each change through a task; the nightly sweep catches what a dead broker, the
    # admin or a data fix left behind. About a minute for 10,000 classes (bench/signals.py).
    "sweep-fraud-signals": {"task": "supervision.sweep_signals", "schedule": crontab(hour=2, minute=30)},
    # Audit records past AUDIT_RETENTION_DAYS go to an archive file, then leave the table (accounts/audit_archive.py).
    "archive-audit-events": {"task": "accounts.archive_audit_events", "schedule": crontab(hour=3, minute=15)},
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@xingan-training.local")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_personal_data": {"()": "xingan_training.logging_filters.RedactPersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

DEMO_PASSWORD = env_str("DEMO_PASSWORD", "Xingan@Demo2026")
# The demo staff logins' authenticator key (hex), published like the demo password (seed_demo, `manage.py demo_code`).
DEMO_TOTP_KEY = env_str("DEMO_TOTP_KEY", "78696e67616e2d64656d6f2d3266612d32303236")

# 附表2 on phones: days after the class's end date the link still accepts forms (policy: before the end, 0).
EVALUATION_GRACE_DAYS = env_int("EVALUATION_GRACE_DAYS", 0)
# The trainee's 附表2 form (evaluations/throttling.py). A class of 60 submits within minutes from one classroom
# address, so submissions per address are not limited. Limited, per window of TRAINEE_FORM_THROTTLE_WINDOW seconds
# in the shared cache: name + ID numbers the roster refuses, per link and per client address (a class's typos
# stay well below them; guessing does not), and all submissions one link takes in (a few per trainee).
TRAINEE_FORM_THROTTLE_WINDOW = env_int("TRAINEE_FORM_THROTTLE_WINDOW", 600)
TRAINEE_FORM_LINK_FAILURE_LIMIT = env_int("TRAINEE_FORM_LINK_FAILURE_LIMIT", 30)
TRAINEE_FORM_ADDRESS_FAILURE_LIMIT = env_int("TRAINEE_FORM_ADDRESS_FAILURE_LIMIT", 15)
TRAINEE_FORM_LINK_SUBMISSION_LIMIT = env_int("TRAINEE_FORM_LINK_SUBMISSION_LIMIT", 300)
# Public training-wish form (policy §8.1): submissions per client IP an hour (generous: villages and mobile
# carriers put many people behind one address) and registrations per phone number a day.
TRAINING_WISH_RATE_LIMIT_PER_IP = env_int("TRAINING_WISH_RATE_LIMIT_PER_IP", 30)
TRAINING_WISH_RATE_LIMIT_PER_PHONE = env_int("TRAINING_WISH_RATE_LIMIT_PER_PHONE", 5)
# Phone follow-up (policy §5): failed calls after which a sampled trainee is replaced by a new random draw.
FOLLOWUP_MAX_FAILED_ATTEMPTS = env_int("FOLLOWUP_MAX_FAILED_ATTEMPTS", 3)
# A class's 附表2 set renders inside the request up to this many pages (~0.15 s a page, bench/pdf.py); above it a
# worker renders it in chunks of PDF_RENDER_CHUNK_PAGES, reporting progress after each (reports/services.py).
PDF_INLINE_MAX_PAGES = env_int("PDF_INLINE_MAX_PAGES", 20)
PDF_RENDER_CHUNK_PAGES = env_int("PDF_RENDER_CHUNK_PAGES", 20)
# A list's Excel export is written within the request up to this many rows (about 1 s a thousand rows on a loaded
# 2-core machine, bench/exports.py); above it a worker writes it and the user follows its progress (reports/exports).
EXPORT_INLINE_MAX_ROWS = env_int("EXPORT_INLINE_MAX_ROWS", 2000)
# Printouts (reports/verification): the public address their QR codes point to (e.g. https://px.example.gov.cn);
# empty means the address the printing user used. Lookups of the public verification page per client address
# and window (seconds).
VERIFY_BASE_URL = env_str("VERIFY_BASE_URL", "")
VERIFY_LOOKUPS_PER_ADDRESS = env_int("VERIFY_LOOKUPS_PER_ADDRESS", 60)
VERIFY_LOOKUP_WINDOW = env_int("VERIFY_LOOKUP_WINDOW", 600)

# Daily attendance (policy §8.3): the classroom code changes every CHECKIN_CODE_MINUTES; a code is accepted in its
# own window and the next one. A trainee who scanned a valid code has CHECKIN_FORM_MINUTES to send the form.
CHECKIN_CODE_MINUTES = env_int("CHECKIN_CODE_MINUTES", 3)
CHECKIN_FORM_MINUTES = env_int("CHECKIN_FORM_MINUTES", 10)
# A check-in farther than this from the registered class site is flagged for the county (policy §8.4).
CHECKIN_FAR_METRES = env_int("CHECKIN_FAR_METRES", 1000)
# Photos: upload size and declared pixel count (a decompression-bomb guard), checked before decoding.
CHECKIN_PHOTO_MAX_BYTES = env_int("CHECKIN_PHOTO_MAX_BYTES", 8 * 1024 * 1024)
CHECKIN_PHOTO_MAX_PIXELS = env_int("CHECKIN_PHOTO_MAX_PIXELS", 50_000_000)
# Failed identity checks (name + ID not on the roster) allowed in 10 minutes per classroom code and per client
# address; a classroom often shares one address behind its Wi-Fi, so the address limit is not tiny.
CHECKIN_FAILURES_PER_CODE = env_int("CHECKIN_FAILURES_PER_CODE", 30)
CHECKIN_FAILURES_PER_ADDRESS = env_int("CHECKIN_FAILURES_PER_ADDRESS", 20)
