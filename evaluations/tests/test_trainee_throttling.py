"""The trainee's 附表2 form: a class submits together from one address; guessing name + ID numbers is stopped."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from classes.models import TrainingClass
from conftest import enroll, make_class
from evaluations import services
from evaluations.models import TraineeEvaluation

from .conftest import trainee_answers

CLASSROOM = "10.20.30.40"
TOO_MANY_FAILURES = "核对失败次数过多"
MISMATCH = "姓名或身份证号与本班花名册不符"


def running(institution, occupation, batch_number, size):
    today = timezone.localdate()
    training_class = make_class(
        institution, occupation, batch_number=batch_number, status=TrainingClass.Status.IN_TRAINING,
        start_date=today - timedelta(days=5), end_date=today + timedelta(days=2), headcount=size,
    )
    enroll(training_class, size)
    return training_class


@pytest.fixture
def big_class(institution, occupation):
    return running(institution, occupation, "XA152201-2026-070", 60)


@pytest.fixture
def link(big_class, county_user):
    return services.evaluation_link_create(actor=county_user, training_class=big_class)


def submit(client, link, trainee=None, *, address=CLASSROOM, name=None, id_number=None):
    """One phone's submission; a guess when name or id_number is given."""
    training_class = link.training_class
    answers = trainee_answers(training_class)
    data = {key: ("true" if value is True else "false" if value is False else value) for key, value in answers.items()}
    data.update(
        name=name or (trainee.name if trainee else "张三"),
        id_number=id_number or (trainee.id_number if trainee else "152201199001011234"),
    )
    return client.post(reverse("trainee_form_public", args=[link.token]), data, REMOTE_ADDR=address)


def guess(client, link, number, address=CLASSROOM):
    return submit(client, link, name="王五", id_number=f"1522011990010{number:05d}", address=address)


def trainees_of(training_class):
    return [enrollment.trainee for enrollment in training_class.enrollments.order_by("id")]


def test_a_class_of_sixty_submits_together_from_one_classroom_address(client, big_class, link):
    trainees = trainees_of(big_class)
    for trainee in trainees[:10]:  # a few typos on the way, as on any real morning
        assert MISMATCH in submit(client, link, name=trainee.name + "某", id_number=trainee.id_number).content.decode()
    for trainee in trainees:
        response = submit(client, link, trainee)
        assert "提交成功" in response.content.decode(), trainee.name
    assert TraineeEvaluation.objects.filter(enrollment__training_class=big_class, source="online").count() == 60


def test_guessing_on_one_link_is_stopped_whatever_the_address(client, big_class, link, settings):
    settings.TRAINEE_FORM_LINK_FAILURE_LIMIT = 5
    for number in range(5):
        response = guess(client, link, number, address=f"198.51.100.{number}")
        assert response.status_code == 400 and MISMATCH in response.content.decode()
    # A right guess now gets no confirmation either, from yet another address.
    trainee = trainees_of(big_class)[0]
    response = submit(client, link, trainee, address="198.51.100.99")
    page = response.content.decode()
    assert response.status_code == 429
    assert TOO_MANY_FAILURES in page and "10 分钟后再试" in page and "提交成功" not in page
    assert not TraineeEvaluation.objects.exists()


def test_guessing_from_one_address_is_stopped_on_every_link(client, big_class, link, institution, occupation, county_user, settings):
    settings.TRAINEE_FORM_ADDRESS_FAILURE_LIMIT = 3
    attacker = "203.0.113.66"
    other_link = services.evaluation_link_create(
        actor=county_user, training_class=running(institution, occupation, "XA152201-2026-071", 3)
    )
    for number in range(3):
        assert MISMATCH in guess(client, link, number, address=attacker).content.decode()
    refused = guess(client, other_link, 99, address=attacker)
    assert refused.status_code == 429 and TOO_MANY_FAILURES in refused.content.decode()
    # The classroom at another address is still served.
    assert "提交成功" in submit(client, link, trainees_of(big_class)[0]).content.decode()


