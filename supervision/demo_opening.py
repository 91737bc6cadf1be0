"""Demo data of the class-opening review (policy §8.2), for seed_demo.

Runs after seed_demo (institutions, classes, staff accounts) and seed_supervision_demo (the teacher pool; refused
before it). Wishes are told only of classes approved for opening, and seed_supervision_demo runs first: its demo
wishes are told of none of these classes (the county can tell registrants of K04 and K06 on its page).

Idempotent: classes already started get an approved review once; the demo's own classes (batch numbers ending in
K01…K06) and the department lists are written only while they do not exist, so a second run changes nothing.

The demo classes sit in 乌兰浩特市 (the ``institution`` and ``county`` logins) and one in 突泉县, a week or more
ahead of today whatever the date, one in each state: 待开班审核 (with a trainee also on an overlapping class of
another county, three trainees sharing one phone, and one trained before in the same occupation and level),
待开班审核 with a first decision, 开班审核退回, 已核准开班 with an approved and a pending change request, 未提交,
and the overlapping class of 突泉县, approved, with a refused change request.
"""

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from classes import services as class_services
from classes.demo_data import make_mobile, make_name, make_resident_id, make_roster_rows, roster_workbook_bytes
from classes.models import Enrollment, Institution, Region, TrainingClass

from . import department_lists, opening, teachers
from .models import DepartmentList, DepartmentListKind, OpeningEvent, OpeningReview, Teacher
from .opening_selectors import opening_checks, registered_values_of

LEAGUE_CODE = "152200"
HOME_COUNTY = "152201"  # 乌兰浩特市: the demo's county and institution logins
OTHER_COUNTY = "152224"  # 突泉县
EARLIER_OPENING = "演示数据：已开班的培训班视为已核准"
SHARED_PHONE = "13904820000"


def _pdf(title: str) -> bytes:
    """A small, valid one-page PDF (ASCII text: the demo needs a file, not a typeset plan)."""
    stream = f"BT /F1 18 Tf 72 760 Td ({title}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@transaction.atomic
def seed_opening_demo(rng: random.Random) -> dict[str, int]:
    league = Region.objects.get(code=LEAGUE_CODE)
    league_staff = User.objects.filter(role=Role.LEAGUE, region=league).order_by("pk").first()
    if league_staff is None:
        raise ValueError("请先运行 seed_demo 创建演示账号。")
    if not Teacher.objects.filter(status=Teacher.Status.CONFIRMED).exists():
        # seed_supervision_demo fills the pool only while it is empty: teachers created here first would leave the
        # demo without its pool.
        raise ValueError("请先运行 seed_supervision_demo 创建师资库。")
    _approve_started_classes()
    today = timezone.localdate()
    if not TrainingClass.objects.filter(batch_number__endswith="-K01").exists():
        demo = _demo_classes(rng, today)
        # The lists come before the submissions, as in production: the county then sees most trainees matched.
        if not DepartmentList.objects.exists():
            _department_lists(rng, league_staff)
        _demo_reviews(demo, league_staff, rng)
    elif not DepartmentList.objects.exists():
        _department_lists(rng, league_staff)
    return {"reviews": OpeningReview.objects.count(), "lists": DepartmentList.objects.count()}


def _approve_started_classes() -> None:
    """seed_demo writes classes in training and finished directly: they opened, so their opening is approved."""
    now = timezone.now()
    started = TrainingClass.objects.filter(
        status__in=(TrainingClass.Status.IN_TRAINING, TrainingClass.Status.FINISHED), opening_review__isnull=True
    )
    for training_class in started:
        review = OpeningReview.objects.create(
            training_class=training_class, status=OpeningReview.Status.APPROVED, decided_at=now, note=EARLIER_OPENING,
            registered_values=registered_values_of(training_class),
        )
        OpeningEvent.objects.create(review=review, action="核准开班", to_status=OpeningReview.Status.APPROVED,
                                    reason=EARLIER_OPENING)


def _staff(role: str, **anchor) -> User:
    return User.objects.filter(role=role, **anchor).order_by("pk").first()


def _teacher_for(institution: Institution, occupation, league_staff: User, rng: random.Random) -> Teacher:
    teacher = Teacher.objects.filter(status=Teacher.Status.CONFIRMED, occupations__code=occupation.code).order_by("pk").first()
    if teacher is not None:
        return teacher
    proposed = teachers.teacher_propose(
        actor=_staff(Role.INSTITUTION, institution=institution), name=make_name(rng),
        id_number=make_resident_id(rng, born_between=(date(1970, 1, 1), date(1990, 12, 31))), occupations=[occupation],
        employment_type="full_time", qualification="skill_level_certificate",
        certificate_number=f"S{rng.randrange(10**11, 10**12)}", employer=institution.name,
    )
    return teachers.teacher_confirm(actor=league_staff, teacher=proposed)


