"""The official forms as PDF, each scoped exactly like the page it is reached from."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_event_record
from accounts.models import AuditEvent
from classes.selectors import class_roster, classes_visible_to
from evaluations.permissions import review_actions_for
from evaluations.selectors import rectification_notices_visible_to, trainee_evaluations_visible_to
from xingan_training.downloads import PDF, XLSX, file_response

from . import services
from .exports.registry import EXPORTS
from .exports.services import audit_detail
from .forms_data import BLANK, FULL, MASKED, form1_for, form2_for, notice_document_for
from .models import GeneratedDocument, Printout
from .pdf import render_pdf
from .selectors import class_form2_evaluations, generated_documents_visible_to
from .verification.stamps import link_base_for, printout_stamp_for

FULL_NUMBERS_AUDIT = "打印含完整身份证号、电话的表格"


def _pdf_response(content: bytes, file_name: str):
    return file_response(content, file_name, PDF, inline=True)


def _visible_class(request, pk):
    return get_object_or_404(classes_visible_to(request.user).select_related("institution", "occupation"), pk=pk)


def _require_trainee_forms_visible(request, training_class) -> None:
    """Individual 附表2 are the bureaus' evidence (policy §6.6): the institution gets no PDF of them."""
    if not review_actions_for(request.user, training_class, None).can_see_trainee_forms:
        raise Http404


def _numbers_for(request, training_class) -> str:
    """The full ID and phone print only for roles whose review needs them; each such PDF is audited."""
    if not services.may_print_full_numbers(request.user, training_class):
        return MASKED
    audit_event_record(action=AuditEvent.Action.EXPORT_PERSONAL_DATA, request=request, target=training_class,
                       detail=FULL_NUMBERS_AUDIT)
    return FULL


@login_required
def form1(request, pk):
    training_class = _visible_class(request, pk)
    stamp = printout_stamp_for(request, kind=Printout.Kind.FORM1, training_class=training_class)
    content = render_pdf("reports/pdf/form1.html", {"form": form1_for(training_class), "printout": stamp})
    return _pdf_response(content, f"附表1_{training_class.batch_number}.pdf")


@login_required
def class_form2(request, pk):
    """All valid 附表2 of a class as one PDF: inline for a small class, rendered by a worker above
    PDF_INLINE_MAX_PAGES (the user then follows its progress on the document page)."""
    training_class = _visible_class(request, pk)
    _require_trainee_forms_visible(request, training_class)
    evaluations = class_form2_evaluations(request.user, training_class)
    if evaluations.count() > settings.PDF_INLINE_MAX_PAGES:
        document = services.class_form2_document_request(
            actor=request.user, training_class=training_class, link_base=link_base_for(request)
        )
        return redirect("reports:document", pk=document.pk)
    numbers = _numbers_for(request, training_class)
    forms = [form2_for(evaluation, numbers=numbers) for evaluation in evaluations]
    # A class without valid forms prints one blank form: nothing to verify, no stamp.
    stamp = printout_stamp_for(request, kind=Printout.Kind.CLASS_FORM2, training_class=training_class) if forms else None
    content = render_pdf("reports/pdf/form2.html", {"forms": forms or [form2_for(None, numbers=BLANK)], "printout": stamp})
    return _pdf_response(content, f"附表2_{training_class.batch_number}.pdf")


@login_required
def trainee_form2(request, evaluation_pk):
    evaluation = get_object_or_404(
        trainee_evaluations_visible_to(request.user).select_related("enrollment__trainee", "enrollment__training_class"),
        pk=evaluation_pk,
    )
    training_class = evaluation.enrollment.training_class
    numbers = _numbers_for(request, training_class)
    stamp = printout_stamp_for(request, kind=Printout.Kind.TRAINEE_FORM2, training_class=training_class,
                               object_id=evaluation.pk)
    content = render_pdf("reports/pdf/form2.html", {"forms": [form2_for(evaluation, numbers=numbers)], "printout": stamp})
    return _pdf_response(content, f"附表2_{evaluation.enrollment.trainee.name}.pdf")


