"""Scoped reads of the class-opening review (policy §8.2) and the evidence the county decides on.

The checks are gathered here, a class at a time (a class holds at most 200 trainees: a bounded number of queries
whatever the region's size); the judgements are the pure functions of ``rules.py``. Evidence about other classes
(overlaps, earlier subsidised training) names classes of any county: it is shown to county and league staff only,
never to an institution (``can_see_opening_evidence``).
"""

import copy
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, Q, QuerySet

from accounts.models import Role
from accounts.scoping import scope_to_user
from classes import services as class_services
from classes.models import Enrollment, Institution, Occupation, Trainee, TraineeCategory, TrainingClass
from classes.selectors import classes_visible_to, roster_name_mismatches

from . import rules
from .models import (
    ChangeRequest,
    DemandCatalogueEntry,
    DepartmentListEntry,
    OpeningDocument,
    OpeningReview,
    OpeningTraineeDecision,
    Teacher,
)
from .teacher_selectors import teacher_conflicts
from xingan_training.counting import related_count
from xingan_training.pagination import QuerysetsInSequence
from xingan_training.errors import ServiceError
from xingan_training.personal_data import id_number_digests, phone_digests

Status = OpeningReview.Status
NOT_SUBMITTED = "not_submitted"
OPENING_STATES = {
    NOT_SUBMITTED: "未提交",
    Status.SUBMITTED: Status.SUBMITTED.label,
    Status.RETURNED: Status.RETURNED.label,
    Status.APPROVED: Status.APPROVED.label,
}
STATUS_LABELS = {**dict(Status.choices), **dict(ChangeRequest.Status.choices)}
# Other classes that take part in the checks: declared to a county (submitted or approved) or started.
DECLARED_OPENING_STATES = (Status.SUBMITTED, Status.APPROVED)
STARTED_STATES = (TrainingClass.Status.IN_TRAINING, TrainingClass.Status.FINISHED)


# Scoping ------------------------------------------------------------------------------------------------


def _scoped(queryset: QuerySet, user, class_path: str) -> QuerySet:
    return scope_to_user(
        queryset, user, county_path=f"{class_path}__institution__county", institution_path=f"{class_path}__institution"
    )


def opening_reviews_visible_to(user) -> QuerySet[OpeningReview]:
    """Whoever sees the class sees where its opening review stands (the evidence is another matter)."""
    return _scoped(OpeningReview.objects.all(), user, "training_class")


def opening_documents_visible_to(user) -> QuerySet[OpeningDocument]:
    return _scoped(OpeningDocument.objects.all(), user, "training_class")


def change_requests_visible_to(user) -> QuerySet[ChangeRequest]:
    return _scoped(ChangeRequest.objects.all(), user, "training_class")


def can_see_opening_evidence(user) -> bool:
    """County and league staff (and superusers) see the checks with their evidence; institutions never do."""
    return bool(
        user is not None and user.is_authenticated and user.is_active
        and (user.is_superuser or user.read_role in (Role.COUNTY, Role.LEAGUE))
    )


# The gates classes consults (registered in SupervisionConfig.ready) -------------------------------------


def opening_status_of(training_class_id: int) -> str | None:
    """The class's opening review status; None before its first submission."""
    return OpeningReview.objects.filter(training_class_id=training_class_id).values_list("status", flat=True).first()


def teachers_change_refusal(training_class_id: int) -> str | None:
    """Teachers are part of the submission: fixed while the county reviews it and once it is approved."""
    status = opening_status_of(training_class_id)
    if status == Status.SUBMITTED:
        return "开班审核进行中，授课教师暂不能修改；审核退回后可以修改。"
    if status == Status.APPROVED:
        return "已核准开班，授课教师不能再更换。"
    return None


def opening_start_refusal(training_class_id: int) -> str | None:
    """Only a class the county approved for opening starts (§8.2)."""
    status = opening_status_of(training_class_id)
    if status == Status.APPROVED:
        return None
    if status == Status.SUBMITTED:
        return "开班审核尚未完成：旗县市人社部门核准后才能开班。"
    if status == Status.RETURNED:
        return "开班审核已退回：请按退回意见修改后重新提交，核准后才能开班。"
    return "尚未提交开班审核：请提交开班审核，旗县市人社部门核准后才能开班。"


