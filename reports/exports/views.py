"""One view exports every list: /reports/exports/<list>.xlsx with the list page's own query string."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_event_record
from accounts.models import AuditEvent
from xingan_training.downloads import XLSX
from xingan_training.errors import ServiceError

from .. import services as documents
from .registry import export_spec_for
from .services import audit_detail, is_inline, list_export_file, reveals_personal_data


@login_required
def list_export(request, key):
    """The list as its page shows it (same selector, same filters, same scope) in one .xlsx; above
    settings.EXPORT_INLINE_MAX_ROWS rows a worker writes it and the user follows its progress. Whoever the
    list page refuses gets 404 here too."""
    spec = export_spec_for(request.user, key, request.GET)
    if spec is None:
        raise Http404
    rows = spec.rows(request.user, request.GET)
    if not is_inline(rows):
        try:
            document = documents.list_export_document_request(actor=request.user, spec=spec, params=request.GET)
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect(reverse(spec.page))
        return redirect("reports:document", pk=document.pk)
    handle, written = list_export_file(spec=spec, user=request.user, rows=rows)
    if spec.is_audited(request.user):
        audit_event_record(action=AuditEvent.Action.EXPORT_PERSONAL_DATA, request=request, detail=audit_detail(
            spec, request.user, written, reveal=reveals_personal_data(spec, request.user)))
    response = FileResponse(handle, as_attachment=True, content_type=XLSX,
                            filename=f"{spec.title}_{timezone.localdate():%Y%m%d}.xlsx")
    response["Cache-Control"] = "private, no-store"
    return response
