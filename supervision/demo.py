"""Demo data of the supervision-before-training features (policy §8.1, §8.8), for seed_demo.

Runs after seed_demo has written occupations, institutions, classes and staff accounts. Idempotent: catalogue
entries are found by their natural key, and wishes, teachers and class assignments are only written while
there are none yet, so a second run changes nothing.
"""

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from classes.demo_data import make_mobile, make_name, make_resident_id
from classes.models import Institution, Occupation, Region, TraineeCategory, TrainingClass

from .demand_selectors import classes_open_for_wishes
from .models import ClassTeacher, DemandCatalogueEntry, Teacher, TrainingWish

LEAGUE_CODE = "152200"
EXPIRED_OCCUPATION_CODE = "4-10-03-01"  # 美容师: last year's entry only, so the public page does not list it
WISHES = 40
TEACHERS = 15
PROPOSED_TEACHERS = 2
REJECTED_TEACHERS = 1
EMPLOYERS = ("兴安职业技术学院", "乌兰浩特市某建筑公司", "兴安盟某养老服务中心", "科右前旗某合作社", "兴安盟技工学校", "扎赉特旗某电商公司")
NOTES = ("", "", "", "希望周末上课", "有两年相关工作经验", "想在本旗县参加培训", "农闲时可以参加")


@transaction.atomic
def seed_supervision_demo(rng: random.Random) -> dict[str, int]:
    league = Region.objects.get(code=LEAGUE_CODE)
    league_staff = User.objects.filter(role=Role.LEAGUE, region=league).order_by("pk").first()
    if league_staff is None:
        raise ValueError("请先运行 seed_demo 创建盟级演示账号。")
    today = timezone.localdate()
    entries = _catalogue(league, league_staff, today)
    current = [entry for entry in entries if entry.valid_from <= today <= entry.valid_to]
    if not TrainingWish.objects.exists():
        _wishes(rng, league, current, today)
    if not Teacher.objects.exists():
        _teachers(rng, league_staff)
    if not ClassTeacher.objects.exists():
        _assignments(rng, league_staff)
    return {
        "entries": DemandCatalogueEntry.objects.count(),
        "wishes": TrainingWish.objects.count(),
        "teachers": Teacher.objects.count(),
        "assignments": ClassTeacher.objects.count(),
    }


def _catalogue(league: Region, creator: User, today: date) -> list[DemandCatalogueEntry]:
    entries = []
    for occupation in Occupation.objects.filter(is_active=True).order_by("code", "level"):
        expired = occupation.code == EXPIRED_OCCUPATION_CODE
        year = today.year - 1 if expired else today.year
        natural_key = {"league": league, "occupation": occupation, "training_type": occupation.training_type,
                       "valid_from": date(year, 1, 1)}
        entry = DemandCatalogueEntry.objects.filter(**natural_key).first()
        if entry is None:
            entry = DemandCatalogueEntry(
                **natural_key, subsidy_per_person=occupation.subsidy_per_person, is_urgent=occupation.is_urgent,
                valid_to=date(year, 12, 31), created_by=creator,
            )
            entry._history_user = creator
            entry.save()
        entries.append(entry)
    return entries


def _wishes(rng: random.Random, league: Region, entries: list[DemandCatalogueEntry], today: date) -> None:
    """Three wishes for each class still open to registrants (one of them already told, so both states show),
    the rest spread over the counties and the current entries, urgent occupations wished more often."""
    if not entries:
        return
    counties = list(Region.objects.filter(level=Region.Level.COUNTY, parent=league).order_by("code"))
    categories = list(TraineeCategory.objects.order_by("sort_order"))
    entry_of = {entry.occupation.code: entry for entry in entries}
    county_staff = {}
    for user in User.objects.filter(role=Role.COUNTY).order_by("pk"):
        county_staff.setdefault(user.region_id, user)
    open_classes = classes_open_for_wishes(
        TrainingClass.objects.filter(institution__county__parent=league), today=today
    ).select_related("institution", "occupation").order_by("start_date", "pk")
    planned = []  # (entry, county, class it was told about or None)
    for training_class in open_classes:
        entry = entry_of.get(training_class.occupation.code)
        if entry is not None:
            planned += [(entry, training_class.institution.county, training_class if told else None) for told in (True, False, False)]
    weights = [3 if entry.is_urgent else 1 for entry in entries]
    while len(planned) < WISHES:
        planned.append((rng.choices(entries, weights=weights)[0], rng.choice(counties[:2] * 3 + counties[2:]), None))
    for entry, county, told_class in planned[:WISHES]:
        registered = timezone.make_aware(datetime.combine(
            today - timedelta(days=rng.randrange(0, 120)), time(rng.randrange(8, 21), rng.randrange(60))
        ))
        teller = county_staff.get(county.pk) if told_class is not None else None
        wish = TrainingWish.objects.create(
            name=make_name(rng), phone=make_mobile(rng), category=rng.choice(categories), catalogue_entry=entry,
            occupation=entry.occupation, county=county, note=rng.choice(NOTES), consented_at=registered,
            told_at=timezone.now() if teller else None, told_by=teller, told_class=told_class if teller else None,
        )
        TrainingWish.objects.filter(pk=wish.pk).update(created_at=registered)


