"""Issue #13 item 4: the auditor changes nothing. Every URL pattern of the project, its path converters filled with
objects of the demo data, is POSTed to as the league-wide auditor: each is refused with 403 and the database is
the same afterwards. The few allow-listed URLs (accounts.read_only) may only add the auditor's own audit records."""

import hashlib
import re
from datetime import date

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import AuditEvent, User
from accounts.read_only import AUDITOR_ALLOWED_UNSAFE_URL_NAMES, REFUSAL_MESSAGE

from .test_demo_and_layers import demo_data  # noqa: F401 (the fixture)

# Which model a converter names: by the converter's name, else by the path segments in front of it.
BY_NAME = {
    "enrollment_pk": "classes.Enrollment", "import_pk": "classes.RosterImport", "link_pk": "evaluations.EvaluationLink",
    "notice_pk": "evaluations.RectificationNotice", "investigation_pk": "evaluations.Investigation",
    "evaluation_pk": "evaluations.TraineeEvaluation", "document_pk": "supervision.OpeningDocument",
    "change_pk": "supervision.ChangeRequest", "entry_pk": "supervision.DepartmentListEntry",
}
BY_SEGMENTS = {
    "rectifications/files": "supervision.RectificationAttachment", "inspections/files": "supervision.InspectionAttachment",
    "attendance/check-ins": "supervision.CheckIn", "attendance/spot-checks": "supervision.PhotoSpotCheck",
    "attendance/spot-check-items": "supervision.PhotoSpotCheckItem", "followups/items": "followups.FollowupItem",
    "supervision/rectifications": "supervision.RectificationItem", "performance/decisions": "supervision.ListDecision",
}
BY_SEGMENT = {
    "classes": "classes.TrainingClass", "institutions": "classes.Institution", "performance": "classes.Institution",
    "documents": "reports.GeneratedDocument", "catalogue": "supervision.DemandCatalogueEntry",
    "wishes": "supervision.TrainingWish", "teachers": "supervision.Teacher", "signals": "supervision.FraudSignal",
    "department-lists": "supervision.DepartmentList", "inspections": "supervision.Inspection",
    "sessions": "accounts.UserSession",
}
OTHER_VALUES = {"year": date.today().year, "day": date.today().isoformat(), "key": "audit-trail", "token": "demo",
                "code": "demo", "app_label": "classes", "object_id": "1", "id": "1", "content_type_id": 1, "url": "x"}
UNSTABLE = {"sessions.Session", "accounts.AuditEvent"} | {f"axes.{model}" for model in ("AccessAttempt", "AccessLog", "AccessFailureLog")}
# The auditor's own credentials and sessions, which the allow-list lets it renew and end (accounts.read_only).
UNSTABLE |= {"accounts.UserSession", "accounts.RecoveryCode", "accounts.RecoveryCodeDevice", "otp_totp.TOTPDevice"}


def _patterns(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace and (f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace)
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner or namespace)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield name, prefix + str(pattern.pattern)


def _first_pk(label: str):
    return apps.get_model(label)._base_manager.order_by("pk").values_list("pk", flat=True).first() or 999999


def _value(route: str, argument: str):
    if argument in OTHER_VALUES:
        return OTHER_VALUES[argument]
    if argument in BY_NAME:
        return _first_pk(BY_NAME[argument])
    segments = [part for part in route.split(f"<int:{argument}>")[0].split("/") if part and "<" not in part]
    two = "/".join(segments[-2:])
    label = BY_SEGMENTS.get(two) or BY_SEGMENT.get(segments[-1] if segments else "")
    assert label, f"no demo object for {argument} in {route}: add it to the maps above"
    return _first_pk(label)


def _urls() -> list[tuple[str, str]]:
    urls = []
    for name, route in _patterns(get_resolver().url_patterns):
        arguments = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)
        kwargs = {named or grouped: _value(route, named or grouped) for named, grouped in arguments}
        if name:
            unnamed_groups = len(re.findall(r"\((?!\?)", route))  # e.g. simple_history's admin history pages
            arguments = {"args": ["1"] * unnamed_groups} if unnamed_groups and not kwargs else {"kwargs": kwargs}
            urls.append((name, reverse(name, **arguments)))
        elif not kwargs and not any(mark in route for mark in "^$("):
            urls.append((route, "/" + route))
    return urls


def _snapshot() -> dict[str, str]:
    digests = {}
    for model in apps.get_models():
        if model._meta.label in UNSTABLE or model is Session:
            continue
        rows = model._base_manager.order_by("pk").values_list()
        digests[model._meta.label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digests


@pytest.mark.usefixtures("demo_data")
def test_every_url_refuses_a_post_by_the_auditor_and_nothing_changes(client):
    auditor = User.objects.get(username="auditor")
    urls = _urls()
    assert len(urls) > 150
    client.force_login(auditor)  # before the snapshot: logging in sets the account's last_login
    before, events_before = _snapshot(), AuditEvent.objects.count()
    allowed = []
    for name, url in urls:
        if name in AUDITOR_ALLOWED_UNSAFE_URL_NAMES:
            allowed.append((name, url))
            continue
        response = client.post(url, {"status": "x", "reason": "x", "confirm": "1"})
        assert response.status_code == 403, (name, url, response.status_code)
        assert REFUSAL_MESSAGE in response.content.decode(), name
    assert _snapshot() == before
    assert AuditEvent.objects.count() == events_before
    # The allow-list only reads: what it writes is the auditor's own audit records (logout last: it ends the session).
    for name, url in sorted(allowed, key=lambda item: item[0] == "accounts:logout"):
        assert client.post(url, {"q": "张"}).status_code != 403, name
    assert _snapshot() == before
    new_events = AuditEvent.objects.order_by("pk")[events_before:]
    assert {event.username for event in new_events} <= {"auditor"}
    assert {name for name, _url in allowed} == AUDITOR_ALLOWED_UNSAFE_URL_NAMES


@pytest.mark.usefixtures("demo_data")
def test_every_url_answers_the_auditors_get_without_an_error(client):
    """Read scope given, write checks kept: a page must not reach a write check that fails with a 500."""
    client.raise_request_exception = False
    client.force_login(User.objects.get(username="auditor"))
    failures = []
    for name, url in _urls():
        if name == "accounts:logout":
            continue
        status = client.get(url).status_code
        if status >= 500:
            failures.append((name, url, status))
    assert failures == []
