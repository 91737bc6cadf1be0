"""等保2.0 application items: login, lockout, session limits, passwords, headers, audit, logs, deploy check."""

import base64
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import AuditEvent
from accounts.security import client_ip
from conftest import PASSWORD, enroll, pass_second_factor
from xingan_training.logging_filters import RedactPersonalDataFilter

BASE_DIR = Path(__file__).resolve().parents[2]


def post_login(client, username, password, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **extra)


class TestLogin:
    def test_anonymous_visitors_are_sent_to_the_chinese_login_page(self, client, db):
        response = client.get("/", follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
        page = response.content.decode()
        assert "用户登录" in page and 'lang="zh-Hans"' in page

    def test_username_case_does_not_matter(self, client, county_user):
        response = post_login(client, "COUNTY", PASSWORD)
        assert response.status_code == 302
        assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN, actor=county_user).count() == 1

    def test_failed_logins_are_audited_without_the_password(self, client, county_user):
        response = post_login(client, "county", "wrong-password-1")
        assert "用户名或密码错误" in response.content.decode()
        event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
        assert event.username == "county"
        assert "wrong-password" not in f"{event.detail}{event.username}"

    def test_logout_is_a_post_and_is_audited(self, client, county_user):
        post_login(client, "county", PASSWORD)
        assert client.get(reverse("accounts:logout")).status_code == 405
        client.post(reverse("accounts:logout"))
        assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGOUT, actor=county_user).exists()
        assert client.get("/").status_code == 302


