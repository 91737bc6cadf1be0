"""Writes the planned region into PostgreSQL, table by table in foreign-key order, with COPY.

Each class's roster is re-derived from ``Random((seed, class index))`` in every pass that needs it (trainees,
enrollments, 附表2, follow-ups, employment), so no pass holds millions of rows in memory and every pass agrees.
Primary keys are given here (``copying.next_id``), sequences moved past them afterwards.
"""

import json
import random
from collections.abc import Iterator
from bisect import bisect_left
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from classes.demo_data import make_credit_code
from classes.models import Enrollment, Institution, Occupation, Region, Trainee, TraineeCategory, TrainingClass
from evaluations.items import CLASS_ITEM_FIELDS, TRAINEE_ITEM_FIELDS
from evaluations.models import (
    ClassAssessment,
    ClassReview,
    Investigation,
    RectificationEvent,
    RectificationNotice,
    RectificationNumberCounter,
    ReviewEvent,
    TraineeEvaluation,
)
from followups.models import CallAttempt, EmploymentRecord, FollowupItem, FollowupSample
from followups.sampling import draw_order, followup_due_date
from followups.services import followup_call_counts_rebuild
from evaluations import rules
from evaluations.form_counts import trainee_form_counts_rebuild
from reports.dashboards.models import EMPLOYMENT_FIELDS, ClassFigures, FiguresRefresh
from reports.dashboards.services import institution_figures_rebuild
from supervision.fraud_signals import fraud_signals_recompute
from supervision.models import (
    AttendanceDay,
    CatalogueStatusChange,
    CheckIn,
    ClassSite,
    ClassTeacher,
    FraudSignal,
    Inspection,
    InstitutionEvaluation,
    ListDecision,
    OpeningEvent,
    OpeningReview,
    RectificationItem,
    Teacher,
)
from xingan_training.personal_data import PHONE, RESIDENT_ID, encrypt, id_number_digest, phone_digest

from . import plan as story
from .copying import Progress, copy_rows, foreign_keys_checked_at_the_end, next_id
from .identities import TEACHER_OFFSET, People, resident_id

TZ = timezone.get_fixed_timezone(8 * 60)
RATINGS = ("excellent", "good", "fair", "poor")
CATEGORY_WEIGHTS = {
    "rural_migrant": 50, "poverty_monitoring": 10, "urban_registered_unemployed": 15, "hard_to_employ": 10,
    "college_graduate": 8, "school_leaver": 7,
}
INSTITUTION_KINDS = ("职业技能培训学校", "职业培训学校", "技工学校", "家政服务培训中心", "培训中心")
INSTITUTION_WORDS = "鸿达兴业启航惠民金秋阳光明德博远众创华育新程蓝天草原骏马安泰宏图长青"
EMPLOYED_DESTINATIONS = ("employee", "self_employed", "flexible")
EMPLOYERS = ("乌兰浩特市某餐饮公司", "兴安盟某物业公司", "某家政服务公司", "某养老服务中心", "某建筑公司", "某电商合作社")
SCALE_LOGINS = ("scale_league", "scale_county", "scale_county2", "scale_institution", "scale_inspector", "scale_admin")


def moment(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=TZ)


class RosterRow(NamedTuple):
    enrollment_id: int
    trainee_id: int
    name: str
    phone: str
    category_id: int
    completion: str
    overall: str  # "" when the trainee filled no valid 附表2


