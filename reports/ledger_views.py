"""The printable rectification ledger of a county (整改清单, policy §8.6): its open items on A4 landscape, for the
county's meetings and the league's supervision. Scoped like the ledger page; institutions print none."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from supervision.models import RectificationItem
from supervision.rectification_selectors import counties_for_printing, county_open_items, ledger_rows
from xingan_training.downloads import PDF, file_response

from .pdf import render_pdf


@login_required
def rectification_open_items(request):
    """``?county=<id>``: a county bureau its own county (the default), league staff any county of the league;
    another county, or an institution, gets 404."""
    counties = counties_for_printing(request.user)
    county_id = request.GET.get("county", "")
    if not county_id.isdigit():
        only = list(counties[:2])
        if len(only) != 1:
            raise Http404
        county_id = only[0].pk
    county = get_object_or_404(counties, pk=county_id)
    today = timezone.localdate()
    rows = ledger_rows(county_open_items(request.user, county), today=today)
    content = render_pdf("reports/pdf/rectification_list.html", {
        "county": county, "today": today, "rows": rows, "printed_by": request.user.display_name,
        "overdue": sum(row.is_overdue for row in rows),
        "submitted": sum(row.item.status == RectificationItem.Status.SUBMITTED for row in rows),
    })
    return file_response(content, f"整改清单_{county.name}_{today:%Y%m%d}.pdf", PDF, inline=True)
