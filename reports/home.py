"""The landing page: each role's figures and to-do list, read from every app below (nothing reads reports)."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.audit_trail import audit_events_visible_to
from accounts.models import AuditEvent, Role
from classes import selectors as class_selectors
from classes.models import TrainingClass
from classes.permissions import can_create_class
from evaluations.models import ClassReview
from evaluations.selectors import county_queue_for, league_queue_for
from followups.selectors import worklist_for
from supervision.inspection_selectors import county_pace_for
from supervision.rectification_selectors import rectification_counts_for
from xingan_training.pagination import count_label

from .dashboards.figures import dashboard_kind_for, latest_refresh
from .dashboards.models import InstitutionFigures


@dataclass
class ClassTallies:
    """The landing page's class figures and 参训人次 in the user's scope."""

    by_status: dict[str, int]
    by_county: list[dict]  # for league staff and superusers only
    total: int
    institutions: int
    enrollments: int


def class_tallies_for(user) -> ClassTallies:
    """Classes per status (and per county) and 参训人次 without reading every class or enrollment of the region: the
    finished classes (99% of them) and their rosters from their institutions' summary rows, refreshed by the beat
    task (the page shows when), the unfinished classes and their rosters live, through the status indexes.
    A class never leaves 已结业 and its roster is frozen then (classes.services), so the sums are exact as of the
    refresh; a class that finished since is counted at the next refresh."""
    institutions = class_selectors.institutions_visible_to(user)
    finished = list(
        InstitutionFigures.objects.filter(institution__in=institutions)
        .values("institution__county__code", "institution__county__name")
        .annotate(classes=Sum("finished_classes"), enrolled=Sum("enrolled"))
        .order_by()
    )
    counts = [(row["institution__county__code"], row["institution__county__name"], TrainingClass.Status.FINISHED,
               row["classes"]) for row in finished]
    counts += [(row["institution__county__code"], row["institution__county__name"], row["status"], row["total"])
               for row in class_selectors.unfinished_class_counts_for(user)]
    by_status: dict[str, int] = {}
    counties: dict[str, dict] = {}
    for code, name, status, total in counts:
        by_status[status] = by_status.get(status, 0) + total
        county = counties.setdefault(
            code, {"institution__county__name": name, "total": 0, "in_training": 0, "finished": 0})
        county["total"] += total
        if status in (TrainingClass.Status.IN_TRAINING, TrainingClass.Status.FINISHED):
            county[status] += total
    is_league_wide = user.is_superuser or user.read_role == Role.LEAGUE
    return ClassTallies(
        by_status=by_status,
        by_county=[counties[code] for code in sorted(counties)] if is_league_wide else [],
        total=sum(by_status.values()),
        institutions=institutions.count(),
        enrollments=(sum(row["enrolled"] for row in finished)
                     + class_selectors.enrollments_of_unfinished_classes_count(user)),
    )


def _rectification_todo(user) -> tuple[str, int, str]:
    """Policy §8.6: the ledger's unresolved items, the overdue ones named in the label so they stand out."""
    counts = rectification_counts_for(user, today=timezone.localdate())
    url = reverse("supervision:rectification_list")
    if counts.overdue:
        return (f"未销号的整改事项（其中已逾期 {counts.overdue} 项）", counts.unresolved, f"{url}?overdue=overdue")
    return ("未销号的整改事项", counts.unresolved, url)

# What an auditor looks at first (issue #13 item 4): who read or exported personal data, who failed to log in.
SENSITIVE_ACTIONS = (
    AuditEvent.Action.VIEW_PERSONAL_DATA, AuditEvent.Action.EXPORT_PERSONAL_DATA, AuditEvent.Action.LOGIN_FAILED,
)
RECENT_SENSITIVE_EVENTS = 10


def _auditor_links(user) -> list[tuple[str, int, str]]:
    """The auditor's starting points, each with the count of its region's sensitive events of the last 7 days."""
    since = timezone.now() - timedelta(days=7)
    recent = audit_events_visible_to(user).filter(created_at__gte=since)
    trail = reverse("reports:audit_trail")
    return [
        (f"近7天{AuditEvent.Action(action).label}", recent.filter(action=action).count(), f"{trail}?action={action}")
        for action in SENSITIVE_ACTIONS
    ]


def todo_for(user) -> list[tuple[str, int, str]]:
    """The landing page's to-do list: (what, how many, where), for the user's role."""
    if user.role == Role.AUDITOR:
        return _auditor_links(user)
    if user.role == Role.COUNTY:
        pace = county_pace_for(user, today=timezone.localdate())
        return [
            ("待评价核实的培训班", count_label(county_queue_for(user)), reverse("evaluations:county_queue")),
            ("待电话回访的学员", count_label(worklist_for(user)), reverse("followups:worklist")),
            _rectification_todo(user),
            # Policy §8.5: behind the pace to 60% coverage, the batches still to inspect to catch up (0 on pace).
            ("现场检查进度落后，至少还需检查的班期", pace.to_regain_pace if pace else 0, reverse("supervision:inspection_coverage")),
        ]
    if user.role == Role.LEAGUE:
        return [
            ("待盟级复核的培训班", count_label(league_queue_for(user)), reverse("evaluations:league_queue")),
            ("待电话回访的学员", count_label(worklist_for(user)), reverse("followups:worklist")),
            _rectification_todo(user),
        ]
    if user.role == Role.INSTITUTION:
        awaiting_self = class_selectors.classes_visible_to(user).filter(
            status__in=(TrainingClass.Status.IN_TRAINING, TrainingClass.Status.FINISHED)
        ).exclude(review__status__in=[status for status in ClassReview.Status.values if status != "awaiting_self"])
        return [("待填写机构自评的培训班", awaiting_self.count(), reverse("classes:class_list")), _rectification_todo(user)]
    return []


@login_required
def home(request):
    user = request.user
    if user.role == Role.THIRD_PARTY:
        return redirect("supervision:inspection_list")  # it sees its assigned inspections and nothing else
    tallies = class_tallies_for(user)
    return render(
        request,
        "reports/home.html",
        {
            "counts": {
                "classes": tallies.total,
                "classes_in_training": tallies.by_status.get(TrainingClass.Status.IN_TRAINING, 0),
                "institutions": tallies.institutions,
                "enrollments": tallies.enrollments,
            },
            "figures_taken_at": getattr(latest_refresh(), "finished_at", None),
            "status_counts": [(label, tallies.by_status.get(value, 0)) for value, label in TrainingClass.Status.choices],
            "county_rows": tallies.by_county,
            "recent_classes": class_selectors.class_list_for(user).select_related("institution", "occupation")[:8],
            "can_create_class": can_create_class(user),
            "todo": todo_for(user),
            "has_dashboard": dashboard_kind_for(user) is not None,
            "recent_sensitive_events": (
                audit_events_visible_to(user).filter(action__in=SENSITIVE_ACTIONS).order_by("-created_at", "-id")
                [:RECENT_SENSITIVE_EVENTS] if user.is_auditor else []
            ),
        },
    )