def opening_change_refusal(training_class_id: int) -> str | None:
    """The county reviews a fixed submission; after approval the registered fields change by change request."""
    status = opening_status_of(training_class_id)
    if status == Status.SUBMITTED:
        return "开班审核进行中，培训班信息和花名册暂不能修改；审核退回后可以修改。"
    if status == Status.APPROVED:
        return "已核准开班：备案信息（日期、职业、人数、地点、课时）和花名册的变更，请提交备案变更申请，由旗县市人社部门审核。"
    return None


# Lists --------------------------------------------------------------------------------------------------


def opening_list_for(user, *, state: str = "", query: str = "") -> QuerySet[TrainingClass]:
    """Classes the user sees with their opening state; ``state`` one of OPENING_STATES (not submitted: classes still
    being prepared that have no review). Oldest submission first, so the county works in order; never submitted last."""
    return with_opening_facts(_opening_classes(user, state=state, query=query)).order_by(
        F("opening_review__submitted_at").asc(nulls_last=True), "start_date", "id"
    )


def _opening_classes(user, *, state: str, query: str) -> QuerySet[TrainingClass]:
    classes = classes_visible_to(user)
    if state == NOT_SUBMITTED:
        classes = classes.filter(opening_review__isnull=True, status=TrainingClass.Status.DRAFT)
    elif state in Status.values:
        classes = classes.filter(opening_review__status=state)
    query = query.strip()
    if query:
        classes = classes.filter(Q(batch_number__icontains=query) | Q(institution__name__icontains=query))
    return classes


def with_opening_facts(classes: QuerySet[TrainingClass]) -> QuerySet[TrainingClass]:
    """What a line of the opening list shows: institution, county, occupation, review, roster size, pending changes."""
    return classes.select_related("institution__county", "occupation", "opening_review").annotate(
        enrolled_count=related_count(Enrollment.objects.all(), field="training_class"),
        pending_changes=related_count(ChangeRequest.objects.filter(status=ChangeRequest.Status.PENDING), field="training_class"),
    )


def opening_list_page_source(user, *, state: str = "", query: str = "") -> QuerysetsInSequence:
    """opening_list_for in the same order, for a paginator: the submitted classes (an INNER JOIN walked by the index
    ``opening_submitted_at``), then those never submitted. Ordered across the LEFT JOIN, PostgreSQL joined and
    sorted every class of the league to show 25 (250–500 ms at 100,000 classes); a first page now reads 25 ids
    (0.3 ms) and annotates only those."""
    classes = _opening_classes(user, state=state, query=query)
    submitted = classes.filter(opening_review__submitted_at__isnull=False).order_by("opening_review__submitted_at", "start_date", "id")
    never_submitted = classes.filter(opening_review__submitted_at__isnull=True).order_by("start_date", "id")
    return QuerysetsInSequence(submitted, never_submitted, total=classes,
                               rows_for=lambda ids: with_opening_facts(TrainingClass.objects.filter(pk__in=ids)))


def opening_events_for(review: OpeningReview | None, *, limit: int = 100) -> list[dict]:
    """The review's history, newest first, with Chinese state names."""
    if review is None:
        return []
    events = review.events.select_related("actor", "change_request").order_by("-created_at", "-id")[:limit]
    return [
        {
            "when": event.created_at,
            "who": event.actor.display_name if event.actor else "系统",
            "action": event.action,
            "from": STATUS_LABELS.get(event.from_status, ""),
            "to": STATUS_LABELS.get(event.to_status, ""),
            "reason": event.reason,
        }
        for event in events
    ]


def registered_values_of(training_class: TrainingClass) -> dict:
    """The registered fields (备案信息) of a class as plain values, kept with the approval (§8.2)."""
    return {
        "start_date": training_class.start_date.isoformat(),
        "end_date": training_class.end_date.isoformat(),
        "occupation": str(training_class.occupation),
        "registered_headcount": training_class.registered_headcount,
        "location": training_class.location,
        "class_hours": training_class.class_hours,
        "enrolled": training_class.enrollments.count(),
    }


def current_decisions(review: OpeningReview | None) -> dict[int, OpeningTraineeDecision]:
    """The county's decisions of the review's current round, by enrollment id."""
    if review is None:
        return {}
    decisions = review.decisions.filter(round=review.round).select_related("decided_by", "enrollment__trainee")
    return {decision.enrollment_id: decision for decision in decisions}


