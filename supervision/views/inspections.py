"""Pages of on-site inspections (policy §8.5). Each view reads through a selector, writes through a service.

The record form also answers the offline script (static/js/inspection-offline.js), which sends the same POST
with ``Accept: application/json`` and reads a JSON answer; without JavaScript the form posts and redirects.
"""

import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from classes.selectors import classes_visible_to, counties_visible_to, institutions_visible_to
from xingan_training.errors import ServiceError
from xingan_training.pagination import ScaledPaginator

from .. import inspection_selectors as selectors, inspections as services
from ..forms.inspections import (
    CoverageFilterForm,
    InspectionCancelForm,
    InspectionFilterForm,
    InspectionPlanForm,
    InspectionRecordForm,
)
from ..inspection_files import MAX_FILES, MAX_TOTAL_BYTES
from ..models import Inspection, InspectionAttachment

PAGE_SIZE = 25
COVERAGE_YEARS = 5
# What the service worker keeps for the record page to open without a connection (static/js/inspection-sw.js).
OFFLINE_ASSETS = ("vendor/bootstrap/bootstrap.min.css", "css/portal.css", "css/inspection.css",
                  "vendor/bootstrap/bootstrap.bundle.min.js", "js/portal.js", "js/inspection-offline.js")


def _visible_inspection(request, pk) -> Inspection:
    inspection = selectors.inspection_detail_for(request.user, pk)
    if inspection is None:
        raise Http404
    return inspection


def _class_url(user, inspection: Inspection) -> str:
    """A link to the class page for whoever may open it (never a third party: it sees the class only here)."""
    if classes_visible_to(user).filter(pk=inspection.training_class_id).exists():
        return reverse("classes:class_detail", args=[inspection.training_class_id])
    return ""


def coverage_years(today) -> list[int]:
    """The years the coverage page offers: this one and the COVERAGE_YEARS - 1 before it."""
    return list(range(today.year, today.year - COVERAGE_YEARS, -1))


def _is_staff(user) -> bool:
    return selectors.can_read_coverage(user)


@login_required
def inspection_list(request):
    counties = counties_visible_to(request.user).order_by("code")
    form = InspectionFilterForm(request.GET or None, counties=counties)
    inspections = selectors.inspection_list_for(request.user, **form.filters())
    # Page first: the page's ids from the order index, then those entries with their class and inspectors.
    page = ScaledPaginator(inspections, PAGE_SIZE, rows_for=lambda ids: inspections.filter(pk__in=ids)).get_page(
        request.GET.get("page")
    )
    return render(request, "supervision/inspections/list.html", {
        "form": form, "page": page, "is_staff": _is_staff(request.user),
    })


