"""Who sees what: each selector role by role, and every URL with another county's or institution's ids."""

import pytest
from django.urls import reverse

from accounts.models import User
from classes import selectors
from classes.models import Enrollment, RosterImport, TrainingClass
from conftest import enroll, make_user


@pytest.fixture
def own_class(training_class):
    enroll(training_class, 2)
    return training_class


@pytest.fixture
def foreign_import(other_class, other_institution_user):
    return RosterImport.objects.create(
        training_class=other_class,
        uploaded_by=other_institution_user,
        file_name="名册.xlsx",
        file_sha256="0" * 64,
        content=b"",
        status=RosterImport.Status.REJECTED,
    )


class TestSelectors:
    def test_league_sees_every_county_of_its_league(self, league_user, own_class, other_class):
        assert set(selectors.classes_visible_to(league_user)) == {own_class, other_class}

    def test_county_sees_only_its_county(self, county_user, own_class, other_class):
        assert list(selectors.classes_visible_to(county_user)) == [own_class]
        assert list(selectors.institutions_visible_to(county_user)) == [own_class.institution]
        assert set(selectors.enrollments_visible_to(county_user)) == set(own_class.enrollments.all())
        assert selectors.trainees_visible_to(county_user).count() == 2

    def test_institution_sees_only_its_institution(self, institution_user, own_class, other_class):
        assert list(selectors.classes_visible_to(institution_user)) == [own_class]
        assert list(selectors.institutions_visible_to(institution_user)) == [own_class.institution]
        assert list(selectors.counties_visible_to(institution_user)) == [own_class.institution.county]

    def test_a_trainee_in_both_counties_is_visible_to_both_but_the_other_roster_is_not(
        self, county_user, own_class, other_class
    ):
        shared = other_class.enrollments.first().trainee
        Enrollment.objects.create(training_class=own_class, trainee=shared, roster_name=shared.name, phone="13912345678")
        assert selectors.trainees_visible_to(county_user).filter(pk=shared.pk).exists()
        assert not selectors.enrollments_visible_to(county_user).filter(training_class=other_class).exists()

    def test_superuser_sees_all(self, superuser, own_class, other_class):
        assert selectors.classes_visible_to(superuser).count() == 2

    def test_users_without_role_or_inactive_see_nothing(self, county_user, own_class):
        assert selectors.classes_visible_to(make_user("nobody")).count() == 0
        User.objects.filter(pk=county_user.pk).update(is_active=False)
        county_user.refresh_from_db()
        assert selectors.classes_visible_to(county_user).count() == 0


def foreign_urls(other_class, foreign_import):
    """Every class-level URL, aimed at another county's class (GET and POST)."""
    enrollment = other_class.enrollments.first()
    pk = other_class.pk
    return [
        ("get", reverse("classes:class_detail", args=[pk])),
        ("get", reverse("classes:class_edit", args=[pk])),
        ("post", reverse("classes:class_edit", args=[pk])),
        ("post", reverse("classes:class_start", args=[pk])),
        ("post", reverse("classes:class_finish", args=[pk])),
        ("get", reverse("classes:roster_upload", args=[pk])),
        ("post", reverse("classes:roster_upload", args=[pk])),
        ("get", reverse("classes:roster_import_detail", args=[pk, foreign_import.pk])),
        ("post", reverse("classes:roster_import_confirm", args=[pk, foreign_import.pk])),
        ("get", reverse("classes:roster_export", args=[pk])),
        ("post", reverse("classes:enrollment_reveal", args=[pk, enrollment.pk])),
        ("post", reverse("classes:enrollment_mark_dropped", args=[pk, enrollment.pk])),
        ("get", reverse("classes:enrollment_remove", args=[pk, enrollment.pk])),
        ("post", reverse("classes:enrollment_remove", args=[pk, enrollment.pk])),
        ("get", reverse("classes:institution_detail", args=[other_class.institution_id])),
    ]


@pytest.mark.parametrize("role_fixture", ["county_user", "institution_user"])
def test_every_url_of_another_county_is_not_found(request, client, role_fixture, own_class, other_class, foreign_import):
    client.force_login(request.getfixturevalue(role_fixture))
    for method, url in foreign_urls(other_class, foreign_import):
        response = getattr(client, method)(url)
        assert response.status_code == 404, f"{method.upper()} {url} gave {response.status_code}"
        assert "页面不存在" in response.content.decode()
    assert other_class.enrollments.count() == 3
    assert TrainingClass.objects.get(pk=other_class.pk).status == TrainingClass.Status.DRAFT


def test_the_other_county_cannot_reach_this_one_either(client, other_county_user, own_class, other_class):
    client.force_login(other_county_user)
    assert client.get(reverse("classes:class_detail", args=[own_class.pk])).status_code == 404
    assert client.get(reverse("classes:class_detail", args=[other_class.pk])).status_code == 200


def test_tampered_child_ids_under_an_own_class_are_not_found(
    client, institution_user, own_class, other_class, foreign_import
):
    client.force_login(institution_user)
    foreign_enrollment = other_class.enrollments.first()
    for method, url in [
        ("post", reverse("classes:enrollment_reveal", args=[own_class.pk, foreign_enrollment.pk])),
        ("get", reverse("classes:enrollment_remove", args=[own_class.pk, foreign_enrollment.pk])),
        ("get", reverse("classes:roster_import_detail", args=[own_class.pk, foreign_import.pk])),
        ("post", reverse("classes:roster_import_confirm", args=[own_class.pk, foreign_import.pk])),
    ]:
        assert getattr(client, method)(url).status_code == 404, url
    assert Enrollment.objects.filter(pk=foreign_enrollment.pk).exists()


def test_tampered_filter_ids_in_the_query_string_show_nothing_foreign(client, county_user, own_class, other_class):
    client.force_login(county_user)
    for query in (
        {"institution": other_class.institution_id},
        {"county": other_class.institution.county_id},
    ):
        response = client.get(reverse("classes:class_list"), query)
        page = response.content.decode()
        assert other_class.batch_number not in page
        assert "筛选条件无效" in page


def test_a_tampered_occupation_in_the_form_is_refused(client, institution_user, unlicensed_occupation):
    client.force_login(institution_user)
    response = client.post(
        reverse("classes:class_create"),
        {
            "batch_number": "XA152201-2026-777",
            "occupation": unlicensed_occupation.pk,
            "category": "employment_skills",
            "start_date": "2026-12-01",
            "end_date": "2026-12-15",
            "registered_headcount": 30,
            "class_hours": 80,
            "location": "本部",
        },
    )
    assert response.status_code == 200
    assert "不在本机构的办学许可范围内" in response.content.decode()
    assert not TrainingClass.objects.filter(batch_number="XA152201-2026-777").exists()


def test_county_and_league_staff_cannot_open_the_class_form(client, county_user, league_user):
    for user in (county_user, league_user):
        client.force_login(user)
        assert client.get(reverse("classes:class_create")).status_code == 404


def test_league_reaches_both_counties_pages(client, league_user, own_class, other_class):
    client.force_login(league_user)
    for training_class in (own_class, other_class):
        page = client.get(reverse("classes:class_detail", args=[training_class.pk])).content.decode()
        assert training_class.batch_number in page