# Class checks -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassCheck:
    label: str
    passed: bool | None  # None: a signal shown to the county, which does not block
    evidence: str
    is_blocking: bool = True


def _teacher_check(training_class: TrainingClass) -> tuple[ClassCheck, list[Teacher]]:
    teachers = list(
        Teacher.objects.filter(assignments__training_class=training_class).prefetch_related("occupations").order_by("name")
    )
    code = training_class.occupation.code
    problems = [
        f"{teacher.name}（{teacher.get_status_display()}）" for teacher in teachers if teacher.status != Teacher.Status.CONFIRMED
    ] + [
        f"{teacher.name}（授课职业不含{training_class.occupation.name}）"
        for teacher in teachers
        if teacher.status == Teacher.Status.CONFIRMED and code not in {occupation.code for occupation in teacher.occupations.all()}
    ]
    if not teachers:
        return ClassCheck("授课教师", False, "尚未安排授课教师（须从师资库已入库教师中选择）"), teachers
    names = "、".join(f"{teacher.name}（{teacher.get_employment_type_display()}）" for teacher in teachers)
    if problems:
        return ClassCheck("授课教师", False, f"{names}；不符合：{'、'.join(problems)}"), teachers
    return ClassCheck("授课教师", True, f"{names}，均为师资库已入库教师"), teachers


def _document_checks(training_class: TrainingClass) -> list[ClassCheck]:
    documents = defaultdict(list)
    for kind, name in training_class.opening_documents.values_list("kind", "original_name"):
        documents[kind].append(name)
    checks = []
    for kind in (OpeningDocument.Kind.TEACHING_PLAN, OpeningDocument.Kind.ASSESSMENT_PLAN):
        names = documents.get(kind)
        checks.append(ClassCheck(kind.label, bool(names), "、".join(names) if names else "未上传"))
    return checks


def class_checks(training_class: TrainingClass, *, with_signals: bool) -> list[ClassCheck]:
    """The checks of the class as a whole (§8.2). Blocking ones must pass to submit and to approve. With
    ``with_signals`` (county and league staff only) also the signals that name other classes or persons."""
    institution: Institution = training_class.institution
    licensed = list(institution.licensed_occupations.order_by("code", "level"))
    is_listed = institution.catalogue_status == Institution.CatalogueStatus.LISTED
    enrolled = training_class.enrollments.count()
    teacher_check, teachers = _teacher_check(training_class)
    checks = [
        ClassCheck("培训机构在补贴性培训机构目录内", is_listed, f"{institution.name}：{institution.get_catalogue_status_display()}"),
        ClassCheck(
            "培训职业在办学许可范围内",
            training_class.occupation in licensed,
            f"本班：{training_class.occupation}；许可范围：{'、'.join(str(item) for item in licensed) or '无'}",
        ),
        ClassCheck(
            "花名册人数",
            0 < enrolled <= training_class.registered_headcount,
            f"花名册 {enrolled} 人，备案人数 {training_class.registered_headcount} 人",
        ),
        teacher_check,
        *_document_checks(training_class),
    ]
    if not with_signals:
        return checks
    if institution.is_flagged_for_handling:
        checks.append(ClassCheck("机构已被标记待处理（弄虚作假）", None, institution.flag_reason or "—", is_blocking=False))
    entry = (
        DemandCatalogueEntry.objects.filter(
            league_id=institution.county.parent_id, occupation__code=training_class.occupation.code,
            valid_from__lte=training_class.start_date, valid_to__gte=training_class.start_date, ended_at__isnull=True,
        ).select_related("occupation").order_by("-is_urgent", "-valid_from").first()
    )
    checks.append(ClassCheck(
        "培训职业在本盟培训需求目录内",
        entry is not None,
        f"{entry.occupation}，{entry.valid_from:%Y-%m-%d}至{entry.valid_to:%Y-%m-%d}，补贴{entry.subsidy_per_person}元/人"
        + ("，急需紧缺" if entry.is_urgent else "")
        if entry else "开班日期当天没有该职业的有效目录条目",
        is_blocking=False,
    ))
    conflicts = [
        conflict for conflict in teacher_conflicts([teacher.pk for teacher in teachers])
        if training_class.pk in (conflict.first_class.pk, conflict.second_class.pk)
    ]
    if conflicts:
        evidence = "；".join(
            f"{conflict.teacher.name}同时任教 {other.batch_number}（{other.institution.name}，{other.start_date:%Y-%m-%d}至{other.end_date:%Y-%m-%d}）"
            for conflict in conflicts
            for other in [conflict.second_class if conflict.first_class.pk == training_class.pk else conflict.first_class]
        )
        checks.append(ClassCheck("授课教师时间冲突", False, evidence, is_blocking=False))
    mismatches = roster_name_mismatches(training_class).count()
    if mismatches:
        checks.append(ClassCheck(
            "花名册姓名与身份证号此前登记的姓名不一致", False, f"{mismatches} 人，详见培训班页面", is_blocking=False,
        ))
    return checks


