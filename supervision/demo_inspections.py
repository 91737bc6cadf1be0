"""Demo data of on-site inspections (policy §8.5), for seed_demo.

Runs after seed_demo has written the classes and staff accounts. Idempotent: the third-party login is found by
its username, and inspections are only written while there are none yet, so a second run changes nothing.

What it tells: most counties inspected about 70% of this year's batches that have ended; 乌兰浩特市 (the demo
login ``county``) only about 40%, so its coverage page and landing page show the pace alert. The commissioned
third party (login ``inspector``, commissioned by the league) recorded some past visits and has open assignments
in classes still training; the county inspects one running class today.
"""

import random
import uuid
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from classes.models import Enrollment, Region, TrainingClass

from . import inspections as services
from .inspection_selectors import batches_of_year
from .models import Inspection

LEAGUE_CODE = "152200"
BEHIND_COUNTY_CODE = "152201"  # the demo login "county": it sees the alert
SHARE_INSPECTED = {"behind": 0.4, "on_pace": 0.7}
INSPECTOR_USERNAME = "inspector"
INSPECTOR_NAME = "兴安盟正信职业培训评估咨询有限公司 苏日娜"
THIRD_PARTY_SHARE = 0.12  # of the past visits, recorded by the commissioned third party
OPEN_ASSIGNMENTS = 3

QUALIFIED = (
    "签到表、教学日志与实到人数一致，授课内容与教学计划相符。",
    "现场听课，教师按教学计划授课，学员到课情况良好，实训设备齐全。",
    "查阅招生登记、学员花名册和教学日志，资料齐全，与备案一致。",
)
PROBLEMS = (
    ("实到人数比签到表少2人，机构未能提供请假记录。", "补齐学员请假手续，完善考勤管理，5个工作日内报送整改情况。"),
    ("授课教师与备案教师不一致，未办理变更手续。", "按备案安排授课教师；确需变更的，先报旗县人社部门备案。"),
    ("教学日志缺少3天记录，实训课时记录不全。", "补全教学日志和实训记录，说明缺记原因。"),
    ("后续跟踪服务台账未建立，无法说明已结业学员的就业情况。", "建立就业跟踪台账，一个月内完成已结业学员回访。"),
)
SERIOUS = "现场仅有5名学员，签到表却签了28人，多名学员表示从未参加培训，涉嫌虚报人数。"


@transaction.atomic
def seed_inspections_demo(rng: random.Random) -> dict[str, int]:
    league = Region.objects.get(code=LEAGUE_CODE)
    inspector = _inspector(league)
    if not Inspection.objects.exists():
        today = timezone.localdate()
        staff = _county_staff()
        serious_left = 1
        for county in Region.objects.filter(level=Region.Level.COUNTY, parent=league).order_by("code"):
            officer = staff.get(county.pk)
            if officer is None:
                continue
            batches = list(batches_of_year(TrainingClass.objects.filter(institution__county=county), today.year)
                           .select_related("institution__county").order_by("start_date", "pk"))
            ended = [item for item in batches
                     if (item.status == TrainingClass.Status.FINISHED or item.end_date < today) and item.start_date < today]
            share = SHARE_INSPECTED["behind" if county.code == BEHIND_COUNTY_CODE else "on_pace"]
            for training_class in rng.sample(ended, int(len(ended) * share + 0.5)):
                by = inspector if rng.random() < THIRD_PARTY_SHARE else officer
                serious = serious_left > 0 and by == officer and county.code != BEHIND_COUNTY_CODE and rng.random() < 0.3
                serious_left -= serious
                _past_visit(rng, training_class, by, officer, today, serious=serious)
            running = [item for item in batches if item not in ended and item.start_date <= today]
            if running and county.code == BEHIND_COUNTY_CODE:
                _visit_today(rng, running.pop(0), officer, today)
        _open_assignments(rng, league, inspector, staff, today)
    return {
        "inspections": Inspection.objects.count(),
        "recorded": Inspection.objects.filter(status=Inspection.Status.RECORDED).count(),
        "assigned_to_inspector": Inspection.objects.filter(inspectors=inspector).count(),
    }


def _inspector(league: Region) -> User:
    user, created = User.objects.get_or_create(
        username=INSPECTOR_USERNAME,
        defaults={"first_name": INSPECTOR_NAME, "role": Role.THIRD_PARTY, "region": league,
                  "password": make_password(settings.DEMO_PASSWORD)},
    )
    return user


