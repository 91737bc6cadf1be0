"""Every list that can be exported, by the key in its URL (reports:list_export)."""

from collections.abc import Mapping

from .columns import ListExport
from .lists import audit, classes, evaluations, followups, opening, oversight, supervision

EXPORTS: dict[str, ListExport] = {
    spec.key: spec
    for spec in (*classes.EXPORTS, *evaluations.EXPORTS, *followups.EXPORTS, *supervision.EXPORTS, *oversight.EXPORTS,
                 *opening.EXPORTS, *audit.EXPORTS)
}


def export_spec_for(user, key: str, params: Mapping) -> ListExport | None:
    """The list ``key`` if ``user`` may open its page with ``params`` (the page of one object: that object must be
    visible to the user); None (the caller answers 404) otherwise."""
    spec = EXPORTS.get(key)
    if spec is None or user is None or not user.is_authenticated or not user.is_active or not spec.is_allowed(user):
        return None
    if spec.subject is not None and spec.subject(user, params) is None:
        return None
    return spec
