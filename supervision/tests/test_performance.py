"""Policy §8.7 and §8.8 (S2 四(二), 五(一)): the institutions' yearly performance evaluation, the red/black list
(proposed by the portal, decided by league staff, published or not), the catalogue's removals and re-admissions,
the public pages, and teacher performance. Rule boundaries, every refusal, scoping on every URL, query counts."""

import random
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from classes import services as class_services
from classes.demo_data import make_credit_code
from classes.models import Enrollment, Institution, Region, Trainee, TraineeCategory, TrainingClass
from conftest import enroll, make_class
from evaluations import selectors as evaluation_selectors, services as evaluation_services
from evaluations.form_counts import trainee_form_counts_rebuild
from evaluations.models import ClassReview, Investigation, TraineeEvaluation
from evaluations.tests.conftest import link, running_class, trainee_answers  # noqa: F401 (fixtures)
from followups.models import EmploymentRecord
from supervision import performance as services
from supervision.models import CatalogueStatusChange, ClassTeacher, InstitutionEvaluation, ListDecision, Teacher
from supervision.performance_selectors import institution_year_evidence, teacher_performance_for
from supervision.rules import (
    GroupEmployment,
    InstitutionYearFacts,
    black_list_reasons,
    inactive,
    months_before,
    red_list_reasons,
)
from xingan_training.errors import ServiceError

TODAY = timezone.localdate()
# A finished year, so that every date of the fixtures lies in the past whatever day the tests run.
YEAR = TODAY.year - 1
YEAR_END = date(YEAR, 12, 31)
FARMER, URBAN, BUSINESS = "farmer_herder", "urban_unemployed", "entrepreneurship"
ITEMS = ("system_building", "training_scale", "process_management", "followup_service", "employment_after_training")


# Fixtures and helpers ------------------------------------------------------------------------------------------------


def year_class(institution, occupation, number, *, start=date(YEAR, 3, 2), trainees=10,
               status=TrainingClass.Status.FINISHED):
    """A class of the institution started on ``start``, whose trainees all completed it (rural migrants)."""
    training_class = make_class(
        institution, occupation, batch_number=f"XA{institution.county.code}-{start.year}-{number:03d}", status=status,
        start_date=start, end_date=start + timedelta(days=14),
    )
    if trainees:
        enroll(training_class, trainees, seed=number)
        training_class.enrollments.update(completion=Enrollment.Completion.COMPLETED)
    return training_class


def add_forms(training_class, overalls, item_7s=None):
    """One valid 附表2 per overall rating, for the roster's first trainees; item 7 as listed (else the overall).
    Written in bulk as the loaders write them (the classes are past the form window), so the class's form counts
    are recounted as the loaders recount them; evaluations' tests follow the services' own counting."""
    enrollments = list(training_class.enrollments.order_by("id"))
    for enrollment, overall, item_7 in zip(enrollments, overalls, item_7s or overalls):
        TraineeEvaluation.objects.create(
            enrollment=enrollment, source="paper", **trainee_answers(training_class, overall=overall, item_7=item_7)
        )
    trainee_form_counts_rebuild(class_ids=[training_class.pk])


def employ(training_class, count, *, by, destination="employee"):
    for enrollment in training_class.enrollments.order_by("id")[:count]:
        EmploymentRecord.objects.create(enrollment=enrollment, destination=destination, source="institution", updated_by=by)


def confirm_falsification(training_class, county_user):
    return Investigation.objects.create(
        training_class=training_class, status=Investigation.Status.CONFIRMED, is_falsification=True,
        findings="虚报参训人数", conclusion_reason="签到表与实际到课人数不符", opened_by=county_user,
        concluded_by=county_user, concluded_at=timezone.now(),
    )


def ratings(value="good"):
    return {name: value for name in ITEMS}


def evaluate(actor, institution, *, value="good", notes=None, evaluated_on=YEAR_END, year=YEAR):
    return services.institution_evaluation_save(
        actor=actor, institution=institution, year=year, ratings=ratings(value),
        notes=notes if notes is not None else {name: "说明" for name in ITEMS}, evaluated_on=evaluated_on,
    )


def decide(actor, evaluation, listing="red", *, reason="培训质量好，就业效果好", publish=False, decided_on=TODAY):
    return services.list_decision_record(
        actor=actor, evaluation=evaluation, listing=listing, reason=reason, decided_on=decided_on, publish=publish
    )


def make_institution(county, occupation, name, seed):
    institution = Institution.objects.create(
        name=name, credit_code=make_credit_code(random.Random(seed), area_code=county.code), county=county,
        contact_person="韩秀英", contact_phone="13904821234",
    )
    institution.licensed_occupations.add(occupation)
    return institution


@pytest.fixture
def active_class(institution, occupation):
    """Keeps the institution active in YEAR (a class started on 1 December)."""
    return year_class(institution, occupation, 90, start=date(YEAR, 12, 1), trainees=0)


@pytest.fixture
def evaluation(league_user, institution, active_class):
    return evaluate(league_user, institution)


@pytest.fixture
def other_evaluation(league_user, other_institution, occupation):
    year_class(other_institution, occupation, 91, start=date(YEAR, 12, 1), trainees=0)
    return evaluate(league_user, other_institution)


# Pure rules ----------------------------------------------------------------------------------------------------------


def facts(**changes):
    values = {"year": YEAR, "evaluation_date": date(YEAR, 12, 31), "last_class_start": date(YEAR, 10, 1),
              "conclusions": {}, "falsifications": 0, "employment": ()}
    values.update(changes)
    return InstitutionYearFacts(**values)


class TestInactivity:
    def test_a_class_started_exactly_twelve_months_before_still_counts(self):
        assert inactive(date(2025, 6, 15), date(2026, 6, 15)) is False

    def test_a_class_started_the_day_before_the_twelve_months_does_not(self):
        assert inactive(date(2025, 6, 14), date(2026, 6, 15)) is True

    def test_a_class_on_the_evaluation_day_counts(self):
        assert inactive(date(2026, 6, 15), date(2026, 6, 15)) is False

    def test_never_started_is_inactive(self):
        assert inactive(None, date(2026, 6, 15)) is True

    @pytest.mark.parametrize(("evaluation_date", "boundary"), [
        (date(2024, 2, 29), date(2023, 2, 28)), (date(2025, 2, 28), date(2024, 2, 28)), (date(2026, 1, 31), date(2025, 1, 31)),
    ])
    def test_the_boundary_is_the_same_day_a_year_earlier_clipped_to_the_month(self, evaluation_date, boundary):
        assert months_before(evaluation_date, 12) == boundary
        assert inactive(boundary, evaluation_date) is False
        assert inactive(boundary - timedelta(days=1), evaluation_date) is True

    def test_a_start_after_the_evaluation_date_is_refused(self):
        with pytest.raises(ValueError):
            inactive(date(2026, 6, 16), date(2026, 6, 15))


