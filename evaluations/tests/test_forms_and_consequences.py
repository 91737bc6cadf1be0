"""附表2 on the phone and on paper, the explained grade, consequences (§3, §7), and scoping of every URL."""

import threading
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from classes.models import Enrollment, Institution, TrainingClass
from conftest import enroll, make_class
from evaluations import selectors, services
from evaluations.models import ClassReview, EvaluationLink, Investigation, TraineeEvaluation
from xingan_training.errors import ServiceError

from .conftest import add_forms, complete_followups, post_data, self_assess, trainee_answers, verify


class TestTraineePhoneForm:
    def test_a_trainee_fills_and_signs_the_form(self, client, running_class, link):
        trainee = running_class.enrollments.first().trainee
        url = reverse("trainee_form_public", args=[link.token])
        page = client.get(url).content.decode()
        assert "兴安盟职业技能培训学员绩效评价和诚信登记表" in page and "培训、实操场地等设备情况" in page
        assert "续航滴" not in page
        response = client.post(url, post_data(running_class, trainee))
        assert "提交成功" in response.content.decode()
        form = TraineeEvaluation.objects.get(enrollment__trainee=trainee)
        assert form.source == "online" and form.is_confirmed and form.entered_by is None
        assert form.training_class == running_class  # the class its forms are counted by (teacher performance)

    def test_a_mismatched_identity_is_refused_and_keeps_what_was_typed(self, client, running_class, link):
        trainee = running_class.enrollments.first().trainee
        data = post_data(running_class, trainee, suggestions="希望多安排实操")
        data["name"] = "别人"
        response = client.post(reverse("trainee_form_public", args=[link.token]), data)
        page = response.content.decode()
        assert response.status_code == 400
        assert "姓名或身份证号与本班花名册不符" in page
        assert "希望多安排实操" in page and trainee.id_number in page
        assert not TraineeEvaluation.objects.exists()

    def test_a_second_submission_is_refused(self, client, running_class, link):
        trainee = running_class.enrollments.first().trainee
        url = reverse("trainee_form_public", args=[link.token])
        client.post(url, post_data(running_class, trainee))
        response = client.post(url, post_data(running_class, trainee, overall="poor"))
        assert "已提交过有效的评价表" in response.content.decode()
        assert TraineeEvaluation.objects.get().overall == "excellent"

    def test_the_signature_is_required(self, client, running_class, link):
        trainee = running_class.enrollments.first().trainee
        data = post_data(running_class, trainee)
        del data["is_confirmed"]
        assert "请勾选本人确认后再提交" in client.post(reverse("trainee_form_public", args=[link.token]), data).content.decode()
        assert not TraineeEvaluation.objects.exists()

    def test_a_revoked_link_no_longer_opens(self, client, running_class, link, county_user):
        services.evaluation_link_revoke(actor=county_user, link=link)
        response = client.get(reverse("trainee_form_public", args=[link.token]))
        assert response.status_code == 404 and "已停用" in response.content.decode()

    def test_a_new_link_revokes_the_old_one(self, running_class, link, county_user):
        new = services.evaluation_link_create(actor=county_user, training_class=running_class)
        link.refresh_from_db()
        assert link.revoked_at is not None and new.revoked_at is None and new.token != link.token
        assert len(new.token) >= 32

    def test_outside_the_window_the_form_is_closed(self, client, running_class, link):
        TrainingClass.objects.filter(pk=running_class.pk).update(
            start_date=date(2026, 1, 1), end_date=date(2026, 1, 10)
        )
        response = client.get(reverse("trainee_form_public", args=[link.token]))
        assert response.status_code == 403 and "不在该培训班的评价时间内" in response.content.decode()

    def test_the_database_allows_one_valid_form_per_trainee(self, running_class):
        enrollment = running_class.enrollments.first()
        TraineeEvaluation.objects.create(enrollment=enrollment, source="paper", **trainee_answers(running_class))
        with pytest.raises(IntegrityError), transaction.atomic():
            TraineeEvaluation.objects.create(enrollment=enrollment, source="paper", **trainee_answers(running_class))


