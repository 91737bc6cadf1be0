"""Idle (30 min) and absolute (12 h) session limits, 等保2.0 level 3 登录连接超时自动退出."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import timezone

from .audit import audit_event_record
from .models import AuditEvent

# The last activity is written to the session at most this often: writing it on every request made every page view
# an UPDATE of the session row and a commit. A session may then end up to this many seconds before a full
# SESSION_IDLE_TIMEOUT of idleness, never after it.
LAST_SEEN_RESOLUTION_SECONDS = 30


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            session = request.session
            login_at = session.setdefault("login_at", now)
            last_seen = session.get("last_seen", now)
            idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT.total_seconds()
            too_old = now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
            if idle or too_old:
                user = request.user
                logout(request)
                audit_event_record(
                    action=AuditEvent.Action.SESSION_EXPIRED,
                    request=request,
                    actor=user,
                    detail="长时间未操作" if idle else "超过会话最长时间",
                )
                messages.info(request, "登录已超时，请重新登录。")
                return redirect(settings.LOGIN_URL)
            if now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS or "last_seen" not in session:
                session["last_seen"] = now
        return self.get_response(request)
