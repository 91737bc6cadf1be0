"""Issue #8: the supervised party cannot steer its own evaluation (policy §3 coverage, §6.6–6.8, §7)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations import rules, services
from evaluations.contradictions import rating_contradictions
from evaluations.models import ClassReview, EvaluationLink, Investigation, RectificationNotice, ReviewEvent, TraineeEvaluation
from followups import services as followups
from xingan_training.errors import ServiceError
from xingan_training.locking import LockedRecordError

from .conftest import add_forms, complete_followups, post_data, self_assess, trainee_answers, verify

Status = ClassReview.Status


def status_of(training_class):
    return ClassReview.objects.get(training_class=training_class).status


class TestCountyOrganisesTheTraineeForms:
    def test_only_the_county_creates_the_link_and_its_page_shows_the_qr(self, client, running_class, institution_user, county_user):
        with pytest.raises(ServiceError, match="由旗县市人社部门组织填写"):
            services.evaluation_link_create(actor=institution_user, training_class=running_class)
        client.force_login(institution_user)
        client.post(reverse("evaluations:link_create", args=[running_class.pk]))
        assert not EvaluationLink.objects.exists()
        page = client.get(reverse("evaluations:class_evaluation", args=[running_class.pk])).content.decode()
        assert "由旗县市人社部门组织填写" in page and "生成评价链接和二维码" not in page

        client.force_login(county_user)
        client.post(reverse("evaluations:link_create", args=[running_class.pk]))
        link = EvaluationLink.objects.get()
        page = client.get(reverse("evaluations:class_evaluation", args=[running_class.pk])).content.decode()
        assert 'id="trainee-link-qr"' in page and 'src="data:image/svg+xml' in page and link.token in page

    def test_the_institution_never_holds_the_link_nor_prints_the_poster(self, client, running_class, link, institution_user):
        client.force_login(institution_user)
        page = client.get(reverse("evaluations:class_evaluation", args=[running_class.pk])).content.decode()
        assert link.token not in page
        assert client.get(reverse("evaluations:link_poster", args=[running_class.pk])).status_code == 404
        response = client.post(reverse("evaluations:link_revoke", args=[running_class.pk, link.pk]))
        assert response.status_code == 404
        assert EvaluationLink.objects.get().revoked_at is None

    def test_the_institution_sees_no_individual_form_and_no_rating_by_name(
        self, client, finished_class, institution_user, county_user
    ):
        add_forms(finished_class, ["excellent"] * 6 + ["fair"] * 2 + ["poor"] * 2)
        TraineeEvaluation.objects.filter(enrollment__training_class=finished_class).update(suggestions="实操设备太旧")
        evaluation = TraineeEvaluation.objects.filter(enrollment__training_class=finished_class).first()
        name = evaluation.enrollment.trainee.name
        client.force_login(institution_user)
        page = client.get(reverse("evaluations:class_evaluation", args=[finished_class.pk])).content.decode()
        assert name not in page and "实操设备太旧" not in page and 'id="coverage"' not in page
        assert "旗县市人社部门评价核实后" in page
        assert client.get(reverse("evaluations:trainee_evaluation", args=[evaluation.pk])).status_code == 404
        assert client.get(reverse("reports:trainee_form2", args=[evaluation.pk])).status_code == 404
        assert client.get(reverse("reports:class_form2", args=[finished_class.pk])).status_code == 404

    def test_after_verification_the_institution_reads_counts_and_anonymous_suggestions(
        self, client, finished_class, institution_user, county_user
    ):
        add_forms(finished_class, ["excellent"] * 7 + ["good"] * 3)
        TraineeEvaluation.objects.filter(enrollment__training_class=finished_class).update(suggestions="希望增加实操课")
        names = [enrollment.trainee.name for enrollment in finished_class.enrollments.all()]
        self_assess(institution_user, finished_class)
        verify(county_user, finished_class)
        client.force_login(institution_user)
        page = client.get(reverse("evaluations:class_evaluation", args=[finished_class.pk])).content.decode()
        assert '<td>优</td><td class="text-end">7</td>' in page and '<td>良</td><td class="text-end">3</td>' in page
        assert page.count("希望增加实操课") == 10 and 'id="suggestions"' in page
        assert not [name for name in names if name in page]
        assert 'id="trainee-forms"' not in page and 'id="contradictions"' not in page


class TestChainConsistency:
    def test_verification_waits_for_an_open_investigation(self, finished_class, institution_user, county_user):
        add_forms(finished_class, ["excellent"] * 9 + ["poor"])
        self_assess(institution_user, finished_class)
        investigation = services.investigation_open(actor=county_user, training_class=finished_class)
        with pytest.raises(ServiceError, match="有进行中的核查"):
            verify(county_user, finished_class)
        assert status_of(finished_class) == Status.AWAITING_COUNTY
        services.investigation_conclude(actor=county_user, investigation=investigation, is_confirmed=True,
                                        findings="签到表代签", reason="虚报人数")
        with pytest.raises(ServiceError, match="不能核实为合格"):
            verify(county_user, finished_class)
        assert status_of(finished_class) == Status.AWAITING_COUNTY

    def test_unqualified_without_a_confirmed_investigation_needs_a_reason(self, client, finished_class, institution_user, county_user):
        add_forms(finished_class, ["good"] * 10)
        self_assess(institution_user, finished_class)

        def verify_unqualified(reason):
            return services.county_verification_submit(
                actor=county_user, training_class=finished_class, ratings={f"item_{n}": "fair" for n in range(1, 11)},
                overall="fair", evaluator="李科员", evaluated_on=finished_class.end_date, is_qualified=False,
                passing_trainees=8, responsible_person="王局长", verified_on=finished_class.end_date,
                unqualified_reason=reason,
            )

        with pytest.raises(ServiceError, match="须填写不合格的原因"):
            verify_unqualified("  ")
        verify_unqualified("实际授课课时不足备案课时的一半")
        review = ClassReview.objects.get(training_class=finished_class)
        assert review.is_qualified is False and review.unqualified_reason == "实际授课课时不足备案课时的一半"
        client.force_login(county_user)
        page = client.get(reverse("evaluations:class_evaluation", args=[finished_class.pk])).content.decode()
        assert "不合格（原因：实际授课课时不足备案课时的一半）" in page

    def test_a_confirmed_investigation_verifies_as_unqualified_without_more_words(
        self, finished_class, institution_user, county_user
    ):
        add_forms(finished_class, ["excellent"] * 9 + ["poor"])
        self_assess(institution_user, finished_class)
        investigation = services.investigation_open(actor=county_user, training_class=finished_class)
        services.investigation_conclude(actor=county_user, investigation=investigation, is_confirmed=True,
                                        findings="代签", reason="虚报人数")
        review = services.county_verification_submit(
            actor=county_user, training_class=finished_class, ratings={f"item_{n}": "poor" for n in range(1, 11)},
            overall="poor", evaluator="李科员", evaluated_on=finished_class.end_date, is_qualified=False,
            passing_trainees=0, responsible_person="王局长", verified_on=finished_class.end_date,
        )
        assert review.status == Status.COUNTY_VERIFIED and review.unqualified_reason == "核查情况属实"

    def test_the_league_cannot_approve_with_an_open_investigation(self, forwarded_class, league_user, county_user):
        # Whatever path opened it (the admin, a data fix), an open investigation blocks approval.
        Investigation.objects.create(training_class=forwarded_class, opened_by=county_user, findings="群众举报")
        with pytest.raises(ServiceError, match="有进行中的核查"):
            services.review_approve(actor=league_user, training_class=forwarded_class)
        assert status_of(forwarded_class) == Status.FORWARDED

    def test_consequences_wait_while_the_league_holds_the_class(self, forwarded_class, county_user):
        with pytest.raises(ServiceError, match="须盟级退回后"):
            services.investigation_open(actor=county_user, training_class=forwarded_class)
        assert not Investigation.objects.exists()


class TestLockedAfterApproval:
    @pytest.fixture
    def approved_class(self, forwarded_class, league_user):
        services.review_approve(actor=league_user, training_class=forwarded_class)
        return forwarded_class

    def test_every_consequence_is_refused(self, approved_class, county_user):
        deadline = timezone.localdate() + timedelta(days=30)
        evaluation = TraineeEvaluation.objects.filter(enrollment__training_class=approved_class).first()
        with pytest.raises(LockedRecordError):
            services.rectification_issue(actor=county_user, training_class=approved_class, requirements="补课", deadline=deadline)
        with pytest.raises(LockedRecordError):
            services.investigation_open(actor=county_user, training_class=approved_class, findings="举报")
        with pytest.raises(LockedRecordError):
            services.trainee_evaluation_mark_untruthful(actor=county_user, evaluation=evaluation, reason="代填")
        assert not RectificationNotice.objects.exists() and not Investigation.objects.exists()
        assert TraineeEvaluation.objects.get(pk=evaluation.pk).is_valid

    def test_the_side_doors_refuse_too(self, approved_class, county_user):
        # The admin and scripts create rows directly: the model itself refuses to attach them to a locked class.
        with pytest.raises(LockedRecordError):
            RectificationNotice.objects.create(training_class=approved_class, requirements="x",
                                               deadline=timezone.localdate() + timedelta(days=3), issued_by=county_user)
        with pytest.raises(LockedRecordError):
            Investigation.objects.create(training_class=approved_class, opened_by=county_user)
        with pytest.raises(LockedRecordError):
            EvaluationLink.objects.create(training_class=approved_class, token="x" * 32, created_by=county_user)

    def test_consequences_already_there_cannot_be_closed_or_concluded(
        self, finished_class, institution_user, county_user, league_user
    ):
        add_forms(finished_class, ["excellent"] * 8 + ["fair"] * 2)
        complete_followups(finished_class, county_user)
        self_assess(institution_user, finished_class)
        notice = services.rectification_issue(actor=county_user, training_class=finished_class, requirements="补课",
                                              deadline=timezone.localdate() + timedelta(days=30))
        verify(county_user, finished_class)
        services.review_forward(actor=county_user, training_class=finished_class)
        services.review_approve(actor=league_user, training_class=finished_class)
        with pytest.raises(LockedRecordError):
            services.rectification_close(actor=county_user, notice=notice, evidence="已补课")
        assert RectificationNotice.objects.get().status == RectificationNotice.Status.OPEN

    def test_the_page_offers_no_form_the_user_may_not_use(self, client, approved_class, county_user, league_user):
        client.force_login(county_user)
        page = client.get(reverse("evaluations:class_evaluation", args=[approved_class.pk])).content.decode()
        assert "下达整改通知书" not in page and "立案核查" not in page and "撤销复核" not in page
        evaluation = TraineeEvaluation.objects.filter(enrollment__training_class=approved_class).first()
        page = client.get(reverse("evaluations:trainee_evaluation", args=[evaluation.pk])).content.decode()
        assert "认定不如实填报" not in page
        client.force_login(league_user)
        page = client.get(reverse("evaluations:class_evaluation", args=[approved_class.pk])).content.decode()
        assert 'id="reopen-form"' in page

    def test_the_employment_file_stays_editable(self, approved_class, institution_user):
        enrollment = approved_class.enrollments.first()
        record = followups.employment_record_save(actor=institution_user, enrollment=enrollment, destination="employee",
                                                  employer="兴安盟某酒店", monthly_wage=3200)
        assert record.destination == "employee" and record.employer == "兴安盟某酒店"


class TestReopening:
    @pytest.fixture
    def approved_class(self, forwarded_class, league_user):
        services.review_approve(actor=league_user, training_class=forwarded_class)
        return forwarded_class

    def test_only_the_league_reopens_with_a_reason_and_the_history_keeps_it(
        self, client, approved_class, league_user, county_user
    ):
        with pytest.raises(ServiceError, match="只有盟人力资源和就业服务中心"):
            services.review_reopen(actor=county_user, training_class=approved_class, reason="x")
        with pytest.raises(ServiceError, match="必须填写原因"):
            services.review_reopen(actor=league_user, training_class=approved_class, reason=" ")
        client.force_login(league_user)
        client.post(reverse("evaluations:reopen", args=[approved_class.pk]), {"reason": "审计发现签到表代签"})
        assert status_of(approved_class) == Status.RETURNED
        event = ReviewEvent.objects.filter(review__training_class=approved_class).first()
        assert (event.action, event.from_status, event.to_status, event.reason) == (
            "盟级撤销复核", Status.APPROVED, Status.RETURNED, "审计发现签到表代签"
        )
        actions = list(ReviewEvent.objects.filter(review__training_class=approved_class).values_list("action", flat=True))
        assert "盟级复核通过" in actions, "the approval stays in the history"
        # The usual chain runs again: the county may now act on the later finding.
        services.investigation_open(actor=county_user, training_class=approved_class, findings="审计发现签到表代签")
        assert Investigation.objects.filter(training_class=approved_class, status="open").exists()

    def test_only_an_approved_class_can_be_reopened(self, forwarded_class, league_user):
        with pytest.raises(ServiceError, match="只有复核通过的培训班"):
            services.review_reopen(actor=league_user, training_class=forwarded_class, reason="x")


class TestFormCoverage:
    @pytest.mark.parametrize(
        ("valid_forms", "completed", "expected"),
        [(8, 10, True), (7, 10, False), (4, 5, True), (79, 99, False), (80, 100, True), (0, 1, False), (0, 0, None)],
    )
    def test_eighty_percent_of_completed_trainees_exactly(self, valid_forms, completed, expected):
        assert rules.form_coverage_sufficient(valid_forms, completed) is expected

    @pytest.mark.parametrize(("valid_forms", "completed"), [(-1, 3), (2, -1), (4, 3)])
    def test_impossible_counts_are_refused(self, valid_forms, completed):
        with pytest.raises(ValueError):
            rules.form_coverage_sufficient(valid_forms, completed)

    def test_below_eighty_percent_the_grade_is_provisional_and_forwarding_needs_a_reason(
        self, client, finished_class, institution_user, county_user
    ):
        add_forms(finished_class, ["excellent"] * 7)
        complete_followups(finished_class, county_user)
        self_assess(institution_user, finished_class)
        verify(county_user, finished_class)
        client.force_login(county_user)
        page = client.get(reverse("evaluations:class_evaluation", args=[finished_class.pk])).content.decode()
        assert 'id="provisional"' in page and "7/10（70.0%）" in page and 'name="coverage_reason"' in page
        with pytest.raises(ServiceError, match="书面说明"):
            services.review_forward(actor=county_user, training_class=finished_class)
        services.review_forward(actor=county_user, training_class=finished_class, coverage_reason="3名学员外出务工，已电话核实")
        event = ReviewEvent.objects.filter(review__training_class=finished_class).first()
        assert event.action == "上报盟级复核" and "3名学员外出务工" in event.reason

    def test_at_eighty_percent_the_grade_is_final(self, client, finished_class, county_user):
        add_forms(finished_class, ["excellent"] * 8)
        client.force_login(county_user)
        page = client.get(reverse("evaluations:class_evaluation", args=[finished_class.pk])).content.decode()
        assert 'id="provisional"' not in page and "8/10（80.0%）" in page


class TestPaperEntry:
    def test_the_clerk_picks_the_trainee_by_name_and_masked_id_and_can_search(self, client, running_class, county_user):
        enrollments = list(running_class.enrollments.select_related("trainee").order_by("id"))
        TraineeEvaluation.objects.create(enrollment=enrollments[0], source="paper", **trainee_answers(running_class))
        client.force_login(county_user)
        page = client.get(reverse("evaluations:paper_entry", args=[running_class.pk])).content.decode()
        assert "Enrollment object" not in page
        for enrollment in enrollments[1:]:
            assert f"{enrollment.trainee.name} · {enrollment.trainee.masked_id_number}" in page
            assert enrollment.trainee.id_number not in page
        assert enrollments[0].trainee.masked_id_number not in page, "trainees with a form are not offered"
        wanted = enrollments[2].trainee
        page = client.get(reverse("evaluations:paper_entry", args=[running_class.pk]), {"q": wanted.id_number[-4:]}).content.decode()
        assert f"{wanted.name} · {wanted.masked_id_number}" in page
        assert enrollments[3].trainee.masked_id_number not in page or enrollments[3].trainee.id_number[-4:] == wanted.id_number[-4:]

    @pytest.mark.parametrize("field", ["overall", "item_3", "attended_unit", "completed_training"])
    def test_an_invalid_choice_is_a_form_error_not_a_crash(self, client, running_class, county_user, field):
        enrollment = running_class.enrollments.first()
        data = post_data(running_class, enrollment.trainee)
        data.update(enrollment=enrollment.pk, **{field: "xx"})
        client.force_login(county_user)
        response = client.post(reverse("evaluations:paper_entry", args=[running_class.pk]), data)
        assert response.status_code == 200 and "请" in response.content.decode()
        assert not TraineeEvaluation.objects.exists()

    def test_an_invalid_choice_on_the_phone_form_is_a_form_error(self, client, running_class, link):
        data = post_data(running_class, running_class.enrollments.first().trainee)
        data["overall"] = "xx"
        response = client.post(reverse("trainee_form_public", args=[link.token]), data)
        assert response.status_code == 400 and "请从优、良、一般、差中选择" in response.content.decode()
        assert not TraineeEvaluation.objects.exists()


class TestUntruthfulTraineeStaysOut:
    def test_no_new_form_through_the_link_or_on_paper(self, client, running_class, link, county_user):
        enrollment = running_class.enrollments.first()
        client.post(reverse("trainee_form_public", args=[link.token]), post_data(running_class, enrollment.trainee))
        evaluation = TraineeEvaluation.objects.get()
        services.trainee_evaluation_mark_untruthful(actor=county_user, evaluation=evaluation, reason="本人未到课")
        response = client.post(reverse("trainee_form_public", args=[link.token]), post_data(running_class, enrollment.trainee))
        assert "不如实填报，不能重新提交" in response.content.decode()
        with pytest.raises(ServiceError, match="不如实填报"):
            services.trainee_evaluation_enter_paper(actor=county_user, enrollment=enrollment, answers=trainee_answers(running_class))
        assert TraineeEvaluation.objects.filter(is_valid=True).count() == 0
        client.force_login(county_user)
        page = client.get(reverse("evaluations:paper_entry", args=[running_class.pk])).content.decode()
        assert enrollment.trainee.masked_id_number not in page


class TestContradictions:
    @pytest.mark.parametrize(
        ("overall", "items", "flagged"),
        [
            ("excellent", ("poor",) * 8, True),
            ("excellent", ("fair",) * 7 + ("poor",), True),
            ("excellent", ("fair",) * 7 + ("good",), False),
            ("poor", ("excellent",) * 4 + ("good",) * 4, True),
            ("good", ("poor",) * 8, True),
            ("good", ("fair",) * 8, False),
            ("fair", ("excellent",) * 8, True),
        ],
    )
    def test_an_overall_rating_against_every_item(self, overall, items, flagged):
        assert bool(rating_contradictions(overall, items)) is flagged

    def test_the_county_sees_them_on_the_class_page(self, client, finished_class, county_user):
        enrollments = list(finished_class.enrollments.order_by("id"))
        TraineeEvaluation.objects.create(
            enrollment=enrollments[0], source="paper",
            **trainee_answers(finished_class, overall="excellent", **{f"item_{n}": "poor" for n in range(1, 9)}),
        )
        TraineeEvaluation.objects.create(enrollment=enrollments[1], source="paper",
                                         **trainee_answers(finished_class, attended_amount=20))
        TraineeEvaluation.objects.create(enrollment=enrollments[2], source="paper",
                                         **trainee_answers(finished_class, attended_amount=3, attended_unit="days"))
        client.force_login(county_user)
        page = client.get(reverse("evaluations:class_evaluation", args=[finished_class.pk])).content.decode()
        assert "综合评价为“优”，而八项评价均为“差”，前后矛盾" in page
        assert "填写参加培训仅 20 课时，不足培训班 90 课时的一半" in page
        assert "填写参加培训仅 3 天，不足培训班 15 天的一半" in page


def test_a_trainee_name_of_invisible_characters_is_refused(client, running_class, link):
    data = post_data(running_class, running_class.enrollments.first().trainee)
    data["name"] = "\u200b\u200b\u200b"
    response = client.post(reverse("trainee_form_public", args=[link.token]), data)
    assert response.status_code == 400 and "不可见字符" in response.content.decode()
    assert not TraineeEvaluation.objects.exists()


def test_a_signature_date_before_1900_is_refused(client, running_class, county_user):
    enrollment = running_class.enrollments.first()
    data = post_data(running_class, enrollment.trainee)
    data.update(enrollment=enrollment.pk, signed_on="1899-12-31")
    client.force_login(county_user)
    response = client.post(reverse("evaluations:paper_entry", args=[running_class.pk]), data)
    assert "日期不能早于1900年1月1日" in response.content.decode()
    assert not TraineeEvaluation.objects.exists()
