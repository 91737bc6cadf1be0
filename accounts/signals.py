"""Audit receivers for authentication events (who logged in, from where, and who failed to)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from .audit import audit_event_record
from .models import AuditEvent, User
from .user_sessions.middleware import SESSION_MARK_KEY
from .user_sessions.services import user_session_forget, user_session_record


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    request.session["login_at"] = timezone.now().timestamp()
    audit_event_record(action=AuditEvent.Action.LOGIN, request=request, actor=user)
    user_session_record(request=request, user=user)
    request.session[SESSION_MARK_KEY] = request.session["login_at"]


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_event_record(action=AuditEvent.Action.LOGOUT, request=request, actor=user)
    user_session_forget(session_key=request.session.session_key)


@receiver(user_login_failed)
def record_login_failure(sender, credentials, request=None, **kwargs):
    # credentials never include the password here: Django strips sensitive keys before sending.
    username = User.normalize_username(credentials.get("username", "") or "")
    audit_event_record(action=AuditEvent.Action.LOGIN_FAILED, request=request, username=username)
