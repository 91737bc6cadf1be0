"""Scoped reads of evaluations, and the explained grade of a class (policy §3)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from accounts.models import Role
from accounts.scoping import scope_to_user
from classes.models import Enrollment, TrainingClass
from classes.selectors import classes_visible_to
from xingan_training.counting import related_count

from . import rules
from .contradictions import ClassRecord, DeclaredParticipation, participation_contradictions
from .items import TRAINEE_ITEM_FIELDS
from .models import ClassReview, EvaluationLink, Investigation, RectificationNotice, TraineeEvaluation

CLASS_PATHS = {"county_path": "training_class__institution__county", "institution_path": "training_class__institution"}


def reviews_visible_to(user) -> QuerySet[ClassReview]:
    return scope_to_user(ClassReview.objects.all(), user, **CLASS_PATHS)


def trainee_evaluations_visible_to(user) -> QuerySet[TraineeEvaluation]:
    """Individual 附表2 are the bureaus' evidence (policy §6.6): the institution being evaluated never sees
    one, not even its own trainees' — only the class's counts and anonymous suggestions after verification."""
    if user.is_authenticated and user.role == Role.INSTITUTION:
        return TraineeEvaluation.objects.none()
    return scope_to_user(
        TraineeEvaluation.objects.all(),
        user,
        county_path="enrollment__training_class__institution__county",
        institution_path="enrollment__training_class__institution",
    )


def rectification_notices_visible_to(user) -> QuerySet[RectificationNotice]:
    return scope_to_user(RectificationNotice.objects.all(), user, **CLASS_PATHS)


def investigations_visible_to(user) -> QuerySet[Investigation]:
    return scope_to_user(Investigation.objects.all(), user, **CLASS_PATHS)


def evaluation_links_visible_to(user) -> QuerySet[EvaluationLink]:
    """The county organises 附表2 (policy §6.6): the institution never holds the link, since it knows every
    trainee's name and ID number and could fill the forms itself."""
    if user.is_authenticated and user.role == Role.INSTITUTION:
        return EvaluationLink.objects.none()
    return scope_to_user(EvaluationLink.objects.all(), user, **CLASS_PATHS)


def evaluation_link_for_trainee(token: str) -> EvaluationLink | None:
    """The public 附表2 form's one read of its link: the active link with its class, the class's institution and
    occupation (the form's defaults) and its review (the approval lock, policy §6.5), or None for an unknown or
    revoked token. No user: the unguessable token is the credential (policy §6.6)."""
    # Only the columns the form shows and checks: a whole classroom submits at once, and building the SQL for every
    # column of four tables was the largest part of the form's CPU time (bench/submissions.py).
    return (
        EvaluationLink.objects.select_related(
            "training_class__institution", "training_class__occupation", "training_class__review"
        )
        .only(
            "training_class_id", "revoked_at",
            "training_class__start_date", "training_class__end_date",
            "training_class__institution__name", "training_class__occupation__name",
            "training_class__review__status",
        )
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )


def _valid_forms_with(overall: str) -> Count:
    return Count(
        "enrollments__evaluations",
        filter=Q(enrollments__evaluations__is_valid=True, enrollments__evaluations__overall=overall),
    )


def _consequence_states() -> dict:
    investigations = Investigation.objects.filter(training_class=OuterRef("pk"))
    notices = RectificationNotice.objects.filter(training_class=OuterRef("pk"))
    return {
        "investigation_confirmed": Exists(investigations.filter(status=Investigation.Status.CONFIRMED)),
        "investigation_open": Exists(investigations.filter(status=Investigation.Status.OPEN)),
        "investigation_cleared": Exists(investigations.filter(status=Investigation.Status.NOT_CONFIRMED)),
        "rectification_open": Exists(notices.filter(status__in=RectificationNotice.UNRESOLVED_STATUSES)),
        "rectification_closed": Exists(notices.filter(status=RectificationNotice.Status.CLOSED)),
    }


def with_review_facts(classes: QuerySet[TrainingClass]) -> QuerySet[TrainingClass]:
    """Annotates each class with its rating counts, roster size and consequence states, in one query."""
    completed = Q(enrollments__completion=Enrollment.Completion.COMPLETED)
    return classes.annotate(
        enrolled_total=Count("enrollments", distinct=True),
        completed_total=Count("enrollments", filter=completed, distinct=True),
        forms_from_completed=Count(
            "enrollments__evaluations", filter=completed & Q(enrollments__evaluations__is_valid=True)
        ),
        forms_excellent=_valid_forms_with("excellent"),
        forms_good=_valid_forms_with("good"),
        forms_fair=_valid_forms_with("fair"),
        forms_poor=_valid_forms_with("poor"),
        **_consequence_states(),
    )