class TestBelowAverageUse:
    def test_the_league_average_itself_is_not_below_it(self):
        assert GroupEmployment(FARMER, 1, 4, 10, 40).is_below_average is False

    def test_one_less_is_below(self):
        assert GroupEmployment(FARMER, 9, 40, 10, 40).is_below_average is True

    def test_no_trainees_on_either_side_gives_no_answer(self):
        assert GroupEmployment(FARMER, 0, 0, 10, 40).is_below_average is None
        assert GroupEmployment(FARMER, 0, 0, 0, 0).is_below_average is None

    def test_impossible_counts_are_refused(self):
        with pytest.raises(ValueError):
            GroupEmployment(FARMER, 5, 4, 10, 40).is_below_average


class TestCandidateRules:
    good_year = {"outstanding": 2, "qualified": 1}
    fine_employment = (GroupEmployment(FARMER, 3, 10, 25, 100), GroupEmployment(URBAN, 0, 0, 5, 10))

    def test_a_confirmed_falsification_makes_a_black_candidate(self):
        reasons = black_list_reasons(facts(falsifications=1, conclusions=self.good_year, employment=self.fine_employment))
        assert reasons == [f"{YEAR}年度有1个培训班经核查认定培训机构弄虚作假（情况属实）"]

    def test_inactivity_makes_a_black_candidate_with_the_last_start(self):
        reasons = black_list_reasons(facts(last_class_start=date(YEAR - 1, 12, 30)))
        assert reasons == [f"长期不开展培训：评估日{YEAR}-12-31前12个月内没有开班（最近一次开班为{YEAR - 1}-12-30）"]
        assert "从未开班" in black_list_reasons(facts(last_class_start=None))[0]

    def test_employment_below_average_in_every_graded_group_makes_a_black_candidate(self):
        below = (GroupEmployment(FARMER, 1, 10, 25, 100), GroupEmployment(URBAN, 1, 10, 5, 10), GroupEmployment(BUSINESS, 0, 0, 1, 10))
        [reason] = black_list_reasons(facts(employment=below))
        assert "农牧民就业率1/10（10.0%），全盟25/100（25.0%）" in reason and "城镇失业人员就业率1/10（10.0%）" in reason
        assert "创业" not in reason

    def test_below_in_one_group_only_is_no_black_reason(self):
        mixed = (GroupEmployment(FARMER, 1, 10, 25, 100), GroupEmployment(URBAN, 6, 10, 5, 10))
        assert black_list_reasons(facts(employment=mixed)) == []

    def test_without_employment_data_there_is_no_employment_reason(self):
        assert black_list_reasons(facts(employment=(GroupEmployment(FARMER, 0, 0, 25, 100),))) == []

    def test_a_good_year_makes_a_red_candidate(self):
        reasons = red_list_reasons(facts(conclusions=self.good_year, employment=self.fine_employment))
        assert reasons[0] == f"{YEAR}年度3个培训班均评为优秀或合格（其中优秀2个）"
        assert reasons[1].startswith("培训后就业率不低于全盟平均水平：农牧民就业率3/10（30.0%），全盟25/100（25.0%）")

    def test_two_classes_are_not_enough_for_red(self):
        assert red_list_reasons(facts(conclusions={"outstanding": 2, "no_data": 4}, employment=self.fine_employment)) == []

    @pytest.mark.parametrize("blemish", ["rectifying", "under_investigation", "failed"])
    def test_one_blemished_class_keeps_it_off_red(self, blemish):
        assert red_list_reasons(facts(conclusions={**self.good_year, blemish: 1}, employment=self.fine_employment)) == []

    def test_a_black_reason_keeps_it_off_red(self):
        assert red_list_reasons(facts(conclusions=self.good_year, employment=self.fine_employment, last_class_start=None)) == []

    def test_red_needs_employment_data_and_none_below(self):
        assert red_list_reasons(facts(conclusions=self.good_year)) == []
        mixed = (GroupEmployment(FARMER, 3, 10, 25, 100), GroupEmployment(URBAN, 1, 10, 5, 10))
        assert red_list_reasons(facts(conclusions=self.good_year, employment=mixed)) == []

    def test_negative_counts_are_refused(self):
        with pytest.raises(ValueError):
            red_list_reasons(facts(conclusions={"outstanding": -1}))
        with pytest.raises(ValueError):
            black_list_reasons(facts(falsifications=-1))


# Evidence drawn from the records ---------------------------------------------------------------------------------------


