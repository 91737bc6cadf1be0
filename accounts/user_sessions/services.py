"""A user's active sessions: recorded at login, touched as they are used, ended by their owner, by an
administrator, or by a password change (the other sessions)."""

from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_event_record
from accounts.models import AuditEvent, User, UserSession
from accounts.security import client_ip

# Activity is written at most this often per session: one UPDATE a minute, not one per page.
ACTIVITY_RESOLUTION_SECONDS = 60


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def user_session_record(*, request, user: User) -> None:
    """Records or refreshes the request's session (called at login and, once a minute, by the middleware)."""
    key = request.session.session_key
    if not key:
        return
    now = timezone.now()
    UserSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "ip_address": client_ip(request),
            "last_activity": now,
        },
    )
    # Rows of sessions that ended without a logout (closed browser, timeout) go once they are past any limit.
    UserSession.objects.filter(user=user, last_activity__lt=now - settings.SESSION_ABSOLUTE_TIMEOUT).delete()


def user_session_forget(*, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def _end(sessions, *, actor: User, request, detail: str) -> int:
    store = _session_store()
    keys = list(sessions.values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    sessions.delete()
    if keys:
        audit_event_record(action=AuditEvent.Action.SESSION_ENDED, request=request, actor=actor, detail=detail)
    return len(keys)


def user_session_end(*, request, session: UserSession) -> None:
    """The owner ends one of their sessions (the caller fetched it through user_sessions_of, so it is theirs)."""
    with transaction.atomic():
        _end(UserSession.objects.filter(pk=session.pk), actor=request.user, request=request,
             detail=f"结束会话（{session.ip_address or '未知地址'}）")
    if session.session_key == request.session.session_key:
        request.session.flush()


def user_sessions_end_others(*, request) -> int:
    """Ends every session of the request's user but the current one (used after a password change too)."""
    others = UserSession.objects.filter(user=request.user).exclude(session_key=request.session.session_key)
    with transaction.atomic():
        return _end(others, actor=request.user, request=request, detail="结束其他全部会话")


def user_sessions_end_all(*, actor: User, user: User, request=None) -> int:
    """An administrator ends every session of a user (a lost laptop, a departing employee)."""
    if not actor.is_superuser:
        raise PermissionError("只有系统管理员可以结束其他用户的会话。")
    with transaction.atomic():
        return _end(UserSession.objects.filter(user=user), actor=actor, request=request,
                    detail=f"结束 {user.username} 的全部会话")


def user_session_rekey(*, old_key: str | None, new_key: str | None) -> None:
    """Follows a session whose key Django cycled (update_session_auth_hash after a password change)."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)
