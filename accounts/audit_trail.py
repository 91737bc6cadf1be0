"""Who reads the audit trail (accounts.AuditEvent), and which events: the one scoping function of AuditEvent.

An event belongs to a county through who did it or what it was about:
- its actor is anchored there: staff, auditors or a commissioned third party of the county (User.region), or staff
  of one of the county's institutions (User.institution.county);
- a failed login carries no actor, only the typed username: it belongs where the account of that name is;
- its object is one of the county's classes or institutions (the exports and PDFs of a class name the class).
A league reads the events of its own users and of its counties' users, events without a known account (failed
logins of unknown names: probes from outside), and the events of users with no role (administrators), whom the
league's discipline inspection office audits too. An object is not enough for the league: a trainee, a teacher or a
department list entry is reached through the county's or the league's users anyway.
"""

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from classes.models import Institution, TrainingClass

from .models import AuditEvent, Role, User


def can_read_audit_trail(user) -> bool:
    """Auditors (league-wide or of one county), league staff and superusers."""
    return bool(
        user is not None and user.is_authenticated and user.is_active
        and (user.is_superuser or (user.region_id and user.role in (Role.AUDITOR, Role.LEAGUE)))
    )


def _pks_as_text(queryset: QuerySet) -> QuerySet:
    # AuditEvent.object_id is text (it names objects of any model); compare it with the primary keys as text.
    return queryset.annotate(pk_text=Cast("pk", CharField())).values("pk_text")


def _county_events(county_id: int) -> Q:
    county_users = User.objects.filter(Q(region_id=county_id) | Q(institution__county_id=county_id))
    return (
        Q(actor__region_id=county_id)
        | Q(actor__institution__county_id=county_id)
        | Q(actor__isnull=True, username__in=county_users.values("username"))
        | Q(object_type=TrainingClass._meta.label,
            object_id__in=_pks_as_text(TrainingClass.objects.filter(institution__county_id=county_id)))
        | Q(object_type=Institution._meta.label, object_id__in=_pks_as_text(Institution.objects.filter(county_id=county_id)))
    )


def _league_events(league_id: int) -> Q:
    return (
        Q(actor__isnull=True)
        | Q(actor__role="")
        | Q(actor__region_id=league_id)
        | Q(actor__region__parent_id=league_id)
        | Q(actor__institution__county__parent_id=league_id)
    )


def audit_events_visible_to(user) -> QuerySet[AuditEvent]:
    """The events ``user`` may read (see the module's docstring); nothing for anyone can_read_audit_trail refuses."""
    events = AuditEvent.objects.all()
    if not can_read_audit_trail(user):
        return events.none()
    if user.is_superuser:
        return events
    if user.read_role == Role.LEAGUE:
        return events.filter(_league_events(user.region_id))
    return events.filter(_county_events(user.region_id))
