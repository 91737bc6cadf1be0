"""Policy §6: the review chain, each refused transition, the lock after approval, concurrent edits."""

from datetime import date

import pytest
from django.urls import reverse

from classes import services as class_services
from classes.demo_data import roster_workbook_bytes
from classes.models import Enrollment, TrainingClass
from evaluations import services
from xingan_training.locking import LockedRecordError
from evaluations.models import ClassAssessment, ClassReview, TraineeEvaluation
from xingan_training.errors import ServiceError

from .conftest import add_forms, complete_followups, ratings, self_assess, trainee_answers, verify

Status = ClassReview.Status


def status_of(training_class):
    return ClassReview.objects.get(training_class=training_class).status


class TestHappyPath:
    def test_return_then_correct_then_approve_keeps_the_whole_history(
        self, client, finished_class, institution_user, county_user, league_user
    ):
        add_forms(finished_class, ["excellent"] * 10)
        complete_followups(finished_class, county_user)
        self_assess(institution_user, finished_class)
        assert status_of(finished_class) == Status.AWAITING_COUNTY
        verify(county_user, finished_class)
        services.review_forward(actor=county_user, training_class=finished_class)
        services.review_return(actor=league_user, training_class=finished_class, reason="初审合格人数与花名册不符")

        client.force_login(county_user)
        page = client.get(reverse("evaluations:class_evaluation", args=[finished_class.pk])).content.decode()
        assert "盟级退回原因：</strong>初审合格人数与花名册不符" in page

        verify(county_user, finished_class, passing=9)
        services.review_forward(actor=county_user, training_class=finished_class)
        services.review_approve(actor=league_user, training_class=finished_class)
        review = ClassReview.objects.get(training_class=finished_class)
        assert review.status == Status.APPROVED and review.passing_trainees == 9
        actions = list(review.events.order_by("created_at", "id").values_list("action", "actor__username", "reason"))
        assert actions == [
            ("机构提交自评", "institution", ""),
            ("旗县评价核实", "county", ""),
            ("上报盟级复核", "county", ""),
            ("盟级退回", "league", "初审合格人数与花名册不符"),
            ("旗县修改评价核实", "county", ""),
            ("上报盟级复核", "county", ""),
            ("盟级复核通过", "league", ""),
        ]
        page = client.get(reverse("evaluations:class_evaluation", args=[finished_class.pk])).content.decode()
        assert "盟级退回" in page and "原因：初审合格人数与花名册不符" in page


class TestRefusals:
    @pytest.mark.parametrize(
        "attempt, message",
        [
            ("institution_forwards", "只有旗县市人社部门可以上报"),
            ("county_approves", "只有盟人力资源和就业服务中心可以复核"),
            ("league_verifies", "只有旗县市人社部门可以评价核实"),
            ("county_self_assesses", "只有培训机构可以填写自评"),
            ("forward_before_verification", "须先完成评价核实"),
            ("approve_before_forwarding", "只有已上报的培训班可以复核通过"),
            ("return_before_forwarding", "只有已上报的培训班可以退回"),
        ],
    )
    def test_wrong_role_or_state_is_refused_and_changes_nothing(
        self, attempt, message, finished_class, institution_user, county_user, league_user
    ):
        add_forms(finished_class, ["excellent"] * 10)
        self_assess(institution_user, finished_class)
        before = ClassReview.objects.get(training_class=finished_class)
        calls = {
            "institution_forwards": lambda: services.review_forward(actor=institution_user, training_class=finished_class),
            "county_approves": lambda: services.review_approve(actor=county_user, training_class=finished_class),
            "league_verifies": lambda: verify(league_user, finished_class),
            "county_self_assesses": lambda: self_assess(county_user, finished_class),
            "forward_before_verification": lambda: services.review_forward(actor=county_user, training_class=finished_class),
            "approve_before_forwarding": lambda: services.review_approve(actor=league_user, training_class=finished_class),
            "return_before_forwarding": lambda: services.review_return(actor=league_user, training_class=finished_class, reason="x"),
        }
        with pytest.raises(ServiceError, match=message):
            calls[attempt]()
        after = ClassReview.objects.get(training_class=finished_class)
        assert (after.status, after.version, after.events.count()) == (before.status, before.version, before.events.count())

    def test_return_needs_a_reason(self, forwarded_class, league_user):
        with pytest.raises(ServiceError, match="退回必须填写原因"):
            services.review_return(actor=league_user, training_class=forwarded_class, reason="   ")
        assert status_of(forwarded_class) == Status.FORWARDED

    def test_institution_cannot_change_its_self_evaluation_once_the_county_verified(
        self, finished_class, institution_user, county_user
    ):
        add_forms(finished_class, ["excellent"] * 10)
        self_assess(institution_user, finished_class)
        verify(county_user, finished_class)
        with pytest.raises(ServiceError, match="机构不能再修改自评"):
            self_assess(institution_user, finished_class)

    def test_the_county_verifies_only_finished_classes(self, training_class, institution_user, county_user):
        from conftest import enroll

        enroll(training_class, 2)
        TrainingClass.objects.filter(pk=training_class.pk).update(status=TrainingClass.Status.IN_TRAINING)
        self_assess(institution_user, training_class)
        with pytest.raises(ServiceError, match="培训班结业后才能评价核实"):
            verify(county_user, training_class, passing=2)

    def test_passing_trainees_cannot_exceed_the_roster(self, finished_class, institution_user, county_user):
        self_assess(institution_user, finished_class)
        with pytest.raises(ServiceError, match="多于花名册的 10 人"):
            verify(county_user, finished_class, passing=11)

    def test_another_county_cannot_act_on_the_class(self, finished_class, institution_user, other_county_user):
        self_assess(institution_user, finished_class)
        with pytest.raises(ServiceError, match="不存在或无权操作"):
            verify(other_county_user, finished_class)

    def test_refusal_on_the_page_shows_the_chinese_reason(self, client, finished_class, institution_user, county_user):
        self_assess(institution_user, finished_class)
        verify(county_user, finished_class)
        client.force_login(county_user)
        response = client.post(reverse("evaluations:forward", args=[finished_class.pk]), follow=True)
        assert "不能上报：尚无有效的学员评价表（附表2）" in response.content.decode()
        assert status_of(finished_class) == Status.COUNTY_VERIFIED


