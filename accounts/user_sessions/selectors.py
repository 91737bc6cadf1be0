from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import UserSession


def user_sessions_of(user) -> QuerySet[UserSession]:
    """The user's own sessions that may still be alive (the idle limit ends the others). Only the user's: another
    user's session key is a 404."""
    if not user.is_authenticated:
        return UserSession.objects.none()
    alive_since = timezone.now() - settings.SESSION_IDLE_TIMEOUT
    return UserSession.objects.filter(user=user, last_activity__gte=alive_since).order_by("-last_activity")