def _create_class(institution: Institution, occupation, number: str, start: date, *, headcount: int = 30) -> TrainingClass:
    staff = _staff(Role.INSTITUTION, institution=institution)
    return class_services.training_class_create(
        actor=staff, batch_number=f"XA{institution.county.code}-{start.year}-{number}", occupation=occupation,
        category=occupation.training_type, start_date=start, end_date=start + timedelta(days=14),
        registered_headcount=headcount, class_hours=84, location=f"{institution.county.name}职教中心实训楼",
    )


def _import(training_class: TrainingClass, rows: list[list[str]]) -> None:
    staff = _staff(Role.INSTITUTION, institution=training_class.institution)
    preview = class_services.roster_import_preview(actor=staff, training_class=training_class, file_name="学员名册.xlsx",
                                                   data=roster_workbook_bytes(rows))
    class_services.roster_import_confirm(actor=staff, roster_import=preview)


def _prepare_and_submit(training_class: TrainingClass, teacher: Teacher, note: str = "") -> None:
    staff = _staff(Role.INSTITUTION, institution=training_class.institution)
    teachers.class_teachers_assign(actor=staff, training_class=training_class, teachers=[teacher])
    opening.opening_document_upload(actor=staff, training_class=training_class, kind="teaching_plan",
                                     file_name=f"{training_class.occupation.name}教学计划.pdf", data=_pdf("Teaching plan"))
    opening.opening_document_upload(actor=staff, training_class=training_class, kind="assessment_plan",
                                     file_name="考核（鉴定）方案.pdf", data=_pdf("Assessment plan"))
    opening.opening_submit(actor=staff, training_class=training_class, note=note)


def _decide(county_staff: User, training_class: TrainingClass, *, limit: int | None = None, exclude_first: bool = False) -> None:
    review = OpeningReview.objects.get(training_class=training_class)
    pending = opening_checks(training_class, review=review).undecided
    for index, check in enumerate(pending[:limit]):
        is_excluded = exclude_first and index == 0
        opening.opening_trainee_decide(
            actor=county_staff, training_class=training_class, enrollment=check.enrollment,
            decision="exclude" if is_excluded else "accept",
            reason="已在其他培训班享受补贴，本班不予纳入" if is_excluded else "经村（社区）核实属农村牧区转移就业劳动者，部门名单尚未更新",
        )


LISTED_CATEGORIES = ("农村牧区转移就业劳动者", "农村牧区转移就业劳动者", "城镇登记失业人员", "毕业年度高校毕业生", "防止返贫监测对象")


def _roster(rng: random.Random, size: int, area_code: str) -> list[list[str]]:
    rows = make_roster_rows(rng, size, area_code=area_code)
    for row in rows:
        row[4] = rng.choice(LISTED_CATEGORIES)
    return rows


def _demo_classes(rng: random.Random, today: date) -> dict:
    """The demo's classes with their rosters, two weeks each, one after another (one teacher can teach them all),
    except 突泉县's, which overlaps K01."""
    home = Institution.objects.filter(county__code=HOME_COUNTY, staff__username="institution").first() or \
        Institution.objects.filter(county__code=HOME_COUNTY).order_by("pk").first()
    other = Institution.objects.filter(county__code=OTHER_COUNTY, staff__username="institution2").first() or \
        Institution.objects.filter(county__code=OTHER_COUNTY).order_by("pk").first()
    occupation = home.licensed_occupations.exclude(training_type="entrepreneurship").order_by("code").first()
    other_occupation = other.licensed_occupations.exclude(code=occupation.code).order_by("code").first()
    day = today + timedelta(days=5)
    classes = {
        "K04": _create_class(home, occupation, "K04", day),
        "K01": _create_class(home, occupation, "K01", day + timedelta(days=16)),
        "K06": _create_class(other, other_occupation, "K06", day + timedelta(days=23)),
        "K02": _create_class(home, occupation, "K02", day + timedelta(days=32)),
        "K03": _create_class(home, occupation, "K03", day + timedelta(days=48)),
        "K05": _create_class(home, occupation, "K05", day + timedelta(days=64)),
    }
    tuquan_rows = _roster(rng, 16, OTHER_COUNTY)
    _import(classes["K06"], tuquan_rows)
    rows = _roster(rng, 14, HOME_COUNTY)
    rows.append(list(tuquan_rows[0]))  # also on 突泉县's class, whose dates overlap
    for row in rows[1:4]:
        row[3] = SHARED_PHONE  # three trainees give one phone
    earlier = (
        Enrollment.objects.filter(training_class__status=TrainingClass.Status.FINISHED,
                                  training_class__occupation__code=occupation.code,
                                  training_class__occupation__level=occupation.level)
        .select_related("trainee__category").order_by("pk").first()
    )
    if earlier is not None:  # trained before in the same occupation and level
        trainee = earlier.trainee
        rows.append([trainee.name, trainee.get_gender_display(), trainee.id_number, make_mobile(rng), trainee.category.name])
    _import(classes["K01"], rows)
    for number, size in (("K02", 10), ("K03", 8), ("K04", 12), ("K05", 6)):
        _import(classes[number], _roster(rng, size, HOME_COUNTY))
    return classes