class TestForwardingNeedsConsequences:
    def test_rectification_flag_needs_a_notice_before_forwarding(self, finished_class, institution_user, county_user):
        add_forms(finished_class, ["excellent"] * 8 + ["fair"] * 2)
        complete_followups(finished_class, county_user)
        self_assess(institution_user, finished_class)
        verify(county_user, finished_class)
        with pytest.raises(ServiceError, match="须先下达整改通知书"):
            services.review_forward(actor=county_user, training_class=finished_class)
        services.rectification_issue(actor=county_user, training_class=finished_class, requirements="补齐教学日志",
                                     deadline=date(2099, 1, 1))
        services.review_forward(actor=county_user, training_class=finished_class)
        assert status_of(finished_class) == Status.FORWARDED

    def test_investigation_flag_needs_an_investigation_before_forwarding(self, finished_class, institution_user, county_user):
        add_forms(finished_class, ["excellent"] * 9 + ["poor"])
        complete_followups(finished_class, county_user)
        self_assess(institution_user, finished_class)
        verify(county_user, finished_class)
        with pytest.raises(ServiceError, match="须先立案核查"):
            services.review_forward(actor=county_user, training_class=finished_class)
        investigation = services.investigation_open(actor=county_user, training_class=finished_class, findings="学员反映缺课")
        with pytest.raises(ServiceError, match="有进行中的核查"):
            services.review_forward(actor=county_user, training_class=finished_class)
        services.investigation_conclude(actor=county_user, investigation=investigation, is_confirmed=False,
                                        findings="走访学员", reason="学员误选")
        services.review_forward(actor=county_user, training_class=finished_class)
        assert status_of(finished_class) == Status.FORWARDED