class TestEvidence:
    def test_a_voided_form_changes_the_class_conclusion_at_once(self, league_user, county_user, institution, occupation):
        # Policy §3 on 8 优 + 2 一般, then with each 一般 voided as untruthful (§7): the evidence reads the class's form
        # counts (evaluations.form_counts), which follow each service at once.
        training_class = year_class(institution, occupation, 31)
        add_forms(training_class, ["excellent"] * 8 + ["fair", "fair"])

        def conclusions():
            return institution_year_evidence(league_user, [institution.pk], year=YEAR, today=TODAY)[institution.pk].facts.conclusions

        assert conclusions() == {"rectifying": 1}  # 2 一般 of 10 = 20%
        fair_forms = TraineeEvaluation.objects.filter(enrollment__training_class=training_class, overall="fair", is_valid=True)
        evaluation_services.trainee_evaluation_mark_untruthful(actor=county_user, evaluation=fair_forms.first(), reason="代填")
        assert conclusions() == {"qualified": 1}  # 1 一般 of 9 and 8 优: under 20%, and 8 of 9 is under 90%
        evaluation_services.trainee_evaluation_mark_untruthful(actor=county_user, evaluation=fair_forms.first(), reason="代填")
        assert conclusions() == {"outstanding": 1}  # 8 优 of 8

    def test_the_years_figures_per_institution_against_the_league(
        self, league_user, county_user, institution, other_institution, occupation, django_assert_num_queries
    ):
        outstanding = year_class(institution, occupation, 1, start=date(YEAR, 3, 2))
        add_forms(outstanding, ["excellent"] * 10)
        rectifying = year_class(institution, occupation, 2, start=date(YEAR, 5, 4))
        add_forms(rectifying, ["good"] * 8 + ["fair"] * 2)
        employ(outstanding, 4, by=league_user)
        employ(rectifying, 1, by=league_user)
        year_class(institution, occupation, 3, start=date(YEAR - 1, 12, 20))  # last year's: not counted
        year_class(institution, occupation, 4, start=date(YEAR, 6, 1), status=TrainingClass.Status.DRAFT)  # never started
        falsified = year_class(other_institution, occupation, 5, start=date(YEAR, 4, 1))
        employ(falsified, 6, by=league_user)
        confirm_falsification(falsified, county_user)

        with django_assert_num_queries(9):  # 7 + one per supplementary figure (inspections, rectification items)
            evidence = institution_year_evidence(league_user, [institution.pk, other_institution.pk], year=YEAR, today=TODAY)

        own = evidence[institution.pk]
        assert (own.classes, own.enrolled, own.completed) == (2, 20, 20)
        assert own.facts.conclusions == {"outstanding": 1, "rectifying": 1}
        farmer, urban, business = own.employment
        assert (farmer.successes, farmer.total, farmer.all_successes, farmer.all_total) == (5, 20, 11, 30)
        assert farmer.is_below_average is True and urban.is_below_average is None and business.is_below_average is None
        assert own.facts.last_class_start == date(YEAR, 5, 4) and own.facts.evaluation_date == YEAR_END
        assert own.falsifications == [] and [figure.text for figure in own.supplementary] == ["无", "无"]
        assert own.proposal == "black" and own.black_reasons[0].startswith("培训后就业率低于全盟平均水平")

        other = evidence[other_institution.pk]
        assert other.facts.conclusions == {"failed": 1}
        assert [finding.batch_number for finding in other.falsifications] == [falsified.batch_number]
        assert other.black_reasons[0] == f"{YEAR}年度有1个培训班经核查认定培训机构弄虚作假（情况属实）"
        assert other.employment[0].is_below_average is False

    def test_inspection_findings_and_rectification_items_of_the_year_are_evidence(
        self, league_user, county_user, other_county_user, institution, other_institution, occupation
    ):
        import uuid

        from supervision.models import Inspection
        from supervision.tests.test_rectification import raise_item

        def recorded(day, result):
            return Inspection.objects.create(
                training_class=inspected, status="recorded", planned_on=day, inspected_on=day, result=result,
                planned_by=county_user, recorded_by=county_user, recorded_at=timezone.now(), client_id=uuid.uuid4(),
                roster_size=10, present_count=10, checked_training=True, by_lecture=True,
                proposes_catalogue_removal=result == "serious")

        inspected = year_class(institution, occupation, 1, start=date(YEAR, 3, 2))
        for day, result in ((3, "qualified"), (4, "problems"), (5, "serious")):
            recorded(date(YEAR, 3, day), result)
        Inspection.objects.create(training_class=inspected, status="planned", planned_on=date(YEAR, 3, 9),
                                  planned_by=county_user)  # not yet inspected: no finding
        recorded(date(YEAR - 1, 12, 1), "problems")  # last year's
        overdue = raise_item(county_user, institution, found_on=date(YEAR, 4, 1))
        type(overdue).objects.filter(pk=overdue.pk).update(deadline=TODAY - timedelta(days=1))
        raise_item(county_user, institution, found_on=date(YEAR, 5, 1))
        raise_item(county_user, institution, found_on=date(YEAR - 1, 5, 1))  # last year's
        raise_item(other_county_user, other_institution, found_on=date(YEAR, 5, 1))
        evidence = institution_year_evidence(league_user, [institution.pk, other_institution.pk], year=YEAR, today=TODAY)
        assert [figure.text for figure in evidence[institution.pk].supplementary] == [
            "检查3次，发现问题1次，严重问题1次", "提出2项，未销号2项（逾期1项）"]
        assert [figure.text for figure in evidence[other_institution.pk].supplementary] == ["无", "提出1项，未销号1项"]

    def test_the_saved_evaluation_date_decides_inactivity(self, league_user, institution, occupation):
        year_class(institution, occupation, 1, start=date(YEAR - 1, 6, 1), trainees=0)
        assert institution_year_evidence(league_user, [institution.pk], year=YEAR, today=TODAY)[institution.pk].is_inactive
        evaluate(league_user, institution, evaluated_on=date(YEAR, 6, 1))
        evidence = institution_year_evidence(league_user, [institution.pk], year=YEAR, today=TODAY)[institution.pk]
        assert evidence.facts.evaluation_date == date(YEAR, 6, 1) and not evidence.is_inactive


# Services: the evaluation --------------------------------------------------------------------------------------------


class TestEvaluationService:
    def test_league_staff_evaluate_item_by_item_and_revisions_keep_history(self, league_user, institution, evaluation):
        assert [item["rating_label"] for item in evaluation.items()] == ["良"] * 5
        revised = evaluate(league_user, institution, value="fair", notes={name: "需加强" for name in ITEMS})
        assert revised.pk == evaluation.pk and revised.process_management == "fair"
        assert revised.history.count() == 2 and revised.history.first().history_user == league_user

    @pytest.mark.parametrize("role_fixture", ["county_user", "institution_user", "superuser"])
    def test_only_league_staff_evaluate(self, request, role_fixture, institution):
        with pytest.raises(ServiceError, match="只有盟级人社部门可以开展培训机构年度绩效评估"):
            evaluate(request.getfixturevalue(role_fixture), institution)
        assert not InstitutionEvaluation.objects.exists()

    def test_an_institution_of_another_league_is_refused(self, league_user, occupation, reference_data):
        province = Region.objects.get(code="150000")
        league = Region.objects.create(code="150100", name="呼和浩特市", level="league", parent=province)
        county = Region.objects.create(code="150102", name="新城区", level="county", parent=league)
        stranger = make_institution(county, occupation, "呼和浩特某培训学校", 3)
        with pytest.raises(ServiceError, match="培训机构不存在或无权操作"):
            evaluate(league_user, stranger)

    @pytest.mark.parametrize("value", ["fair", "poor"])
    def test_fair_or_poor_needs_a_note(self, league_user, institution, value):
        with pytest.raises(ServiceError, match=f"“制度建设”评为“{'一般' if value == 'fair' else '差'}”，请写明说明"):
            evaluate(league_user, institution, value=value, notes={})

    def test_every_item_needs_a_known_rating(self, league_user, institution):
        with pytest.raises(ServiceError, match="请为“培训后就业”评定等级"):
            services.institution_evaluation_save(
                actor=league_user, institution=institution, year=YEAR, ratings={**ratings(), "employment_after_training": "great"},
                notes={}, evaluated_on=YEAR_END,
            )

    @pytest.mark.parametrize(("year", "evaluated_on", "message"), [
        (TODAY.year + 1, TODAY, "评估年度应在"), (2020, date(2020, 12, 31), "评估年度应在"),
        (YEAR, date(YEAR - 1, 12, 31), "评估日期应在"), (YEAR, TODAY + timedelta(days=1), "评估日期应在"),
    ])
    def test_years_and_dates_outside_the_range_are_refused(self, league_user, institution, year, evaluated_on, message):
        with pytest.raises(ServiceError, match=message):
            evaluate(league_user, institution, year=year, evaluated_on=evaluated_on)


