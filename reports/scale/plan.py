"""Every class's story at region scale, decided in memory before a row is written (pure: no database).

A plan fixes what the tables must agree on: the roster size, who completed, how many valid 附表2 and their
overall ratings, where the review chain stands, and what the county did about the flags of policy §3. The
consequences are derived from ``evaluations.rules.grade_class`` on the ratings actually drawn, so a verified
review's conclusion always matches its forms. Review states follow policy §6.7 and the forwarding blockers:
nothing leaves the county with an open investigation, a flag without its notice or investigation, no valid form
or an incomplete follow-up sample.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from evaluations import rules

# Review states (evaluations.ClassReview.Status values); NONE = no review row yet.
NONE = ""
AWAITING_SELF = "awaiting_self"
AWAITING_COUNTY = "awaiting_county"
VERIFIED = "county_verified"
FORWARDED = "forwarded"
RETURNED = "returned"
APPROVED = "approved"
CHAIN = (AWAITING_SELF, AWAITING_COUNTY, VERIFIED, FORWARDED, RETURNED, APPROVED)
PAST_COUNTY = (VERIFIED, FORWARDED, RETURNED, APPROVED)
WITH_LEAGUE_OR_AFTER = (FORWARDED, RETURNED, APPROVED)

YEARS = 10
COUNTY_WEIGHTS = {"152201": 30, "152202": 6, "152221": 17, "152222": 16, "152223": 17, "152224": 14}


@dataclass(slots=True)
class InstitutionPlan:
    index: int
    county_code: str
    black_listed_on: date | None = None


@dataclass(slots=True)
class ClassPlan:
    index: int
    institution: int  # index into the institution plans
    occupation: int  # index into the occupations
    start: date
    end: date
    assessment_end: date | None
    status: str  # classes.TrainingClass.Status value
    headcount: int
    enrolled: int
    completed: int = 0
    forms: int = 0  # valid 附表2, all from trainees who completed
    ratings: tuple[int, int, int, int] = (0, 0, 0, 0)  # 优, 良, 一般, 差 among the forms
    review: str = NONE
    investigation: str = ""  # "", open, confirmed, not_confirmed
    notice: str = ""  # "", open, submitted, closed
    is_qualified: bool | None = None
    unqualified_other_reason: bool = False
    opening: str = ""  # "", submitted, returned, approved
    followup_target: int = 0
    followups_done: int = 0
    inspected: bool = False
    inspection_planned: bool = False
    shared_phone: bool = False
    extras: dict = field(default_factory=dict)

    @property
    def has_followup(self) -> bool:
        return self.status == "finished" and self.enrolled > 0


def institution_plans(count: int, rng: random.Random, today: date) -> list[InstitutionPlan]:
    """Several hundred institutions at region scale, 乌兰浩特市 with the most; two black-listed last year."""
    codes = list(COUNTY_WEIGHTS)
    plans = [InstitutionPlan(index, codes[index % len(codes)]) for index in range(min(count, 2 * len(codes)))]
    while len(plans) < count:
        plans.append(InstitutionPlan(len(plans), rng.choices(codes, weights=list(COUNTY_WEIGHTS.values()))[0]))
    if count >= 24:
        # The last two institutions of the two biggest counties after the first: never the bench logins' school.
        for plan in plans[-2:]:
            plan.black_listed_on = today - timedelta(days=200)
    return plans


def _ratings(forms: int, rng: random.Random) -> tuple[int, int, int, int]:
    """Overall ratings of a class's forms: mostly good classes, some with 一般 ≥ 20% or 差 ≥ 10%."""
    if forms == 0:
        return (0, 0, 0, 0)
    kind = rng.random()
    if kind < 0.30:  # outstanding
        excellent = forms - int(forms * rng.uniform(0, 0.1))
        poor = fair = 0
    elif kind < 0.80:  # ordinary
        excellent = int(forms * rng.uniform(0.35, 0.85))
        fair = int(forms * rng.uniform(0, 0.12))
        poor = int(forms * rng.uniform(0, 0.05)) if forms >= 25 else 0
    elif kind < 0.92:  # many 一般
        fair = -(-forms * rng.randrange(20, 36) // 100)
        excellent = int((forms - fair) * rng.uniform(0.2, 0.6))
        poor = 0
    else:  # many 差
        poor = -(-forms * rng.randrange(10, 25) // 100)
        fair = int((forms - poor) * rng.uniform(0, 0.25))
        excellent = int((forms - poor - fair) * rng.uniform(0.2, 0.6))
    excellent = min(excellent, forms - fair - poor)
    return (excellent, forms - excellent - fair - poor, fair, poor)


def _review_state(plan: ClassPlan, days_since: int, rng: random.Random) -> str:
    roll = rng.random()
    if days_since < 7:
        return AWAITING_SELF if roll < 0.5 else AWAITING_COUNTY
    if days_since < 35:
        return AWAITING_COUNTY if roll < 0.3 else VERIFIED if roll < 0.7 else FORWARDED
    if days_since < 90:
        return VERIFIED if roll < 0.15 else FORWARDED if roll < 0.45 else RETURNED if roll < 0.55 else APPROVED
    return APPROVED if roll < 0.93 else RETURNED if roll < 0.95 else FORWARDED if roll < 0.97 else VERIFIED


def _settle_chain(plan: ClassPlan, rng: random.Random) -> None:
    """What the county did about the flags, consistent with the state the review reached (policy §3, §6.7)."""
    grade = rules.grade_class(*plan.ratings)
    state = plan.review
    if grade.total == 0 and state in PAST_COUNTY:
        state = plan.review = AWAITING_COUNTY  # nothing to verify on: forwarding needs a valid form
    if grade.needs_investigation:
        roll = rng.random()
        if state in WITH_LEAGUE_OR_AFTER:
            plan.investigation = "confirmed" if roll < 0.5 else "not_confirmed"
        elif state == VERIFIED:  # verified before opening one: 待核查, and forwarding stays blocked
            plan.investigation = "" if roll < 0.3 else "confirmed" if roll < 0.65 else "not_confirmed"
        elif state == AWAITING_COUNTY:
            plan.investigation = "open" if roll < 0.5 else "" if roll < 0.7 else "confirmed"
    if grade.needs_rectification:
        roll = rng.random()
        if state == APPROVED:
            plan.notice = "closed"
        elif state in (FORWARDED, RETURNED):
            plan.notice = "closed" if roll < 0.6 else "submitted"
        elif state == VERIFIED:
            plan.notice = "open" if roll < 0.4 else "submitted" if roll < 0.7 else "closed"
        elif state == AWAITING_COUNTY:
            plan.notice = "" if roll < 0.5 else "open"
    if state in PAST_COUNTY:
        if plan.investigation == "confirmed":
            plan.is_qualified = False
        else:
            plan.is_qualified = rng.random() >= 0.02
            plan.unqualified_other_reason = not plan.is_qualified


def class_plans(*, classes: int, trainees_per_class: int, institutions: list[InstitutionPlan],
                licensed: list[list[int]], rng: random.Random, today: date) -> list[ClassPlan]:
    """``classes`` classes over ten years up to a month ahead, spread over the institutions by county weight."""
    first_day = today - timedelta(days=365 * YEARS)
    span = (today + timedelta(days=30) - first_day).days
    by_county: dict[str, list[InstitutionPlan]] = {}
    for institution in institutions:
        by_county.setdefault(institution.county_code, []).append(institution)
    plans = []
    for index in range(classes):
        start = first_day + timedelta(days=index * span // classes + rng.randrange(0, 3))
        if index < len(institutions):
            institution = institutions[index]  # every institution has at least one class
        elif rng.random() < 0.03:
            institution = institutions[0]  # the bench login's school (乌兰浩特市) is the biggest
        else:
            institution = institutions[rng.randrange(len(institutions))]
        if institution.black_listed_on and start >= institution.black_listed_on - timedelta(days=30):
            # A black-listed institution leaves the catalogue and opens no class afterwards (policy §8.7).
            institution = next(i for i in by_county[institution.county_code] + institutions if not i.black_listed_on)
        end = start + timedelta(days=rng.choice((4, 6, 9, 14, 19, 29)))
        if start > today:
            status = "draft"
        elif end >= today:
            status = "in_training"
        else:
            status = "finished"
        assessment_end = min(end + timedelta(days=rng.randrange(0, 8)), today - timedelta(days=1)) if status == "finished" else None
        enrolled = max(1, min(200, round(trainees_per_class * rng.uniform(0.5, 1.5))))
        headcount = min(200, enrolled + rng.randrange(0, 4))
        if status == "draft" and index % 3 == 0:
            enrolled = 0  # the roster comes later
        plan = ClassPlan(index=index, institution=institution.index,
                         occupation=rng.choice(licensed[institution.index]), start=start, end=end,
                         assessment_end=assessment_end, status=status, headcount=headcount, enrolled=enrolled)
        _story(plan, rng, today)
        plans.append(plan)
    return plans


def _story(plan: ClassPlan, rng: random.Random, today: date) -> None:
    if plan.status == "draft":
        roll = rng.random()
        plan.opening = "submitted" if roll < 0.4 else "returned" if roll < 0.5 else ""
        return
    plan.opening = "approved"  # only an approved class starts (policy §8.2)
    if plan.status == "in_training":
        plan.review = AWAITING_SELF if rng.random() < 0.5 else NONE
        plan.inspection_planned = rng.random() < 0.3
        return
    dropped = sum(1 for _ in range(plan.enrolled) if rng.random() < 0.07)
    plan.completed = plan.enrolled - dropped
    coverage = rng.uniform(0.6, 0.8) if rng.random() < 0.05 else rng.uniform(0.88, 1.0)
    plan.forms = min(plan.completed, round(plan.completed * coverage))
    plan.ratings = _ratings(plan.forms, rng)
    days_since = (today - plan.assessment_end).days
    plan.review = _review_state(plan, days_since, rng)
    _settle_chain(plan, rng)
    plan.followup_target = -(-plan.enrolled // 5)
    if plan.review in WITH_LEAGUE_OR_AFTER or days_since >= 45:
        plan.followups_done = plan.followup_target
    else:
        plan.followups_done = rng.randrange(0, plan.followup_target + 1)
    plan.inspected = rng.random() < 0.64  # policy §8.5: 60% of each county's batches, a little above
    plan.shared_phone = plan.enrolled >= 10 and rng.random() < 0.004
