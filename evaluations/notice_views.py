"""The 整改通知书 page: the notice as issued, its PDF, and its closure (the institution reports its
rectification, the county closes the notice with evidence or sends the report back). Scoped like the class:
its county, the league and the addressed institution; anyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from xingan_training.errors import ServiceError

from . import selectors, services
from .forms import EvidenceForm, ReasonForm, RectificationReportForm
from .models import RectificationNotice
from .permissions import rectification_actions_for


def _visible_notice(request, notice_pk) -> RectificationNotice:
    return get_object_or_404(
        selectors.rectification_notices_visible_to(request.user).select_related(
            "training_class__institution", "training_class__occupation", "issued_by", "reported_by", "closed_by"
        ),
        pk=notice_pk,
    )


@login_required
def rectification_notice(request, notice_pk):
    notice = _visible_notice(request, notice_pk)
    return render(request, "evaluations/rectification_notice.html", {
        "notice": notice,
        "training_class": notice.training_class,
        "actions": rectification_actions_for(request.user, notice),
        "events": notice.events.select_related("actor"),
        "report_form": RectificationReportForm(initial={"report": notice.report}),
        "evidence_form": EvidenceForm(),
        "return_form": ReasonForm(),
    })


def _run(request, notice: RectificationNotice, form, action, success: str):
    """A POST button of the notice page: the service decides; a refusal shows on the page."""
    if not form.is_valid():
        messages.error(request, "；".join(error for errors in form.errors.values() for error in errors))
        return redirect("evaluations:rectification_notice", notice_pk=notice.pk)
    try:
        action(form.cleaned_data)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("evaluations:rectification_notice", notice_pk=notice.pk)


@login_required
@require_POST
def rectification_notice_report(request, notice_pk):
    notice = _visible_notice(request, notice_pk)
    return _run(request, notice, RectificationReportForm(request.POST), lambda data: services.rectification_report_submit(
        actor=request.user, notice=notice, report=data["report"]), "整改情况已报送，等待旗县市人社部门销号。")


@login_required
@require_POST
def rectification_notice_return(request, notice_pk):
    notice = _visible_notice(request, notice_pk)
    return _run(request, notice, ReasonForm(request.POST), lambda data: services.rectification_return(
        actor=request.user, notice=notice, reason=data["reason"]), "整改情况已退回培训机构。")


@login_required
@require_POST
def rectification_notice_close(request, notice_pk):
    notice = _visible_notice(request, notice_pk)
    return _run(request, notice, EvidenceForm(request.POST), lambda data: services.rectification_close(
        actor=request.user, notice=notice, evidence=data["evidence"]), "整改已销号。")