def submission_problems(training_class: TrainingClass) -> list[str]:
    """What keeps the institution from submitting: the blocking class checks that fail, in Chinese."""
    return [f"{check.label}：{check.evidence}" for check in class_checks(training_class, with_signals=False)
            if check.is_blocking and not check.passed]


# Trainee checks -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OtherClass:
    """Another class of the same person, as evidence."""

    batch_number: str
    institution: str
    county: str
    occupation: str
    start_date: date
    end_date: date
    state: str

    def __str__(self):
        return (f"{self.batch_number}（{self.county}·{self.institution}，{self.occupation}，"
                f"{self.start_date:%Y-%m-%d}至{self.end_date:%Y-%m-%d}，{self.state}）")


@dataclass(frozen=True)
class ListMatch:
    kind: str
    source_department: str
    list_date: date
    listed_name: str

    def __str__(self):
        return f"{self.kind}（{self.source_department}，{self.list_date:%Y-%m-%d}，名单姓名：{self.listed_name}）"


@dataclass
class TraineeCheck:
    enrollment: Enrollment
    category_eligible: bool
    list_match: str
    list_entries: list[ListMatch]
    prior: list[OtherClass]
    subsidy_eligible: bool
    overlaps: list[OtherClass]
    phone_shared_by: int  # different people who gave this phone on any roster, this trainee included
    phone_shared_in_class: list[str] = field(default_factory=list)  # the others of this class with the same phone
    decision: OpeningTraineeDecision | None = None

    @property
    def needs_decision(self) -> bool:
        return rules.trainee_needs_decision(
            category_eligible=self.category_eligible, list_match=self.list_match,
            subsidy_eligible=self.subsidy_eligible, has_overlap=bool(self.overlaps),
        )

    @property
    def is_phone_shared(self) -> bool:
        return rules.phone_shared_too_widely(self.phone_shared_by)

    @property
    def list_match_label(self) -> str:
        return {rules.LIST_MATCHED: "比对一致", rules.LIST_OTHER_CATEGORY: "名单类别与申报类别不符",
                rules.LIST_UNMATCHED: "未在部门名单中"}[self.list_match]

    def problems(self) -> list[str]:
        """The failing checks with their evidence, in Chinese (also kept with a decision)."""
        found = []
        category = self.enrollment.trainee.category.name
        if not self.category_eligible:
            found.append(f"人员类别“{category}”不在政策规定的六类人员中")
        if self.list_match == rules.LIST_UNMATCHED:
            found.append(f"申报类别“{category}”，未在现行部门名单中")
        elif self.list_match == rules.LIST_OTHER_CATEGORY:
            found.append(f"申报类别“{category}”，仅在其他名单中：{'；'.join(str(match) for match in self.list_entries)}")
        if not self.subsidy_eligible:
            found.append(f"超出补贴次数限制（每年最多3次，同职业同等级不重复）：{'；'.join(str(item) for item in self.prior)}")
        if self.overlaps:
            found.append(f"同时在其他培训班（日期重叠）：{'；'.join(str(item) for item in self.overlaps)}")
        return found


@dataclass
class OpeningChecks:
    classes: list[ClassCheck]
    trainees: list[TraineeCheck]
    shared_phones: list[tuple[str, list[TraineeCheck], int]]  # (masked phone, trainees of this class, people in all)

    @property
    def class_blockers(self) -> list[ClassCheck]:
        return [check for check in self.classes if check.is_blocking and not check.passed]

    @property
    def undecided(self) -> list[TraineeCheck]:
        return [check for check in self.trainees if check.needs_decision and check.decision is None]

    @property
    def needing_decision(self) -> list[TraineeCheck]:
        return [check for check in self.trainees if check.needs_decision]

    @property
    def can_be_approved(self) -> bool:
        return not self.class_blockers and not self.undecided