# Services: the red/black list and the catalogue ---------------------------------------------------------------------


class TestDecisionService:
    def test_a_red_decision_keeps_the_portals_proposal_beside_it(self, league_user, evaluation):
        decision = decide(league_user, evaluation, publish=True)
        assert decision.is_published and decision.published_by == league_user and decision.decided_by == league_user
        assert isinstance(decision.proposed_reasons, list)

    @pytest.mark.parametrize("role_fixture", ["county_user", "institution_user", "superuser"])
    def test_only_league_staff_decide(self, request, role_fixture, evaluation):
        with pytest.raises(ServiceError, match="只有盟级人社部门可以决定红黑名单"):
            decide(request.getfixturevalue(role_fixture), evaluation)
        assert not ListDecision.objects.exists()

    @pytest.mark.parametrize("reason", ["", "   "])
    def test_a_decision_needs_a_reason(self, league_user, evaluation, reason):
        with pytest.raises(ServiceError, match="请填写理由"):
            decide(league_user, evaluation, reason=reason)

    @pytest.mark.parametrize("reason", ["联系人身份证号152201199001011234", "举报电话13904821234"])
    def test_a_red_or_black_reason_must_not_carry_personal_numbers(self, league_user, evaluation, reason):
        with pytest.raises(ServiceError, match="不能含有身份证号或手机号"):
            decide(league_user, evaluation, "black", reason=reason)

    def test_not_listed_is_never_published(self, league_user, evaluation):
        with pytest.raises(ServiceError, match="“不列入”的决定不公布"):
            decide(league_user, evaluation, "none", publish=True)
        decision = decide(league_user, evaluation, "none", reason="未发现问题，也不具备列入红名单的条件")
        with pytest.raises(ServiceError, match="“不列入”的决定不公布"):
            services.list_decision_publish(actor=league_user, decision=decision)

    def test_unknown_listing_is_refused(self, league_user, evaluation):
        with pytest.raises(ServiceError, match="请选择"):
            decide(league_user, evaluation, "grey")

    @pytest.mark.parametrize("decided_on", [YEAR_END - timedelta(days=1), TODAY + timedelta(days=1)])
    def test_the_date_lies_between_the_evaluation_and_today(self, league_user, evaluation, decided_on):
        with pytest.raises(ServiceError, match="决定日期应在评估日期"):
            decide(league_user, evaluation, decided_on=decided_on)

    def test_one_standing_decision_per_year_until_it_is_withdrawn(self, league_user, evaluation):
        first = decide(league_user, evaluation, publish=True)
        with pytest.raises(ServiceError, match="已有名单决定；如需改变，请先撤销原决定"):
            decide(league_user, evaluation, "none", reason="重新考虑")
        with pytest.raises(ServiceError, match="请填写撤销原因"):
            services.list_decision_withdraw(actor=league_user, decision=first, reason=" ")
        withdrawn = services.list_decision_withdraw(actor=league_user, decision=first, reason="复查发现评价数据有误")
        assert withdrawn.withdrawn_by == league_user and withdrawn.withdrawal_reason == "复查发现评价数据有误"
        with pytest.raises(ServiceError, match="该决定已撤销"):
            services.list_decision_withdraw(actor=league_user, decision=first, reason="再撤一次")
        with pytest.raises(ServiceError, match="该决定已撤销"):
            services.list_decision_publish(actor=league_user, decision=first)
        second = decide(league_user, evaluation, "none", reason="重新考虑")
        assert ListDecision.objects.filter(evaluation=evaluation).count() == 2 and second.is_standing

    def test_publishing_later_and_only_once(self, league_user, county_user, evaluation):
        decision = decide(league_user, evaluation)
        with pytest.raises(ServiceError, match="只有盟级人社部门可以公布红黑名单"):
            services.list_decision_publish(actor=county_user, decision=decision)
        published = services.list_decision_publish(actor=league_user, decision=decision)
        assert published.is_published and published.published_by == league_user
        with pytest.raises(ServiceError, match="该决定已公布"):
            services.list_decision_publish(actor=league_user, decision=decision)

    def test_withdrawing_is_the_leagues_too(self, county_user, league_user, evaluation):
        decision = decide(league_user, evaluation)
        with pytest.raises(ServiceError, match="只有盟级人社部门可以撤销红黑名单决定"):
            services.list_decision_withdraw(actor=county_user, decision=decision, reason="不同意")


