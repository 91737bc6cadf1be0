"""Substring search in the portal's mostly Chinese text."""

from django.db.models import Q


def contains(field: str, value: str) -> Q:
    """``field`` contains ``value``, ignoring letter case where the value has any. Chinese has no letter case, and
    ``icontains`` makes PostgreSQL fold both sides with UPPER() on every row scanned: on a county's 8,000 classes at
    region scale that folding was half of the search's time. A value without cased letters matches the same rows
    either way, so it is compared as it stands."""
    lookup = "icontains" if value.lower() != value.upper() else "contains"
    return Q(**{f"{field}__{lookup}": value})