def _other_class(training_class: TrainingClass) -> OtherClass:
    review = getattr(training_class, "opening_review", None)
    state = training_class.get_status_display() if training_class.status in STARTED_STATES else (
        review.get_status_display() if review else "未提交开班审核")
    return OtherClass(
        batch_number=training_class.batch_number, institution=training_class.institution.name,
        county=training_class.institution.county.name, occupation=str(training_class.occupation),
        start_date=training_class.start_date, end_date=training_class.end_date, state=state,
    )


def _counts_as_subsidised(enrollment: Enrollment) -> bool:
    """§8.2 prior: a class the county let open (or that started) and that did not refuse this person's subsidy."""
    other = enrollment.training_class
    review = getattr(other, "opening_review", None)
    is_opened = other.status in STARTED_STATES or (review is not None and review.status == Status.APPROVED)
    return is_opened and enrollment.is_subsidy_eligible


def _is_declared(training_class: TrainingClass) -> bool:
    review = getattr(training_class, "opening_review", None)
    return training_class.status in STARTED_STATES or (review is not None and review.status in DECLARED_OPENING_STATES)


def trainee_checks(training_class: TrainingClass, enrollments: list[Enrollment]) -> list[TraineeCheck]:
    """The per-trainee checks of §8.2 for these enrollments of the class, each with its evidence.

    The enrollments may be unsaved (the trainees a change request would add, with their Trainee unsaved too) and
    the class may carry requested values not yet saved (dates, occupation): everything is looked up by ID number
    and phone, and the class's own enrollments are told apart by the class's id.
    """
    if not enrollments:
        return []
    id_numbers = {enrollment.trainee.id_number for enrollment in enrollments}
    league_id = training_class.institution.county.parent_id
    matches: dict[str, list[tuple[ListMatch, str | None]]] = defaultdict(list)
    entries = DepartmentListEntry.objects.filter(
        department_list__league_id=league_id, department_list__is_current=True,
        id_number_digest__in=id_number_digests(id_numbers),
    ).select_related("department_list__kind__category")
    for entry in entries:
        department_list = entry.department_list
        category = department_list.kind.category
        matches[entry.id_number].append((
            ListMatch(department_list.kind.name, department_list.source_department, department_list.list_date, entry.name),
            category.code if category else None,
        ))
    others: dict[str, list[Enrollment]] = defaultdict(list)
    other_enrollments = (
        Enrollment.objects.filter(trainee__id_number_digest__in=id_number_digests(id_numbers)).exclude(training_class_id=training_class.pk)
        .select_related("trainee", "training_class__institution__county", "training_class__occupation",
                        "training_class__opening_review")
        .order_by("training_class__start_date", "training_class_id")
    )
    for other in other_enrollments:
        others[other.trainee.id_number].append(other)
    phones = {enrollment.phone for enrollment in enrollments}
    people_per_phone: dict[str, set[str]] = defaultdict(set)
    for phone, id_number in Enrollment.objects.filter(phone_digest__in=phone_digests(phones)).values_list("phone", "trainee__id_number").distinct():
        people_per_phone[phone].add(id_number)
    names_per_phone: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for enrollment in enrollments:
        people_per_phone[enrollment.phone].add(enrollment.trainee.id_number)
        names_per_phone[enrollment.phone].append((enrollment.trainee.id_number, enrollment.roster_name))
    for phone, id_number, name in training_class.enrollments.filter(phone_digest__in=phone_digests(phones)).values_list(
        "phone", "trainee__id_number", "roster_name"
    ):
        if (id_number, name) not in names_per_phone[phone]:
            names_per_phone[phone].append((id_number, name))
    year, code, level = training_class.start_date.year, training_class.occupation.code, training_class.occupation.level
    checks = []
    for enrollment in enrollments:
        id_number = enrollment.trainee.id_number
        category_code = enrollment.trainee.category.code
        prior = [other for other in others[id_number] if _counts_as_subsidised(other)]
        overlapping = [
            other for other in others[id_number]
            if _is_declared(other.training_class) and rules.dates_overlap(
                training_class.start_date, training_class.end_date, other.training_class.start_date, other.training_class.end_date
            )
        ]
        found = matches.get(id_number, [])
        checks.append(TraineeCheck(
            enrollment=enrollment,
            category_eligible=rules.trainee_category_eligible(category_code),
            list_match=rules.department_list_match(category_code, [category for _match, category in found]),
            list_entries=[match for match, _category in found],
            prior=[_other_class(other.training_class) for other in prior],
            subsidy_eligible=rules.subsidy_eligible(
                [(other.training_class.start_date.year, other.training_class.occupation.code, other.training_class.occupation.level)
                 for other in prior],
                year, code, level,
            ),
            overlaps=[_other_class(other.training_class) for other in overlapping],
            phone_shared_by=len(people_per_phone[enrollment.phone]),
            phone_shared_in_class=[name for number, name in names_per_phone[enrollment.phone] if number != id_number],
        ))
    return checks


