"""Client identity helpers shared by the audit log and django-axes, so both see the same user and IP."""

from django.conf import settings
from ipware import get_client_ip


def client_ip(request) -> str | None:
    """The client's address, trusting X-Forwarded-For only from the configured number of proxies."""
    proxy_count = settings.TRUSTED_PROXY_COUNT
    if proxy_count:
        ip, _routable = get_client_ip(request, proxy_count=proxy_count)
        return ip
    return request.META.get("REMOTE_ADDR") or None


def axes_username(request, credentials) -> str:
    """The lockout counter's key: the username as the login form normalises it (Bob == bob)."""
    from .models import User

    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return User.normalize_username(raw) or ""