@pytest.mark.django_db(transaction=True)
def test_two_identical_submissions_at_once_give_one_row(running_class, link):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's shared in-memory test database locks the table instead of racing; CI runs PostgreSQL")
    trainee = running_class.enrollments.first().trainee
    answers = trainee_answers(running_class)
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        barrier.wait()
        try:
            services.trainee_evaluation_submit_online(link=selectors.evaluation_link_for_trainee(link.token), name=trainee.name, id_number=trainee.id_number, answers=answers)
            outcomes.append("saved")
        except ServiceError as error:
            outcomes.append(error.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert TraineeEvaluation.objects.filter(enrollment__trainee=trainee).count() == 1
    assert sorted(outcomes) == sorted(["saved", "该学员已提交过有效的评价表，无需重复提交。"])


class TestPaperEntry:
    def test_county_enters_a_paper_form_and_is_recorded_as_the_enterer(self, client, running_class, county_user):
        enrollment = running_class.enrollments.first()
        client.force_login(county_user)
        data = post_data(running_class, enrollment.trainee)
        data["enrollment"] = enrollment.pk
        response = client.post(reverse("evaluations:paper_entry", args=[running_class.pk]), data, follow=True)
        assert "已录入" in response.content.decode()
        form = TraineeEvaluation.objects.get()
        assert form.source == "paper" and form.entered_by == county_user

    def test_institutions_cannot_enter_forms_for_their_own_trainees(self, client, running_class, institution_user):
        client.force_login(institution_user)
        assert client.get(reverse("evaluations:paper_entry", args=[running_class.pk])).status_code == 404
        with pytest.raises(ServiceError, match="只有旗县市人社部门"):
            services.trainee_evaluation_enter_paper(
                actor=institution_user, enrollment=running_class.enrollments.first(), answers=trainee_answers(running_class)
            )


class TestExplainedGrade:
    def test_the_page_shows_counts_shares_clauses_and_coverage(self, client, finished_class, county_user):
        add_forms(finished_class, ["excellent"] * 7 + ["fair"] * 2 + ["poor"])
        client.force_login(county_user)
        page = client.get(reverse("evaluations:class_evaluation", args=[finished_class.pk])).content.decode()
        assert '<strong id="coverage">10/10</strong>' in page
        assert "<td>一般</td><td class=\"text-end\">2</td><td class=\"text-end\">20.0%</td>" in page
        assert "下达整改通知书，限期整改" in page and "调查核实" in page
        assert '<span class="badge text-bg-primary" id="conclusion">待核查</span>' in page

    def test_coverage_counts_only_valid_forms(self, client, finished_class, county_user):
        add_forms(finished_class, ["excellent"] * 4)
        TraineeEvaluation.objects.filter(pk=TraineeEvaluation.objects.first().pk).update(is_valid=False)
        client.force_login(county_user)
        page = client.get(reverse("evaluations:class_evaluation", args=[finished_class.pk])).content.decode()
        assert '<strong id="coverage">3/10</strong>' in page

    def test_contradicting_participation_facts_are_flagged(self, client, finished_class, county_user):
        enrollment = finished_class.enrollments.first()
        TraineeEvaluation.objects.create(
            enrollment=enrollment, source="paper",
            **trainee_answers(finished_class, completed_training=False, attended_amount=500, organiser_name="别的学校",
                              attended_to=finished_class.end_date + timedelta(days=3)),
        )
        client.force_login(county_user)
        page = client.get(reverse("evaluations:class_evaluation", args=[finished_class.pk])).content.decode()
        assert "学员填写与培训班记录不一致（1 人）" in page
        for fragment in ("未完成此次培训", "超出培训班起止时间", "多于培训班的 90 课时", "“别的学校”"):
            assert fragment in page


class TestConsequences:
    def test_confirmed_investigation_fails_the_class_and_falsification_flags_the_institution(
        self, finished_class, county_user
    ):
        add_forms(finished_class, ["excellent"] * 8 + ["poor"] * 2)
        investigation = services.investigation_open(actor=county_user, training_class=finished_class)
        with pytest.raises(ServiceError, match="已有进行中的核查"):
            services.investigation_open(actor=county_user, training_class=finished_class)
        services.investigation_conclude(actor=county_user, investigation=investigation, is_confirmed=True,
                                        findings="签到表系补签", reason="虚报人数", is_falsification=True)
        from evaluations.selectors import class_evaluation_summary

        assert class_evaluation_summary(finished_class).conclusion_label == "不合格"
        institution = Institution.objects.get(pk=finished_class.institution_id)
        assert institution.is_flagged_for_handling and "虚报人数" in institution.flag_reason

    def test_unconfirmed_investigation_keeps_the_reason_and_the_commendation_stands(
        self, client, finished_class, institution_user, county_user, league_user
    ):
        add_forms(finished_class, ["excellent"] * 9 + ["poor"])
        complete_followups(finished_class, county_user)
        self_assess(institution_user, finished_class)
        investigation = services.investigation_open(actor=county_user, training_class=finished_class)
        client.force_login(league_user)
        assert finished_class.batch_number not in client.get(reverse("evaluations:commendations")).content.decode()
        services.investigation_conclude(actor=county_user, investigation=investigation, is_confirmed=False,
                                        findings="回访学员", reason="该学员误选")
        verify(county_user, finished_class)
        services.review_forward(actor=county_user, training_class=finished_class)
        services.review_approve(actor=league_user, training_class=finished_class)
        assert Investigation.objects.get().conclusion_reason == "该学员误选"
        assert finished_class.batch_number in client.get(reverse("evaluations:commendations")).content.decode()

    def test_rectification_is_tracked_to_closure_with_evidence(self, finished_class, county_user):
        notice = services.rectification_issue(actor=county_user, training_class=finished_class,
                                              requirements="补充实操课时", deadline=timezone.localdate() + timedelta(days=30))
        with pytest.raises(ServiceError, match="请填写整改情况及佐证"):
            services.rectification_close(actor=county_user, notice=notice, evidence=" ")
        closed = services.rectification_close(actor=county_user, notice=notice, evidence="已补课 12 课时，附签到表")
        assert closed.status == "closed" and closed.closed_by == county_user
        with pytest.raises(ServiceError, match="已销号"):
            services.rectification_close(actor=county_user, notice=notice, evidence="again")

    def test_a_deadline_in_the_past_is_refused(self, finished_class, county_user):
        with pytest.raises(ServiceError, match="整改期限须晚于今天"):
            services.rectification_issue(actor=county_user, training_class=finished_class, requirements="x",
                                         deadline=timezone.localdate())

    def test_an_untruthful_trainee_loses_the_subsidy_and_the_form_stops_counting(self, finished_class, county_user):
        add_forms(finished_class, ["poor"] + ["excellent"] * 9)
        form = TraineeEvaluation.objects.get(overall="poor")
        services.trainee_evaluation_mark_untruthful(actor=county_user, evaluation=form, reason="未参加培训却填写已完成")
        enrollment = Enrollment.objects.get(pk=form.enrollment_id)
        assert not enrollment.is_subsidy_eligible and "未参加培训" in enrollment.ineligibility_reason
        from evaluations.selectors import class_evaluation_summary

        summary = class_evaluation_summary(finished_class)
        assert summary.grade.total == 9 and summary.grade.outstanding


def urls_for(training_class, evaluation, link, notice, investigation):
    pk = training_class.pk
    return [
        ("get", reverse("evaluations:class_evaluation", args=[pk])),
        ("get", reverse("evaluations:self_assessment", args=[pk])),
        ("post", reverse("evaluations:self_assessment", args=[pk])),
        ("get", reverse("evaluations:county_verification", args=[pk])),
        ("post", reverse("evaluations:forward", args=[pk])),
        ("post", reverse("evaluations:approve", args=[pk])),
        ("post", reverse("evaluations:return", args=[pk])),
        ("get", reverse("evaluations:paper_entry", args=[pk])),
        ("post", reverse("evaluations:link_create", args=[pk])),
        ("post", reverse("evaluations:link_revoke", args=[pk, link.pk])),
        ("get", reverse("evaluations:link_poster", args=[pk])),
        ("post", reverse("evaluations:rectification_issue", args=[pk])),
        ("post", reverse("evaluations:rectification_close", args=[pk, notice.pk])),
        ("post", reverse("evaluations:investigation_open", args=[pk])),
        ("post", reverse("evaluations:investigation_conclude", args=[pk, investigation.pk])),
        ("get", reverse("evaluations:trainee_evaluation", args=[evaluation.pk])),
        ("post", reverse("evaluations:mark_untruthful", args=[evaluation.pk])),
        ("get", reverse("reports:form1", args=[pk])),
        ("get", reverse("reports:class_form2", args=[pk])),
        ("get", reverse("reports:blank_form2", args=[pk])),
        ("get", reverse("reports:trainee_form2", args=[evaluation.pk])),
    ]


@pytest.mark.parametrize("role_fixture", ["county_user", "institution_user"])
def test_every_evaluation_url_of_another_county_is_not_found(request, client, role_fixture, other_class, other_county_user):
    other_class_finished = other_class
    enrollment = other_class.enrollments.first()
    evaluation = TraineeEvaluation.objects.create(enrollment=enrollment, source="paper", **trainee_answers(other_class))
    link = EvaluationLink.objects.create(training_class=other_class, token="t" * 32, created_by=other_county_user)
    notice = services.rectification_issue(actor=other_county_user, training_class=other_class, requirements="x",
                                          deadline=timezone.localdate() + timedelta(days=9))
    investigation = services.investigation_open(actor=other_county_user, training_class=other_class)
    client.force_login(request.getfixturevalue(role_fixture))
    for method, url in urls_for(other_class_finished, evaluation, link, notice, investigation):
        response = getattr(client, method)(url)
        assert response.status_code == 404, f"{method.upper()} {url} gave {response.status_code}"
    link.refresh_from_db()
    notice.refresh_from_db()
    assert link.revoked_at is None and notice.status == "open"
    assert TraineeEvaluation.objects.get(pk=evaluation.pk).is_valid


def test_queues_belong_to_their_roles(client, county_user, institution_user, league_user):
    for user, allowed in ((county_user, "county_queue"), (league_user, "league_queue")):
        client.force_login(user)
        assert client.get(reverse(f"evaluations:{allowed}")).status_code == 200
    client.force_login(institution_user)
    assert client.get(reverse("evaluations:county_queue")).status_code == 404
    assert client.get(reverse("evaluations:league_queue")).status_code == 404


def test_county_queue_lists_awaiting_classes_with_flags_and_constant_queries(
    client, county_user, institution_user, institution, occupation, django_assert_max_num_queries
):
    def awaiting(number):
        training_class = make_class(institution, occupation, batch_number=f"XA152201-2026-4{number:02d}",
                                    status=TrainingClass.Status.IN_TRAINING)
        enroll(training_class, 10, seed=number)
        add_forms(training_class, ["excellent"] * 7 + ["fair"] * 3)
        self_assess(institution_user, training_class)
        return training_class

    first = awaiting(0)
    TraineeEvaluation.objects.filter(pk=TraineeEvaluation.objects.filter(enrollment__training_class=first).first().pk).update(
        completed_training=False
    )
    client.force_login(county_user)
    with django_assert_max_num_queries(20) as few:
        page = client.get(reverse("evaluations:county_queue")).content.decode()
    baseline = len(few.captured_queries)  # read now: the next request clears Django's query log
    assert "XA152201-2026-400" in page and "整改" in page and "10/10" in page
    assert '<span class="badge text-bg-warning">1 人</span>' in page
    home = client.get(reverse("home")).content.decode()
    assert "待评价核实的培训班" in home and '<span class="badge text-bg-danger">1</span>' in home
    for number in range(1, 8):
        awaiting(number)
    with django_assert_max_num_queries(baseline):
        page = client.get(reverse("evaluations:county_queue")).content.decode()
    assert page.count("XA152201-2026-4") >= 8
    assert ClassReview.objects.filter(status="awaiting_county").count() == 8
