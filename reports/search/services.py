"""Running a trainee search: the read, and its audit record with the query masked."""

from accounts.audit import audit_event_record
from accounts.models import AuditEvent, User

from .queries import TraineeQuery
from .selectors import SearchResult, trainee_search_for


def trainee_search_run(*, actor: User, query: TraineeQuery, request=None) -> SearchResult:
    """County and league staff only (the view answers 404 to others; the selector returns nothing for them).

    Every search is audited (who, when, from where, how many people found), the query only in its masked form:
    the audit log is read by more people than the search, and must not become a list of ID numbers.
    """
    result = trainee_search_for(actor, query)
    audit_event_record(
        action=AuditEvent.Action.VIEW_PERSONAL_DATA, request=request, actor=actor,
        detail=f"学员查询：按{query.description}，找到{len(result.people)}人",
    )
    return result
