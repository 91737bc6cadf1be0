"""Pages of the class-opening review (policy §8.2) and of change requests. Each view reads through a selector,
writes through a service, and gives another county's class (or an institution's look at the evidence) a 404."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from classes.selectors import classes_visible_to, enrollments_visible_to
from xingan_training.errors import ServiceError

from .. import opening as services, opening_selectors as selectors
from ..department_list_selectors import can_read_department_lists
from ..forms.opening import (
    ChangeRequestForm,
    DocumentUploadForm,
    OpeningFilterForm,
    ReasonForm,
    SubmitForm,
    TraineeDecisionForm,
)
from ..models import ChangeRequest, OpeningReview
from ..opening_files import DOCUMENT_TYPES

PAGE_SIZE = 25
TRAINEES_PER_PAGE = 50
TRAINEE_VIEWS = {"all": "全部学员", "attention": "需审核意见", "undecided": "尚未审核"}


def _visible_class(request, pk):
    return get_object_or_404(
        classes_visible_to(request.user).select_related("institution__county", "occupation"), pk=pk
    )


def _review_of(training_class) -> OpeningReview | None:
    return OpeningReview.objects.filter(training_class=training_class).select_related("submitted_by", "decided_by").first()


def _require_evidence_reader(request):
    # The checks name other classes and persons: institutions get the same 404 as for a missing page.
    if not selectors.can_see_opening_evidence(request.user):
        raise Http404


@login_required
def opening_list(request):
    form = OpeningFilterForm(request.GET or None)
    classes = selectors.opening_list_page_source(request.user, **form.filters())
    page = Paginator(classes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/opening/list.html", {
        "form": form, "page": page, "can_see_evidence": selectors.can_see_opening_evidence(request.user),
        "can_read_department_lists": can_read_department_lists(request.user),
    })


@login_required
def opening_class(request, pk):
    """The institution's submission page; others who see the class read where it stands."""
    training_class = _visible_class(request, pk)
    review = _review_of(training_class)
    can_prepare = services.can_prepare_opening(request.user, training_class, review)
    checks = selectors.class_checks(training_class, with_signals=False)
    is_decided = review is not None and review.status in (OpeningReview.Status.RETURNED, OpeningReview.Status.APPROVED)
    decisions = sorted(selectors.current_decisions(review).values(), key=lambda item: item.enrollment_id) if is_decided else []
    return render(request, "supervision/opening/class.html", {
        "training_class": training_class, "review": review, "checks": checks,
        "blockers": [check for check in checks if check.is_blocking and not check.passed],
        "documents": training_class.opening_documents.select_related("uploaded_by"),
        "document_types": DOCUMENT_TYPES,
        "teachers": training_class.teacher_assignments.select_related("teacher").order_by("teacher__name"),
        "enrolled": training_class.enrollments.count(),
        "decisions": decisions,
        "history": selectors.opening_events_for(review),
        "can_prepare": can_prepare,
        "can_see_evidence": selectors.can_see_opening_evidence(request.user),
        "can_request_change": services.can_request_change(request.user, training_class, review),
        "upload_form": DocumentUploadForm() if can_prepare else None,
        "submit_form": SubmitForm() if can_prepare else None,
    })


@login_required
@require_POST
def opening_document_upload(request, pk):
    training_class = _visible_class(request, pk)
    if not services.can_prepare_opening(request.user, training_class, _review_of(training_class)):
        raise Http404
    form = DocumentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(error for errors in form.errors.values() for error in errors))
        return redirect("supervision:opening_class", pk=pk)
    upload = form.cleaned_data["file"]
    try:
        document = services.opening_document_upload(
            actor=request.user, training_class=training_class, kind=form.cleaned_data["kind"],
            # One byte past the limit is enough for the service to refuse an oversized file.
            file_name=upload.name, data=upload.read(settings.OPENING_DOCUMENT_MAX_BYTES + 1),
        )
    except ServiceError as error:
        messages.error(request, f"上传失败：{error.message}")
    else:
        messages.success(request, f"已上传{document.get_kind_display()}：{document.original_name}")
    return redirect("supervision:opening_class", pk=pk)


@login_required
def opening_document_download(request, pk, document_pk):
    training_class = _visible_class(request, pk)
    document = get_object_or_404(
        selectors.opening_documents_visible_to(request.user).filter(training_class=training_class), pk=document_pk
    )
    try:
        stored = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        stored, content_type=DOCUMENT_TYPES[document.file_type].content_type, as_attachment=True,
        filename=document.original_name,
    )