def _staff_of_institutions() -> dict[int, User]:
    staff = {}
    for user in User.objects.filter(role=Role.INSTITUTION).order_by("pk"):
        staff.setdefault(user.institution_id, user)
    return staff


def _teachers(rng: random.Random, reviewer: User) -> None:
    staff = _staff_of_institutions()
    institutions = list(Institution.objects.filter(pk__in=staff).prefetch_related("licensed_occupations").order_by("pk"))
    if not institutions:
        return
    now = timezone.now()
    for index in range(TEACHERS):
        institution = institutions[index % len(institutions)]
        licensed = list(institution.licensed_occupations.all()) or list(Occupation.objects.all()[:3])
        if index < PROPOSED_TEACHERS:
            status = Teacher.Status.PROPOSED
        elif index < PROPOSED_TEACHERS + REJECTED_TEACHERS:
            status = Teacher.Status.REJECTED
        else:
            status = Teacher.Status.CONFIRMED
        is_part_time = rng.random() < 0.4
        teacher = Teacher.objects.create(
            name=make_name(rng),
            id_number=make_resident_id(rng, born_between=(date(1965, 1, 1), date(1995, 12, 31))),
            employment_type=Teacher.EmploymentType.PART_TIME if is_part_time else Teacher.EmploymentType.FULL_TIME,
            qualification=rng.choice(Teacher.Qualification.values),
            certificate_number=f"S{rng.randrange(10**11, 10**12)}",
            employer=rng.choice(EMPLOYERS) if is_part_time else institution.name,
            status=status,
            proposed_by_institution=institution,
            proposed_by=staff[institution.pk],
            proposed_at=now - timedelta(days=rng.randrange(3, 200)),
            reviewed_by=None if status == Teacher.Status.PROPOSED else reviewer,
            reviewed_at=None if status == Teacher.Status.PROPOSED else now - timedelta(days=rng.randrange(0, 3)),
            rejection_reason="证书编号在职业技能等级证书查询系统中查不到，请核实后重新推荐。" if status == Teacher.Status.REJECTED else "",
        )
        teacher.occupations.set(rng.sample(licensed, min(2, len(licensed))))


def _overlaps(first: TrainingClass, second: TrainingClass) -> bool:
    return first.start_date <= second.end_date and second.start_date <= first.end_date


def _assignments(rng: random.Random, fallback: User) -> None:
    """One confirmed teacher per class where the pool has one free for the class's dates; then, on purpose,
    one teacher on two classes whose dates overlap (the conflict a county should see)."""
    staff = _staff_of_institutions()
    teachers = list(Teacher.objects.filter(status=Teacher.Status.CONFIRMED).prefetch_related("occupations").order_by("pk"))
    if not teachers:
        return
    classes = list(TrainingClass.objects.select_related("occupation").order_by("start_date", "pk"))
    taught: dict[int, list[TrainingClass]] = {teacher.pk: [] for teacher in teachers}
    rows = []
    for training_class in classes:
        candidates = [
            teacher for teacher in teachers
            if training_class.occupation.code in {occupation.code for occupation in teacher.occupations.all()}
            and not any(_overlaps(training_class, other) for other in taught[teacher.pk])
        ]
        if not candidates:
            continue
        teacher = rng.choice(candidates)
        taught[teacher.pk].append(training_class)
        rows.append(ClassTeacher(training_class=training_class, teacher=teacher,
                                 assigned_by=staff.get(training_class.institution_id, fallback)))
    busiest = max(teachers, key=lambda teacher: len(taught[teacher.pk]))
    codes = {occupation.code for occupation in busiest.occupations.all()}
    clashes = [
        (own, other) for own in taught[busiest.pk] for other in classes
        if other.pk != own.pk and other not in taught[busiest.pk] and _overlaps(own, other)
    ]
    # Prefer a class overlapping just one of the teacher's classes, of an occupation the teacher teaches, so the
    # demo shows one conflict and nothing else odd.
    clashes.sort(key=lambda pair: (
        sum(_overlaps(pair[1], own) for own in taught[busiest.pk]), pair[1].occupation.code not in codes, pair[1].pk
    ))
    if clashes:
        clash = clashes[0][1]
        rows.append(ClassTeacher(training_class=clash, teacher=busiest, assigned_by=staff.get(clash.institution_id, fallback)))
    ClassTeacher.objects.bulk_create(rows, ignore_conflicts=True)
