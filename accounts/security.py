"""Client identity helpers shared by the audit log, django-axes and the trainee form's throttling, so all of
them see the same user and address."""

import ipaddress

from django.conf import settings


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address. With N trusted proxies (TRUSTED_PROXY_COUNT) it is the N-th address from the right
    of X-Forwarded-For: the one the outermost trusted proxy appended (nginx's $proxy_add_x_forwarded_for adds
    the peer it saw). Everything left of it was written by the client and is never trusted. Without the header,
    or with fewer entries than proxies (a request that did not come through them), REMOTE_ADDR is the client."""
    proxy_count = settings.TRUSTED_PROXY_COUNT
    if proxy_count:
        forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxy_count:
            address = _valid_ip(forwarded[-proxy_count])
            if address:
                return address
    return _valid_ip(request.META.get("REMOTE_ADDR") or "")


def axes_username(request, credentials) -> str:
    """The lockout counter's key: the username as the login form normalises it (Bob == bob)."""
    from .models import User

    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return User.normalize_username(raw) or ""