class TestCatalogue:
    def test_black_listing_removes_the_institution_from_the_catalogue_with_a_history_row(
        self, league_user, institution, institution_user, evaluation, occupation
    ):
        draft = make_class(institution, occupation, batch_number="XA152201-2099-001")
        enroll(draft, 2)
        decision = decide(league_user, evaluation, "black", reason="虚报参训人数，情况属实")
        institution.refresh_from_db()
        assert institution.catalogue_status == Institution.CatalogueStatus.REMOVED
        change = CatalogueStatusChange.objects.get()
        assert (change.from_status, change.to_status, change.changed_by, change.list_decision) == (
            "listed", "removed", league_user, decision)
        assert change.reason == f"列入{YEAR}年度黑名单：虚报参训人数，情况属实"
        assert institution.history.first().history_user == league_user
        with pytest.raises(ServiceError, match="不在补贴性培训机构目录内，不能新建培训班"):
            class_services.training_class_create(
                actor=institution_user, batch_number="XA152201-2099-002", occupation=occupation, category=occupation.training_type,
                start_date=TODAY, end_date=TODAY, registered_headcount=20, class_hours=40, location="本部",
            )
        with pytest.raises(ServiceError, match="不在补贴性培训机构目录内，不能开班"):
            class_services.training_class_start(actor=institution_user, training_class=draft)
        services.list_decision_withdraw(actor=league_user, decision=decision, reason="改为红名单")
        with pytest.raises(ServiceError, match="不在补贴性培训机构目录内，不能列入红名单"):
            decide(league_user, evaluation, "red")

    def test_re_admission_needs_league_staff_a_reason_and_a_removed_institution(
        self, league_user, county_user, institution, institution_user, evaluation, occupation
    ):
        with pytest.raises(ServiceError, match="该机构已在补贴性培训机构目录内"):
            services.institution_readmit(actor=league_user, institution=institution, reason="整改到位")
        decide(league_user, evaluation, "black", reason="虚报参训人数，情况属实")
        with pytest.raises(ServiceError, match="只有盟级人社部门可以将培训机构重新纳入目录"):
            services.institution_readmit(actor=county_user, institution=institution, reason="整改到位")
        with pytest.raises(ServiceError, match="请填写重新纳入目录的理由"):
            services.institution_readmit(actor=league_user, institution=institution, reason="")
        services.institution_readmit(actor=league_user, institution=institution, reason="整改到位，经现场核查符合条件")
        institution.refresh_from_db()
        assert institution.catalogue_status == Institution.CatalogueStatus.LISTED
        rows = list(CatalogueStatusChange.objects.order_by("changed_at", "id").values_list("from_status", "to_status", "reason"))
        assert rows == [
            ("listed", "removed", f"列入{YEAR}年度黑名单：虚报参训人数，情况属实"),
            ("removed", "listed", "重新纳入目录：整改到位，经现场核查符合条件"),
        ]
        created = class_services.training_class_create(
            actor=institution_user, batch_number="XA152201-2099-003", occupation=occupation, category=occupation.training_type,
            start_date=TODAY, end_date=TODAY, registered_headcount=20, class_hours=40, location="本部",
        )
        assert created.pk

    def test_a_black_decision_on_an_institution_already_out_writes_no_second_removal(self, league_user, institution, evaluation):
        Institution.objects.filter(pk=institution.pk).update(catalogue_status=Institution.CatalogueStatus.SUSPENDED)
        decide(league_user, evaluation, "black", reason="虚报参训人数")
        decision = ListDecision.objects.get()
        services.list_decision_withdraw(actor=league_user, decision=decision, reason="重新认定")
        decide(league_user, evaluation, "black", reason="虚报参训人数，情况属实")
        assert list(CatalogueStatusChange.objects.values_list("from_status", "to_status")) == [("suspended", "removed")]


# Pages of the league -------------------------------------------------------------------------------------------------


def league_urls(institution, decision):
    return [
        ("get", reverse("supervision:performance_list")),
        ("get", reverse("supervision:performance_detail", args=[institution.pk, YEAR])),
        ("get", reverse("supervision:performance_evaluate", args=[institution.pk, YEAR])),
        ("post", reverse("supervision:performance_evaluate", args=[institution.pk, YEAR])),
        ("get", reverse("supervision:performance_decide", args=[institution.pk, YEAR])),
        ("post", reverse("supervision:performance_decide", args=[institution.pk, YEAR])),
        ("post", reverse("supervision:institution_readmit", args=[institution.pk, YEAR])),
        ("get", reverse("supervision:decision_list")),
        ("post", reverse("supervision:decision_publish", args=[decision.pk])),
        ("post", reverse("supervision:decision_withdraw", args=[decision.pk])),
    ]


def evaluation_post(value="good", **changes):
    data = {"evaluated_on": YEAR_END.isoformat(), "summary": "总体良好"}
    for name in ITEMS:
        data[name] = value
        data[f"{name}_note"] = "说明"
    data.update(changes)
    return data


class TestLeaguePages:
    @pytest.mark.parametrize("role_fixture", ["county_user", "institution_user", "other_institution_user"])
    def test_county_and_institution_staff_cannot_reach_any_of_them(self, request, login, role_fixture, league_user, evaluation, institution):
        decision = decide(league_user, evaluation)
        client = login(request.getfixturevalue(role_fixture))
        for method, url in league_urls(institution, decision):
            response = getattr(client, method)(url, {"reason": "x", "listing": "black", **evaluation_post()})
            assert response.status_code == 404, url
        decision.refresh_from_db()
        assert decision.is_standing and not decision.is_published
        assert Institution.objects.get(pk=institution.pk).catalogue_status == "listed"

    def test_anonymous_visitors_are_sent_to_login(self, client, league_user, evaluation, institution):
        decision = decide(league_user, evaluation)
        for method, url in league_urls(institution, decision):
            response = getattr(client, method)(url)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url

    def test_a_year_the_pages_do_not_offer_is_404(self, login, league_user, institution, evaluation):
        client = login(league_user)
        assert client.get(reverse("supervision:performance_detail", args=[institution.pk, TODAY.year + 1])).status_code == 404
        assert client.get(reverse("supervision:performance_detail", args=[institution.pk, 1999])).status_code == 404

    def test_the_list_shows_each_institutions_evidence_proposal_and_state(
        self, login, league_user, county_user, institution, other_institution, occupation
    ):
        falsified = year_class(other_institution, occupation, 5, start=date(YEAR, 4, 1))
        confirm_falsification(falsified, county_user)
        year_class(institution, occupation, 1, start=date(YEAR, 3, 2))
        evaluate(league_user, institution)
        page = login(league_user).get(reverse("supervision:performance_list"), {"year": YEAR}).content.decode()
        assert f"培训机构{YEAR}年度绩效评估" in page
        assert institution.name in page and other_institution.name in page
        assert "黑名单候选" in page and "属实 1" in page and "<th>现场检查</th>" in page and "<th>整改事项</th>" in page
        assert "已评估" in page and "未评估" in page
        narrowed = login(league_user).get(reverse("supervision:performance_list"), {"year": YEAR, "evaluated": "no"}).content.decode()
        assert other_institution.name in narrowed and institution.name not in narrowed

    def test_evaluating_and_deciding_through_the_pages(self, login, league_user, institution, active_class):
        client = login(league_user)
        evaluate_url = reverse("supervision:performance_evaluate", args=[institution.pk, YEAR])
        refused = client.post(evaluate_url, evaluation_post("poor", system_building_note=""))
        assert refused.status_code == 400 and "“制度建设”评为“差”，请写明说明" in refused.content.decode()
        response = client.post(evaluate_url, evaluation_post(), follow=True)
        assert f"已保存{institution.name}{YEAR}年度绩效评估" in response.content.decode()
        decide_url = reverse("supervision:performance_decide", args=[institution.pk, YEAR])
        form = client.get(decide_url).content.decode()
        assert "理由将随名单向社会公布" in form
        response = client.post(decide_url, {"listing": "black", "reason": "长期不规范办学", "decided_on": TODAY.isoformat(),
                                            "publish": "on"}, follow=True)
        page = response.content.decode()
        assert "已记录决定：黑名单，已公布；该机构已退出补贴性培训机构目录" in page
        assert "已退出目录" in page and f"列入{YEAR}年度黑名单：长期不规范办学" in page

    def test_deciding_before_evaluating_sends_back_to_the_detail_page(self, login, league_user, institution, active_class):
        response = login(league_user).get(reverse("supervision:performance_decide", args=[institution.pk, YEAR]), follow=True)
        assert "请先完成该机构本年度的绩效评估" in response.content.decode()

    def test_publish_withdraw_and_readmit_through_the_pages(self, login, league_user, institution, evaluation):
        client = login(league_user)
        decision = decide(league_user, evaluation, "black", reason="虚报参训人数")
        client.post(reverse("supervision:decision_publish", args=[decision.pk]))
        decision.refresh_from_db()
        assert decision.is_published
        response = client.post(reverse("supervision:decision_withdraw", args=[decision.pk]), {"reason": ""}, follow=True)
        assert "请填写撤销原因" in response.content.decode()
        client.post(reverse("supervision:decision_withdraw", args=[decision.pk]), {"reason": "认定依据不足"})
        client.post(reverse("supervision:institution_readmit", args=[institution.pk, YEAR]), {"reason": "整改到位"})
        page = client.get(reverse("supervision:performance_detail", args=[institution.pk, YEAR])).content.decode()
        assert "已撤销" in page and "认定依据不足" in page and "重新纳入目录：整改到位" in page
        assert Institution.objects.get(pk=institution.pk).catalogue_status == "listed"

    def test_the_list_page_query_count_does_not_grow_with_institutions(
        self, login, league_user, county, occupation, institution, django_assert_max_num_queries
    ):
        client = login(league_user)
        year_class(institution, occupation, 1)
        url = reverse("supervision:performance_list")
        with django_assert_max_num_queries(40) as few:
            client.get(url, {"year": YEAR})
        for number in range(2, 12):
            other = make_institution(county, occupation, f"乌兰浩特第{number}培训学校", number)
            training_class = year_class(other, occupation, number)
            add_forms(training_class, ["excellent"] * 5)
            employ(training_class, 3, by=league_user)
            evaluate(league_user, other)
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(url, {"year": YEAR})
        assert response.content.decode().count("培训学校") >= 11