class TestLockAfterApproval:
    @pytest.fixture
    def approved_class(self, forwarded_class, league_user):
        services.review_approve(actor=league_user, training_class=forwarded_class)
        return forwarded_class

    def test_services_refuse(self, approved_class, county_user, institution_user):
        with pytest.raises(ServiceError):
            verify(county_user, approved_class)
        with pytest.raises(ServiceError):
            self_assess(institution_user, approved_class)
        with pytest.raises(ServiceError, match="锁定"):
            class_services.training_class_update(actor=institution_user, training_class=approved_class, location="改")

    def test_forms_refuse(self, client, approved_class, county_user):
        client.force_login(county_user)
        assert client.get(reverse("evaluations:county_verification", args=[approved_class.pk])).status_code == 404

    def test_imports_refuse(self, approved_class, institution_user):
        with pytest.raises(ServiceError, match="锁定"):
            class_services.roster_import_preview(actor=institution_user, training_class=approved_class, file_name="x.xlsx",
                                                 data=roster_workbook_bytes([]))

    def test_bulk_updates_and_saves_refuse(self, approved_class):
        with pytest.raises(LockedRecordError):
            TrainingClass.objects.filter(pk=approved_class.pk).update(location="改")
        with pytest.raises(LockedRecordError):
            Enrollment.objects.filter(training_class=approved_class).update(completion="dropped")
        with pytest.raises(LockedRecordError):
            TraineeEvaluation.objects.filter(enrollment__training_class=approved_class).update(overall="poor")
        with pytest.raises(LockedRecordError):
            ClassAssessment.objects.filter(review__training_class=approved_class).update(overall="poor")
        with pytest.raises(LockedRecordError):
            ClassReview.objects.filter(training_class=approved_class).update(status=Status.RETURNED)
        review = ClassReview.objects.get(training_class=approved_class)
        review.status = Status.RETURNED
        with pytest.raises(LockedRecordError):
            review.save()
        with pytest.raises(LockedRecordError):
            Enrollment.objects.filter(training_class=approved_class).first().delete()
        assert ClassReview.objects.get(training_class=approved_class).status == Status.APPROVED

    def test_admin_refuses(self, client, approved_class, superuser):
        client.force_login(superuser)
        response = client.post(reverse("admin:classes_trainingclass_change", args=[approved_class.pk]), {"location": "改"})
        assert response.status_code == 403
        approved_class.refresh_from_db()
        assert approved_class.location == "培训基地"

    def test_unrelated_classes_stay_editable(self, approved_class, training_class):
        TrainingClass.objects.filter(pk=training_class.pk).update(location="新地点")
        training_class.refresh_from_db()
        assert training_class.location == "新地点"


class TestConcurrentEdits:
    def test_the_second_of_two_simultaneous_saves_is_refused(self, finished_class, institution_user, county_user, county):
        from conftest import make_user

        colleague = make_user("county-colleague", role="county", region=county)
        self_assess(institution_user, finished_class)
        opened_version = ClassReview.objects.get(training_class=finished_class).version
        verify(county_user, finished_class, version=opened_version)
        with pytest.raises(ServiceError, match="已被他人修改"):
            verify(colleague, finished_class, version=opened_version, passing=3)
        assert ClassReview.objects.get(training_class=finished_class).passing_trainees == 10

    def test_the_page_keeps_the_typed_values_when_refused(self, client, finished_class, institution_user, county_user):
        self_assess(institution_user, finished_class)
        stale = ClassReview.objects.get(training_class=finished_class).version
        verify(county_user, finished_class)
        client.force_login(county_user)
        data = {**ratings("fair"), "overall": "fair", "evaluator": "第二位科员", "evaluated_on": "2026-09-23",
                "is_qualified": "true", "passing_trainees": 7, "responsible_person": "王局长", "verified_on": "2026-09-23",
                "version": stale}
        page = client.post(reverse("evaluations:county_verification", args=[finished_class.pk]), data).content.decode()
        assert "已被他人修改" in page and 'value="第二位科员"' in page


class TestBulkApproval:
    def test_each_class_is_checked_on_its_own(self, client, forwarded_class, finished_class, league_user, institution, occupation):
        from conftest import make_class

        not_forwarded = make_class(institution, occupation, batch_number="XA152201-2026-099")
        client.force_login(league_user)
        page = client.post(reverse("evaluations:league_queue"), {"classes": [forwarded_class.pk, not_forwarded.pk]}).content.decode()
        assert f"{forwarded_class.batch_number}：复核通过" in page
        assert f"{not_forwarded.batch_number}：评价状态为" in page
        assert status_of(forwarded_class) == Status.APPROVED

    def test_bulk_approval_cannot_reach_another_league_or_role(self, client, forwarded_class, county_user):
        client.force_login(county_user)
        assert client.post(reverse("evaluations:league_queue"), {"classes": [forwarded_class.pk]}).status_code == 404
        assert status_of(forwarded_class) == Status.FORWARDED


def test_trainee_answers_helper_matches_the_form(finished_class):
    # Guards the fixtures: the helper's answers pass the real form's validation.
    from evaluations.forms import TraineeEvaluationForm

    answers = trainee_answers(finished_class)
    data = {key: ("true" if value is True else value) for key, value in answers.items()}
    form = TraineeEvaluationForm(data)
    assert form.is_valid(), form.errors
