"""Pages of the phone follow-up and the employment file."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.audit import audit_event_record
from accounts.models import AuditEvent, Role
from classes.selectors import class_roster, classes_visible_to, enrollments_visible_to
from xingan_training.downloads import XLSX, file_response
from xingan_training.errors import ServiceError
from xingan_training.pagination import ScaledPaginator

from . import selectors, services
from .employment_file import employment_export_xlsx
from .forms import CallForm, EmploymentRecordForm, UploadForm, coverage_period
from .models import FollowupItem, Reminder

PAGE_SIZE = 30


def _require_bureau(request):
    if request.user.read_role not in (Role.COUNTY, Role.LEAGUE):
        raise Http404


@login_required
def worklist(request):
    _require_bureau(request)
    today = timezone.localdate()
    query = request.GET.get("q", "").strip()
    items = selectors.worklist_filtered_for(request.user, params=request.GET, today=today)
    page = ScaledPaginator(items, PAGE_SIZE, rows_for=selectors.worklist_rows).get_page(request.GET.get("page"))
    reminders = Reminder.objects.filter(user=request.user, read_at__isnull=True).select_related("training_class")[:10]
    return render(request, "followups/worklist.html", {"page": page, "today": today, "query": query, "reminders": reminders})


@login_required
def call(request, item_pk):
    _require_bureau(request)
    item = get_object_or_404(
        selectors.followup_items_visible_to(request.user).select_related("enrollment__trainee", "sample__training_class__institution"),
        pk=item_pk,
    )
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.call_attempt_record(
                actor=request.user, item=item, outcome=data["outcome"], callback_at=data.get("callback_at"),
                note=data.get("note", ""), answers=form.answers(),
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            item.refresh_from_db()
            if item.status == FollowupItem.Status.REPLACED:
                replaced_how = "已按抽取顺序替换为下一名学员" if item.replaced_by_id else "抽取顺序中已无可替换的学员"
                messages.warning(request, f"{item.get_replacement_reason_display()}，{replaced_how}。")
            else:
                messages.success(request, "通话记录已保存。")
            return redirect("followups:class_followups", pk=item.sample.training_class_id)
    phone = services.followup_phone_reveal(actor=request.user, item=item, request=request) if request.method == "GET" else ""
    return render(request, "followups/call.html", {
        "item": item, "form": form, "phone": phone, "attempts": item.attempts.select_related("caller"),
        "training_class": item.sample.training_class,
    })


@login_required
def class_followups(request, pk):
    training_class = get_object_or_404(classes_visible_to(request.user).select_related("institution__county", "occupation"), pk=pk)
    sample = selectors.samples_visible_to(request.user).filter(training_class=training_class).select_related("drawn_by").first()
    items = (
        list(
            selectors.followup_items_visible_to(request.user).filter(sample=sample)
            .select_related("enrollment__trainee", "replaced_by__enrollment__trainee")
            .prefetch_related("attempts__caller")
        )
        if sample else []
    )
    return render(request, "followups/class_followups.html", {
        "training_class": training_class, "sample": sample, "items": items,
        "findings": selectors.followup_contradictions_for(training_class, user=request.user) if sample else [],
        "suggestions": [item for item in items if item.suggestions],
        "coverage": selectors.coverage_of(training_class),
        "can_call": request.user.role in (Role.COUNTY, Role.LEAGUE),
        "can_draw": request.user.role in (Role.COUNTY, Role.LEAGUE) and sample is None,
        "today": timezone.localdate(),
    })


@login_required
@require_POST
def draw(request, pk):
    training_class = get_object_or_404(classes_visible_to(request.user), pk=pk)
    try:
        sample = services.followup_sample_draw_for(actor=request.user, training_class=training_class)
        messages.success(request, f"已抽取 {sample.target_size} 名学员，回访截止 {sample.due_date:%Y-%m-%d}。")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("followups:class_followups", pk=pk)


@login_required
def coverage_report(request):
    _require_bureau(request)
    form, due_from, due_to = coverage_period(request.GET, today=timezone.localdate())
    rows = selectors.county_coverage_for(request.user, due_from=due_from, due_to=due_to)
    return render(request, "followups/coverage.html", {"form": form, "rows": rows, "due_from": due_from, "due_to": due_to})


@login_required
def class_employment(request, pk):
    training_class = get_object_or_404(classes_visible_to(request.user).select_related("institution", "occupation"), pk=pk)
    enrollments = enrollments_visible_to(request.user).filter(training_class=training_class)
    return render(request, "followups/class_employment.html", {
        "training_class": training_class,
        "roster": class_roster(training_class).select_related("employment_record"),
        "grades": selectors.employment_grades(enrollments),
        "students": selectors.students_reported(enrollments),
        "can_edit": request.user.role == Role.INSTITUTION and request.user.institution_id == training_class.institution_id,
    })


@login_required
def employment_edit(request, pk, enrollment_pk):
    training_class = get_object_or_404(classes_visible_to(request.user), pk=pk)
    enrollment = get_object_or_404(
        enrollments_visible_to(request.user).filter(training_class=training_class).select_related("trainee"), pk=enrollment_pk
    )
    record = getattr(enrollment, "employment_record", None)
    initial = {name: getattr(record, name) for name in services.EMPLOYMENT_FIELDS} if record else {}
    form = EmploymentRecordForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.employment_record_save(actor=request.user, enrollment=enrollment, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"已保存 {enrollment.roster_name} 的就业跟踪档案。")
            return redirect("followups:class_employment", pk=pk)
    if request.user.role != Role.INSTITUTION:
        raise Http404
    return render(request, "followups/employment_edit.html", {"training_class": training_class, "enrollment": enrollment, "form": form})


EMPLOYMENT_INSTITUTIONS_PER_PAGE = 40


@login_required
def employment_overview(request):
    """Employment grades per county and per institution (policy §4), within the user's scope."""
    overview = selectors.employment_overview_for(request.user)
    # Paged: a league holds hundreds of institutions, and drawing every card costs more than counting them.
    page = Paginator(overview.institutions, EMPLOYMENT_INSTITUTIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "followups/employment_overview.html", {"overview": overview, "page": page})


@login_required
def employment_export(request, pk):
    training_class = get_object_or_404(classes_visible_to(request.user), pk=pk)
    roster = class_roster(training_class).select_related("employment_record")
    audit_event_record(action=AuditEvent.Action.EXPORT_PERSONAL_DATA, request=request, target=training_class,
                       detail="导出就业跟踪档案（脱敏）")
    return file_response(employment_export_xlsx(roster), f"就业跟踪档案_{training_class.batch_number}.xlsx", XLSX)


@login_required
def employment_import(request, pk):
    training_class = get_object_or_404(classes_visible_to(request.user), pk=pk)
    if request.user.role != Role.INSTITUTION:
        raise Http404
    form = UploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            written, errors = services.employment_records_import(
                actor=request.user, training_class=training_class, data=form.cleaned_data["file"].read()
            )
        except ServiceError as error:
            form.add_error("file", error.message)
        else:
            if not errors:
                messages.success(request, f"已导入 {written} 名学员的就业跟踪档案。")
                return redirect("followups:class_employment", pk=pk)
    return render(request, "followups/employment_import.html", {"training_class": training_class, "form": form, "errors": errors})