# Public pages --------------------------------------------------------------------------------------------------------


@pytest.fixture
def published_entries(league_user, institution, other_institution, evaluation, other_evaluation, occupation, county):
    """A published black entry, a published red entry, an unpublished red entry and a withdrawn one."""
    league_user.first_name = "盟级经办人吴建军"
    league_user.save()
    black = decide(league_user, evaluation, "black", reason="培训班虚报参训人数，经核查情况属实", publish=True)
    red = decide(league_user, other_evaluation, "red", reason="培训质量好，就业率高于全盟平均", publish=True)
    hidden_institution = make_institution(county, occupation, "乌兰浩特未公布职业学校", 7)
    year_class(hidden_institution, occupation, 92, start=date(YEAR, 12, 1), trainees=0)
    hidden = decide(league_user, evaluate(league_user, hidden_institution), "red", reason="拟列入红名单的内部意见")
    withdrawn_institution = make_institution(county, occupation, "乌兰浩特已撤销职业学校", 8)
    year_class(withdrawn_institution, occupation, 93, start=date(YEAR, 12, 1), trainees=0)
    withdrawn = decide(league_user, evaluate(league_user, withdrawn_institution), "red", reason="已撤销的名单理由", publish=True)
    services.list_decision_withdraw(actor=league_user, decision=withdrawn, reason="重新评估")
    return {"black": black, "red": red, "hidden": hidden, "withdrawn": withdrawn}


class TestPublicPages:
    def test_the_list_shows_published_entries_only_without_login(self, client, published_entries, institution, other_institution):
        response = client.get(reverse("supervision_public:red_black_list"))
        page = response.content.decode()
        assert response.status_code == 200
        assert institution.name in page and other_institution.name in page
        assert "培训班虚报参训人数，经核查情况属实" in page and f"{YEAR}年度黑名单" in page and f"{YEAR}年度红名单" in page
        assert "乌兰浩特未公布职业学校" not in page and "拟列入红名单的内部意见" not in page
        assert "乌兰浩特已撤销职业学校" not in page and "已撤销的名单理由" not in page

    def test_nothing_personal_is_shown(self, client, published_entries, institution):
        for url in (reverse("supervision_public:red_black_list"),
                    reverse("supervision_public:institution_status") + f"?q={institution.credit_code}"):
            page = client.get(url).content.decode()
            assert "吴建军" not in page  # the deciding officer
            assert institution.contact_phone not in page and "韩秀英" not in page and "13904821234" not in page

    def test_search_and_list_filter(self, client, published_entries, institution, other_institution):
        url = reverse("supervision_public:red_black_list")
        page = client.get(url, {"q": "突泉"}).content.decode()
        assert other_institution.name in page and institution.name not in page
        page = client.get(url, {"list": "black"}).content.decode()
        assert institution.name in page and other_institution.name not in page
        page = client.get(url, {"q": "没有这个机构"}).content.decode()
        assert "名单中没有与“没有这个机构”有关的机构" in page

    def test_the_list_is_paginated(self, client, league_user, county, occupation, monkeypatch):
        from supervision.views import performance_public

        monkeypatch.setattr(performance_public, "PUBLIC_PAGE_SIZE", 2)
        for number in range(3):
            school = make_institution(county, occupation, f"乌兰浩特第{number}红名单学校", 20 + number)
            year_class(school, occupation, 94 + number, start=date(YEAR, 12, 1), trainees=0)
            decide(league_user, evaluate(league_user, school), "red", reason="质量好", publish=True)
        url = reverse("supervision_public:red_black_list")
        first, second = client.get(url).content.decode(), client.get(url, {"page": 2}).content.decode()
        assert "第 1/2 页" in first and first.count("红名单学校") == 2 and second.count("红名单学校") == 1

    def test_lookup_by_credit_code_and_by_name(self, client, published_entries, institution, other_institution):
        url = reverse("supervision_public:institution_status")
        page = client.get(url, {"q": institution.credit_code.lower()}).content.decode()
        assert institution.name in page and "不在补贴性培训机构目录内（已退出目录）" in page
        assert "培训班虚报参训人数，经核查情况属实" in page and other_institution.name not in page
        page = client.get(url, {"q": other_institution.name}).content.decode()
        assert "在补贴性培训机构目录内" in page and "不在补贴性" not in page and f"{YEAR}年度红名单" in page

    def test_lookup_never_shows_an_unpublished_or_withdrawn_decision(self, client, published_entries):
        url = reverse("supervision_public:institution_status")
        page = client.get(url, {"q": "乌兰浩特未公布职业学校"}).content.decode()
        assert "乌兰浩特未公布职业学校" in page and "未列入公布的红黑名单" in page and "拟列入红名单的内部意见" not in page
        page = client.get(url, {"q": "已撤销职业学校"}).content.decode()
        assert "已撤销的名单理由" not in page and "未列入公布的红黑名单" in page

    def test_lookup_asks_for_two_characters_and_says_when_nothing_matches(self, client, institution):
        url = reverse("supervision_public:institution_status")
        assert "请至少输入2个字" in client.get(url, {"q": "乌"}).content.decode()
        assert "没有找到“不存在的学校”" in client.get(url, {"q": "不存在的学校"}).content.decode()

    def test_public_query_counts_do_not_grow(self, client, published_entries, league_user, county, occupation,
                                            django_assert_max_num_queries):
        urls = [reverse("supervision_public:red_black_list"), reverse("supervision_public:institution_status") + "?q=乌兰浩特"]
        counts = []
        for url in urls:
            with django_assert_max_num_queries(5) as few:
                client.get(url)
            counts.append(len(few.captured_queries))
        for number in range(5):
            school = make_institution(county, occupation, f"乌兰浩特第{number}红名单学校", 30 + number)
            year_class(school, occupation, 80 + number, start=date(YEAR, 12, 1), trainees=0)
            decide(league_user, evaluate(league_user, school), "red", reason="质量好", publish=True)
        for url, count in zip(urls, counts):
            with django_assert_max_num_queries(count):
                client.get(url)