def _demo_reviews(classes: dict, league_staff: User, rng: random.Random) -> None:
    home, other = classes["K01"].institution, classes["K06"].institution
    county_staff = _staff(Role.COUNTY, region__code=HOME_COUNTY)
    other_county_staff = _staff(Role.COUNTY, region__code=OTHER_COUNTY)
    teacher = _teacher_for(home, classes["K01"].occupation, league_staff, rng)
    other_teacher = _teacher_for(other, classes["K06"].occupation, league_staff, rng)

    # 突泉县: approved; its institution's request to postpone was refused.
    tuquan = classes["K06"]
    _prepare_and_submit(tuquan, other_teacher)
    _decide(other_county_staff, tuquan)
    opening.opening_approve(actor=other_county_staff, training_class=tuquan)
    refused = opening.change_request_submit(
        actor=_staff(Role.INSTITUTION, institution=other), training_class=tuquan, reason="推迟一个月开班",
        changes={"start_date": tuquan.start_date + timedelta(days=30), "end_date": tuquan.end_date + timedelta(days=30)},
    )
    opening.change_request_refuse(actor=other_county_staff, change_request=refused,
                                  reason="推迟后与已通知学员的时间冲突，请按原计划开班或重新申报班期。")

    # K01: 待开班审核 with every signal; K02: the county has begun.
    _prepare_and_submit(classes["K01"], teacher, note="本期学员主要来自乌兰浩特市周边嘎查村")
    _prepare_and_submit(classes["K02"], teacher)
    _decide(county_staff, classes["K02"], limit=2)

    # K03: 开班审核退回.
    _prepare_and_submit(classes["K03"], teacher)
    opening.opening_return(actor=county_staff, training_class=classes["K03"],
                           reason="花名册中有学员与部门名单不符，请核实人员类别并补充村（社区）证明后重新提交。")

    # K04: 已核准开班, with an approved change and a pending one. K05 stays 未提交.
    fourth = classes["K04"]
    _prepare_and_submit(fourth, teacher)
    _decide(county_staff, fourth, exclude_first=True)
    opening.opening_approve(actor=county_staff, training_class=fourth)
    staff = _staff(Role.INSTITUTION, institution=home)
    moved = opening.change_request_submit(actor=staff, training_class=fourth, reason="原实训楼供暖检修，改到本部实训室",
                                          changes={"location": f"{home.name}本部实训室"})
    opening.change_request_approve(actor=county_staff, change_request=moved)
    opening.change_request_submit(actor=staff, training_class=fourth, reason="应学员要求增加实操课时",
                                  changes={"class_hours": 96, "registered_headcount": 32})


def _department_lists(rng: random.Random, league_staff: User) -> None:
    """The lists S2 三 names, holding most demo trainees of their category (some left out, so the county has
    decisions to make) and people who never trained."""
    by_category: dict[str, dict[str, str]] = {}
    enrollments = Enrollment.objects.filter(training_class__batch_number__regex=r"-K0[1-6]$").select_related("trainee__category")
    for enrollment in enrollments.order_by("pk"):
        trainee = enrollment.trainee
        by_category.setdefault(trainee.category.code, {})[trainee.id_number] = trainee.name
    sources = {"rural_migrants": "兴安盟农牧局", "registered_unemployed": "兴安盟公共就业服务中心",
               "college_graduates": "兴安盟教育局", "poverty_monitoring": "兴安盟乡村振兴局"}
    for kind in DepartmentListKind.objects.filter(code__in=sources).select_related("category").order_by("sort_order"):
        listed = by_category.get(kind.category.code, {}) if kind.category else {}
        people = {number: name for number, name in listed.items() if rng.random() < 0.8}
        while len(people) < len(listed) + 40:
            people.setdefault(make_resident_id(rng), make_name(rng))
        department_lists.department_list_import(
            actor=league_staff, kind=kind, source_department=sources[kind.code],
            list_date=timezone.localdate() - timedelta(days=rng.randrange(5, 40)), file_name=f"{kind.name}名单.xlsx",
            data=roster_workbook_bytes([[name, number] for number, name in people.items()], headers=["姓名", "身份证号"]),
        )
