"""HTML → PDF with WeasyPrint. A class's forms render as one document so the CJK font subset is embedded once."""

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML


def render_pdf(template_name: str, context: dict) -> bytes:
    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