# Teacher performance (§8.8) ------------------------------------------------------------------------------------------


def make_teacher(institution, user, name, seed, occupation):
    from classes.demo_data import make_resident_id

    teacher = Teacher.objects.create(
        name=name, id_number=make_resident_id(random.Random(seed), area_code="152201"), employment_type="full_time",
        qualification="skill_level_certificate", certificate_number=f"S{seed}", employer=institution.name,
        status=Teacher.Status.CONFIRMED, proposed_by_institution=institution, proposed_by=user, proposed_at=timezone.now(),
    )
    teacher.occupations.add(occupation)
    return teacher


@pytest.fixture
def taught(league_user, institution, other_institution, occupation, county_user):
    """Hand-counted: 白老师 teaches A and B (own institution), 乌老师 teaches B and C (C at the other institution).

    A: 4 forms, item 7 = 优 优 良 差 → 3 of 4; county verified. 5 trainees, 2 farmers employed.
    B: 5 forms, item 7 = 一般 差 良 一般 一般 → 1 of 5; not verified. 5 trainees, 1 farmer employed; 2 urban, 1 employed.
    C: 2 forms, item 7 = 优 优 → 2 of 2. 4 trainees, none employed.
    Last year's class D, taught by 白老师, counts for nothing.
    """
    first = make_teacher(institution, league_user, "白老师", 1, occupation)
    second = make_teacher(other_institution, league_user, "乌老师", 2, occupation)
    a = year_class(institution, occupation, 11, trainees=5)
    b = year_class(institution, occupation, 12, start=date(YEAR, 6, 1), trainees=5)
    c = year_class(other_institution, occupation, 13, trainees=4)
    d = year_class(institution, occupation, 14, start=date(YEAR - 1, 6, 1), trainees=3)
    add_forms(a, ["good"] * 4, ["excellent", "excellent", "good", "poor"])
    add_forms(b, ["good"] * 5, ["fair", "poor", "good", "fair", "fair"])
    add_forms(c, ["good"] * 2, ["excellent", "excellent"])
    add_forms(d, ["good"] * 3)
    employ(a, 2, by=league_user)
    urban = TraineeCategory.objects.get(code="urban_registered_unemployed")
    b_enrollments = list(b.enrollments.order_by("id"))
    Trainee.objects.filter(pk__in=[b_enrollments[3].trainee_id, b_enrollments[4].trainee_id]).update(category=urban)
    employ(b, 1, by=league_user)
    EmploymentRecord.objects.create(enrollment=b_enrollments[3], destination="flexible", source="institution", updated_by=league_user)
    ClassReview.objects.create(training_class=a, status=ClassReview.Status.COUNTY_VERIFIED)
    ClassReview.objects.create(training_class=b, status=ClassReview.Status.AWAITING_COUNTY)
    for training_class, teacher in ((a, first), (b, first), (b, second), (c, second), (d, first)):
        ClassTeacher.objects.create(training_class=training_class, teacher=teacher, assigned_by=league_user)
    return {"first": first, "second": second}


def figures(rows):
    return {row.name: (row.classes, row.good_forms, row.forms, row.employment) for row in rows}


