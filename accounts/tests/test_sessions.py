"""Active sessions: a user sees theirs and ends them; an administrator ends all of a user's; a password change ends
the others."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, UserSession
from conftest import PASSWORD, VerifiedClient, pass_second_factor

SECURITY = reverse("accounts:security")


def browser(user, agent):
    """A browser that logs in through the forms (the login records its agent and address)."""
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR="198.51.100.7")
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    pass_second_factor(client, user)
    return client


@pytest.fixture
def two_browsers(county_user):
    return browser(county_user, "Mozilla/5.0 (Windows NT 10.0) Chrome/140"), browser(county_user, "Mozilla/5.0 (iPhone) Safari/18")


class TestOwnSessions:
    def test_a_user_sees_each_session_with_the_current_one_marked(self, two_browsers):
        desk, phone = two_browsers
        page = desk.get(SECURITY).content.decode()
        assert "Windows NT 10.0" in page and "iPhone" in page and "198.51.100.7" in page
        assert page.count("当前会话") == 1
        current = page[page.index("当前会话") - 400:page.index("当前会话")]
        assert "Windows" in current

    def test_ending_another_session_logs_that_browser_out(self, county_user, two_browsers):
        desk, phone = two_browsers
        phone_session = UserSession.objects.get(session_key=phone.session.session_key)
        response = desk.post(reverse("accounts:session_end", args=[phone_session.pk]), follow=True)
        assert "已结束该会话" in response.content.decode()
        assert phone.get("/").url.startswith(reverse("accounts:login"))
        assert desk.get("/").status_code == 200
        assert AuditEvent.objects.filter(action=AuditEvent.Action.SESSION_ENDED, actor=county_user).exists()

    def test_ending_others_keeps_the_current_one(self, two_browsers):
        desk, phone = two_browsers
        desk.post(reverse("accounts:sessions_end_others"))
        assert phone.get("/").url.startswith(reverse("accounts:login"))
        assert desk.get("/").status_code == 200

    def test_another_users_session_is_a_404_and_stays(self, two_browsers, other_county_user):
        desk, _phone = two_browsers
        stranger = browser(other_county_user, "Mozilla/5.0 (X11; Linux) Firefox/140")
        response = stranger.post(reverse("accounts:session_end", args=[UserSession.objects.filter(user__username="county").first().pk]))
        assert response.status_code == 404
        assert desk.get("/").status_code == 200
        assert "Windows" not in stranger.get(SECURITY).content.decode()

    def test_a_password_change_ends_the_other_sessions(self, county_user, two_browsers):
        desk, phone = two_browsers
        response = desk.post(reverse("accounts:password_change"), {
            "old_password": PASSWORD, "new_password1": "Hinggan-League-2026", "new_password2": "Hinggan-League-2026",
        }, follow=True)
        assert "已结束其他 1 个会话" in response.content.decode()
        assert phone.get("/").url.startswith(reverse("accounts:login"))
        assert desk.get("/").status_code == 200
        page = desk.get(SECURITY).content.decode()
        assert page.count("当前会话") == 1 and "iPhone" not in page

    def test_logout_forgets_the_session(self, county_user, two_browsers):
        desk, _phone = two_browsers
        desk.post(reverse("accounts:logout"))
        assert UserSession.objects.filter(user=county_user).count() == 1


def test_an_administrator_ends_every_session_of_a_user(county_user, two_browsers, superuser):
    desk, phone = two_browsers
    admin = VerifiedClient()
    admin.force_login(superuser)
    response = admin.post(reverse("admin:accounts_user_changelist"),
                          {"action": "end_all_sessions", "_selected_action": [county_user.pk]}, follow=True)
    assert "已结束 2 个会话" in response.content.decode()
    assert desk.get("/").url.startswith(reverse("accounts:login"))
    assert phone.get("/").url.startswith(reverse("accounts:login"))
    event = AuditEvent.objects.get(action=AuditEvent.Action.SESSION_ENDED)
    assert event.actor == superuser and "county" in event.detail