def _county_staff() -> dict[int, User]:
    """Who inspects for each county: the demo login where there is one (it sees its own records), else the
    county's officer account."""
    staff = {}
    for user in User.objects.filter(role=Role.COUNTY, is_active=True).order_by("pk"):
        if user.username in ("county", "county2") or user.region_id not in staff:
            staff[user.region_id] = user
    return staff


def _moment(day, rng: random.Random) -> datetime:
    minutes = rng.randrange(9 * 60, 17 * 60)
    return timezone.make_aware(datetime.combine(day, time(minutes // 60, minutes % 60)))


def _findings(rng: random.Random, *, serious: bool) -> dict:
    if serious:
        return {"result": Inspection.Result.SERIOUS, "findings": SERIOUS, "needs_rectification": True,
                "rectification_text": "立即停止该班培训，暂停拨付补贴，配合旗县人社部门核查。", "proposes_catalogue_removal": True}
    if rng.random() < 0.25:
        findings, rectification = rng.choice(PROBLEMS)
        return {"result": Inspection.Result.PROBLEMS, "findings": findings, "needs_rectification": True,
                "rectification_text": rectification}
    return {"result": Inspection.Result.QUALIFIED, "findings": rng.choice(QUALIFIED)}


def _past_visit(rng, training_class: TrainingClass, by: User, planner: User, today, *, serious: bool) -> Inspection:
    """A visit made while the class trained, written as it stands today (the services refuse past dates)."""
    last_day = min(training_class.end_date, today - timedelta(days=1))
    day = training_class.start_date + timedelta(days=rng.randrange(0, (last_day - training_class.start_date).days + 1))
    roster = list(Enrollment.objects.filter(training_class=training_class).exclude(completion="dropped").order_by("pk"))
    absent = rng.sample(roster, min(len(roster), rng.choice((0, 0, 1, 2))))
    present = 5 if serious else len(roster) - len(absent)
    aspects = rng.sample(list(Inspection.ASPECT_FIELDS.values()), rng.randrange(2, 5))
    methods = rng.sample(list(Inspection.METHOD_FIELDS.values()), rng.randrange(1, 4))
    inspection = Inspection.objects.create(
        training_class=training_class, status=Inspection.Status.RECORDED, planned_on=day, planned_by=planner,
        planned_at=_moment(day - timedelta(days=rng.randrange(1, 6)), rng), client_id=uuid.uuid4(), inspected_on=day,
        recorded_by=by, recorded_at=_moment(day, rng), roster_size=len(roster), present_count=present,
        **{field: True for field in aspects + methods}, **_findings(rng, serious=serious),
    )
    inspection.inspectors.set({by, planner} if by != planner else {by})
    inspection.absent_enrollments.set([] if serious else absent)
    return inspection


def _visit_today(rng, training_class: TrainingClass, officer: User, today) -> None:
    """The county plans and records a visit of a class training today, through the services."""
    inspection = services.inspection_plan(actor=officer, training_class=training_class, planned_on=today, inspectors=[officer])
    roster_ids = list(Enrollment.objects.filter(training_class=training_class).values_list("pk", flat=True))
    services.inspection_record(
        actor=officer, inspection=inspection, client_id=uuid.uuid4(), inspected_on=today,
        aspects=["enrolment", "training"], methods=["inquiry", "lecture"], present_count=max(0, len(roster_ids) - 1),
        absent_enrollment_ids=roster_ids[:1], findings=rng.choice(QUALIFIED), result=Inspection.Result.QUALIFIED,
    )


def _open_assignments(rng, league: Region, inspector: User, staff: dict[int, User], today) -> None:
    """The third party's open work: classes training now, or starting soon, not yet planned, in several counties."""
    candidates = (
        TrainingClass.objects.filter(
            institution__county__parent=league, status__in=services.PLANNABLE_STATUSES, end_date__gte=today,
        )
        .exclude(inspections__status=Inspection.Status.PLANNED)
        .select_related("institution__county")
        .order_by("start_date", "pk")
    )
    planned_counties = set()
    for training_class in candidates:
        county = training_class.institution.county
        officer = staff.get(county.pk)
        if officer is None or county.pk in planned_counties or training_class.inspections.exists():
            continue
        planned_on = max(today, training_class.start_date) + timedelta(days=rng.randrange(0, 2))
        planned_on = min(planned_on, training_class.end_date)
        services.inspection_plan(actor=officer, training_class=training_class, planned_on=planned_on,
                                 inspectors=[inspector, officer], today=today)
        planned_counties.add(county.pk)
        if len(planned_counties) == OPEN_ASSIGNMENTS:
            break
