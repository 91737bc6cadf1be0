"""The audit trail page and its export: who may read it, what each reader sees, the filters, the export's own audit."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.audit import audit_event_append
from accounts.models import AuditEvent, Role
from conftest import make_user


@pytest.fixture
def league_auditor(league_region):
    return make_user("auditor", role=Role.AUDITOR, region=league_region)


@pytest.fixture
def county_auditor(county):
    return make_user("auditor-county", role=Role.AUDITOR, region=county)


def _event(action, *, actor=None, username="", object_type="", object_id="", detail="", at=None):
    """Appended to the chain as the portal does (the table refuses any other write); ``at`` backdates it."""
    with time_machine.travel(at or timezone.now(), tick=False):
        return audit_event_append(action=action, actor=actor, username=actor.username if actor else username,
                                  object_type=object_type, object_id=object_id, detail=detail)


@pytest.fixture
def events(county_user, other_county_user, institution_user, league_user, other_class):
    return {
        "county": _event(AuditEvent.Action.VIEW_PERSONAL_DATA, actor=county_user, detail="本县查看"),
        "institution": _event(AuditEvent.Action.EXPORT_PERSONAL_DATA, actor=institution_user, detail="本县机构导出"),
        "failed": _event(AuditEvent.Action.LOGIN_FAILED, username="county", detail="本县账号登录失败"),
        "other": _event(AuditEvent.Action.VIEW_PERSONAL_DATA, actor=other_county_user, detail="外县查看"),
        "league_on_other": _event(AuditEvent.Action.EXPORT_PERSONAL_DATA, actor=league_user,
                                  object_type="classes.TrainingClass", object_id=str(other_class.pk), detail="盟级导出外县班"),
        "unknown": _event(AuditEvent.Action.LOGIN_FAILED, username="hacker", detail="未知账号"),
    }


def _details(response) -> set[str]:
    page = response.content.decode()
    return {detail for detail in ("本县查看", "本县机构导出", "本县账号登录失败", "外县查看", "外县旧查看", "盟级导出外县班", "未知账号")
            if detail in page}


def test_a_county_auditor_sees_the_events_of_its_county_only(client, county_auditor, events):
    client.force_login(county_auditor)
    response = client.get(reverse("reports:audit_trail"))
    assert _details(response) == {"本县查看", "本县机构导出", "本县账号登录失败"}


def test_the_other_county_auditor_sees_its_users_and_its_classes(client, other_county, events):
    client.force_login(make_user("auditor2", role=Role.AUDITOR, region=other_county))
    assert _details(client.get(reverse("reports:audit_trail"))) == {"外县查看", "盟级导出外县班"}


def test_the_league_reads_every_event_of_its_league(client, league_auditor, league_user, events):
    for reader in (league_auditor, league_user):
        client.force_login(reader)
        assert len(_details(client.get(reverse("reports:audit_trail")))) == 6


@pytest.mark.parametrize("reader", ["county_user", "institution_user"])
def test_county_and_institution_staff_may_not_read_it(client, request, reader):
    client.force_login(request.getfixturevalue(reader))
    assert client.get(reverse("reports:audit_trail")).status_code == 404
    assert client.get(reverse("reports:list_export", args=["audit-trail"])).status_code == 404


def test_filters_by_who_what_when_and_which_record(client, league_auditor, events, other_class):
    client.force_login(league_auditor)
    url = reverse("reports:audit_trail")
    assert _details(client.get(url, {"username": "County2"})) == {"外县查看"}
    assert _details(client.get(url, {"action": "login_failed"})) == {"本县账号登录失败", "未知账号"}
    assert _details(client.get(url, {"object_type": "classes.TrainingClass", "object_id": other_class.pk})) == {"盟级导出外县班"}
    _event(AuditEvent.Action.VIEW_PERSONAL_DATA, actor=events["other"].actor, detail="外县旧查看",
           at=timezone.now() - timedelta(days=10))
    today = timezone.localdate()
    assert "外县旧查看" not in _details(client.get(url, {"date_from": today.isoformat()}))
    assert _details(client.get(url, {"date_to": (today - timedelta(days=5)).isoformat()})) == {"外县旧查看"}


def test_a_reversed_date_range_is_refused_in_chinese_and_shows_nothing(client, league_auditor, events):
    client.force_login(league_auditor)
    today = timezone.localdate()
    response = client.get(reverse("reports:audit_trail"), {"date_from": today.isoformat(),
                                                            "date_to": (today - timedelta(days=1)).isoformat()})
    assert response.status_code == 400
    assert "结束日期不能早于开始日期" in response.content.decode() and not _details(response)
    assert client.get(reverse("reports:audit_trail"), {"action": "nonsense", "date_from": "2026-13-45"}).status_code == 400


def test_the_page_costs_the_same_queries_whatever_the_number_of_events(client, county_auditor, county_user):
    client.force_login(county_auditor)
    url = reverse("reports:audit_trail")
    _event(AuditEvent.Action.LOGIN, actor=county_user)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(80):
        _event(AuditEvent.Action.LOGIN, actor=county_user)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert "第 1 / 2 页" in response.content.decode()
    assert len(many) == len(few)


def test_the_export_holds_the_readers_events_and_is_itself_audited(client, county_auditor, events):
    client.force_login(county_auditor)
    response = client.get(reverse("reports:list_export", args=["audit-trail"]), {"action": "login_failed"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "事件", "操作人")
    assert [row[6] for row in rows[1:]] == ["本县账号登录失败"]
    audit = AuditEvent.objects.get(actor=county_auditor, action=AuditEvent.Action.EXPORT_PERSONAL_DATA)
    assert audit.detail == "导出审计日志（1行）"


def test_the_auditors_landing_page_shows_recent_sensitive_events(client, county_auditor, events):
    client.force_login(county_auditor)
    page = client.get(reverse("home")).content.decode()
    assert "最近的敏感操作" in page and "本县查看" in page and "外县查看" not in page
    assert "近7天查看完整个人信息" in page
