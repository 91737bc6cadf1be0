"""Counting submissions in the shared cache, so every web process sees the same count."""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache


def throttle_exceeded(key: str, *, limit: int, window_seconds: int) -> bool:
    """Counts one more event under ``key`` and says whether the window's limit is now exceeded."""
    cache.add(key, 0, timeout=window_seconds)
    try:
        return cache.incr(key) > limit
    except ValueError:
        # The window expired between add() and incr(): this event opens a new one.
        cache.add(key, 1, timeout=window_seconds)
        return 1 > limit


def personal_key(value: str) -> str:
    """A cache key part for personal data (a phone number): keyed hash, never the number itself."""
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]
