"""Test settings: the real settings, with static files served from the finders (no collectstatic step)."""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # pytest-django's live_server with Playwright's sync API

from .settings import *  # noqa: E402,F401,F403
from .settings import CACHE_URL, STORAGES, VAR_DIR  # noqa: E402

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
MEDIA_ROOT = VAR_DIR / "test-media"  # generated files of tests never mix with a local run's
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# A fast hasher: tests create many users; production keeps Django's PBKDF2 default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if not CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "test-cache")}}

# Tests publish to their own queue (and, without Redis, their own folder), never to a local run's worker.
CELERY_TASK_DEFAULT_QUEUE = "xingan-tests"
if CELERY_BROKER_URL.startswith("filesystem://"):  # noqa: F405
    import tempfile
    from pathlib import Path

    from .settings import filesystem_broker_options

    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(Path(tempfile.gettempdir()) / "xingan-test-broker")

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory, so that the behind-nginx test's gunicorn reaches the test database; unsynced writes and
    # a write-ahead log keep it about as fast.
    import tempfile
    from pathlib import Path

    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"xingan-test-{os.getpid()}.sqlite3")}  # noqa: F405
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA synchronous=OFF; PRAGMA journal_mode=WAL"  # noqa: F405
