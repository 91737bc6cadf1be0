"""The public 附表2 form under load: few queries per submission, the link read once, one row per trainee however
many phones post at once (issue #12). Transactional tests: outside a test's wrapping transaction the counts are
the ones production sees (no savepoints), and the racing threads each commit on their own connection."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from classes.models import TrainingClass
from conftest import make_class, run_at_once
from evaluations import services
from evaluations.models import TraineeEvaluation

from .conftest import post_data

ALREADY_SUBMITTED = "该学员已提交过有效的评价表，无需重复提交。"

# The link with its class and review (1), the enrollment with its "already submitted" and "found untruthful" flags
# (1), the approval-lock check of the new row (1), the form and its history row (2), the class's form counts (1,
# evaluations.form_counts), and the BEGIN and COMMIT that make those last four one transaction (2). The form's
# signature and date rules are checked in Python, not by asking the database to evaluate the model's check
# constraints (two queries fewer).
QUERIES_PER_SUBMISSION = 8


@pytest.mark.django_db(transaction=True)
def test_a_submission_costs_a_fixed_number_of_queries_and_reads_the_link_once(client, running_class, link, django_assert_num_queries):
    trainee = running_class.enrollments.first().trainee
    url = reverse("trainee_form_public", args=[link.token])
    with CaptureQueriesContext(connection) as queries, django_assert_num_queries(QUERIES_PER_SUBMISSION):
        response = client.post(url, post_data(running_class, trainee))
    assert "提交成功" in response.content.decode()
    assert TraineeEvaluation.objects.filter(enrollment__trainee=trainee).count() == 1
    assert sum('FROM "evaluations_evaluationlink"' in query["sql"] for query in queries.captured_queries) == 1


@pytest.mark.django_db(transaction=True)
def test_opening_the_form_reads_the_link_alone(client, running_class, link, django_assert_num_queries):
    url = reverse("trainee_form_public", args=[link.token])
    client.get(url)  # the empty form's fields are now in the cache
    with django_assert_num_queries(1):
        page = client.get(url).content.decode()
    assert running_class.institution.name in page and running_class.occupation.name in page
    assert 'name="id_number"' in page and 'name="item_8"' in page
    assert "---------" not in page  # a rating offers 优、良、一般、差 and no blank choice


@pytest.mark.django_db(transaction=True)
def test_a_repeat_is_refused_from_the_roster_read_without_trying_an_insert(client, running_class, link, django_assert_num_queries):
    trainee = running_class.enrollments.first().trainee
    url = reverse("trainee_form_public", args=[link.token])
    client.post(url, post_data(running_class, trainee))
    with CaptureQueriesContext(connection) as queries, django_assert_num_queries(2):
        response = client.post(url, post_data(running_class, trainee, overall="poor"))
    assert response.status_code == 400 and ALREADY_SUBMITTED in response.content.decode()
    assert not any(query["sql"].startswith("INSERT") for query in queries.captured_queries)
    assert TraineeEvaluation.objects.get(enrollment__trainee=trainee).overall == "excellent"


@pytest.mark.django_db(transaction=True)
def test_the_signature_and_date_rules_still_refuse_with_their_messages(client, running_class, link):
    trainee = running_class.enrollments.first().trainee
    url = reverse("trainee_form_public", args=[link.token])
    data = post_data(running_class, trainee)
    unsigned = client.post(url, {key: value for key, value in data.items() if key != "is_confirmed"})
    assert unsigned.status_code == 400 and "请勾选本人确认后再提交。" in unsigned.content.decode()
    reversed_dates = client.post(url, {**data, "attended_from": data["attended_to"], "attended_to": data["attended_from"]})
    assert "结束日期不能早于起始日期。" in reversed_dates.content.decode()
    assert not TraineeEvaluation.objects.filter(enrollment__trainee=trainee).exists()


@pytest.mark.django_db(transaction=True)
def test_two_phones_posting_the_same_trainee_at_once_give_one_row_and_a_clear_message(running_class, link):
    trainee = running_class.enrollments.first().trainee
    url = reverse("trainee_form_public", args=[link.token])

    def phone(overall):
        return lambda: Client().post(url, post_data(running_class, trainee, overall=overall)).content.decode()

    pages = run_at_once(phone("excellent"), phone("good"))
    assert TraineeEvaluation.objects.filter(enrollment__trainee=trainee).count() == 1
    assert sorted("提交成功" in page for page in pages) == [False, True]
    assert sum(ALREADY_SUBMITTED in page for page in pages) == 1


def test_the_empty_form_is_rendered_once_per_class_and_follows_an_edited_class(client, running_class, link, county_user):
    url = reverse("trainee_form_public", args=[link.token])
    first, second = client.get(url), client.get(url)
    assert "django/forms/widgets/input_option.html" in _templates(first)
    assert "django/forms/widgets/input_option.html" not in _templates(second)  # the fields came from the cache
    assert 'value="乌兰浩特测试职业培训学校"' in first.content.decode()
    assert _without_csrf(first.content.decode()) == _without_csrf(second.content.decode())
    running_class.institution.name = "乌兰浩特新名称职业培训学校"
    running_class.institution.save()
    assert 'value="乌兰浩特新名称职业培训学校"' in client.get(url).content.decode()


def test_another_class_renders_only_its_own_participation_facts(client, running_class, link, county_user, institution, occupation):
    """The ratings are the same for every class: a class's first phone renders only the fields whose defaults come
    from its own record."""
    client.get(reverse("trainee_form_public", args=[link.token]))
    other_class = make_class(institution, occupation, batch_number="XA152201-2026-061", status=TrainingClass.Status.IN_TRAINING,
                             start_date=running_class.start_date, end_date=running_class.end_date)
    other_link = services.evaluation_link_create(actor=county_user, training_class=other_class)
    page = client.get(reverse("trainee_form_public", args=[other_link.token]))
    assert "evaluations/trainee_form_participation.html" in _templates(page)
    assert "evaluations/trainee_form_ratings.html" not in _templates(page)  # shared with the first class
    html = page.content.decode()
    assert html.count('type="radio"') == 38 and 'name="item_8"' in html and "---------" not in html


def _templates(response) -> set[str]:
    return {template.name for template in response.templates}


def _without_csrf(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


@pytest.mark.django_db(transaction=True)
def test_the_trainee_may_give_the_roster_name_or_the_registered_name_and_nothing_else(client, running_class, link):
    """The roster may write a name differently from the one first registered under the ID number (a changed name, a
    Mongolian name transcribed differently): either is accepted, any other name is refused without saying which
    of name and ID number did not match."""
    url = reverse("trainee_form_public", args=[link.token])
    by_roster, by_registration, refused = running_class.enrollments.select_related("trainee")[:3]
    for enrollment in (by_roster, by_registration, refused):
        type(enrollment).objects.filter(pk=enrollment.pk).update(roster_name=f"{enrollment.trainee.name}花名册")
    page = client.post(url, {**post_data(running_class, by_roster.trainee), "name": f"{by_roster.trainee.name}花名册"})
    assert "提交成功" in page.content.decode()
    page = client.post(url, post_data(running_class, by_registration.trainee))
    assert "提交成功" in page.content.decode()
    page = client.post(url, {**post_data(running_class, refused.trainee), "name": "王某某"})
    assert page.status_code == 400 and "姓名或身份证号与本班花名册不符" in page.content.decode()
    assert TraineeEvaluation.objects.filter(enrollment__training_class=running_class).count() == 2
