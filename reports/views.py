"""The official forms as PDF, each scoped exactly like the page it is reached from."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.audit import audit_event_record
from accounts.models import AuditEvent
from classes.selectors import class_roster, classes_visible_to
from evaluations.permissions import review_actions_for
from evaluations.selectors import trainee_evaluations_visible_to
from xingan_training.downloads import PDF, file_response

from .forms_data import BLANK, FULL, MASKED, form1_for, form2_for
from .pdf import render_pdf


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
    if not review_actions_for(request.user, training_class, None).can_download_full_ids:
        return MASKED
    audit_event_record(action=AuditEvent.Action.EXPORT_PERSONAL_DATA, request=request, target=training_class,
                       detail="打印含完整身份证号、电话的表格")
    return FULL


@login_required
def form1(request, pk):
    training_class = _visible_class(request, pk)
    content = render_pdf("reports/pdf/form1.html", {"form": form1_for(training_class)})
    return _pdf_response(content, f"附表1_{training_class.batch_number}.pdf")


@login_required
def class_form2(request, pk):
    training_class = _visible_class(request, pk)
    _require_trainee_forms_visible(request, training_class)
    evaluations = (
        trainee_evaluations_visible_to(request.user)
        .filter(enrollment__training_class=training_class, is_valid=True)
        .select_related("enrollment__trainee")
        .order_by("enrollment_id")
    )
    numbers = _numbers_for(request, training_class)
    forms = [form2_for(evaluation, numbers=numbers) for evaluation in evaluations]
    content = render_pdf("reports/pdf/form2.html", {"forms": forms or [form2_for(None, numbers=BLANK)]})
    return _pdf_response(content, f"附表2_{training_class.batch_number}.pdf")


@login_required
def trainee_form2(request, evaluation_pk):
    evaluation = get_object_or_404(
        trainee_evaluations_visible_to(request.user).select_related("enrollment__trainee", "enrollment__training_class"),
        pk=evaluation_pk,
    )
    numbers = _numbers_for(request, evaluation.enrollment.training_class)
    content = render_pdf("reports/pdf/form2.html", {"forms": [form2_for(evaluation, numbers=numbers)]})
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
    })
    return _pdf_response(content, f"电话回访记录表_{training_class.batch_number}.pdf")