class TestLockout:
    def test_five_failures_lock_the_account_whatever_the_case_of_the_username(self, client, county_user, settings):
        for attempt, username in enumerate(["county", "County", "COUNTY", "cOunty", "county"]):
            post_login(client, username, f"bad-{attempt}", REMOTE_ADDR=f"10.0.0.{attempt + 1}")
        response = post_login(client, "county", PASSWORD, REMOTE_ADDR="10.0.0.99")
        assert response.status_code == 429
        assert "账号已暂时锁定" in response.content.decode()

    def test_one_users_lockout_does_not_lock_colleagues_at_the_same_address(self, client, county_user, other_county_user):
        for attempt in range(5):
            post_login(client, "county", f"bad-{attempt}", REMOTE_ADDR="10.0.0.1")
        assert post_login(client, "county", PASSWORD, REMOTE_ADDR="10.0.0.1").status_code == 429
        response = post_login(client, "county2", PASSWORD, REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 302
        assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN, actor=other_county_user).exists()

    def test_the_audited_address_is_the_one_the_trusted_proxy_appended(self, client, county_user, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        post_login(client, "county", "bad", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
        event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
        assert event.ip_address == "203.0.113.7"

    def test_forwarded_header_is_ignored_without_a_trusted_proxy(self, client, county_user, settings):
        settings.TRUSTED_PROXY_COUNT = 0
        post_login(client, "county", "bad", REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="203.0.113.7")
        assert AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED).ip_address == "198.51.100.4"


class TestClientAddress:
    @pytest.mark.parametrize(
        "proxy_count, forwarded_for, expected",
        [
            (1, "203.0.113.7", "203.0.113.7"),
            # The client wrote the left part; nginx appended the real peer on the right.
            (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),
            (1, "203.0.113.7, 6.6.6.6 ,", "6.6.6.6"),
            # A load balancer and nginx: the balancer appended the client, nginx the balancer.
            (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
            (1, "2001:db8::7", "2001:db8::7"),
            # No header, too short for the proxies, or not an address: the peer itself.
            (1, None, "198.51.100.4"),
            (2, "203.0.113.7", "198.51.100.4"),
            (1, "unknown", "198.51.100.4"),
            (1, "<script>", "198.51.100.4"),
        ],
    )
    def test_it_takes_the_address_the_trusted_proxies_saw(self, rf, settings, proxy_count, forwarded_for, expected):
        settings.TRUSTED_PROXY_COUNT = proxy_count
        extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for is not None else {}
        assert client_ip(rf.get("/", REMOTE_ADDR="198.51.100.4", **extra)) == expected

    def test_an_invalid_peer_address_gives_none(self, rf, settings):
        settings.TRUSTED_PROXY_COUNT = 0
        assert client_ip(rf.get("/", REMOTE_ADDR="not-an-address")) is None


class TestSessionLimits:
    def test_idle_sessions_end_after_thirty_minutes(self, client, county_user):
        post_login(client, "county", PASSWORD)
        session = client.session
        session["last_seen"] = time.time() - 31 * 60
        session.save()
        response = client.get(reverse("classes:class_list"))
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
        assert AuditEvent.objects.filter(action=AuditEvent.Action.SESSION_EXPIRED, actor=county_user).exists()

    def test_activity_keeps_a_session_alive_until_the_absolute_limit(self, client, county_user):
        post_login(client, "county", PASSWORD)
        pass_second_factor(client, county_user)
        session = client.session
        session["last_seen"] = time.time() - 29 * 60
        session.save()
        assert client.get(reverse("classes:class_list")).status_code == 200
        session = client.session
        session["login_at"] = time.time() - 12 * 3600 - 60
        session.save()
        assert client.get(reverse("classes:class_list")).status_code == 302


    def test_a_page_view_within_half_a_minute_does_not_rewrite_the_session(self, client, county_user):
        post_login(client, "county", PASSWORD)
        pass_second_factor(client, county_user)
        client.get(reverse("classes:class_list"))
        seen = client.session["last_seen"]
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("classes:class_list"))
        assert not any('UPDATE "django_session"' in query["sql"] for query in queries.captured_queries)
        assert client.session["last_seen"] == seen
        session = client.session
        session["last_seen"] = time.time() - 31
        session.save()
        client.get(reverse("classes:class_list"))
        assert client.session["last_seen"] > time.time() - 5  # recorded again after the resolution


class TestPasswords:
    @pytest.mark.parametrize("password", ["Short1!", "alllowercaseletters", "ALLUPPER12345", "123456789012345", "password1234"])
    def test_weak_passwords_are_refused(self, password, db):
        with pytest.raises(ValidationError):
            validate_password(password)

    def test_a_long_mixed_password_is_accepted(self, db):
        validate_password("Hinggan-League-2026")


def _html_urls(resolver=None, prefix=""):
    """Every named portal URL that takes no argument or a pk, for the header walk."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin"):
                continue
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            yield from _html_urls(pattern, prefix + namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name, pattern.pattern.regex.groupindex


@pytest.mark.parametrize("role_fixture", ["league_user", "county_user", "institution_user"])
def test_every_page_carries_the_security_headers(request, client, role_fixture, training_class):
    enrollment = enroll(training_class, 1)[0]
    client.force_login(request.getfixturevalue(role_fixture))
    arguments = {
        "pk": training_class.pk, "enrollment_pk": enrollment.pk, "import_pk": 1, "link_pk": 1, "notice_pk": 1,
        "investigation_pk": 1, "evaluation_pk": 1, "item_pk": 1, "token": "no-such-token", "day": "2026-05-04", "year": training_class.start_date.year,
        "document_pk": 1, "change_pk": 1, "entry_pk": 1,
        "key": "classes", "code": "ABCDEFGHJKMN",
    }
    checked = 0
    for name, groups in _html_urls():
        kwargs = {key: arguments[key] for key in groups}
        if name == "classes:institution_detail":
            kwargs = {"pk": training_class.institution_id}
        response = client.get(reverse(name, kwargs=kwargs))
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], name
        assert "script-src 'self'" in response["Content-Security-Policy"], name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["X-Frame-Options"] == "DENY", name
        checked += 1
    assert checked >= 40
    client.logout()
    login_page = client.get(reverse("accounts:login"))
    assert "frame-ancestors 'none'" in login_page["Content-Security-Policy"]


def test_templates_have_no_inline_script_or_style_and_load_nothing_from_another_host():
    for template in list((BASE_DIR / "templates").rglob("*.html")) + list(BASE_DIR.glob("*/templates/**/*.html")):
        text = template.read_text()
        assert "<script>" not in text and "style=" not in text, template
        assert "//cdn" not in text and 'src="http' not in text and 'href="http' not in text, template


def test_production_settings_pass_the_deploy_check():
    environment = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "xingan_training.settings",
        "SECRET_KEY": "k" * 20 + "-deploy-check-only-" + "Zq8#" * 10,
        "DEBUG": "false",
        "HTTPS": "true",
        "ALLOWED_HOSTS": "training.xam.gov.cn",
        # Production refuses to start without real personal data keys (classes/tests/test_personal_data_encryption).
        "FIELD_ENCRYPTION_KEYS": "p1:" + base64.b64encode(b"e" * 32).decode(),
        "BLIND_INDEX_KEY": base64.b64encode(b"b" * 32).decode(),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_logs_never_carry_id_numbers_or_phone_numbers():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "import failed for %s / %s", ("15220119900101123X", "13812345678"), None)
    assert RedactPersonalDataFilter().filter(record)
    assert record.getMessage() == "import failed for 152201********123X / 138****5678"


def test_error_reports_redact_personal_numbers_in_tracebacks():
    try:
        raise ValueError("bad trainee 15220119900101123X")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "oops", (), sys.exc_info())
    RedactPersonalDataFilter().filter(record)
    assert "15220119900101123X" not in record.exc_text and "152201********123X" in record.exc_text