def with_counted_review_facts(classes: QuerySet[TrainingClass]) -> QuerySet[TrainingClass]:
    """The facts of with_review_facts that a class's conclusion and roster sizes need (enrolled_total,
    completed_total, forms_excellent … forms_poor and the consequence states; not forms_from_completed), for pages
    that conclude hundreds of classes at once (the institutions' yearly evidence, policy §8.7). The ratings come
    from the class's TraineeFormCounts row, which the form services keep in the form's own transaction, so they
    are the live counts; the rosters are counted by correlated subqueries. No trainee's form is read: 400 classes
    cost 400 count rows instead of 12,000 form probes."""
    enrollments = Enrollment.objects.all()
    return classes.annotate(
        enrolled_total=related_count(enrollments, field="training_class"),
        completed_total=related_count(enrollments.filter(completion=Enrollment.Completion.COMPLETED), field="training_class"),
        **{
            f"forms_{rating}": Coalesce(F(f"trainee_form_counts__overall_{rating}"), Value(0))
            for rating in rules.RATINGS
        },
        **_consequence_states(),
    )


def grade_from_facts(training_class: TrainingClass) -> rules.ClassGrade:
    return rules.grade_class(
        training_class.forms_excellent, training_class.forms_good, training_class.forms_fair, training_class.forms_poor
    )


def coverage_from_facts(training_class: TrainingClass) -> bool | None:
    """Policy §3 form coverage of an annotated class: True, False, or None before anyone completed."""
    return rules.form_coverage_sufficient(training_class.forms_from_completed, training_class.completed_total)


def conclusion_from_facts(training_class: TrainingClass, grade: rules.ClassGrade) -> str:
    return rules.class_conclusion(
        grade,
        investigation_confirmed=training_class.investigation_confirmed,
        investigation_open=training_class.investigation_open,
        investigation_cleared=training_class.investigation_cleared,
        rectification_open=training_class.rectification_open,
        rectification_closed=training_class.rectification_closed,
    )


@dataclass
class ClassEvaluationSummary:
    grade: rules.ClassGrade
    enrolled: int
    completed: int
    forms_from_completed: int
    coverage_sufficient: bool | None
    conclusion: str
    conclusion_label: str
    percentages: dict[str, str] = field(default_factory=dict)
    contradictions: list[tuple[TraineeEvaluation, list[str]]] = field(default_factory=list)

    @property
    def coverage(self) -> str:
        return f"{self.grade.total}/{self.enrolled}"

    @property
    def is_provisional(self) -> bool:
        """Policy §3: the grade is 暂定 until valid forms cover 80% of the trainees who completed the class."""
        return self.coverage_sufficient is not True

    @property
    def completed_coverage(self) -> str:
        share = _display_percent(rules.percentage(self.forms_from_completed, self.completed))
        return f"{self.forms_from_completed}/{self.completed}（{share}）"


def _display_percent(share: Fraction | None) -> str:
    return "—" if share is None else f"{float(share):.1f}%"


def class_evaluation_summary(training_class: TrainingClass) -> ClassEvaluationSummary:
    """Everything the class page shows about the grade: counts, shares, clauses, coverage, contradictions."""
    facts = with_review_facts(TrainingClass.objects.filter(pk=training_class.pk)).get()
    grade = grade_from_facts(facts)
    conclusion = conclusion_from_facts(facts, grade)
    record = ClassRecord(
        start_date=training_class.start_date,
        end_date=training_class.end_date,
        class_hours=training_class.class_hours,
        institution_name=training_class.institution.name,
        occupation_name=training_class.occupation.name,
    )
    contradictions = []
    forms = TraineeEvaluation.objects.filter(enrollment__training_class=training_class, is_valid=True).select_related(
        "enrollment__trainee"
    )
    for form in forms:
        problems = participation_contradictions(_declared(form), record)
        if problems:
            contradictions.append((form, problems))
    return ClassEvaluationSummary(
        grade=grade,
        enrolled=facts.enrolled_total,
        completed=facts.completed_total,
        forms_from_completed=facts.forms_from_completed,
        coverage_sufficient=coverage_from_facts(facts),
        conclusion=conclusion,
        conclusion_label=rules.CONCLUSION_LABELS[conclusion],
        percentages={rating: _display_percent(grade.share(rating)) for rating in rules.RATINGS},
        contradictions=contradictions,
    )