@login_required
def blank_form2(request, pk):
    """Paper forms for a class: one page per trainee on the roster, name and gender printed, numbers masked
    (the trainee writes them by hand)."""
    training_class = _visible_class(request, pk)
    forms = [form2_for(None, enrollment=enrollment, numbers=BLANK) for enrollment in class_roster(training_class)]
    content = render_pdf("reports/pdf/form2.html", {"forms": forms or [form2_for(None, numbers=BLANK)]})
    return _pdf_response(content, f"空白附表2_{training_class.batch_number}.pdf")


@login_required
def blank_form1(request):
    return _pdf_response(render_pdf("reports/pdf/form1.html", {"form": form1_for(None)}), "附表1_空白.pdf")


@login_required
def blank_form2_generic(request):
    return _pdf_response(render_pdf("reports/pdf/form2.html", {"forms": [form2_for(None, numbers=BLANK)]}), "附表2_空白.pdf")


@login_required
def followups(request, pk):
    """The 20% phone records that go to the league with 附表1 and 附表2 (S1 二(三)): the completed calls, who was
    replaced and why, answers that contradict 附表2, the trainees' suggestions. Never an institution's (policy §5)."""
    from followups.models import FollowupItem
    from followups.selectors import (
        coverage_of,
        followup_contradictions_for,
        followup_items_visible_to,
        samples_with_calls_visible_to,
    )

    training_class = _visible_class(request, pk)
    sample = get_object_or_404(samples_with_calls_visible_to(request.user), training_class=training_class)
    numbers = _numbers_for(request, training_class)
    items = followup_items_visible_to(request.user).filter(sample=sample).select_related("enrollment__trainee").prefetch_related("attempts__caller")
    rows, replaced, suggestions = [], [], []
    for item in items:
        trainee = item.enrollment.trainee
        if item.status == FollowupItem.Status.REPLACED:
            replaced.append((trainee.name, item.get_replacement_reason_display()))
        if item.status != FollowupItem.Status.COMPLETED:
            continue
        last_call = list(item.attempts.all())[-1]
        rows.append({
            "name": trainee.name, "phone": item.enrollment.phone if numbers == FULL else item.enrollment.masked_phone,
            "when": item.completed_at, "caller": last_call.caller.display_name,
            "participation": item.participation_display,
            "status": item.get_employment_status_display(), "employer": item.employer, "wage": item.monthly_wage,
            "satisfaction": item.get_satisfaction_display(),
        })
        if item.suggestions:
            suggestions.append((trainee.name, item.suggestions))
    content = render_pdf("reports/pdf/followups.html", {
        "training_class": training_class, "sample": sample, "rows": rows, "replaced": replaced,
        "findings": followup_contradictions_for(training_class, user=request.user), "suggestions": suggestions,
        "coverage": coverage_of(training_class),
        "printout": printout_stamp_for(request, kind=Printout.Kind.FOLLOWUPS, training_class=training_class),
    })
    return _pdf_response(content, f"电话回访记录表_{training_class.batch_number}.pdf")


@login_required
def rectification_notice(request, notice_pk):
    """整改通知书 as an A4 official document; seen by the class's county, the league and the addressed institution."""
    notice = get_object_or_404(
        rectification_notices_visible_to(request.user).select_related("training_class__occupation"), pk=notice_pk
    )
    stamp = printout_stamp_for(request, kind=Printout.Kind.RECTIFICATION_NOTICE, training_class=notice.training_class,
                               object_id=notice.pk, reference=notice.number)
    content = render_pdf("reports/pdf/rectification_notice.html", {"document": notice_document_for(notice), "printout": stamp})
    return _pdf_response(content, f"整改通知书_{notice.number}.pdf")


# Documents rendered in the background ----------------------------------------------------------------------