@login_required
def inspection_plan(request, pk):
    if not services.can_plan_inspections(request.user):
        raise Http404
    training_class = get_object_or_404(
        classes_visible_to(request.user).select_related("institution__county", "occupation"), pk=pk
    )
    today = timezone.localdate()
    form = InspectionPlanForm(
        request.POST or None, candidates=selectors.inspector_candidates(training_class),
        initial={"planned_on": max(today, training_class.start_date), "inspectors": [request.user.pk]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.inspection_plan(actor=request.user, training_class=training_class, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"已安排对 {training_class.batch_number} 的现场检查。")
            return redirect("supervision:inspection_detail", pk=inspection.pk)
    return render(request, "supervision/inspections/plan.html", {
        "form": form, "training_class": training_class,
    }, status=400 if form.errors else 200)


@login_required
def inspection_detail(request, pk):
    inspection = _visible_inspection(request, pk)
    return render(request, "supervision/inspections/detail.html", {
        "inspection": inspection,
        "training_class": inspection.training_class,
        "class_url": _class_url(request.user, inspection),
        "inspectors": inspection.inspectors.order_by("first_name", "username"),
        "absentees": selectors.inspection_absentees(inspection),
        "attachments": inspection.attachments.order_by("id"),
        "can_record": services.can_record_inspection(request.user, inspection),
        "can_cancel": services.can_cancel_inspection(request.user, inspection),
        "cancel_form": InspectionCancelForm(),
    })


def _json_answer(*, ok: bool, message: str, url: str = "", errors=None, status: int = 200) -> JsonResponse:
    """The offline script's answer: ok with the record's page, or refused (400: not worth sending again)."""
    return JsonResponse({"ok": ok, "message": message, "url": url, "errors": errors or {}}, status=status)


@login_required
def inspection_record(request, pk):
    inspection = _visible_inspection(request, pk)
    is_json = "application/json" in request.headers.get("Accept", "")
    detail_url = reverse("supervision:inspection_detail", args=[inspection.pk])
    if request.method != "POST":
        if inspection.status == Inspection.Status.RECORDED:
            return redirect(detail_url)
        if not services.can_record_inspection(request.user, inspection):
            raise Http404
    roster = selectors.inspection_roster(inspection)
    today = timezone.localdate()
    form = InspectionRecordForm(
        request.POST or None, request.FILES or None, roster=roster,
        initial={"client_id": uuid.uuid4(), "inspected_on": min(max(today, inspection.training_class.start_date), inspection.training_class.end_date)},
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                outcome = services.inspection_record(actor=request.user, inspection=inspection, **form.record_arguments())
            except ServiceError as error:
                if is_json:
                    return _json_answer(ok=False, message=error.message, status=400)
                form.add_error(None, error.message)
            else:
                message = "检查记录已提交。" if outcome.is_new else "该检查记录此前已提交成功，未重复保存。"
                if is_json:
                    return _json_answer(ok=True, message=message, url=detail_url)
                messages.success(request, message)
                return redirect(detail_url)
        elif is_json:
            errors = {name: [item["message"] for item in items] for name, items in form.errors.get_json_data().items()}
            return _json_answer(ok=False, message="请按提示修改后再提交。", errors=errors, status=400)
    return render(request, "supervision/inspections/record.html", {
        "form": form,
        "inspection": inspection,
        "training_class": inspection.training_class,
        "active_roster_size": sum(1 for entry in roster if not entry.is_dropped),
        "max_files": MAX_FILES,
        "max_total_bytes": MAX_TOTAL_BYTES,
        "service_worker_url": reverse("supervision:inspection_service_worker"),
        "service_worker_scope": reverse("supervision:inspection_list"),
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def inspection_cancel(request, pk):
    inspection = _visible_inspection(request, pk)
    if not services.can_cancel_inspection(request.user, inspection):
        raise Http404
    form = InspectionCancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写取消原因（不超过500字）。")
        return redirect("supervision:inspection_detail", pk=pk)
    try:
        services.inspection_cancel(actor=request.user, inspection=inspection, reason=form.cleaned_data["reason"])
        messages.success(request, "已取消该现场检查安排。")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("supervision:inspection_detail", pk=pk)


@login_required
def inspection_attachment(request, pk):
    attachment = get_object_or_404(selectors.inspection_attachments_visible_to(request.user), pk=pk)
    return FileResponse(
        attachment.file.open("rb"), content_type=attachment.content_type,
        as_attachment=attachment.kind == InspectionAttachment.Kind.DOCUMENT, filename=attachment.original_name,
    )


@login_required
def inspection_coverage(request):
    if not _is_staff(request.user):
        raise Http404
    today = timezone.localdate()
    counties = counties_visible_to(request.user).order_by("code")
    years = coverage_years(today)
    form = CoverageFilterForm(request.GET or None, counties=counties, years=years,
                              institutions=institutions_visible_to(request.user).order_by("county__code", "name"))
    filters = form.filters(default_year=today.year)
    year = filters["year"]
    coverage = selectors.inspection_coverage_for(request.user, today=today, **filters)
    batches = selectors.uninspected_batches_for(request.user, today=today, **filters)
    # Page first: the page's ids, then those batches with their institution and occupation.
    page = ScaledPaginator(batches, PAGE_SIZE, rows_for=lambda ids: batches.filter(pk__in=ids)).get_page(
        request.GET.get("page")
    )
    can_plan = services.can_plan_inspections(request.user)
    rows = [
        {
            "training_class": training_class,
            "can_plan": can_plan and not training_class.is_settled and not training_class.has_open_plan,
        }
        for training_class in page.object_list
    ]
    return render(request, "supervision/inspections/coverage.html", {
        "form": form, "year": year, "today": today, "coverage": coverage, "page": page, "rows": rows,
        "is_current_year": year == today.year, "shows_county": counties.count() > 1,
    })


def inspection_service_worker(request):
    """The service worker of the record page, served from under /supervision/inspections/ so that its scope
    covers the page (a script under /static/ could only control /static/). No data: the same for everyone."""
    response = render(request, "supervision/inspections/sw.js", {
        "assets_json": json.dumps([static(path) for path in OFFLINE_ASSETS]),
        "record_page_pattern": r"^" + reverse("supervision:inspection_list") + r"\d+/record/$",
    }, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
