"""Every list that can be exported, by the key in its URL (reports:list_export)."""

from .columns import ListExport
from .lists import audit, classes, evaluations, followups, oversight, supervision

EXPORTS: dict[str, ListExport] = {
    spec.key: spec
    for spec in (*classes.EXPORTS, *evaluations.EXPORTS, *followups.EXPORTS, *supervision.EXPORTS, *oversight.EXPORTS,
                 *audit.EXPORTS)
}


def export_spec_for(user, key: str) -> ListExport | None:
    """The list ``key`` if ``user`` may open its page; None (the caller answers 404) otherwise."""
    spec = EXPORTS.get(key)
    if spec is None or user is None or not user.is_authenticated or not user.is_active or not spec.is_allowed(user):
        return None
    return spec