class ScaleLoader:
    def __init__(self, *, classes: int, trainees_per_class: int, seed: int, password: str, write,
                 today: date | None = None):
        self.classes_wanted = classes
        self.trainees_per_class = trainees_per_class
        self.seed = seed
        self.password = password
        self.today = today or timezone.localdate()
        self.progress = Progress(write)
        self.write = write
        self.rng = random.Random(seed)

    # -- orchestration -----------------------------------------------------------------------------------

    def run(self) -> Progress:
        with transaction.atomic(), foreign_keys_checked_at_the_end(self.progress):
            self._reference_data()
            self._institutions()
            self._users()
            self._plan()
            self._classes()
            self._people()
            self._opening()
            self._reviews()
            self._forms()
            self._consequences()
            self._followups()
            self._employment()
            self._figures()
            self._teachers()
            self._inspections()
            self._performance()
            self._attendance()
        self._fraud_signals()
        return self.progress

    def _fraud_signals(self) -> None:
        """Policy §8.4: the planted cases (three trainees of a class giving one phone number) go through the
        portal's own detection after commit, so the signals and their evidence are what the nightly sweep writes."""
        planted = [self.class_id(plan) for plan in self.plans if plan.shared_phone]
        started = datetime.now()
        if planted:
            fraud_signals_recompute(class_ids=planted)
        self.progress.table("supervision_fraudsignal（fraud_signals_recompute）",
                            FraudSignal.objects.filter(training_class_id__in=planted).count(),
                            (datetime.now() - started).total_seconds())

    def _class_rng(self, plan: story.ClassPlan, salt: str) -> random.Random:
        return random.Random(f"{self.seed}:{salt}:{plan.index}")

    # -- reference data, institutions, users -------------------------------------------------------------

    def _reference_data(self) -> None:
        from reports.management.commands.seed_demo import OCCUPATIONS

        self.occupations = []
        for code, name, level, training_type, subsidy, urgent in OCCUPATIONS:
            occupation, _ = Occupation.objects.get_or_create(
                code=code, level=level,
                defaults={"name": name, "training_type": training_type, "subsidy_per_person": Decimal(subsidy),
                          "is_urgent": urgent},
            )
            self.occupations.append(occupation)
        self.league = Region.objects.get(code="152200")
        self.counties = {region.code: region for region in Region.objects.filter(level=Region.Level.COUNTY, parent=self.league)}
        categories = {category.code: category for category in TraineeCategory.objects.filter(code__in=CATEGORY_WEIGHTS)}
        self.category_ids = [categories[code].pk for code in CATEGORY_WEIGHTS]
        self.category_groups = {categories[code].pk: categories[code].employment_group for code in CATEGORY_WEIGHTS}
        self.category_cumulative = []
        total = 0
        for weight in CATEGORY_WEIGHTS.values():
            total += weight
            self.category_cumulative.append(total / sum(CATEGORY_WEIGHTS.values()))

    def _institutions(self) -> None:
        count = max(12, self.classes_wanted // 250)
        self.institution_plans = story.institution_plans(count, self.rng, self.today)
        run = next_id(Institution)
        rows, self.licensed = [], []
        for plan in self.institution_plans:
            county = self.counties[plan.county_code]
            short = county.name.replace("科尔沁右翼", "科右").rstrip("市县旗")
            words = INSTITUTION_WORDS[(plan.index * 2) % len(INSTITUTION_WORDS):][:2] or "鸿达"
            name = f"{short}{words}{INSTITUTION_KINDS[plan.index % len(INSTITUTION_KINDS)]}（规模{run + plan.index}）"
            removed = plan.black_listed_on is not None
            rows.append(Institution(
                name=name, credit_code=make_credit_code(self.rng, area_code=plan.county_code), county=county,
                address=f"{county.name}兴安路{plan.index % 300 + 1}号", contact_person=People(self.rng).name(),
                contact_phone=People(self.rng).mobile(),
                catalogue_status=Institution.CatalogueStatus.REMOVED if removed else Institution.CatalogueStatus.LISTED,
                is_flagged_for_handling=removed, flag_reason="核查发现弄虚作假，已列入黑名单" if removed else "",
            ))
            # Every institution may teach entrepreneurship (SYB) and four other occupations.
            self.licensed.append(sorted(self.rng.sample(range(len(self.occupations) - 1), 4)) + [len(self.occupations) - 1])
        started = datetime.now()
        self.institutions = Institution.objects.bulk_create(rows, batch_size=1000)
        through = Institution.licensed_occupations.through
        through.objects.bulk_create([
            through(institution_id=institution.pk, occupation_id=self.occupations[index].pk)
            for institution, indexes in zip(self.institutions, self.licensed) for index in indexes
        ], batch_size=5000)
        self.progress.table("classes_institution", len(rows), (datetime.now() - started).total_seconds())

    def _users(self) -> None:
        started = datetime.now()
        wulanhaote, tuquan = self.counties["152201"], self.counties["152224"]
        big_school = self.institutions[0]  # class_plans gives it the most classes (乌兰浩特市)
        password = make_password(self.password)
        logins = [
            User(username="scale_league", first_name="盟级（规模测试）", role=Role.LEAGUE, region=self.league),
            User(username="scale_county", first_name="乌兰浩特市（规模测试）", role=Role.COUNTY, region=wulanhaote),
            User(username="scale_county2", first_name="突泉县（规模测试）", role=Role.COUNTY, region=tuquan),
            User(username="scale_institution", first_name=f"{big_school.name}（规模测试）", role=Role.INSTITUTION,
                 institution=big_school),
            User(username="scale_inspector", first_name="受委托第三方（规模测试）", role=Role.THIRD_PARTY, region=wulanhaote),
            User(username="scale_admin", first_name="管理员（规模测试）", is_superuser=True, is_staff=True),
        ]
        for user in logins:
            user.password = password
        existing = {user.username: user for user in User.objects.filter(username__in=SCALE_LOGINS)}
        logins = [existing.get(user.username) or user for user in logins]  # --append keeps the first load's logins
        officers = []
        for code, county in self.counties.items():
            officer, _ = User.objects.get_or_create(
                username=f"scale-county-{code}",
                defaults={"first_name": f"{county.name}人社局经办人", "role": Role.COUNTY, "region": county,
                          "password": make_password(None)})
            officers.append(officer)
        staff = [User(username=f"scale-institution-{institution.pk}", first_name=f"{institution.name}经办人",
                      role=Role.INSTITUTION, institution=institution, password=make_password(None))
                 for institution in self.institutions]
        User.objects.bulk_create([user for user in logins if user.pk is None] + staff, batch_size=1000)
        self.logins = {user.username: user for user in logins}
        self.league_user_id = self.logins["scale_league"].pk
        self.officer_ids = {user.region.code: user.pk for user in officers}
        self.officer_ids["152201"] = self.logins["scale_county"].pk
        self.officer_ids["152224"] = self.logins["scale_county2"].pk
        self.staff_ids = [user.pk for user in staff]
        created = logins + officers + staff
        self.progress.table("accounts_user", len(created), (datetime.now() - started).total_seconds())

    # -- classes and people ------------------------------------------------------------------------------

    def _plan(self) -> None:
        self.plans = story.class_plans(
            classes=self.classes_wanted, trainees_per_class=self.trainees_per_class,
            institutions=self.institution_plans, licensed=self.licensed, rng=self.rng, today=self.today,
        )
        self.class_base = next_id(TrainingClass)
        self.enrollment_base = next_id(Enrollment)
        self.trainee_base = next_id(Trainee)
        self.offsets = []
        offset = 0
        for plan in self.plans:
            self.offsets.append(offset)
            offset += plan.enrolled
        self.enrollments_total = offset

    def class_id(self, plan: story.ClassPlan) -> int:
        return self.class_base + plan.index

    def county_of(self, plan: story.ClassPlan) -> str:
        return self.institution_plans[plan.institution].county_code

    def _classes(self) -> None:
        places = ("职教中心", "实训基地", "社区服务中心", "机构本部", "苏木镇文化站")

        def rows():
            for plan in self.plans:
                county = self.counties[self.county_of(plan)]
                occupation = self.occupations[plan.occupation]
                created = moment(plan.start - timedelta(days=20), 10)
                yield (self.class_id(plan), f"XAS{county.code}-{plan.start.year}-{plan.index + 1:06d}-{self.class_base}",
                       self.institutions[plan.institution].pk, occupation.pk, occupation.training_type, plan.start,
                       plan.end, plan.assessment_end, plan.headcount, ((plan.end - plan.start).days + 1) * 6,
                       f"{county.name}{places[plan.index % len(places)]}", plan.status,
                       self.staff_ids[plan.institution], created, created)

        copy_rows(TrainingClass, ["id", "batch_number", "institution", "occupation", "category", "start_date",
                                  "end_date", "assessment_end_date", "registered_headcount", "class_hours", "location",
                                  "status", "created_by", "created_at", "updated_at"], rows(), progress=self.progress)

    def roster(self, plan: story.ClassPlan) -> Iterator[RosterRow]:
        """The class's roster, re-derived the same way in every pass."""
        rng = self._class_rng(plan, "roster")
        people = People(rng)
        n = plan.enrolled
        dropped = set(rng.sample(range(n), n - plan.completed)) if plan.status == "finished" else set()
        overall = [rating for rating, count in zip(RATINGS, plan.ratings) for _ in range(count)]
        rng.shuffle(overall)
        shared = people.mobile() if plan.shared_phone else None
        forms_left = iter(overall)
        base = self.offsets[plan.index]
        completion = "completed" if plan.status == "finished" else "enrolled"
        for position in range(n):
            roll = rng.random()
            category = self.category_ids[min(bisect_left(self.category_cumulative, roll), len(self.category_ids) - 1)]
            name = people.name()
            phone = shared if shared and position < 3 else people.mobile()
            if position in dropped:
                yield RosterRow(self.enrollment_base + base + position, self.trainee_base + base + position, name,
                                phone, category, "dropped", "")
            else:
                yield RosterRow(self.enrollment_base + base + position, self.trainee_base + base + position, name,
                                phone, category, completion, next(forms_left, ""))

    def rosters(self, plans=None) -> Iterator[tuple[story.ClassPlan, RosterRow]]:
        for plan in plans if plans is not None else self.plans:
            for row in self.roster(plan):
                yield plan, row

    def _people(self) -> None:
        taken = set(Trainee.objects.values_list("id_number", flat=True)) if self.trainee_base > 1 else set()

        def trainees():
            created = None
            for plan, row in self.rosters():
                if row.enrollment_id == self.enrollment_base + self.offsets[plan.index]:
                    created = moment(plan.start - timedelta(days=15), 9)  # once per class: datetimes are slow
                index = row.trainee_id
                id_number, gender, birth = resident_id(index)
                while id_number in taken:  # --append onto other data: step to a number nobody has
                    index += TEACHER_OFFSET // 3
                    id_number, gender, birth = resident_id(index)
                # Stored as the portal stores it (issue #13): ciphertext plus the blind index for lookups.
                yield (row.trainee_id, encrypt(id_number, RESIDENT_ID), id_number_digest(id_number), row.name, gender,
                       birth, row.category_id, created)

        copy_rows(Trainee, ["id", "id_number", "id_number_digest", "name", "gender", "birth_date", "category",
                            "created_at"], trainees(),
                  progress=self.progress)

        def enrollments():
            created = None
            for plan, row in self.rosters():
                if row.enrollment_id == self.enrollment_base + self.offsets[plan.index]:
                    created = moment(plan.start - timedelta(days=15), 9)
                yield (row.enrollment_id, self.class_id(plan), row.trainee_id, row.name, encrypt(row.phone, PHONE),
                       phone_digest(row.phone), row.completion, True, "", created)

        copy_rows(Enrollment, ["id", "training_class", "trainee", "roster_name", "phone", "phone_digest", "completion",
                               "is_subsidy_eligible", "ineligibility_reason", "created_at"], enrollments(),
                  progress=self.progress)

    # -- opening review (policy §8.2) --------------------------------------------------------------------

    def _opening(self) -> None:
        base = next_id(OpeningReview)
        planned = [plan for plan in self.plans if plan.opening]
        self.opening_ids = {plan.index: base + number for number, plan in enumerate(planned)}

        def reviews():
            for plan in planned:
                submitted = moment(plan.start - timedelta(days=18), 10)
                decided = moment(plan.start - timedelta(days=12), 15) if plan.opening != "submitted" else None
                county_user = self.officer_ids[self.county_of(plan)] if decided else None
                registered = {"start_date": plan.start.isoformat(), "end_date": plan.end.isoformat(),
                              "registered_headcount": plan.headcount} if plan.opening == "approved" else {}
                yield (self.opening_ids[plan.index], self.class_id(plan), plan.opening, 1, "",
                       self.staff_ids[plan.institution], submitted, county_user, decided,
                       "教学计划课时与备案课时不一致，请修改后重新提交。" if plan.opening == "returned" else "",
                       json.dumps(registered))

        copy_rows(OpeningReview, ["id", "training_class", "status", "round", "note", "submitted_by", "submitted_at",
                                  "decided_by", "decided_at", "return_reason", "registered_values"], reviews(),
                  progress=self.progress)

        def events():
            for plan in planned:
                review = self.opening_ids[plan.index]
                yield review, "机构提交开班审核", "", "submitted", self.staff_ids[plan.institution], "", moment(plan.start - timedelta(days=18), 10)
                if plan.opening != "submitted":
                    yield (review, "旗县核准开班" if plan.opening == "approved" else "旗县退回开班审核", "submitted",
                           plan.opening, self.officer_ids[self.county_of(plan)],
                           "" if plan.opening == "approved" else "教学计划课时与备案课时不一致，请修改后重新提交。",
                           moment(plan.start - timedelta(days=12), 15))

        copy_rows(OpeningEvent, ["review", "action", "from_status", "to_status", "actor", "reason", "created_at"],
                  events(), progress=self.progress)

    # -- review chain (附表1) -----------------------------------------------------------------------------

    def _reviews(self) -> None:
        base = next_id(ClassReview)
        reviewed = [plan for plan in self.plans if plan.review]
        self.review_ids = {plan.index: base + number for number, plan in enumerate(reviewed)}

        def verified_on(plan):
            return min(plan.assessment_end + timedelta(days=5), self.today)

        def reviews():
            for plan in reviewed:
                past_county = plan.review in story.PAST_COUNTY
                reason = ""
                if past_county and not plan.is_qualified:
                    reason = "核查情况属实" if plan.investigation == "confirmed" else "实际培训课时不足备案课时，核实为不合格"
                yield (self.review_ids[plan.index], self.class_id(plan), plan.review,
                       story.CHAIN.index(plan.review) + 1, plan.is_qualified if past_county else None,
                       plan.completed if past_county else None, "经办负责人" if past_county else "",
                       verified_on(plan) if past_county else None, reason,
                       "回访记录不完整，请补充后重新上报。" if plan.review == story.RETURNED else "",
                       moment(verified_on(plan) if past_county else plan.start, 16))

        copy_rows(ClassReview, ["id", "training_class", "status", "version", "is_qualified", "passing_trainees",
                                "responsible_person", "verified_on", "unqualified_reason", "return_reason",
                                "updated_at"], reviews(), progress=self.progress)

        def assessments():
            for plan in reviewed:
                rng = self._class_rng(plan, "assessment")
                state = story.CHAIN.index(plan.review)
                parties = []
                if state >= story.CHAIN.index(story.AWAITING_COUNTY):
                    parties.append(("institution", self.staff_ids[plan.institution], plan.end))
                if plan.review in story.PAST_COUNTY:
                    parties.append(("county", self.officer_ids[self.county_of(plan)], verified_on(plan)))
                for party, user, day in parties:
                    items = [RATINGS[min(3, int(rng.random() ** 2 * 3))] for _ in CLASS_ITEM_FIELDS]
                    yield (self.review_ids[plan.index], party, *items, items[0], "评价人", day, user, moment(day, 11))

        copy_rows(ClassAssessment, ["review", "party", *CLASS_ITEM_FIELDS, "overall", "evaluator", "evaluated_on",
                                    "submitted_by", "submitted_at"], assessments(), progress=self.progress)

        def events():
            for plan in reviewed:
                review = self.review_ids[plan.index]
                county_user = self.officer_ids[self.county_of(plan)]
                state = story.CHAIN.index(plan.review)
                if state >= 1:
                    yield review, "机构提交自评", story.AWAITING_SELF, story.AWAITING_COUNTY, self.staff_ids[plan.institution], "", moment(plan.end, 11)
                if plan.review in story.PAST_COUNTY:
                    reason = "" if plan.is_qualified else "不合格"
                    yield review, "旗县评价核实", story.AWAITING_COUNTY, story.VERIFIED, county_user, reason, moment(verified_on(plan), 11)
                if plan.review in story.WITH_LEAGUE_OR_AFTER:
                    on = verified_on(plan)
                    coverage = "" if plan.forms * 100 >= 80 * plan.completed else "学员评价表覆盖率不足80%的说明：部分学员结业后外出务工，无法到场填写。"
                    yield review, "上报盟级复核", story.VERIFIED, story.FORWARDED, county_user, coverage, moment(on, 15)
                    if plan.review == story.APPROVED:
                        yield review, "盟级复核通过", story.FORWARDED, story.APPROVED, self.league_user_id, "", moment(on, 17)
                    elif plan.review == story.RETURNED:
                        yield review, "盟级退回", story.FORWARDED, story.RETURNED, self.league_user_id, "回访记录不完整，请补充后重新上报。", moment(on, 17)

        copy_rows(ReviewEvent, ["review", "action", "from_status", "to_status", "actor", "reason", "created_at"],
                  events(), progress=self.progress)

    # -- 附表2 ---------------------------------------------------------------------------------------------

    def _forms(self) -> None:
        suggestions = ("", "", "", "希望增加实操课时", "老师讲得很好", "希望多组织类似培训", "")
        near = {"excellent": ("excellent", "excellent", "good"), "good": ("good", "excellent", "good"),
                "fair": ("fair", "good", "fair"), "poor": ("poor", "fair", "poor")}

        def forms():
            for plan in self.plans:
                if not plan.forms:
                    continue
                rng = self._class_rng(plan, "forms")
                organiser = self.institutions[plan.institution].name
                occupation = self.occupations[plan.occupation].name
                hours = ((plan.end - plan.start).days + 1) * 6
                start = moment(plan.end, 9)
                number = 0
                for row in self.roster(plan):
                    if not row.overall:
                        continue
                    # Three minutes apart at least: five identical forms never fall within ten minutes.
                    submitted = start + timedelta(seconds=number * 200 + rng.randrange(0, 20))
                    number += 1
                    choices = near[row.overall]
                    items = [choices[int(rng.random() * 3)] for _ in TRAINEE_ITEM_FIELDS]
                    yield (row.enrollment_id, self.class_id(plan), *items, suggestions[int(rng.random() * len(suggestions))], row.overall,
                           True, plan.start, plan.end, hours, "hours", organiser, occupation, True, plan.end,
                           "online", None, submitted, True, "")

        copy_rows(TraineeEvaluation, ["enrollment", "training_class", *TRAINEE_ITEM_FIELDS, "suggestions", "overall",
                                      "completed_training", "attended_from", "attended_to", "attended_amount",
                                      "attended_unit", "organiser_name", "occupation_name", "is_confirmed",
                                      "signed_on", "source", "entered_by", "submitted_at", "is_valid",
                                      "invalidated_reason"], forms(), progress=self.progress)
        # The per-class form counts the form services keep (the teacher ranking reads them), counted once here.
        started = datetime.now()
        self.progress.table("evaluations_traineeformcounts（trainee_form_counts_rebuild）",
                            trainee_form_counts_rebuild(), (datetime.now() - started).total_seconds())

    # -- consequences of the grade (policy §3): investigations, 整改通知书, the ledger's items --------------

    def _consequences(self) -> None:
        investigated = [plan for plan in self.plans if plan.investigation]

        def investigations():
            for plan in investigated:
                county_user = self.officer_ids[self.county_of(plan)]
                opened = moment(plan.assessment_end + timedelta(days=2), 10)
                concluded = plan.investigation != "open"
                confirmed = plan.investigation == "confirmed"
                yield (self.class_id(plan), plan.investigation,
                       "电话核实学员，部分学员反映未实际参加全部课时。" if concluded else "",
                       ("情况属实：实际培训课时明显少于备案课时。" if confirmed else "情况不属实：学员评价系对食宿条件不满。") if concluded else "",
                       confirmed and plan.index % 4 == 0, county_user, opened,
                       county_user if concluded else None, moment(plan.assessment_end + timedelta(days=4), 10) if concluded else None)

        copy_rows(Investigation, ["training_class", "status", "findings", "conclusion_reason", "is_falsification",
                                  "opened_by", "opened_at", "concluded_by", "concluded_at"], investigations(),
                  progress=self.progress)

        noticed = [plan for plan in self.plans if plan.notice]
        notice_base = next_id(RectificationNotice)
        counters: dict[tuple[str, int], int] = {}
        existing = {(row.county.code, row.year): row.last_sequence
                    for row in RectificationNumberCounter.objects.select_related("county")}
        self.notice_rows = []
        for number, plan in enumerate(noticed):
            code = self.county_of(plan)
            issued_on = min(plan.assessment_end + timedelta(days=3), self.today)
            key = (code, issued_on.year)
            counters[key] = counters.get(key, existing.get(key, 0)) + 1
            self.notice_rows.append((notice_base + number, plan, issued_on, counters[key]))

        def notices():
            for pk, plan, issued_on, sequence in self.notice_rows:
                county = self.counties[self.county_of(plan)]
                county_user = self.officer_ids[county.code]
                school = self.staff_ids[plan.institution]
                reported = plan.notice in ("submitted", "closed")
                closed = plan.notice == "closed"
                yield (pk, self.class_id(plan), county.pk, issued_on.year, sequence,
                       f"{county.name}人社整改〔{issued_on.year}〕{sequence}号", f"{county.name}人力资源和社会保障局",
                       self.institutions[plan.institution].name, "学员评价为“一般”的比例达到20%。",
                       "针对学员意见改进教学安排和实操条件，按期报送整改情况。", issued_on + timedelta(days=30), plan.notice,
                       county_user, issued_on, moment(issued_on, 10),
                       "已调整课程安排，增加实操课时。" if reported else "", school if reported else None,
                       moment(issued_on + timedelta(days=10), 10) if reported else None, "",
                       "整改材料齐全，同意销号。" if closed else "", county_user if closed else None,
                       moment(issued_on + timedelta(days=12), 10) if closed else None)

        copy_rows(RectificationNotice, ["id", "training_class", "county", "year", "sequence", "number",
                                        "issuing_office", "addressee", "problems", "requirements", "deadline", "status",
                                        "issued_by", "issued_on", "issued_at", "report", "reported_by", "reported_at",
                                        "return_reason", "evidence", "closed_by", "closed_at"], notices(),
                  progress=self.progress)
        for (code, year), last in counters.items():
            RectificationNumberCounter.objects.update_or_create(
                county=self.counties[code], year=year, defaults={"last_sequence": last})

        def notice_events():
            for pk, plan, issued_on, _sequence in self.notice_rows:
                county_user = self.officer_ids[self.county_of(plan)]
                yield pk, "下达整改通知书", "", "open", county_user, "", moment(issued_on, 10)
                if plan.notice in ("submitted", "closed"):
                    yield pk, "报送整改情况", "open", "submitted", self.staff_ids[plan.institution], "", moment(issued_on + timedelta(days=10), 10)
                if plan.notice == "closed":
                    yield pk, "销号", "submitted", "closed", county_user, "", moment(issued_on + timedelta(days=12), 10)

        copy_rows(RectificationEvent, ["notice", "action", "from_status", "to_status", "actor", "text", "created_at"],
                  notice_events(), progress=self.progress)

    # -- phone follow-up (policy §5) ---------------------------------------------------------------------

    def _followups(self) -> None:
        sampled = [plan for plan in self.plans if plan.has_followup]
        sample_base = next_id(FollowupSample)
        item_base = next_id(FollowupItem)
        self.followup_employment: dict[int, str] = {}
        self.followup_on_time = on_time = {}
        samples, items, attempts = [], [], []
        # One pass draws every sample; the rows go to three COPYs afterwards, class by class in memory only
        # for the small tables (samples: one row per class; items and calls: a fifth of the trainees).
        item_id = item_base
        for number, plan in enumerate(sampled):
            rng = self._class_rng(plan, "followup")
            sample_id = sample_base + number
            roster = list(self.roster(plan))
            candidates = sorted(row.enrollment_id for row in roster)
            seed = f"scale-{self.seed}-{plan.index}"
            order = draw_order(candidates, seed)
            due = followup_due_date(plan.assessment_end)
            samples.append((sample_id, self.class_id(plan), seed, json.dumps(candidates), json.dumps(order),
                            plan.followup_target, due, moment(plan.assessment_end, 20), "class_finished", None, 0, 0))
            by_id = {row.enrollment_id: row for row in roster}
            caller = self.officer_ids[self.county_of(plan)]
            done = 0
            position = 0
            call_day = plan.assessment_end + timedelta(days=7)
            for enrollment_id in order:
                if done >= plan.followups_done:
                    break
                position += 1
                this_id = item_id
                item_id += 1
                called = moment(min(call_day + timedelta(days=position // 6), self.today), 9 + position % 8)
                if rng.random() < 0.05 and position < len(order) - (plan.followup_target - done):
                    # 空号 or 拒绝回访: replaced at once by the next of the order (policy §5 Decision).
                    outcome = "wrong_number" if rng.random() < 0.6 else "refused"
                    items.append([this_id, sample_id, enrollment_id, position, "replaced", this_id + 1, outcome,
                                  None, None, "", "", "", None, "", "", None])
                    attempts.append((this_id, caller, outcome, None, "", called))
                    continue
                row = by_id[enrollment_id]
                completed_training = row.completion == "completed"
                status = self._followup_destination(plan, row, rng)
                if status != "unemployed":
                    self.followup_employment[enrollment_id] = status
                wage = Decimal(rng.randrange(25, 70) * 100) if status in ("employee", "flexible") else None
                items.append([this_id, sample_id, enrollment_id, position, "completed", None, "", True,
                              completed_training, RATINGS[min(3, int(rng.random() ** 2 * 3))], status,
                              EMPLOYERS[int(rng.random() * len(EMPLOYERS))] if status == "employee" else "", wage,
                              "掌握了基本操作技能", "", called])
                if rng.random() < 0.2:
                    attempts.append((this_id, caller, "no_answer", None, "", called - timedelta(hours=2)))
                attempts.append((this_id, caller, "completed", None, "", called))
                done += 1
                on_time[plan.index] = on_time.get(plan.index, 0) + (called.date() <= due)
            # Still to phone: the rest of the target, pending.
            for enrollment_id in order[position:position + plan.followup_target - done]:
                position += 1
                items.append([item_id, sample_id, enrollment_id, position, "pending", None, "", None, None, "", "", "",
                              None, "", "", None])
                item_id += 1
        copy_rows(FollowupSample, ["id", "training_class", "seed", "candidates", "order", "target_size", "due_date",
                                   "drawn_at", "trigger", "drawn_by", "completed_calls", "completed_on_time"], samples,
                  progress=self.progress)
        # A replaced item points at its replacement, written after it: replaced_by is filled by an UPDATE.
        replacements = [(item[0], item[5]) for item in items if item[5]]
        for item in items:
            item[5] = None
        copy_rows(FollowupItem, ["id", "sample", "enrollment", "position", "status", "replaced_by",
                                 "replacement_reason", "received_training", "completed_training", "satisfaction",
                                 "employment_status", "employer", "monthly_wage", "skill_improvement", "suggestions",
                                 "completed_at"], items, progress=self.progress)
        if replacements:
            with connection.cursor() as cursor:
                cursor.execute("CREATE TEMP TABLE scale_replacements (item integer, replaced_by integer) ON COMMIT DROP")
                with cursor.connection.cursor() as raw, raw.copy("COPY scale_replacements FROM STDIN") as copy:
                    for pair in replacements:
                        copy.write_row(pair)
                cursor.execute(f"UPDATE {FollowupItem._meta.db_table} AS item SET replaced_by_id = r.replaced_by "
                               "FROM scale_replacements AS r WHERE item.id = r.item")
        copy_rows(CallAttempt, ["item", "caller", "outcome", "callback_at", "note", "called_at"], attempts,
                  progress=self.progress)
        # The samples' counts of completed calls that call_attempt_record keeps (the coverage report), counted once.
        started = datetime.now()
        self.progress.table("followups_followupsample（followup_call_counts_rebuild）",
                            followup_call_counts_rebuild(), (datetime.now() - started).total_seconds())

    def _followup_destination(self, plan: story.ClassPlan, row: RosterRow, rng: random.Random) -> str:
        if self.occupations[plan.occupation].training_type == "entrepreneurship":
            return "business" if rng.random() < 0.12 else "employee" if rng.random() < 0.3 else "unemployed"
        group = self.category_groups[row.category_id]
        rate = {"farmer_herder": 0.33, "urban_unemployed": 0.5, "student": 0.6}[group] + (plan.institution % 7 - 3) * 0.03
        if rng.random() < rate:
            return EMPLOYED_DESTINATIONS[int(rng.random() * 3)]
        return "unemployed"

    # -- employment tracking file (policy §4) -----------------------------------------------------------

    def _employment(self) -> None:
        self.employment_counts: dict[int, dict[str, tuple[int, int]]] = {}

        def records():
            for plan in self.plans:
                if plan.status != "finished":
                    continue
                rng = self._class_rng(plan, "employment")
                school = self.staff_ids[plan.institution]
                counts = self.employment_counts[plan.index] = {}
                is_entrepreneurship = self.occupations[plan.occupation].training_type == "entrepreneurship"
                updated = moment(min(plan.assessment_end + timedelta(days=60), self.today), 10)
                for row in self.roster(plan):
                    if row.completion != "completed":
                        continue
                    destination = self.followup_employment.get(row.enrollment_id)
                    if destination:
                        yield row.enrollment_id, destination, "", None, "", "followup", school, updated
                    elif rng.random() < 0.7:
                        destination = self._followup_destination(plan, row, rng)
                        wage = Decimal(rng.randrange(25, 70) * 100) if destination in ("employee", "flexible") else None
                        employer = EMPLOYERS[int(rng.random() * len(EMPLOYERS))] if destination == "employee" else ""
                        yield (row.enrollment_id, destination, employer, wage, "", "institution", school, updated)
                    # Policy §4 groups, as followups.selectors.employment_grades_by counts them.
                    if is_entrepreneurship:
                        group, success = rules.ENTREPRENEURSHIP, destination == "business"
                    else:
                        group = self.category_groups[row.category_id]
                        success = destination in EMPLOYED_DESTINATIONS
                    if group in EMPLOYMENT_FIELDS:
                        total, successes = counts.get(group, (0, 0))
                        counts[group] = (total + 1, successes + success)

        copy_rows(EmploymentRecord, ["enrollment", "destination", "employer", "monthly_wage", "skill_improvement",
                                     "source", "updated_by", "updated_at"], records(), progress=self.progress)

    # -- the dashboards' summary rows (reports.dashboards.models.ClassFigures) -----------------------------

    def _figures(self) -> None:
        """One row per finished class, counted from the plan exactly as class_figures_refresh counts the rows
        (the tests run the refresh afterwards and expect it to change nothing)."""
        started = timezone.now()
        employment_columns = [name for pair in EMPLOYMENT_FIELDS.values() for name in pair]

        def rows():
            for plan in self.plans:
                if plan.status != "finished":
                    continue
                grade = rules.grade_class(*plan.ratings)
                conclusion = rules.class_conclusion(
                    grade, investigation_confirmed=plan.investigation == "confirmed",
                    investigation_open=plan.investigation == "open",
                    investigation_cleared=plan.investigation == "not_confirmed",
                    rectification_open=plan.notice in ("open", "submitted"), rectification_closed=plan.notice == "closed",
                )
                counts = self.employment_counts.get(plan.index, {})
                employment = [value for group in EMPLOYMENT_FIELDS for value in counts.get(group, (0, 0))]
                yield (self.class_id(plan), conclusion, plan.enrolled, plan.completed, plan.forms,
                       rules.form_coverage_sufficient(plan.forms, plan.completed), plan.has_followup,
                       plan.followup_target, plan.followups_done, self.followup_on_time.get(plan.index, 0),
                       followup_due_date(plan.assessment_end), *employment)

        count = copy_rows(ClassFigures, ["training_class", "conclusion", "enrolled", "completed", "valid_forms",
                                         "is_form_coverage_sufficient", "has_followup_sample", "followup_target",
                                         "followup_completed", "followup_on_time", "followup_due_date",
                                         *employment_columns], rows(), progress=self.progress)
        institution_figures_rebuild()  # the per-institution sums the refresh writes with them
        FiguresRefresh.objects.create(started_at=started, finished_at=timezone.now(), classes_checked=count,
                                      rows_changed=count)

    # -- teacher pool (policy §8.8) ----------------------------------------------------------------------

    def _teachers(self) -> None:
        """Each class gets two teachers of its institution who are free on its dates: an institution has as many
        teachers as its busiest weeks need, and no teacher teaches two classes at once (the TEACHER_CONFLICT
        signal finds nothing it was not meant to find)."""
        teachers_of: list[list[date]] = [[] for _ in self.institutions]  # per institution: each teacher's last day
        assigned = []
        for plan in sorted((plan for plan in self.plans if plan.status != "draft"), key=lambda plan: plan.start):
            busy_until = teachers_of[plan.institution]
            free = [slot for slot, last_day in enumerate(busy_until) if last_day < plan.start][:2]
            while len(free) < 2:
                busy_until.append(date.min)
                free.append(len(busy_until) - 1)
            for slot in free:
                busy_until[slot] = plan.end
                assigned.append((plan, slot))
        base = next_id(Teacher)
        first_of, number = [], 0
        for busy_until in teachers_of:
            first_of.append(base + number)
            number += len(busy_until)
        people = People(random.Random(f"{self.seed}:teachers"))
        proposed = moment(self.today - timedelta(days=365 * story.YEARS + 30), 10)
        rows, occupation_rows = [], []
        for index, institution in enumerate(self.institutions):
            for slot in range(len(teachers_of[index])):
                pk = first_of[index] + slot
                id_number, _gender, _birth = resident_id(TEACHER_OFFSET + pk)
                rows.append((pk, people.name(), encrypt(id_number, RESIDENT_ID), id_number_digest(id_number),
                             "full_time" if slot % 2 == 0 else "part_time",
                             "skill_level_certificate", f"S{self.seed % 1000:03d}{pk:08d}", institution.name,
                             "confirmed", institution.pk, self.staff_ids[index], proposed, self.league_user_id,
                             proposed + timedelta(days=3), ""))
                for occupation in self.licensed[index]:
                    occupation_rows.append((pk, self.occupations[occupation].pk))
        copy_rows(Teacher, ["id", "name", "id_number", "id_number_digest", "employment_type", "qualification", "certificate_number",
                            "employer", "status", "proposed_by_institution", "proposed_by", "proposed_at",
                            "reviewed_by", "reviewed_at", "rejection_reason"], rows, progress=self.progress)
        through = Teacher.occupations.through
        copy_rows(through._meta.db_table, ["teacher_id", "occupation_id"], occupation_rows, progress=self.progress)
        copy_rows(ClassTeacher, ["training_class", "teacher", "assigned_by", "assigned_at"], (
            (self.class_id(plan), first_of[plan.institution] + slot, self.staff_ids[plan.institution],
             moment(plan.start - timedelta(days=18), 10)) for plan, slot in assigned
        ), progress=self.progress)

    # -- on-site inspections (policy §8.5) and the ledger (§8.6) -----------------------------------------

    def _inspections(self) -> None:
        base = next_id(Inspection)
        inspector_id = self.logins["scale_inspector"].pk
        rows, inspectors, ledger = [], [], []
        number = 0
        has_third_party = False
        for plan in self.plans:
            if not (plan.inspected or plan.inspection_planned):
                continue
            rng = self._class_rng(plan, "inspection")
            pk = base + number
            number += 1
            code = self.county_of(plan)
            officer = self.officer_ids[code]
            day = plan.start + timedelta(days=min(2, (plan.end - plan.start).days))
            # The commissioned third party (scale_inspector) takes a fifth of 乌兰浩特市's visits, at least one.
            third_party = code == "152201" and (plan.index % 5 == 0 or not has_third_party)
            has_third_party = has_third_party or third_party
            inspectors.append((pk, inspector_id if third_party else officer))
            if plan.inspection_planned:
                rows.append((pk, self.class_id(plan), "planned", max(day, self.today), officer,
                             moment(plan.start, 9), None, None, "", None, None, None, None,
                             False, False, False, False, False, False, False, None, None, "", "", False, "", False))
                continue
            roll = rng.random()
            result = "qualified" if roll < 0.85 else "problems" if roll < 0.98 else "serious"
            present = plan.enrolled - (rng.randrange(0, 3) if plan.enrolled > 2 else 0)
            rows.append((pk, self.class_id(plan), "recorded", day, officer, moment(day - timedelta(days=3), 9),
                         None, None, "", f"00000000-0000-4000-8000-{self.seed % 10**4:04d}{pk:08d}", day,
                         inspector_id if third_party else officer, moment(day, 16),
                         True, True, True, rng.random() < 0.3, True, rng.random() < 0.5, True, plan.enrolled, present,
                         "现场实到人数与名册基本一致。" if result == "qualified" else "部分学员未到场，教学日志记录不全。",
                         result, result != "qualified", "" if result == "qualified" else "补齐教学日志，核实缺勤学员。",
                         result == "serious"))
            if result != "qualified":
                ledger.append((plan, day, officer, "on_site_inspection", None))
        copy_rows(Inspection, ["id", "training_class", "status", "planned_on", "planned_by", "planned_at",
                               "cancelled_by", "cancelled_at", "cancellation_reason", "client_id", "inspected_on",
                               "recorded_by", "recorded_at", "checked_enrolment", "checked_teachers",
                               "checked_training", "checked_follow_up", "by_inquiry", "by_lecture", "by_documents",
                               "roster_size", "present_count", "findings", "result", "needs_rectification",
                               "rectification_text", "proposes_catalogue_removal"], rows, progress=self.progress)
        copy_rows(Inspection.inspectors.through._meta.db_table, ["inspection_id", "user_id"], inspectors,
                  progress=self.progress)
        for pk, plan, issued_on, _sequence in self.notice_rows:
            ledger.append((plan, issued_on, self.officer_ids[self.county_of(plan)], "class_evaluation", pk))

        def items():
            for plan, found_on, officer, source, notice in ledger:
                county = self.counties[self.county_of(plan)]
                status = plan.notice if notice else ("closed" if (self.today - found_on).days > 60 else "open")
                closed = status == "closed"
                yield (source, "", self.institutions[plan.institution].pk, self.class_id(plan), notice,
                       "学员评价为“一般”的比例达到20%。" if notice else "部分学员未到场，教学日志记录不全。",
                       "改进教学安排，按期报送整改情况。" if notice else "补齐教学日志，核实缺勤学员。",
                       found_on + timedelta(days=30), "机构负责人", "校长", found_on, county.pk, f"{county.name}人力资源和社会保障局",
                       officer, moment(found_on, 10), status, "", "整改到位，同意销号。" if closed else "",
                       officer if closed else None, moment(found_on + timedelta(days=12), 10) if closed else None,
                       moment(found_on + timedelta(days=12 if closed else 0), 10))

        copy_rows(RectificationItem, ["source", "source_reference", "institution", "training_class", "notice",
                                      "problem", "measures", "deadline", "responsible_name", "responsible_position",
                                      "found_on", "raising_region", "raising_office", "raised_by", "raised_at",
                                      "status", "return_reason", "closing_note", "closed_by", "closed_at",
                                      "updated_at"], items(), progress=self.progress)

    # -- institution performance and the red/black list (policy §8.7) ------------------------------------

    def _performance(self) -> None:
        base = next_id(InstitutionEvaluation)
        evaluations, decisions, changes = [], [], []
        years = range(self.today.year - story.YEARS, self.today.year)
        number = 0
        for index, (institution, plan) in enumerate(zip(self.institutions, self.institution_plans)):
            for year in years:
                pk = base + number
                number += 1
                rng = random.Random(f"{self.seed}:performance:{index}:{year}")
                ratings = [RATINGS[min(3, int(rng.random() ** 2 * 3))] for _ in range(5)]
                black = plan.black_listed_on is not None and year == self.today.year - 1
                if black:
                    ratings = ["poor"] * 5
                on = date(year + 1, 1, 20)
                evaluations.append((pk, institution.pk, year, on, *[value for rating in ratings for value in (rating, "")],
                                    "年度评估", self.league_user_id, moment(on, 10)))
                listing = "black" if black else "red" if ratings.count("excellent") == 5 else None
                if listing:
                    reason = "经核查存在弄虚作假行为，列入黑名单。" if black else "各项评估均为优，列入红名单。"
                    decisions.append((pk, listing, reason, on, self.league_user_id, moment(on, 11), True,
                                      moment(on, 15), self.league_user_id, "[]", ""))
        copy_rows(InstitutionEvaluation, ["id", "institution", "year", "evaluated_on", "system_building",
                                          "system_building_note", "training_scale", "training_scale_note",
                                          "process_management", "process_management_note", "followup_service",
                                          "followup_service_note", "employment_after_training",
                                          "employment_after_training_note", "summary", "evaluated_by",
                                          "updated_at"], evaluations, progress=self.progress)
        decision_base = next_id(ListDecision)
        copy_rows(ListDecision, ["evaluation", "listing", "reason", "decided_on", "decided_by", "decided_at",
                                 "is_published", "published_at", "published_by", "proposed_reasons",
                                 "withdrawal_reason"], decisions, progress=self.progress)
        for number, decision in enumerate(decisions):
            if decision[1] == "black":
                evaluation_id = decision[0]
                institution_pk = next(row[1] for row in evaluations if row[0] == evaluation_id)
                changes.append((institution_pk, "listed", "removed", "列入黑名单，退出补贴性培训机构目录。",
                                decision_base + number, self.league_user_id, decision[5]))
        copy_rows(CatalogueStatusChange, ["institution", "from_status", "to_status", "reason", "list_decision",
                                          "changed_by", "changed_at"], changes, progress=self.progress)

    # -- attendance of the classes training now (policy §8.3), modest -----------------------------------

    def _attendance(self) -> None:
        training = [plan for plan in self.plans if plan.status == "in_training" and plan.enrolled]
        sites, days, check_ins = [], [], []
        for plan in training:
            rng = self._class_rng(plan, "attendance")
            latitude, longitude = 46.07 + rng.uniform(-0.5, 0.5), 122.07 + rng.uniform(-0.8, 0.8)
            school = self.staff_ids[plan.institution]
            sites.append((self.class_id(plan), f"{self.counties[self.county_of(plan)].name}实训基地", latitude, longitude,
                          "%064x" % rng.getrandbits(256), school, moment(plan.start - timedelta(days=1), 9)))
            taught = [plan.start + timedelta(days=offset) for offset in range((min(self.today, plan.end) - plan.start).days + 1)]
            roster = list(self.roster(plan))
            for day in taught:
                days.append((self.class_id(plan), day, school, moment(day, 8)))
                for row in roster:
                    if rng.random() < 0.93:
                        check_ins.append((row.enrollment_id, self.class_id(plan), day,
                                          moment(day, 8, int(rng.random() * 30), int(rng.random() * 60)),
                                          latitude + rng.uniform(-0.0005, 0.0005), longitude + rng.uniform(-0.0005, 0.0005),
                                          rng.randrange(5, 40), rng.randrange(0, 80), "", f"d{row.trainee_id:x}", ""))
        copy_rows(ClassSite, ["training_class", "address", "latitude", "longitude", "code_secret", "updated_by",
                              "updated_at"], sites, progress=self.progress)
        copy_rows(AttendanceDay, ["training_class", "date", "opened_by", "opened_at"], days, progress=self.progress)
        copy_rows(CheckIn, ["enrollment", "training_class", "date", "checked_in_at", "latitude", "longitude",
                            "accuracy_m", "distance_m", "photo", "device", "flag_dismissed_reason"], check_ins,
                  progress=self.progress)


def vacuum_analyze(write) -> None:
    started = datetime.now()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    write(f"  VACUUM ANALYZE {(datetime.now() - started).total_seconds():.1f} 秒")

