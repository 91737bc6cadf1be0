"""Public pages without login (policy §8.7): the published red and black list, and one institution's standing.

Like the public catalogue: light for a phone, no script, nothing personal — the selectors hand over only the
institution's name, county and credit code, the list, the year, the reason and the date."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .. import performance_selectors as selectors
from ..models import ListDecision

PUBLIC_PAGE_SIZE = 30
QUERY_MAX = 50


def _query(request) -> str:
    return request.GET.get("q", "").replace("\x00", "").strip()[:QUERY_MAX]


@require_GET
@cache_control(public=True, max_age=60)
def public_list(request):
    query = _query(request)
    listing = request.GET.get("list", "")
    listing = listing if listing in ListDecision.PUBLISHABLE else ""
    entries = selectors.published_list_entries(query=query, listing=listing)
    page = Paginator(entries, PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/performance/public_list.html", {
        "page": page, "query": query, "listing": listing, "tab": "list",
    })


@require_GET
@cache_control(public=True, max_age=60)
def public_lookup(request):
    query = _query(request)
    matches, has_more = selectors.public_institution_lookup(query)
    return render(request, "supervision/performance/public_lookup.html", {
        "query": query, "matches": matches, "has_more": has_more,
        "is_too_short": 0 < len(query) < selectors.PUBLIC_LOOKUP_MIN_CHARS, "tab": "lookup",
    })
