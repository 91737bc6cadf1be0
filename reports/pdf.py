"""HTML → PDF with WeasyPrint. A class's forms render as one document so the CJK font subset is embedded once."""

from collections.abc import Callable, Sequence

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration


def render_pdf(template_name: str, context: dict) -> bytes:
    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def render_pdf_in_chunks(
    template_name: str,
    items: Sequence,
    *,
    context_name: str,
    chunk_size: int,
    on_progress: Callable[[int], None],
    extra_context: dict | None = None,
) -> bytes:
    """Lays out ``items`` (not empty) ``chunk_size`` at a time, the template getting each slice as
    ``context_name`` beside ``extra_context`` (the verification stamp), and calls ``on_progress(items laid out so
    far)`` after each chunk; then writes ONE PDF of all pages. The chunks share one font configuration, so the file embeds one font subset as a single render
    would (same size, bench/pdf.py), not one per chunk as merging separate PDFs does."""
    font_config = FontConfiguration()
    documents = []
    for start in range(0, len(items), chunk_size):
        html = render_to_string(template_name, {**(extra_context or {}), context_name: items[start:start + chunk_size]})
        documents.append(HTML(string=html, base_url=str(settings.BASE_DIR)).render(font_config=font_config))
        on_progress(min(start + chunk_size, len(items)))
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()
