"""The second factor walked through the real forms: password, enrolment with the QR code, recovery codes, verification
at the next login, lockout on wrong codes, the league's switch for institutions, an administrator's reset."""

import re
from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent, RecoveryCode, Role
from accounts.second_factor import rules
from conftest import PASSWORD, VerifiedClient, current_code, make_user

ENROL = reverse("accounts:second_factor_enrol")
VERIFY = reverse("accounts:second_factor_verify")


def password_login(client, username, *, next_url="/"):
    response = client.post(f"{reverse('accounts:login')}?next={next_url}", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "the password step failed"
    return client.get(response.url)


def enrol(client, user) -> list[str]:
    """Walks the enrolment page and returns the recovery codes it shows once."""
    page = client.get(ENROL).content.decode()
    assert "<svg" in page and "身份验证器二维码" in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(ENROL, {"code": current_code(device)}, follow=True)
    return re.findall(r"<li>([A-Z0-9]{5}-[A-Z0-9]{5})</li>", response.content.decode())


def enrolled_and_back_at_the_code(user) -> tuple[Client, list[str]]:
    """A user who enrolled, logged out and logged in again with the password: the page asks for the code."""
    client = Client()
    password_login(client, user.username)
    codes = enrol(client, user)
    client.post(reverse("accounts:logout"))
    assert password_login(client, user.username).url.startswith(VERIFY)
    return client, codes


class TestWhoNeedsIt:
    @pytest.mark.parametrize(
        "role, is_superuser, institutions_required, expected",
        [
            ("league", False, False, True),
            ("county", False, False, True),
            ("third_party", False, False, True),
            ("", True, False, True),
            ("institution", False, False, False),
            ("institution", False, True, True),
            ("", False, True, False),
        ],
    )
    def test_the_rule(self, role, is_superuser, institutions_required, expected):
        assert rules.is_second_factor_required(
            role=role, is_superuser=is_superuser, is_staff=False, institutions_required=institutions_required
        ) is expected

    def test_staff_of_the_django_admin_need_it_too(self):
        assert rules.is_second_factor_required(role="", is_superuser=False, is_staff=True, institutions_required=False)

    def test_a_lock_lasts_its_period_and_a_success_or_reset_clears_the_count(self):
        at = datetime(2026, 5, 1, 8, 0, tzinfo=dt_timezone.utc)
        period = timedelta(minutes=30)
        four_failures = [(rules.FAILED, at)] * 4
        assert not rules.is_limit_reached(four_failures, limit=5)
        assert rules.is_limit_reached([(rules.FAILED, at)] + four_failures, limit=5)
        assert not rules.is_limit_reached([(rules.FAILED, at), (rules.VERIFIED, at)] + four_failures, limit=5)
        assert rules.locked_until([(rules.FAILED, at), (rules.LOCKED, at)], period=period) == at + period
        assert rules.locked_until([(rules.RESET, at), (rules.LOCKED, at)], period=period) is None


class TestEnrolmentAndVerification:
    def test_county_staff_enrol_at_first_login_then_verify_at_the_next(self, county_user):
        client = Client()
        response = password_login(client, "county", next_url="/classes/")
        assert response.status_code == 302 and response.url.startswith(ENROL)
        # No page of the portal before the second factor, the Django admin included.
        for url in ("/", "/classes/", "/admin/", reverse("accounts:security")):
            assert client.get(url).url.startswith(ENROL), url

        page = client.get(ENROL).content.decode()
        assert "启用二次验证" in page and "<svg" in page and "退出，使用其他账号登录" in page
        response = client.post(ENROL, {"code": "000000"})
        assert "验证码不正确" in response.content.decode()
        assert not TOTPDevice.objects.filter(user=county_user, confirmed=True).exists()
        response = client.post(ENROL, {"code": "abc<script>"})
        assert "验证码不正确" in response.content.decode()

        codes = enrol(client, county_user)
        assert len(codes) == 10 and len(set(codes)) == 10
        assert AuditEvent.objects.filter(action=AuditEvent.Action.OTP_ENROLLED, actor=county_user).count() == 1
        # Only digests are stored: no code appears in the table, and the page shows them once.
        stored = set(RecoveryCode.objects.filter(device__user=county_user).values_list("digest", flat=True))
        assert len(stored) == 10 and not stored & {code.replace("-", "") for code in codes} and not stored & set(codes)
        assert codes[0] not in client.get(reverse("accounts:second_factor_recovery_codes"), follow=True).content.decode()
        assert client.get("/classes/").status_code == 200

        client.post(reverse("accounts:logout"))
        response = password_login(client, "county")
        assert response.url.startswith(VERIFY)
        assert client.get("/classes/").url.startswith(VERIFY)
        device = TOTPDevice.objects.get(user=county_user, confirmed=True)
        device.last_t = -1  # the enrolment used this step's code; a minute later the next code comes
        device.save()
        response = client.post(VERIFY, {"code": current_code(device), "next": "/classes/"})
        assert response.status_code == 302 and response.url == "/classes/"
        assert client.get("/classes/").status_code == 200

    def test_a_recovery_code_works_once(self, county_user):
        client, codes = enrolled_and_back_at_the_code(county_user)
        response = client.post(VERIFY, {"code": codes[3].lower()})
        assert response.status_code == 302 and client.get("/").status_code == 200
        assert AuditEvent.objects.filter(action=AuditEvent.Action.OTP_VERIFIED, actor=county_user, detail="恢复码").exists()
        assert RecoveryCode.objects.filter(device__user=county_user).count() == 9
        client.post(reverse("accounts:logout"))

        password_login(client, "county")
        response = client.post(VERIFY, {"code": codes[3]})
        assert "验证码不正确" in response.content.decode()
        assert client.get("/").url.startswith(VERIFY)

    def test_a_verify_page_sends_only_to_this_site(self, county_user):
        client, _codes = enrolled_and_back_at_the_code(county_user)
        device = TOTPDevice.objects.get(user=county_user, confirmed=True)
        device.last_t = -1
        device.save()
        response = client.post(VERIFY, {"code": current_code(device), "next": "https://evil.example/"})
        assert response.url == "/"

    def test_public_pages_stay_reachable_half_logged_in(self, county_user):
        client = Client()
        password_login(client, "county")
        assert client.get(reverse("supervision_public:red_black_list")).status_code == 200
        assert client.get(reverse("printout_lookup")).status_code == 200
        assert client.get("/").url.startswith(ENROL)


class TestLockout:
    def test_five_wrong_codes_lock_the_second_factor_for_thirty_minutes(self, county_user):
        client, codes = enrolled_and_back_at_the_code(county_user)

        with time_machine.travel(datetime.now(dt_timezone.utc), tick=False) as traveller:
            for attempt in range(4):
                assert "验证码不正确" in client.post(VERIFY, {"code": f"00000{attempt}"}).content.decode()
            response = client.post(VERIFY, {"code": "999999"})
            assert "已锁定至" in response.content.decode()
            assert AuditEvent.objects.filter(action=AuditEvent.Action.OTP_FAILED, actor=county_user).count() == 5
            assert AuditEvent.objects.filter(action=AuditEvent.Action.OTP_LOCKED, actor=county_user).count() == 1
            # Locked: even a right code (here a recovery code) is refused and not spent.
            assert "已锁定至" in client.post(VERIFY, {"code": codes[0]}).content.decode()
            assert client.get("/").url.startswith(VERIFY)
            assert RecoveryCode.objects.filter(device__user=county_user).count() == 10

            traveller.shift(timedelta(minutes=31))
            # The idle limit has ended that session meanwhile: the user logs in again.
            assert client.get("/").url.startswith(reverse("accounts:login"))
            assert password_login(client, "county").url.startswith(VERIFY)
            response = client.post(VERIFY, {"code": codes[0]})
            assert response.status_code == 302 and client.get("/").status_code == 200

    def test_an_administrators_reset_lifts_the_lock_and_sends_the_user_to_enrol_again(self, county_user, superuser):
        client, _codes = enrolled_and_back_at_the_code(county_user)
        for _attempt in range(5):
            client.post(VERIFY, {"code": "123456"})
        assert "已锁定至" in client.post(VERIFY, {"code": "123456"}).content.decode()

        admin = VerifiedClient()
        admin.force_login(superuser)
        response = admin.post(reverse("admin:accounts_user_changelist"),
                              {"action": "reset_second_factor", "_selected_action": [county_user.pk]}, follow=True)
        assert "已重置 1 个用户的二次验证" in response.content.decode()
        assert not TOTPDevice.objects.filter(user=county_user).exists()
        event = AuditEvent.objects.get(action=AuditEvent.Action.OTP_RESET)
        assert event.actor == superuser and event.object_id == str(county_user.pk)

        assert client.get("/").url.startswith(ENROL)
        assert len(enrol(client, county_user)) == 10


class TestInstitutionsAndTheLeaguesSwitch:
    def test_institution_staff_pass_without_it_until_the_league_requires_it(self, client, institution_user, league_user,
                                                                          county_user):
        staff = Client()
        password_login(staff, "institution")
        assert staff.get("/").status_code == 200

        client.force_login(county_user)
        assert client.post(reverse("accounts:second_factor_policy"), {"institutions_required": "on"}).status_code == 404
        client.force_login(league_user)
        client.post(reverse("accounts:second_factor_policy"), {"institutions_required": "on"})
        event = AuditEvent.objects.get(action=AuditEvent.Action.SECOND_FACTOR_POLICY)
        assert event.actor == league_user and "必须" in event.detail
        assert "checked" in client.get(reverse("accounts:security")).content.decode()

        assert staff.get("/").url.startswith(ENROL)
        enrol(staff, institution_user)
        assert staff.get("/").status_code == 200

    def test_an_institution_user_who_enrolled_voluntarily_is_asked_at_each_login(self, institution_user):
        staff = Client()
        password_login(staff, "institution")
        assert "未启用" in staff.get(reverse("accounts:security")).content.decode()
        enrolled_and_back_at_the_code(institution_user)

    def test_third_party_inspectors_need_it(self, county):
        make_user("firm", role=Role.THIRD_PARTY, region=county)
        assert password_login(Client(), "firm").url.startswith(ENROL)


def test_recovery_codes_can_be_renewed_and_the_old_ones_stop_working(county_user):
    client = Client()
    password_login(client, "county")
    old_codes = enrol(client, county_user)
    response = client.post(reverse("accounts:second_factor_recovery_codes_new"), follow=True)
    new_codes = re.findall(r"<li>([A-Z0-9]{5}-[A-Z0-9]{5})</li>", response.content.decode())
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.RECOVERY_CODES_RENEWED, actor=county_user).exists()
    client.post(reverse("accounts:logout"))
    password_login(client, "county")
    assert "验证码不正确" in client.post(VERIFY, {"code": old_codes[0]}).content.decode()
    assert client.post(VERIFY, {"code": new_codes[0]}).status_code == 302