def enrollments_awaiting_form(enrollments: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """Trainees of a (scoped) roster who may still hand in 附表2: no valid form, and none found untruthful."""
    return enrollments.exclude(evaluations__isnull=False).select_related("trainee").order_by("trainee__name", "id")


def enrollments_matching(enrollments: QuerySet[Enrollment], query: str) -> QuerySet[Enrollment]:
    """A clerk finds the paper form's trainee by (part of) the name or by the ID number's last digits.

    ``enrollments`` is one class's roster (at most MAX_REGISTERED_HEADCOUNT rows): ID numbers are stored
    encrypted, so their last digits are compared here, after decryption, not in SQL."""
    matches = Q(trainee__name__icontains=query)
    if query.isdigit() or query[:-1].isdigit():
        suffix = query.upper()
        matches |= Q(pk__in=[
            pk for pk, id_number in enrollments.values_list("pk", "trainee__id_number") if id_number.endswith(suffix)
        ])
    return enrollments.filter(matches)


def class_suggestions(training_class: TrainingClass) -> list[str]:
    """The trainees' suggestions (附表2 item 9) of a class, without names, in an order that reveals nobody
    (sorted by text, not by submission time)."""
    texts = TraineeEvaluation.objects.filter(enrollment__training_class=training_class, is_valid=True).exclude(
        suggestions=""
    ).values_list("suggestions", flat=True)
    return sorted(texts)


def contradiction_counts(training_classes: list[TrainingClass]) -> dict[int, int]:
    """How many valid 附表2 of each listed class contradict the class record: one query for the whole page."""
    records = {
        training_class.pk: ClassRecord(
            start_date=training_class.start_date, end_date=training_class.end_date, class_hours=training_class.class_hours,
            institution_name=training_class.institution.name, occupation_name=training_class.occupation.name,
        )
        for training_class in training_classes
    }
    counts = dict.fromkeys(records, 0)
    # Only the declared facts, as plain values: a queue page checks 750 forms, and building each whole form (every
    # answer and its bookkeeping) was most of the page's time at region scale.
    forms = TraineeEvaluation.objects.filter(enrollment__training_class__in=list(records), is_valid=True).values(
        *DECLARED_FIELDS, *TRAINEE_ITEM_FIELDS, class_id=F("enrollment__training_class_id")
    )
    for form in forms:
        if participation_contradictions(_declared_from_values(form), records[form["class_id"]]):
            counts[form["class_id"]] += 1
    return counts


DECLARED_FIELDS = ("completed_training", "attended_from", "attended_to", "attended_amount", "attended_unit",
                   "organiser_name", "occupation_name", "overall")


def _declared(form: TraineeEvaluation) -> DeclaredParticipation:
    return _declared_from_values({name: getattr(form, name) for name in (*DECLARED_FIELDS, *TRAINEE_ITEM_FIELDS)})


def _declared_from_values(values: dict) -> DeclaredParticipation:
    return DeclaredParticipation(
        **{name: values[name] for name in DECLARED_FIELDS},
        item_ratings=tuple(values[name] for name in TRAINEE_ITEM_FIELDS),
    )


def county_queue_for(user) -> QuerySet[TrainingClass]:
    """Classes awaiting the county: finished, institution self-evaluated or returned by the league."""
    statuses = (
        ClassReview.Status.AWAITING_COUNTY,
        ClassReview.Status.COUNTY_VERIFIED,
        ClassReview.Status.RETURNED,
    )
    return _queue(user, statuses)


def league_queue_for(user) -> QuerySet[TrainingClass]:
    return _queue(user, (ClassReview.Status.FORWARDED,))


def _queue(user, statuses) -> QuerySet[TrainingClass]:
    """The queue in its order (index review_status_updated), not annotated: a page reads its lines through
    queue_rows, so the rating counts are taken for the 25 classes shown, not for the whole queue."""
    return classes_visible_to(user).filter(review__status__in=statuses).order_by("review__updated_at", "pk")


def with_queue_facts(classes: QuerySet[TrainingClass]) -> QuerySet[TrainingClass]:
    """What a queue line shows: the class, its review and its rating counts (with_review_facts)."""
    return with_review_facts(classes.select_related("institution__county", "occupation", "review"))


def queue_rows(class_ids: list[int]) -> QuerySet[TrainingClass]:
    """The lines of one queue page, for ids that county_queue_for or league_queue_for already scoped."""
    return with_queue_facts(TrainingClass.objects.filter(pk__in=class_ids))


# The summary rows (reports) of classes last graded anything but 优秀, as a queryset with a training_class
# field: registered by reports at start-up, since evaluations reads nothing of the apps above it (layering rule).
_not_outstanding_figures: Callable[[], QuerySet] | None = None


def register_not_outstanding_figures(source: Callable[[], QuerySet]) -> None:
    global _not_outstanding_figures
    _not_outstanding_figures = source


def commendation_candidates_for(user, *, year: int | None) -> QuerySet[TrainingClass]:
    """Approved classes that ended in ``year`` (every year when None), less those that the summary rows grade
    other than 优秀 (a class without a row yet stays a candidate), newest first. Candidates only: the page checks
    each line it shows against the live facts (commendation_rows), so it never lists a class no longer 优秀."""
    classes = classes_visible_to(user).filter(review__status=ClassReview.Status.APPROVED)
    if _not_outstanding_figures is not None:
        classes = classes.filter(~Exists(_not_outstanding_figures().filter(training_class=OuterRef("pk"))))
    if year is not None:
        classes = classes.filter(end_date__year=year)
    return classes.order_by("-end_date", "-pk")


def commendation_rows(class_ids: list[int]) -> list[TrainingClass]:
    """Policy §3: of the given (scoped) classes, those whose live conclusion is 优秀 (may be commended)."""
    approved = with_review_facts(
        TrainingClass.objects.filter(pk__in=class_ids, review__status=ClassReview.Status.APPROVED)
        .select_related("institution__county", "occupation")
    )
    return [
        training_class
        for training_class in approved
        if conclusion_from_facts(training_class, grade_from_facts(training_class)) == rules.CONCLUSION_OUTSTANDING
    ]
