"""Policy §5: follow-up answers that say "did not attend" or "did not complete", against the trainee's valid 附表2;
the trainees' suggestions kept and printed."""

import re
import subprocess

import pytest
from django.urls import reverse

from evaluations.models import TraineeEvaluation
from evaluations.tests.conftest import trainee_answers
from followups import services
from followups.contradictions import CallAnswers, contradicts_form2, followup_problems
from followups.models import FollowupItem
from followups.selectors import followup_contradictions_for
from xingan_training.errors import ServiceError

from .conftest import ANSWERS

CONTRADICTS_ATTENDANCE = "回访中表示未参加此次培训，附表2却填写“已完成此次培训”"
CONTRADICTS_COMPLETION = "回访中表示未完成此次培训，附表2却填写“已完成此次培训”"
NOT_ATTENDED_NO_FORM = "回访中表示未参加此次培训（无有效附表2可比对）"


def visible_text(page: str) -> str:
    return re.sub(r"<[^>]+>", "", page)


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "followups.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def form2(item: FollowupItem, *, completed: bool = True, is_valid: bool = True) -> TraineeEvaluation:
    training_class = item.sample.training_class
    return TraineeEvaluation.objects.create(
        enrollment=item.enrollment, source="paper", is_valid=is_valid,
        **trainee_answers(training_class, completed_training=completed),
    )


def complete(item, caller, **answers):
    services.call_attempt_record(actor=caller, item=item, outcome="completed", answers={**ANSWERS, **answers})


@pytest.fixture
def phoned(sampled, county_user):
    """Three calls: one denies attending and one denies completing against 附表2; one, without 附表2, denies attending."""
    training_class, sample = sampled
    denies_attending, denies_completing, no_form = sample.items.order_by("position")
    form2(denies_attending)
    form2(denies_completing)
    form2(no_form, is_valid=False)  # a voided form is no 附表2
    complete(denies_attending, county_user, received_training=False, completed_training=None, suggestions="没上过课")
    complete(denies_completing, county_user, completed_training=False, employer=None, skill_improvement=None,
             suggestions="  希望多安排实操  ")
    complete(no_form, county_user, received_training=False, completed_training=None)
    return training_class, [denies_attending, denies_completing, no_form]


class TestRule:
    def test_not_attending_against_a_completed_form_is_a_contradiction(self):
        assert followup_problems(CallAnswers(False, None), True) == [CONTRADICTS_ATTENDANCE]
        assert contradicts_form2(CallAnswers(False, None), True)
        assert not contradicts_form2(CallAnswers(False, None), None) and not contradicts_form2(CallAnswers(True, True), True)

    def test_not_completing_against_a_completed_form_is_a_contradiction(self):
        assert followup_problems(CallAnswers(True, False), True) == [CONTRADICTS_COMPLETION]

    def test_without_a_form_or_with_a_form_that_agrees_it_is_a_finding(self):
        assert followup_problems(CallAnswers(False, None), None) == [NOT_ATTENDED_NO_FORM]
        assert followup_problems(CallAnswers(True, False), False) == ["回访中表示未完成此次培训（附表2亦填写未完成）"]

    def test_attending_and_completing_raises_nothing_whatever_the_form_says(self):
        assert followup_problems(CallAnswers(True, True), True) == []
        assert followup_problems(CallAnswers(True, True), False) == []
        assert followup_problems(CallAnswers(True, None), True) == [], "a call made before the question was asked"


class TestAnswers:
    def test_a_trainee_who_attended_must_say_whether_he_completed(self, sampled, county_user):
        _training_class, sample = sampled
        with pytest.raises(ServiceError, match="须填写是否完成了此次培训"):
            complete(sample.items.first(), county_user, completed_training=None)
        with pytest.raises(ServiceError, match="不能同时记录为已完成培训"):
            complete(sample.items.first(), county_user, received_training=False, completed_training=True)
        assert not FollowupItem.objects.filter(status=FollowupItem.Status.COMPLETED).exists()

    def test_the_call_form_asks_the_question(self, client, sampled, county_user):
        _training_class, sample = sampled
        client.force_login(county_user)
        url = reverse("followups:call", args=[sample.items.first().pk])
        assert "2、是否完成了此次培训" in client.get(url).content.decode()
        page = client.post(url, {"outcome": "completed", "received_training": "true", "satisfaction": "good",
                                 "employment_status": "employee"}).content.decode()
        assert "参加了培训的须填写是否完成。" in page
        client.post(url, {"outcome": "completed", "received_training": "true", "completed_training": "false",
                          "satisfaction": "good", "employment_status": "employee", "suggestions": "课时太少"})
        item = sample.items.first()
        assert (item.status, item.completed_training, item.suggestions) == ("completed", False, "课时太少")
        page = client.get(url).content.decode()
        assert "该学员的回访状态：已完成，不再记录通话。" in page and "已已" not in page

    def test_suggestions_are_kept_when_other_answers_are_left_empty(self, phoned):
        _training_class, (denies_attending, denies_completing, _no_form) = phoned
        denies_completing.refresh_from_db()
        assert (denies_completing.suggestions, denies_completing.employer, denies_completing.skill_improvement) == (
            "希望多安排实操", "", "",
        )
        denies_attending.refresh_from_db()
        assert (denies_attending.received_training, denies_attending.completed_training) == (False, None)


