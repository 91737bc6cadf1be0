"""The auditor (纪检监察/审计): reads what its region's staff read, changes nothing, and its reads are audited."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from accounts.models import AuditEvent, Role
from accounts.read_only import REFUSAL_MESSAGE
from classes.models import TrainingClass
from conftest import enroll, make_user


@pytest.fixture
def league_auditor(league_region):
    return make_user("auditor", role=Role.AUDITOR, region=league_region)


@pytest.fixture
def county_auditor(county):
    return make_user("auditor-county", role=Role.AUDITOR, region=county)


def test_an_auditor_reads_as_the_staff_of_its_region(league_auditor, county_auditor):
    assert league_auditor.read_role == Role.LEAGUE
    assert county_auditor.read_role == Role.COUNTY
    assert not league_auditor.is_league_staff and not county_auditor.is_county_staff


def test_an_auditor_needs_a_region(db):
    with pytest.raises(IntegrityError):
        make_user("auditor-nowhere", role=Role.AUDITOR)


def test_a_county_auditor_sees_its_county_and_not_the_other(client, county_auditor, training_class, other_class):
    client.force_login(county_auditor)
    page = client.get(reverse("classes:class_list")).content.decode()
    assert training_class.batch_number in page and other_class.batch_number not in page
    assert client.get(reverse("classes:class_detail", args=[other_class.pk])).status_code == 404


def test_a_league_auditor_sees_every_county_of_its_league(client, league_auditor, training_class, other_class):
    client.force_login(league_auditor)
    page = client.get(reverse("classes:class_list")).content.decode()
    assert training_class.batch_number in page and other_class.batch_number in page
    # League staff pages: the league's review queue and the department lists.
    assert client.get(reverse("evaluations:league_queue")).status_code == 200
    assert client.get(reverse("supervision:department_list_list")).status_code == 200


def test_a_county_auditor_gets_the_county_staff_pages(client, county_auditor):
    client.force_login(county_auditor)
    assert client.get(reverse("evaluations:county_queue")).status_code == 200
    assert client.get(reverse("evaluations:league_queue")).status_code == 404
    assert client.get(reverse("supervision:department_list_list")).status_code == 404


def test_a_post_by_an_auditor_is_refused_and_changes_nothing(client, league_auditor, training_class):
    client.force_login(league_auditor)
    response = client.post(reverse("classes:class_start", args=[training_class.pk]))
    assert response.status_code == 403
    assert REFUSAL_MESSAGE in response.content.decode()
    training_class.refresh_from_db()
    assert training_class.status == TrainingClass.Status.DRAFT


def test_the_auditor_may_log_out(client, league_auditor):
    client.force_login(league_auditor)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_pages_hide_what_changes_state_from_the_auditor(client, league_auditor, training_class):
    client.force_login(league_auditor)
    page = client.get(reverse("classes:class_detail", args=[training_class.pk])).content.decode()
    assert 'class="bg-body-tertiary read-only"' in page
    assert "审计日志" in page  # its navbar


def test_staff_pages_are_not_marked_read_only(client, county_user, training_class):
    client.force_login(county_user)
    page = client.get(reverse("classes:class_detail", args=[training_class.pk])).content.decode()
    assert "bg-body-tertiary read-only" not in page and "审计日志" not in page


def test_the_auditors_reading_of_a_full_id_number_is_audited(client, county_auditor, training_class):
    enrollment = enroll(training_class, 1)[0]
    client.force_login(county_auditor)
    response = client.post(reverse("classes:enrollment_reveal", args=[training_class.pk, enrollment.pk]))
    assert response.status_code == 200
    assert enrollment.trainee.id_number in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW_PERSONAL_DATA)
    assert event.actor == county_auditor and event.object_id == str(enrollment.trainee_id)


def test_an_auditor_is_no_admin(client, league_auditor):
    client.force_login(league_auditor)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and reverse("admin:login") in response.url
    assert client.post(reverse("admin:login"), {"username": "auditor", "password": "x"}).status_code == 403


def test_the_auditor_changes_its_own_password(client, league_auditor):
    from conftest import PASSWORD

    client.force_login(league_auditor)
    new_password = "Qz7-Hinggan-Ledger-9x"
    response = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password,
    })
    assert response.status_code == 302
    league_auditor.refresh_from_db()
    assert league_auditor.check_password(new_password)


def test_the_auditors_trainee_search_is_audited(client, county_auditor, training_class):
    person = enroll(training_class, 1)[0].trainee
    client.force_login(county_auditor)
    response = client.post(reverse("reports:trainee_search"), {"q": person.id_number})
    assert response.status_code == 200 and person.name in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW_PERSONAL_DATA)
    assert event.actor == county_auditor and "找到1人" in event.detail