@login_required
@require_POST
def opening_document_delete(request, pk, document_pk):
    training_class = _visible_class(request, pk)
    document = get_object_or_404(
        selectors.opening_documents_visible_to(request.user).filter(training_class=training_class), pk=document_pk
    )
    if not services.can_prepare_opening(request.user, training_class, _review_of(training_class)):
        raise Http404
    try:
        services.opening_document_delete(actor=request.user, document=document)
        messages.success(request, f"已删除材料：{document.original_name}")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("supervision:opening_class", pk=pk)


@login_required
@require_POST
def opening_submit(request, pk):
    training_class = _visible_class(request, pk)
    if not services.can_prepare_opening(request.user, training_class, _review_of(training_class)):
        raise Http404
    form = SubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, "说明不能超过1000字。")
        return redirect("supervision:opening_class", pk=pk)
    try:
        services.opening_submit(actor=request.user, training_class=training_class, note=form.cleaned_data["note"])
        messages.success(request, "已提交开班审核，请等待旗县市人社部门审核。")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("supervision:opening_class", pk=pk)


@login_required
def opening_review(request, pk):
    """The county's review page: every check with its evidence, a decision per trainee, approve or return."""
    _require_evidence_reader(request)
    training_class = _visible_class(request, pk)
    review = _review_of(training_class)
    checks = selectors.opening_checks(training_class, review=review)
    shown = request.GET.get("show", "attention" if checks.needing_decision else "all")
    if shown not in TRAINEE_VIEWS:
        shown = "all"
    trainees = {"all": checks.trainees, "attention": checks.needing_decision, "undecided": checks.undecided}[shown]
    can_review = services.can_review_opening(request.user, training_class, review)
    return render(request, "supervision/opening/review.html", {
        "training_class": training_class, "review": review, "checks": checks,
        "trainee_page": Paginator(trainees, TRAINEES_PER_PAGE).get_page(request.GET.get("page")),
        "shown": shown, "trainee_views": TRAINEE_VIEWS,
        "documents": training_class.opening_documents.all(),
        "teachers": training_class.teacher_assignments.select_related("teacher").order_by("teacher__name"),
        "history": selectors.opening_events_for(review),
        "can_review": can_review,
        "decision_form": TraineeDecisionForm() if can_review else None,
        "return_form": ReasonForm(label="退回原因", placeholder="写明需要机构修改的内容，机构提交后可见") if can_review else None,
    })


@login_required
@require_POST
def opening_trainee_decide(request, pk, enrollment_pk):
    _require_evidence_reader(request)
    training_class = _visible_class(request, pk)
    enrollment = get_object_or_404(enrollments_visible_to(request.user).filter(training_class=training_class), pk=enrollment_pk)
    if not services.can_review_opening(request.user, training_class, _review_of(training_class)):
        raise Http404
    form = TraineeDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{enrollment.roster_name}：" + "；".join(error for errors in form.errors.values() for error in errors))
    else:
        try:
            decision = services.opening_trainee_decide(
                actor=request.user, training_class=training_class, enrollment=enrollment, **form.cleaned_data
            )
            messages.success(request, f"已记录对 {enrollment.roster_name} 的审核意见：{decision.get_decision_display()}。")
        except ServiceError as error:
            messages.error(request, f"{enrollment.roster_name}：{error.message}")
    shown = request.POST.get("show", "attention")
    shown = shown if shown in TRAINEE_VIEWS else "attention"
    return redirect(f"{reverse('supervision:opening_review', args=[pk])}?show={shown}#trainee-{enrollment.pk}")


@login_required
@require_POST
def opening_approve(request, pk):
    _require_evidence_reader(request)
    training_class = _visible_class(request, pk)
    if not services.can_review_opening(request.user, training_class, _review_of(training_class)):
        raise Http404
    try:
        services.opening_approve(actor=request.user, training_class=training_class)
        messages.success(request, f"已核准 {training_class.batch_number} 开班。")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("supervision:opening_review", pk=pk)


@login_required
@require_POST
def opening_return(request, pk):
    _require_evidence_reader(request)
    training_class = _visible_class(request, pk)
    if not services.can_review_opening(request.user, training_class, _review_of(training_class)):
        raise Http404
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "退回必须填写原因（不超过1000字）。")
        return redirect("supervision:opening_review", pk=pk)
    try:
        services.opening_return(actor=request.user, training_class=training_class, reason=form.cleaned_data["reason"])
        messages.success(request, f"已退回 {training_class.batch_number}，机构可见退回原因。")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("supervision:opening_review", pk=pk)


# Change requests ----------------------------------------------------------------------------------------