class TestShown:
    def test_the_selector_checks_each_call_against_the_valid_form_in_one_query(self, phoned, county_user,
                                                                             django_assert_num_queries):
        training_class, (denies_attending, denies_completing, no_form) = phoned
        with django_assert_num_queries(1):
            findings = followup_contradictions_for(training_class, user=county_user)
        assert [finding.contradicts_form2 for finding in findings] == [True, True, False]
        assert [(item.pk, name, problems) for item, name, problems in findings] == [
            (denies_attending.pk, denies_attending.enrollment.trainee.name, [CONTRADICTS_ATTENDANCE]),
            (denies_completing.pk, denies_completing.enrollment.trainee.name, [CONTRADICTS_COMPLETION]),
            (no_form.pk, no_form.enrollment.trainee.name, [NOT_ATTENDED_NO_FORM]),
        ]

    def test_the_class_page_shows_findings_and_suggestions(self, client, phoned, county_user):
        training_class, (denies_attending, denies_completing, no_form) = phoned
        client.force_login(county_user)
        page = visible_text(client.get(reverse("followups:class_followups", args=[training_class.pk])).content.decode())
        assert "回访中表示未参加或未完成培训（3 人）" in page
        assert f"与附表2矛盾{denies_attending.enrollment.trainee.name}：{CONTRADICTS_ATTENDANCE}" in page
        assert f"与附表2矛盾{denies_completing.enrollment.trainee.name}：{CONTRADICTS_COMPLETION}" in page
        assert f"{no_form.enrollment.trainee.name}：{NOT_ATTENDED_NO_FORM}" in page
        assert f"矛盾{no_form.enrollment.trainee.name}" not in page
        assert "学员意见建议（2 条）" in page and "希望多安排实操" in page and "没上过课" in page

    def test_the_record_sheet_prints_findings_and_suggestions(self, client, phoned, league_user, tmp_path):
        training_class, (denies_attending, denies_completing, no_form) = phoned
        client.force_login(league_user)
        text = pdf_text(client.get(reverse("reports:followups", args=[training_class.pk])).content, tmp_path)
        flat = "".join(text.split())
        assert "回访中表示未参加或未完成培训" in flat
        assert f"{denies_attending.enrollment.trainee.name}与附表2矛盾{CONTRADICTS_ATTENDANCE}" in flat
        assert f"{denies_completing.enrollment.trainee.name}与附表2矛盾{CONTRADICTS_COMPLETION}" in flat
        assert f"{no_form.enrollment.trainee.name}回访发现{NOT_ATTENDED_NO_FORM}" in flat
        assert f"{denies_completing.enrollment.trainee.name}希望多安排实操" in flat
        calls = text[text.index("参训情况"):text.index("未能回访并已替换")]
        assert [line.split()[5] for line in calls.splitlines() if line[:1].isdigit()] == ["未参加", "未完成", "未参加"]

    def test_institutions_see_no_follow_up_records(self, client, phoned, institution_user):
        training_class, items = phoned
        assert followup_contradictions_for(training_class, user=institution_user) == []
        client.force_login(institution_user)
        page = client.get(reverse("followups:class_followups", args=[training_class.pk])).content.decode()
        assert all(item.enrollment.trainee.name not in page for item in items)
        assert "希望多安排实操" not in page and "followup-findings" not in page and "回访记录表 PDF" not in page
        assert client.get(reverse("reports:followups", args=[training_class.pk])).status_code == 404

    def test_another_county_gets_404_on_the_page_and_the_sheet(self, client, phoned, other_county_user):
        training_class, _items = phoned
        assert followup_contradictions_for(training_class, user=other_county_user) == []
        client.force_login(other_county_user)
        assert client.get(reverse("followups:class_followups", args=[training_class.pk])).status_code == 404
        assert client.get(reverse("reports:followups", args=[training_class.pk])).status_code == 404


def test_the_evaluation_page_shows_follow_up_findings_to_bureaus_only(client, phoned, county_user, institution_user):
    training_class, (denies_attending, _denies_completing, _no_form) = phoned
    url = reverse("evaluations:class_evaluation", args=[training_class.pk])
    client.force_login(county_user)
    page = client.get(url).content.decode()
    assert 'id="followup-findings"' in page and "电话回访答复与附表2不一致（3 人）" in page
    assert denies_attending.enrollment.trainee.name in page and CONTRADICTS_ATTENDANCE in page
    client.force_login(institution_user)
    assert 'id="followup-findings"' not in client.get(url).content.decode()