def opening_checks(training_class: TrainingClass, *, review: OpeningReview | None = None) -> OpeningChecks:
    """Every check of the class and of each of its trainees, with the county's current decisions (§8.2)."""
    enrollments = list(training_class.enrollments.select_related("trainee__category").order_by("id"))
    trainees = trainee_checks(training_class, enrollments)
    decisions = current_decisions(review)
    for check in trainees:
        check.decision = decisions.get(check.enrollment.pk)
    by_phone = defaultdict(list)
    for check in trainees:
        if check.is_phone_shared:
            by_phone[check.enrollment.phone].append(check)
    shared = [
        (group[0].enrollment.masked_phone, group, group[0].phone_shared_by)
        for _phone, group in sorted(by_phone.items(), key=lambda item: -item[1][0].phone_shared_by)
    ]
    return OpeningChecks(
        classes=class_checks(training_class, with_signals=True), trainees=trainees, shared_phones=shared
    )


# Change requests ----------------------------------------------------------------------------------------


def change_requests_of(user, training_class: TrainingClass) -> QuerySet[ChangeRequest]:
    return (
        change_requests_visible_to(user).filter(training_class=training_class)
        .select_related("submitted_by", "decided_by").order_by("-submitted_at", "-id")
    )


def change_request_additions(change_request: ChangeRequest) -> list[Enrollment]:
    """The trainees a pending request would add, as unsaved enrollments (a person already registered keeps the
    category of the registration, as the import would). Empty once decided: the file is cleared then."""
    data = bytes(change_request.roster_content)
    if not data:
        return []
    training_class = change_request.training_class
    try:
        rows = class_services.roster_file_check(training_class=training_class, data=data).rows
    except ServiceError:
        return []
    registered = {trainee.id_number: trainee for trainee in Trainee.objects.filter(
        id_number_digest__in=id_number_digests(row.id_number for row in rows)).select_related("category")}
    categories = TraineeCategory.objects.in_bulk({row.category_id for row in rows})
    return [
        Enrollment(
            training_class=training_class, roster_name=row.name, phone=row.phone,
            trainee=registered.get(row.id_number) or Trainee(
                id_number=row.id_number, name=row.name, gender=row.gender, birth_date=row.birth_date,
                category=categories[row.category_id],
            ),
        )
        for row in rows
    ]


def change_request_checks(change_request: ChangeRequest, additions: list[Enrollment]) -> list[TraineeCheck]:
    """For the county: the trainees whose §8.2 checks would fail in the class as the request leaves it (requested
    dates and occupation, without the removed trainees, with the added ones), and those sharing a phone widely."""
    training_class = change_request.training_class
    changed = copy.copy(training_class)
    for name, change in change_request.field_changes.items():
        value = change["value"]
        if name in ("start_date", "end_date"):
            value = date.fromisoformat(value)
        elif name == "occupation":
            value = Occupation.objects.filter(pk=value).first() or training_class.occupation
        setattr(changed, name, value)
    removed = {item["enrollment"] for item in change_request.roster_removals}
    remaining = list(training_class.enrollments.exclude(pk__in=removed).select_related("trainee__category").order_by("id"))
    checks = trainee_checks(changed, remaining + additions)
    return [check for check in checks if check.needs_decision or check.is_phone_shared]


def has_pending_change(training_class: TrainingClass) -> bool:
    return ChangeRequest.objects.filter(training_class=training_class, status=ChangeRequest.Status.PENDING).exists()