def _visible_document(request, pk) -> GeneratedDocument:
    return get_object_or_404(
        generated_documents_visible_to(request.user).select_related("training_class__occupation"), pk=pk
    )


def _is_export(document: GeneratedDocument) -> bool:
    return document.kind == GeneratedDocument.Kind.LIST_EXPORT


def _document_file_name(document: GeneratedDocument) -> str:
    if _is_export(document):
        return f"{EXPORTS[document.export_list].title}_{timezone.localtime(document.created_at):%Y%m%d}.xlsx"
    return f"附表2_{document.training_class.batch_number}.pdf"


def _document_state(document: GeneratedDocument) -> dict:
    is_done = document.status == GeneratedDocument.Status.DONE
    return {
        "status": document.status,
        "status_label": document.get_status_display(),
        "pages_done": document.pages_done,
        "pages_total": document.pages_total,
        "is_finished": not document.is_active,
        "download_url": reverse("reports:document_download", args=[document.pk]) if is_done else "",
        "error": document.error_message,
    }


def _document_presentation(document: GeneratedDocument) -> dict:
    """What the progress page says around the bar: where it came from, what is counted, how to ask again."""
    if _is_export(document):
        spec = EXPORTS[document.export_list]
        query = f"?{document.export_query}" if document.export_query else ""
        return {
            "crumbs": [(spec.title, reverse(spec.page) + query)],
            "subject": f"{spec.title}（按导出时的筛选条件）",
            "note": "行数较多，文件在后台生成。您可以离开本页，稍后从列表页再次点击“导出 Excel”回到这里；文件保留一天。",
            "unit": "行",
            "retry_url": reverse("reports:list_export", args=[spec.key]) + query,
        }
    training_class = document.training_class
    return {
        "crumbs": [("培训班", reverse("classes:class_list")),
                   (training_class.batch_number, reverse("classes:class_detail", args=[training_class.pk])),
                   ("绩效评价", reverse("evaluations:class_evaluation", args=[training_class.pk]))],
        "subject": f"{training_class.occupation.name} · 班期 {training_class.batch_number}",
        "note": "学员较多，文件在后台生成，约每20页数秒。您可以离开本页，稍后从培训班页面再次点击“全部附表2 PDF”回到这里；文件保留一天。",
        "unit": "页",
        "retry_url": reverse("reports:class_form2", args=[training_class.pk]),
    }


@login_required
def document(request, pk):
    """Progress of a document being rendered, then its download link. Polled by static/js/document-progress.js;
    without JavaScript the user follows the refresh link."""
    document = _visible_document(request, pk)
    return render(request, "reports/document.html", {
        "document": document, "state": _document_state(document), "file_name": _document_file_name(document),
        "presentation": _document_presentation(document),
    })


@login_required
def document_status(request, pk):
    return JsonResponse(_document_state(_visible_document(request, pk)))


@login_required
def document_download(request, pk):
    document = _visible_document(request, pk)
    if document.status != GeneratedDocument.Status.DONE:
        return redirect("reports:document", pk=pk)
    if _is_export(document):
        spec = EXPORTS[document.export_list]
        if spec.is_audited(request.user):
            audit_event_record(action=AuditEvent.Action.EXPORT_PERSONAL_DATA, request=request, detail=audit_detail(
                spec, request.user, document.pages_total, reveal=document.has_full_numbers))
        return _download(document, XLSX)
    if document.has_full_numbers:
        audit_event_record(action=AuditEvent.Action.EXPORT_PERSONAL_DATA, request=request, target=document.training_class,
                           detail=f"{FULL_NUMBERS_AUDIT}（后台生成的附表2，共{document.pages_total}页）")
    return _download(document, PDF)


def _download(document: GeneratedDocument, content_type: str) -> FileResponse:
    response = FileResponse(document.file.open("rb"), content_type=content_type, as_attachment=_is_export(document),
                            filename=_document_file_name(document))
    response["Cache-Control"] = "private, no-store"
    return response
