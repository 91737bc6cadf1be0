"""One class's story, told through the portal's services at the moments it happened (policy §5, §6).

Each step first moves the demo clock to its own moment. A step whose moment lies after the real now has not
happened yet: the story pauses there, and that is where the class stands today. So the stages follow the
calendar: classes that ended months ago are approved, those of the last weeks are with the county or the league.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from accounts.models import User
from classes import services as classes
from classes.models import Enrollment, Institution, Occupation, TrainingCategory, TrainingClass
from evaluations import services as review
from evaluations.models import RectificationNotice, TraineeEvaluation
from evaluations.selectors import evaluation_link_for_trainee, grade_from_facts, with_review_facts
from followups import services as followups
from followups.models import CallAttempt, EmploymentRecord, FollowupItem, FollowupSample

from .answers import (
    class_profile,
    class_ratings,
    employment_outcome,
    followup_answers,
    overall_rating,
    trainee_answers,
)
from .clock import DemoClock, later_by, moment_on
from .people import person_of

# The cases the portal is built to catch, one class each (see ``designate_cases``).
UNTRUTHFUL = "untruthful"  # the county finds a trainee's 附表2 untruthful (policy §7)
LOW_HOURS = "low_hours"  # two trainees declare far fewer hours than the class has (a contradiction to look at)
FALSIFICATION = "falsification"  # an investigation confirms the institution falsified records
RECTIFIED = "rectified"  # a 整改通知书 closed with evidence
OVERDUE = "overdue"  # the follow-up month passed before 20% were reached
REOPENED = "reopened"  # the league reopens an approved class (撤销复核)
LOW_COVERAGE = "low_coverage"  # under 80% of 附表2 came back: forwarded with the county's reason

# Case, how many days before today the class should have ended, the county it should be in (the demo
# logins' counties, so that they meet it), and whether a demo login's own institution must be avoided.
CASE_TARGETS = (
    (REOPENED, 150, "152201", False),
    (FALSIFICATION, 110, "152224", True),
    (LOW_COVERAGE, 95, "152201", False),
    (UNTRUTHFUL, 80, "152201", False),
    (RECTIFIED, 65, "152201", False),
    (OVERDUE, 50, "152201", False),
    (LOW_HOURS, 3, "152201", False),
)

CALL_OUTCOMES = ("completed", "no_answer", "busy", "powered_off", "wrong_number", "refused", "callback")
CALL_WEIGHTS = (70, 11, 4, 8, 3, 2, 2)
RETURN_SHARE = 0.15
REOPEN_REASON = "审计发现该班 2 名学员同期参加了其他培训班，培训时间重叠，请旗县重新核实学员参训情况后再报。"
RETURN_REASON = "附表1初审合格学员人数与结业学员人数不一致，请核对后重新上报。"
COVERAGE_REASON = "部分学员结业后即外出务工，纸质评价表未能收回；已逐一电话核实其参训情况，记录附后。"
UNTRUTHFUL_REASON = "经核对签到表和实操记录，该学员仅参加了前 2 天培训，附表2却填写完成全部课时，与事实不符"
RECTIFICATION_REQUIREMENTS = (
    "评价为“一般”的学员达到20%以上。请在期限内：1. 补足未落实的实操课时并留存影像资料；"
    "2. 完善教学日志和学员签到记录；3. 增配实操设备，保证每名学员的实操工位。"
)
RECTIFICATION_REPORT = (
    "已补足实操课时 12 学时，附补课签到表、教学日志及实操照片；新增实操工位 6 个；签到改为每日两次并由班主任核对。"
)
RECTIFICATION_EVIDENCE = "经现场核实：补课签到表、教学日志与实操照片相符，新增实操工位已投入使用，整改到位，予以销号。"


@dataclass(frozen=True)
class Plan:
    """A class as the institution registers it, before it exists."""

    number: int
    batch_number: str
    institution: Institution
    county_code: str
    occupation: Occupation
    start_date: date
    end_date: date
    assessment_end_date: date | None  # None: not over by today
    registered_headcount: int
    class_hours: int
    location: str


@dataclass(frozen=True)
class Cast:
    league: User
    officer: User  # the county's officer: link, verification, 整改, 核查, forwarding
    caller: User  # the county's caller: phone follow-up and paper 附表2
    head: str  # the county's deputy director, who signs the verification
    school: User  # the institution's teaching director: opens, starts and finishes the class, self-evaluates
    file_keeper: User  # keeps the institution's employment tracking file


class StoryPauses(Exception):
    """The class stands here today: its next step has not happened (yet)."""


def designate_cases(plans: list[Plan], *, today: date, avoid_institution_ids: set[int]) -> dict[str, str]:
    """Batch number → case: for each case, the finished class nearest to its target age, preferably in its county."""
    finished = [plan for plan in plans if plan.assessment_end_date is not None]
    cases: dict[str, str] = {}
    for case, days_ago, county_code, avoid_demo in CASE_TARGETS:
        candidates = [
            plan for plan in finished
            if plan.batch_number not in cases and not (avoid_demo and plan.institution.pk in avoid_institution_ids)
        ]
        in_county = [plan for plan in candidates if plan.county_code == county_code]
        target = today - timedelta(days=days_ago)
        chosen = min(in_county or candidates, key=lambda plan: (abs((plan.end_date - target).days), plan.number), default=None)
        if chosen is not None:
            cases[chosen.batch_number] = case
    return cases


def short_place(county_name: str) -> str:
    return county_name.replace("科尔沁右翼", "科右")


class ClassStory:
    def __init__(self, training_class: TrainingClass, plan: Plan, *, clock: DemoClock, cast: Cast, rng: random.Random,
                 case: str = ""):
        self.training_class = training_class
        self.assessment_end_date = plan.assessment_end_date
        self.clock = clock
        self.cast = cast
        self.rng = rng
        self.case = case
        self.place = short_place(training_class.institution.county.name)
        forced = {FALSIFICATION: "investigate", RECTIFIED: "rectify"}
        self.profile = forced.get(case) or ("good" if case else class_profile(rng))
        self.employed_bias = rng.uniform(0.6, 1.4)  # how well this institution places its trainees
        self.is_returned_once = case not in (REOPENED, OVERDUE) and rng.random() < RETURN_SHARE
        self.overall_of: dict[int, str] = {}  # enrollment id → overall rating on the trainee's 附表2
        self.self_evaluated_on: date | None = None
        self.forms_done_on: date | None = None  # the last day a 附表2 or the self-evaluation came in

    # Clock -------------------------------------------------------------------------------------------------

    def _at(self, moment: datetime) -> datetime:
        if not self.clock.has_come(moment):
            raise StoryPauses
        self.clock.move_to(moment)
        return moment

    def _on(self, day: date, hours: tuple[int, int] = (9, 17)) -> datetime:
        return moment_on(day, self.rng, hours=hours)

    # The story ---------------------------------------------------------------------------------------------

    def tell(self) -> None:
        try:
            self._start()
            if self.training_class.end_date >= self.clock.today:
                self._first_forms()
                return
            self._collect_forms()
        except StoryPauses:
            return
        try:
            self._review()
        except StoryPauses:
            pass
        self._employment_file()

    def _approve_opening(self) -> None:
        """The county approved the class's opening (policy §8.2) a few days before it starts. The told classes are
        the league's history, so the approval is recorded as the review's result, as the migration records it for
        classes that were already running; the six classes of supervision/demo_opening.py walk the review itself."""
        from supervision.models import OpeningReview
        from supervision.opening_selectors import registered_values_of

        training_class = self.training_class
        submitted = self._on(training_class.start_date - timedelta(days=7), hours=(9, 11))
        decided = self._on(training_class.start_date - timedelta(days=4), hours=(14, 17))
        OpeningReview.objects.get_or_create(training_class=training_class, defaults={
            "status": OpeningReview.Status.APPROVED, "submitted_by": self.cast.school, "submitted_at": submitted,
            "decided_by": self.cast.officer, "decided_at": decided, "registered_values": registered_values_of(training_class),
        })

    def _start(self) -> None:
        self._approve_opening()
        training_class = self.training_class
        self._at(self._on(training_class.start_date, hours=(8, 9)))
        self.training_class = classes.training_class_start(actor=self.cast.school, training_class=training_class)
        if self.rng.random() < 0.15:
            # A trainee leaves in the first days (found work, fell ill): recorded by the institution.
            moment = self._on(training_class.start_date + timedelta(days=self.rng.randrange(1, 4)), hours=(14, 17))
            leaver = self.rng.choice(list(training_class.enrollments.order_by("id")))
            if self.clock.has_come(moment):
                self.clock.move_to(moment)
                classes.enrollment_mark_dropped(actor=self.cast.school, enrollment=leaver)

    def _attending(self) -> list[Enrollment]:
        return list(
            self.training_class.enrollments.exclude(completion=Enrollment.Completion.DROPPED)
            .select_related("trainee").order_by("id")
        )

    def _link(self, day: date) -> tuple[datetime, str]:
        moment = self._at(self._on(day, hours=(8, 10)))
        return moment, review.evaluation_link_create(actor=self.cast.officer, training_class=self.training_class).token

    def _submit_online(self, token: str, enrollment: Enrollment, moment: datetime, overall: str, hours: int | None = None) -> None:
        self._at(moment)
        answers = trainee_answers(self.rng, self.training_class, overall=overall, signed_on=moment.date(), attended_amount=hours)
        review.trainee_evaluation_submit_online(
            link=evaluation_link_for_trainee(token), name=enrollment.roster_name, id_number=enrollment.trainee.id_number, answers=answers
        )
        self.overall_of[enrollment.pk] = overall

    def _first_forms(self) -> None:
        """A class still training: the county posted the link on the latest working day, a few have answered."""
        now = self.clock.now
        day = self.clock.today if now.hour >= 11 else self.clock.today - timedelta(days=1)
        if day < self.training_class.start_date:
            return
        link_moment, token = self._link(day)
        attending = self._attending()
        for enrollment in sorted(self.rng.sample(attending, min(self.rng.randrange(3, 7), len(attending))), key=lambda e: e.pk):
            link_moment = later_by(link_moment, self.rng, minutes=(15, 90))
            if self.clock.has_come(link_moment):
                self._submit_online(token, enrollment, link_moment, overall_rating(self.rng, self.profile))

    def _collect_forms(self) -> None:
        """附表2 in the class's last days (S1 二(二)): most on phones through the county's link, some on paper that
        the county's caller enters the days after; the institution self-evaluates; the class finishes."""
        training_class = self.training_class
        end = training_class.end_date
        link_day = max(training_class.start_date, end - timedelta(days=2))
        link_moment, token = self._link(link_day)
        attending = self._attending()
        missing_share = 0.25 if self.case == LOW_COVERAGE else 0.05
        low_hours = set(self.rng.sample(range(len(attending)), 2)) if self.case == LOW_HOURS else set()
        online, paper = [], []
        for index, enrollment in enumerate(attending):
            if self.rng.random() < missing_share:
                continue
            overall = overall_rating(self.rng, self.profile)
            hours = training_class.class_hours // 5 if index in low_hours else None
            is_paper = self.rng.random() < 0.2
            if is_paper and hours is None:  # the low-hours answers go online, where the county sees them at once
                paper.append((enrollment, overall, hours))
                continue
            day = link_day + timedelta(days=self.rng.randrange((end - link_day).days + 1))
            moment = max(self._on(day, hours=(10, 21)), later_by(link_moment, self.rng, minutes=(20, 120)))
            online.append((moment, enrollment, overall, hours))
        for moment, enrollment, overall, hours in sorted(online, key=lambda row: (row[0], row[1].pk)):
            self._submit_online(token, enrollment, moment, overall, hours)

        late_self_evaluation = self.rng.random() < 0.1
        if not late_self_evaluation:
            self._self_evaluate(end)
        self._finish()
        entered = self._on(end + timedelta(days=1), hours=(9, 10))
        for enrollment, overall, hours in paper:
            entered = later_by(entered, self.rng, minutes=(8, 40))
            self._at(entered)
            answers = trainee_answers(self.rng, training_class, overall=overall, signed_on=end, attended_amount=hours)
            review.trainee_evaluation_enter_paper(actor=self.cast.caller, enrollment=enrollment, answers=answers)
            self.overall_of[enrollment.pk] = overall
        if late_self_evaluation:
            self._self_evaluate(self.training_class.assessment_end_date + timedelta(days=self.rng.randrange(1, 6)))
        self.forms_done_on = max(entered.date(), self.training_class.assessment_end_date, self.self_evaluated_on)

    def _self_evaluate(self, day: date) -> None:
        self._at(self._on(day, hours=(14, 18)))
        self.self_evaluated_on = day
        overall = self.rng.choice(("excellent", "excellent", "good"))
        review.self_assessment_submit(
            actor=self.cast.school, training_class=self.training_class, ratings=class_ratings(self.rng, overall),
            overall=overall, evaluator=person_of(self.cast.school.first_name), evaluated_on=day,
        )

    def _finish(self) -> None:
        moment = self._at(self._on(self.assessment_end_date, hours=(16, 18)))
        self.training_class = classes.training_class_finish(
            actor=self.cast.school, training_class=self.training_class, assessment_end_date=self.assessment_end_date
        )
        # The finishing hook queues the draw after commit; the demo draws it at once, as the worker would.
        self._at(later_by(moment, self.rng, minutes=(1, 5)))
        followups.followup_sample_draw(training_class_id=self.training_class.pk, trigger=FollowupSample.Trigger.CLASS_FINISHED)

    # With the county and the league ------------------------------------------------------------------------

    def _grade(self):
        return grade_from_facts(with_review_facts(TrainingClass.objects.filter(pk=self.training_class.pk)).get())

    def _review(self) -> None:
        training_class = self.training_class
        officer = self.cast.officer
        day = self.forms_done_on + timedelta(days=1)
        if self.case == UNTRUTHFUL:
            form = (
                TraineeEvaluation.objects.filter(enrollment__training_class=training_class, is_valid=True)
                .order_by("-source", "id").first()  # a paper form first: the clerk compared it with the sign-in sheet
            )
            self._at(self._on(day, hours=(9, 12)))
            review.trainee_evaluation_mark_untruthful(actor=officer, evaluation=form, reason=UNTRUTHFUL_REASON)
        grade = self._grade()
        is_confirmed = False
        if grade.needs_investigation:
            self._at(self._on(day, hours=(9, 12)))
            share = grade.poor * 100 / grade.total
            investigation = review.investigation_open(
                actor=officer, training_class=training_class,
                findings=f"评价为“差”的学员 {grade.poor} 人，占有效评价表的 {share:.0f}%，核实实际到课和实操教学情况。",
            )
            day += timedelta(days=self.rng.randrange(3, 8))
            self._at(self._on(day, hours=(14, 17)))
            is_confirmed = self.case == FALSIFICATION or self.rng.random() < 0.35
            review.investigation_conclude(actor=officer, investigation=investigation, is_confirmed=is_confirmed,
                                          is_falsification=self.case == FALSIFICATION, **self._findings(is_confirmed))
        day = max(day + timedelta(days=1), training_class.assessment_end_date + timedelta(days=self.rng.randrange(2, 7)))
        verified = self._on(day, hours=(10, 16))
        if grade.needs_rectification:
            self._at(later_by(verified, self.rng, minutes=(-90, -20)))
            review.rectification_issue(actor=officer, training_class=training_class,
                                       requirements=RECTIFICATION_REQUIREMENTS, deadline=day + timedelta(days=30))
        self._at(verified)
        self._verify(day, grade, is_confirmed, miscounted=self.is_returned_once)

        last_call_day = self._phone(day + timedelta(days=1))
        ready_day = last_call_day
        notice = RectificationNotice.objects.filter(training_class=training_class, status=RectificationNotice.Status.OPEN).first()
        if notice is not None:
            # The institution reports its rectification before the deadline; the county checks and closes it.
            reported_day = notice.deadline - timedelta(days=self.rng.randrange(6, 14))
            self._at(self._on(reported_day, hours=(9, 17)))
            notice = review.rectification_report_submit(actor=self.cast.school, notice=notice, report=RECTIFICATION_REPORT)
            closed_day = reported_day + timedelta(days=self.rng.randrange(2, 6))
            self._at(self._on(closed_day, hours=(14, 17)))
            review.rectification_close(actor=officer, notice=notice, evidence=RECTIFICATION_EVIDENCE)
            ready_day = max(ready_day, closed_day)
        day = ready_day + timedelta(days=self.rng.randrange(1, 5))
        self._at(self._on(day))
        self._forward()
        day += timedelta(days=self.rng.randrange(2, 9))
        if self.is_returned_once:
            self._at(self._on(day))
            review.review_return(actor=self.cast.league, training_class=training_class, reason=RETURN_REASON)
            day += timedelta(days=self.rng.randrange(2, 6))
            corrected = self._at(self._on(day, hours=(9, 15)))
            self._verify(day, grade, is_confirmed, miscounted=False)
            self._at(later_by(corrected, self.rng, minutes=(20, 90)))
            self._forward()
            day += timedelta(days=self.rng.randrange(2, 7))
        approved = self._at(self._on(day))
        review.review_approve(actor=self.cast.league, training_class=training_class)
        if self.case == REOPENED:
            reopened = self._on(self.clock.today - timedelta(days=self.rng.randrange(3, 9)))
            if reopened > approved:
                self._at(reopened)
                review.review_reopen(actor=self.cast.league, training_class=training_class, reason=REOPEN_REASON)

    def _findings(self, is_confirmed: bool) -> dict:
        if self.case == FALSIFICATION:
            return {
                "findings": "调取签到表、教学日志，电话询问学员 12 名：签到表存在代签，8 名学员未参加实操课程。",
                "reason": "培训机构虚报实操课时、代签签到表，情况属实，认定弄虚作假。",
            }
        if is_confirmed:
            return {"findings": "现场查看实训场地并询问学员：实操设备不足，部分实操课时未落实。",
                    "reason": "实操课时未按教学计划落实，情况属实。"}
        return {"findings": "走访学员 6 名，查阅签到表和教学日志：课程按计划实施。",
                "reason": "差评主要针对食宿和交通安排，与培训质量无关，情况不属实。"}

    def _verify(self, day: date, grade, is_confirmed: bool, *, miscounted: bool) -> None:
        if is_confirmed:
            overall = "poor"
        elif grade.needs_rectification:
            overall = "fair"
        elif grade.outstanding:
            overall = "excellent"
        else:
            overall = "good"
        passing = self.training_class.enrollments.filter(
            completion=Enrollment.Completion.COMPLETED, is_subsidy_eligible=True
        ).count()
        review.county_verification_submit(
            actor=self.cast.officer, training_class=self.training_class, ratings=class_ratings(self.rng, overall),
            overall=overall, evaluator=person_of(self.cast.officer.first_name), evaluated_on=day,
            is_qualified=not is_confirmed, passing_trainees=passing - 1 if miscounted else passing,
            responsible_person=self.cast.head, verified_on=day,
        )

    def _forward(self) -> None:
        # The service keeps the county's explanation only when fewer than 80% of 附表2 came back (policy §3).
        review.review_forward(actor=self.cast.officer, training_class=self.training_class, coverage_reason=COVERAGE_REASON)

    # Phone follow-up and employment ------------------------------------------------------------------------

    def _phone(self, first_day: date) -> date:
        """Rounds of calls until 20% are reached (policy §5); returns the day of the last call. Some counties
        phone late in the month, one falls behind and leaves the follow-up overdue."""
        training_class = self.training_class
        sample = FollowupSample.objects.get(training_class=training_class)
        is_late = self.rng.random() < 0.12
        day = max(first_day, training_class.assessment_end_date + timedelta(days=self.rng.randrange(20, 26))) if is_late else first_day
        pending = FollowupItem.objects.filter(sample=sample, status=FollowupItem.Status.PENDING)
        last_call_day = day
        for _round in range(12):
            items = list(pending.select_related("enrollment__trainee__category").order_by("position"))
            if not items:
                if sample.items.filter(status=FollowupItem.Status.COMPLETED).count() < sample.target_size:
                    raise StoryPauses  # the whole roster was unreachable: nothing to forward (not expected with these odds)
                return last_call_day
            last_call_day = day
            moment = self._on(day, hours=(9, 11))
            for position, item in enumerate(items):
                moment = later_by(moment, self.rng, minutes=(4, 25))
                self._at(moment)
                if self.case == OVERDUE:
                    # The caller reached a few, then the calls stopped: the month ran out (policy §5 reminder).
                    self._call(item, moment, outcome="completed" if position < sample.target_size // 3 else "no_answer")
                else:
                    self._call(item, moment)
            if self.case == OVERDUE:
                raise StoryPauses
            day += timedelta(days=self.rng.randrange(2, 5) if is_late else self.rng.randrange(1, 4))
        raise StoryPauses  # still unreached after twelve rounds: the county keeps trying (not expected with these odds)

    def _call(self, item: FollowupItem, moment: datetime, outcome: str = "") -> None:
        caller = self.cast.caller
        outcome = outcome or self.rng.choices(CALL_OUTCOMES, weights=CALL_WEIGHTS)[0]
        if outcome == CallAttempt.Outcome.COMPLETED:
            answers = followup_answers(self.rng, form_overall=self.overall_of.get(item.enrollment_id),
                                       outcome=self._employment_of(item.enrollment))
            followups.call_attempt_record(actor=caller, item=item, outcome=outcome, answers=answers)
        elif outcome == CallAttempt.Outcome.CALLBACK:
            callback = moment.replace(hour=10, minute=0) + timedelta(days=1)
            followups.call_attempt_record(actor=caller, item=item, outcome=outcome, callback_at=callback,
                                          note="学员正在上班，约定次日上午回拨")
        else:
            followups.call_attempt_record(actor=caller, item=item, outcome=outcome)

    def _employment_of(self, enrollment: Enrollment) -> dict:
        """Where this trainee works: one answer per trainee and class, whoever asks (call or institution)."""
        trainee = enrollment.trainee
        is_business_class = self.training_class.category == TrainingCategory.ENTREPRENEURSHIP
        return employment_outcome(
            random.Random(f"{self.training_class.batch_number}:{trainee.id_number}"),
            group="entrepreneurship" if is_business_class else trainee.category.employment_group,
            occupation_name=self.training_class.occupation.name, place=self.place, employed_bias=self.employed_bias,
        )

    def _employment_file(self) -> None:
        """The institution's employment tracking file (S1 三), one to two months after assessment: every
        completed trainee it reached and whom the follow-up did not already record."""
        training_class = self.training_class
        if training_class.status != TrainingClass.Status.FINISHED:
            return
        moment = self._on(training_class.assessment_end_date + timedelta(days=self.rng.randrange(40, 75)))
        if not self.clock.has_come(moment):
            return
        self.clock.move_to(moment)
        recorded = set(EmploymentRecord.objects.filter(enrollment__training_class=training_class).values_list("enrollment_id", flat=True))
        completed = training_class.enrollments.filter(completion=Enrollment.Completion.COMPLETED)
        for enrollment in completed.select_related("trainee__category", "training_class").order_by("id"):
            is_unreached = self.rng.random() < 0.12
            if enrollment.pk in recorded or is_unreached:
                continue
            followups.employment_record_save(actor=self.cast.file_keeper, enrollment=enrollment, **self._employment_of(enrollment))