class TestTeacherPerformance:
    def test_league_staff_see_the_hand_counted_figures_ranked_by_share(self, login, league_user, taught):
        response = login(league_user).get(reverse("supervision:teacher_performance"), {"year": YEAR})
        rows = response.context["rows"]
        # 4/9 (44.4%) before 3/7 (42.9%).
        assert [row.name for row in rows] == ["白老师", "乌老师"]
        assert figures(rows) == {
            "白老师": (2, 4, 9, [("农牧民就业", 3, 8), ("城镇失业人员就业", 1, 2), ("创业培训创业", 0, 0)]),
            "乌老师": (2, 3, 7, [("农牧民就业", 1, 7), ("城镇失业人员就业", 1, 2), ("创业培训创业", 0, 0)]),
        }
        page = response.content.decode()
        assert "4/9" in page and "44.4%" in page and "3/7" in page and "42.9%" in page

    def test_equal_shares_rank_the_teacher_with_more_forms_first(self, league_user, institution, occupation):
        few, many = make_teacher(institution, league_user, "少老师", 3, occupation), make_teacher(institution, league_user, "多老师", 4, occupation)
        small, large = year_class(institution, occupation, 21, trainees=2), year_class(institution, occupation, 22, trainees=4)
        add_forms(small, ["good"] * 2, ["excellent", "poor"])
        add_forms(large, ["good"] * 4, ["excellent", "good", "poor", "fair"])
        ClassTeacher.objects.create(training_class=small, teacher=few, assigned_by=league_user)
        ClassTeacher.objects.create(training_class=large, teacher=many, assigned_by=league_user)
        rows = list(teacher_performance_for(league_user, year=YEAR))
        assert [(row["teacher__name"], row["good_forms"], row["forms"]) for row in rows] == [("多老师", 2, 4), ("少老师", 1, 2)]
        ascending = list(teacher_performance_for(league_user, year=YEAR, sort="share_asc"))
        assert [row["teacher__name"] for row in ascending] == ["多老师", "少老师"]

    def test_a_form_counts_on_the_ranking_as_soon_as_it_is_submitted_or_voided(
        self, login, league_user, county_user, institution, occupation, running_class, link
    ):
        # The page reads the class's form counts, which the form services change in the form's own transaction.
        teacher = make_teacher(institution, league_user, "包老师", 5, occupation)
        ClassTeacher.objects.create(training_class=running_class, teacher=teacher, assigned_by=league_user)
        year = running_class.start_date.year

        def shown():
            rows = login(league_user).get(reverse("supervision:teacher_performance"), {"year": year}).context["rows"]
            return [(row.name, row.classes, row.good_forms, row.forms) for row in rows]

        assert shown() == [("包老师", 1, 0, 0)]
        forms = []
        for enrollment, item_7 in zip(running_class.enrollments.order_by("id"), ["excellent", "fair"]):
            forms.append(evaluation_services.trainee_evaluation_submit_online(
                link=evaluation_selectors.evaluation_link_for_trainee(link.token), name=enrollment.trainee.name,
                id_number=enrollment.trainee.id_number, answers=trainee_answers(running_class, item_7=item_7),
            ))
        assert shown() == [("包老师", 1, 1, 2)]
        evaluation_services.trainee_evaluation_mark_untruthful(actor=county_user, evaluation=forms[0], reason="代填")
        assert shown() == [("包老师", 1, 0, 1)]

    def test_the_other_orders_rank_by_classes_then_share_and_by_name(self, league_user, taught):
        # Both taught two classes: the better share (4/9 before 3/7) breaks the tie; by name, 乌 (U+4E4C) before 白.
        by_classes = teacher_performance_for(league_user, year=YEAR, sort="classes")
        assert [(row["teacher__name"], row["classes"]) for row in by_classes] == [("白老师", 2), ("乌老师", 2)]
        assert [row["teacher__name"] for row in teacher_performance_for(league_user, year=YEAR, sort="name")] == ["乌老师", "白老师"]

    def test_county_staff_see_their_countys_classes_only(self, login, county_user, other_county_user, taught):
        rows = login(county_user).get(reverse("supervision:teacher_performance"), {"year": YEAR}).context["rows"]
        assert figures(rows) == {
            "白老师": (2, 4, 9, [("农牧民就业", 3, 8), ("城镇失业人员就业", 1, 2), ("创业培训创业", 0, 0)]),
            "乌老师": (1, 1, 5, [("农牧民就业", 1, 3), ("城镇失业人员就业", 1, 2), ("创业培训创业", 0, 0)]),
        }
        rows = login(other_county_user).get(reverse("supervision:teacher_performance"), {"year": YEAR}).context["rows"]
        assert figures(rows) == {"乌老师": (1, 2, 2, [("农牧民就业", 0, 4), ("城镇失业人员就业", 0, 0), ("创业培训创业", 0, 0)])}

    def test_an_institution_sees_its_own_classes_and_only_the_forms_of_verified_ones(self, login, institution_user, taught):
        response = login(institution_user).get(reverse("supervision:teacher_performance"), {"year": YEAR})
        rows = response.context["rows"]
        assert {row.name: (row.classes, row.good_forms, row.forms) for row in rows} == {"白老师": (2, 3, 4), "乌老师": (1, 0, 0)}
        assert "评价表份数只统计旗县已评价核实的培训班" in response.content.decode()

    def test_the_other_institution_sees_nothing_of_ours(self, login, other_institution_user, taught):
        rows = login(other_institution_user).get(reverse("supervision:teacher_performance"), {"year": YEAR}).context["rows"]
        assert [row.name for row in rows] == ["乌老师"] and rows[0].classes == 1

    def test_the_pager_counts_the_teachers_listed_in_the_users_scope(self, login, league_user, other_county_user, taught):
        # Counted over the assignments alone: each teacher once, whatever their classes and forms.
        league_page = login(league_user).get(reverse("supervision:teacher_performance"), {"year": YEAR}).context["page"]
        assert league_page.paginator.count == 2
        searched = login(league_user).get(reverse("supervision:teacher_performance"), {"year": YEAR, "q": "乌"}).context["page"]
        assert searched.paginator.count == 1
        other_county = login(other_county_user).get(reverse("supervision:teacher_performance"), {"year": YEAR}).context["page"]
        assert other_county.paginator.count == 1

    def test_anonymous_visitors_are_sent_to_login(self, client):
        response = client.get(reverse("supervision:teacher_performance"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_the_query_count_does_not_grow_with_teachers(self, login, league_user, institution, occupation, taught,
                                                         django_assert_max_num_queries):
        client = login(league_user)
        url = reverse("supervision:teacher_performance")
        with django_assert_max_num_queries(30) as few:
            client.get(url, {"year": YEAR})
        for number in range(6):
            teacher = make_teacher(institution, league_user, f"新老师{number}", 40 + number, occupation)
            training_class = year_class(institution, occupation, 30 + number, trainees=3)
            add_forms(training_class, ["good"] * 3)
            employ(training_class, 1, by=league_user)
            ClassTeacher.objects.create(training_class=training_class, teacher=teacher, assigned_by=league_user)
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(url, {"year": YEAR})
        assert len(response.context["rows"]) == 8


# Demo data -----------------------------------------------------------------------------------------------------------


def test_demo_evaluates_every_institution_and_decides_three_entries_idempotently(
    league_user, county_user, institution, other_institution, occupation
):
    from supervision.demo_performance import seed_performance_demo

    good = year_class(institution, occupation, 1, start=date(YEAR, 3, 2))
    add_forms(good, ["excellent"] * 10)
    falsified = year_class(other_institution, occupation, 2, start=date(YEAR, 4, 1))
    confirm_falsification(falsified, county_user)
    third = make_institution(institution.county, occupation, "乌兰浩特第三培训学校", 9)
    year_class(third, occupation, 3, start=date(YEAR, 5, 1))
    first = seed_performance_demo(random.Random(1))
    second = seed_performance_demo(random.Random(2))
    assert first == second == {"evaluations": 3, "decisions": 3, "published": 2}
    black = ListDecision.objects.get(listing="black")
    assert black.evaluation.institution == other_institution and black.is_published
    assert Institution.objects.get(pk=other_institution.pk).catalogue_status == "removed"
    assert ListDecision.objects.filter(listing="red", is_published=True).count() == 1
    assert ListDecision.objects.filter(listing="red", is_published=False).count() == 1
