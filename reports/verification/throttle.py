"""Lookups of the public verification page are limited per client address: a code has 60 random bits, and
the limit keeps anyone from trying codes in bulk while a clerk checking a pile of forms stays well below it."""

from django.conf import settings

from accounts.security import client_ip
from supervision.throttle import throttle_exceeded


def lookup_refused(request) -> bool:
    """Counts one lookup from the request's client address; True once the window's limit is passed."""
    return throttle_exceeded(
        f"printout-lookups:{client_ip(request)}",
        limit=settings.VERIFY_LOOKUPS_PER_ADDRESS,
        window_seconds=settings.VERIFY_LOOKUP_WINDOW,
    )