def test_an_ipv6_client_cannot_dodge_the_limit_by_changing_its_address(client, big_class, link, settings):
    settings.TRAINEE_FORM_ADDRESS_FAILURE_LIMIT = 3
    for number in range(3):
        assert MISMATCH in guess(client, link, number, address=f"2001:db8:7:1::{number + 1}").content.decode()
    assert TOO_MANY_FAILURES in guess(client, link, 9, address="2001:db8:7:1:abcd::99").content.decode()
    assert MISMATCH in guess(client, link, 9, address="2001:db8:7:2::1").content.decode()  # another network


def test_successful_submissions_do_not_use_up_the_failure_budget(client, big_class, link, settings):
    settings.TRAINEE_FORM_ADDRESS_FAILURE_LIMIT = 3
    trainees = trainees_of(big_class)
    for number in range(2):
        assert MISMATCH in guess(client, link, number).content.decode()
    for trainee in trainees[:20]:
        assert "提交成功" in submit(client, link, trainee).content.decode()
    assert MISMATCH in guess(client, link, 2).content.decode()  # the third failure is still checked
    assert TOO_MANY_FAILURES in submit(client, link, trainees[20]).content.decode()


def test_a_resubmission_or_an_incomplete_form_is_not_a_failed_identity(client, big_class, link, settings):
    settings.TRAINEE_FORM_ADDRESS_FAILURE_LIMIT = 1
    trainee, other = trainees_of(big_class)[:2]
    submit(client, link, trainee)
    assert "已提交过有效的评价表" in submit(client, link, trainee).content.decode()
    assert "请检查标红的内容" in client.post(reverse("trainee_form_public", args=[link.token]), {"name": "x"}, REMOTE_ADDR=CLASSROOM).content.decode()
    assert "提交成功" in submit(client, link, other).content.decode()


def test_a_link_takes_a_limited_number_of_submissions_and_a_new_link_starts_afresh(client, big_class, link, county_user, settings):
    settings.TRAINEE_FORM_LINK_SUBMISSION_LIMIT = 3
    trainees = trainees_of(big_class)
    for trainee in trainees[:3]:
        assert "提交成功" in submit(client, link, trainee, address=f"192.0.2.{trainee.pk % 250}").content.decode()
    response = submit(client, link, trainees[3])
    assert response.status_code == 429 and "该评价链接提交过于频繁" in response.content.decode()
    new_link = services.evaluation_link_create(actor=county_user, training_class=big_class)
    assert "提交成功" in submit(client, new_link, trainees[3]).content.decode()


def test_the_refusal_ends_with_its_window(client, big_class, link, settings):
    window = settings.TRAINEE_FORM_THROTTLE_WINDOW = 2
    settings.TRAINEE_FORM_ADDRESS_FAILURE_LIMIT = 1
    time.sleep(window - time.time() % window)  # windows are fixed: start at the beginning of one
    guess(client, link, 1)
    assert TOO_MANY_FAILURES in guess(client, link, 2).content.decode()
    time.sleep(window - time.time() % window)
    assert MISMATCH in guess(client, link, 3).content.decode()


def test_no_answer_of_the_form_is_kept_by_a_browser_or_proxy(client, big_class, link, settings):
    url = reverse("trainee_form_public", args=[link.token])
    trainee = trainees_of(big_class)[0]
    refused = submit(client, link, name="别人", id_number=trainee.id_number)
    assert refused.status_code == 400 and trainee.id_number in refused.content.decode()  # echoed back for correction
    settings.TRAINEE_FORM_ADDRESS_FAILURE_LIMIT = 1
    responses = {
        "form": client.get(url),
        "refused": refused,
        "throttled": guess(client, link, 1),
        "done": submit(client, link, trainee, address="192.0.2.1"),
        "unknown link": client.get(reverse("trainee_form_public", args=["no-such-token"])),
    }
    today = timezone.localdate()
    TrainingClass.objects.filter(pk=big_class.pk).update(start_date=today - timedelta(days=40), end_date=today - timedelta(days=30))
    responses["closed window"] = client.get(url)
    assert [response.status_code for response in responses.values()] == [200, 400, 429, 200, 404, 403]
    for name, response in responses.items():
        assert "no-store" in response["Cache-Control"], name
