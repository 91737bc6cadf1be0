"""The audit trail page (issue #13 item 4): for auditors, league staff and superusers, scoped by
accounts.audit_trail, filtered by who, what, when and which record, with its Excel export."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from accounts.audit_trail import can_read_audit_trail

from .filters import audit_events_filtered

PAGE_SIZE = 50


@login_required
def audit_trail(request):
    if not can_read_audit_trail(request.user):
        raise Http404
    event_filter, events = audit_events_filtered(request.user, request.GET)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/audit_trail.html", {"filter": event_filter, "page": page},
                  status=400 if event_filter.form.errors else 200)