@login_required
def change_list(request, pk):
    """The class's registered values (as approved) beside the current ones, and every change request."""
    training_class = _visible_class(request, pk)
    review = _review_of(training_class)
    page = Paginator(selectors.change_requests_of(request.user, training_class), 10).get_page(request.GET.get("page"))
    registered = review.registered_values if review else {}
    current = {
        "start_date": f"{training_class.start_date:%Y-%m-%d}", "end_date": f"{training_class.end_date:%Y-%m-%d}",
        "occupation": str(training_class.occupation), "registered_headcount": training_class.registered_headcount,
        "location": training_class.location, "class_hours": training_class.class_hours,
        "enrolled": training_class.enrollments.count(),
    }
    labels = {**services.CHANGEABLE_FIELDS, "enrolled": "花名册人数"}
    rows = [
        {"label": label, "registered": registered.get(name, "—"), "current": current[name],
         "is_changed": bool(registered) and str(registered.get(name)) != str(current[name]),
         "is_date": name.endswith("_date")}
        for name, label in labels.items()
    ]
    return render(request, "supervision/opening/change_list.html", {
        "training_class": training_class, "review": review, "rows": rows, "page": page,
        "can_request_change": services.can_request_change(request.user, training_class, review)
        and not selectors.has_pending_change(training_class),
    })


@login_required
def change_create(request, pk):
    training_class = _visible_class(request, pk)
    review = _review_of(training_class)
    if not services.can_request_change(request.user, training_class, review):
        raise Http404
    form = ChangeRequestForm(request.POST or None, request.FILES or None, training_class=training_class)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["roster_file"]
        try:
            change_request = services.change_request_submit(
                actor=request.user, training_class=training_class, reason=form.cleaned_data["reason"],
                changes=form.changes(), removed_enrollments=form.cleaned_data["removed_enrollments"],
                roster_file_name=upload.name if upload else "", roster_data=upload.read() if upload else None,
            )
        except services.RosterRowsError as error:
            form.add_error("roster_file", error.message)
            row_errors = error.errors[:200]
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "已提交备案变更申请，请等待旗县市人社部门审核。")
            return redirect("supervision:change_detail", pk=pk, change_pk=change_request.pk)
    return render(request, "supervision/opening/change_form.html", {
        "training_class": training_class, "review": review, "form": form, "row_errors": row_errors,
    }, status=400 if form.errors else 200)


@login_required
def change_detail(request, pk, change_pk):
    training_class = _visible_class(request, pk)
    change_request = get_object_or_404(
        selectors.change_requests_visible_to(request.user).filter(training_class=training_class)
        .select_related("submitted_by", "decided_by", "training_class__institution__county"),
        pk=change_pk,
    )
    additions = selectors.change_request_additions(change_request)
    # The checks name other classes: for county and league staff, and only while the request waits.
    show_checks = selectors.can_see_opening_evidence(request.user) and change_request.status == ChangeRequest.Status.PENDING
    return render(request, "supervision/opening/change_detail.html", {
        "training_class": training_class, "review": _review_of(training_class), "change_request": change_request,
        "additions": additions,
        "checks": selectors.change_request_checks(change_request, additions) if show_checks else None,
        "can_decide": services.can_decide_change(request.user, change_request),
        "refuse_form": ReasonForm(label="不予核准原因"),
    })


@login_required
@require_POST
def change_approve(request, pk, change_pk):
    training_class = _visible_class(request, pk)
    change_request = get_object_or_404(
        selectors.change_requests_visible_to(request.user).filter(training_class=training_class), pk=change_pk
    )
    if not services.can_decide_change(request.user, change_request):
        raise Http404
    try:
        services.change_request_approve(actor=request.user, change_request=change_request, request=request)
        messages.success(request, "已核准备案变更，培训班信息已更新。")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("supervision:change_detail", pk=pk, change_pk=change_pk)


@login_required
@require_POST
def change_refuse(request, pk, change_pk):
    training_class = _visible_class(request, pk)
    change_request = get_object_or_404(
        selectors.change_requests_visible_to(request.user).filter(training_class=training_class), pk=change_pk
    )
    if not services.can_decide_change(request.user, change_request):
        raise Http404
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "不予核准必须填写原因（不超过1000字）。")
        return redirect("supervision:change_detail", pk=pk, change_pk=change_pk)
    try:
        services.change_request_refuse(actor=request.user, change_request=change_request, reason=form.cleaned_data["reason"])
        messages.success(request, "已不予核准该备案变更申请。")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("supervision:change_detail", pk=pk, change_pk=change_pk)
