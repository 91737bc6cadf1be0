"""The verification stamp printed in each official PDF's footer: a QR code (segno, drawn here, no service) of
the public verification address, and the short code for typing it in."""

import segno
from django.conf import settings
from django.urls import reverse

from accounts.audit import audit_event_record
from accounts.models import AuditEvent

from ..models import Printout
from .codes import display_code
from .services import printout_record


def link_base_for(request) -> str:
    """The address printouts point to: settings.VERIFY_BASE_URL when set (the portal's public address, so a
    paper printed on an internal address still works from a phone), else the address the printer used."""
    return settings.VERIFY_BASE_URL or request.build_absolute_uri("/").rstrip("/")


def printout_stamp(printout: Printout, *, link_base: str) -> dict:
    """What reports/pdf/_printout.html prints: the QR code, the code and where to type it."""
    base = (link_base or settings.VERIFY_BASE_URL).rstrip("/")
    url = base + reverse("printout_verify", args=[printout.code])
    return {
        "code": display_code(printout.code),
        "url": url,
        "lookup_url": base + reverse("printout_lookup"),
        "qr": segno.make(url, error="m").svg_data_uri(scale=4, border=0),
    }


def printout_stamp_for(request, *, kind: str, training_class=None, object_id=None, reference: str = "") -> dict:
    """Records one printing by the request's user and returns its stamp: the one call a PDF view needs.

    For the statistics report: register its figures first (fingerprints.register_fingerprint_source(
    Printout.Kind.STATISTICS_REPORT, figures_of)), then pass object_id = what re-derives the figures (period and
    scope, e.g. "2026-Q3/152201") and reference = the period as printed ("2026年第三季度"); include
    reports/pdf/_printout.html with ``printout`` = this stamp and give the page's @page an
    ``@bottom-right { content: element(printout-stamp) }`` as forms-pdf.css does.
    """
    printout = printout_record(
        actor=request.user, kind=kind, training_class=training_class, object_id=object_id, reference=reference
    )
    audit_event_record(action=AuditEvent.Action.PRINT_DOCUMENT, request=request, target=printout,
                       detail=" ".join(part for part in (printout.get_kind_display(), reference, printout.code) if part))
    return printout_stamp(printout, link_base=link_base_for(request))
