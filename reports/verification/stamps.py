"""The verification stamp printed in each official PDF's footer: a QR code (segno, drawn here, no service) of
the public verification address, and the short code for typing it in."""

import segno
from django.conf import settings
from django.urls import reverse

from ..models import Printout
from .codes import display_code


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
