"""What the dashboards count, as filters of the class list: every figure links to the classes behind it.

The same conditions (Q objects on the summary rows) build the figures' counts and the list's filters, so a number
on a dashboard and the length of the list it links to cannot disagree. Registered on classes' TrainingClassFilter
at start-up (ReportsConfig.ready): classes imports nothing from reports.
"""

from datetime import date

import django_filters
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Role
from classes.filters import register_class_filter
from evaluations.permissions import VERIFIED

from .models import ClassFigures

NOT_COUNTED = ClassFigures.Conclusion.NO_DATA


def is_institution(user) -> bool:
    return user.is_authenticated and user.role == Role.INSTITUTION


def conclusion_condition(conclusion: str, *, verified_only: bool = False) -> Q:
    """The classes of one conclusion. A class not yet counted by the refresh has no conclusion yet either.

    ``verified_only``: an institution reads a class's conclusion only once the county has verified it, as it reads
    the counts per rating on the class page (policy §6.6, evaluations.permissions); before that the class is 尚无结论
    to it, so that neither a figure nor a filter tells it that its trainees rated a class poorly."""
    verified = Q(review__status__in=VERIFIED)
    if conclusion == NOT_COUNTED:
        condition = Q(figures__conclusion=NOT_COUNTED) | Q(figures__isnull=True)
        return condition | ~verified if verified_only else condition
    condition = Q(figures__conclusion=conclusion)
    return condition & verified if verified_only else condition


FORM_COVERAGE_CHOICES = [("below", "不足80%"), ("met", "达到80%")]
FORM_COVERAGE_CONDITIONS = {
    "below": Q(figures__is_form_coverage_sufficient=False),
    "met": Q(figures__is_form_coverage_sufficient=True),
}

FOLLOWUP_CHOICES = [("reached", "已达20%"), ("in_progress", "回访中"), ("overdue", "逾期未达20%"), ("none", "未抽样")]


def followup_condition(state: str, *, today: date) -> Q:
    """Policy §5: a class is reached when its completed calls reach ⌈N/5⌉; overdue when its due date passed first."""
    reached = Q(figures__followup_completed__gte=F("figures__followup_target"))
    sampled = Q(figures__has_followup_sample=True)
    return {
        "reached": sampled & reached,
        "in_progress": sampled & ~reached & Q(figures__followup_due_date__gte=today),
        "overdue": sampled & ~reached & Q(figures__followup_due_date__lt=today),
        "none": Q(figures__has_followup_sample=False) | Q(figures__isnull=True),
    }[state]


def _conclusion_filter(request) -> django_filters.Filter:
    verified_only = is_institution(request.user)

    def filter_conclusion(queryset, name, value):
        return queryset.filter(conclusion_condition(value, verified_only=verified_only)) if value else queryset

    return django_filters.ChoiceFilter(
        label="评价结论", choices=ClassFigures.Conclusion.choices, method=filter_conclusion, empty_label="全部结论"
    )


def _form_coverage_filter(request) -> django_filters.Filter | None:
    """The bureaus' filter: an institution does not read its classes' 附表2 counts (policy §6.6)."""
    if is_institution(request.user):
        return None

    def filter_form_coverage(queryset, name, value):
        return queryset.filter(FORM_COVERAGE_CONDITIONS[value]) if value else queryset

    return django_filters.ChoiceFilter(
        label="附表2覆盖率", choices=FORM_COVERAGE_CHOICES, method=filter_form_coverage, empty_label="全部"
    )


def _followup_filter(request) -> django_filters.Filter | None:
    """The bureaus' filter: the follow-up is their work, not the institution's (policy §5)."""
    if is_institution(request.user):
        return None

    def filter_followup(queryset, name, value):
        return queryset.filter(followup_condition(value, today=timezone.localdate())) if value else queryset

    return django_filters.ChoiceFilter(label="电话回访", choices=FOLLOWUP_CHOICES, method=filter_followup, empty_label="全部")


def register_class_list_filters() -> None:
    register_class_filter("conclusion", _conclusion_filter)
    register_class_filter("form_coverage", _form_coverage_filter)
    register_class_filter("followup", _followup_filter)
