"""Keeps the session list's "last activity" current, writing at most once a minute per session."""

from django.utils import timezone

from .services import ACTIVITY_RESOLUTION_SECONDS, user_session_record

SESSION_MARK_KEY = "activity_recorded_at"


class UserSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and request.session.session_key:
            now = timezone.now().timestamp()
            if now - request.session.get(SESSION_MARK_KEY, 0) >= ACTIVITY_RESOLUTION_SECONDS:
                user_session_record(request=request, user=request.user)
                request.session[SESSION_MARK_KEY] = now
        return self.get_response(request)
