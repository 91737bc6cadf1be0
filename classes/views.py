"""Pages of the training domain. Each view reads through a selector, writes through a service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from accounts.audit import audit_event_record
from accounts.models import AuditEvent
from xingan_training.downloads import XLSX, file_response
from xingan_training.errors import ServiceError
from xingan_training.pagination import ScaledPaginator

from . import selectors, services
from .filters import TrainingClassFilter
from .forms import FinishClassForm, RosterUploadForm, TrainingClassForm
from .models import RosterImport, TrainingClass
from .permissions import can_create_class, class_actions_for
from .roster_exports import roster_export_xlsx, roster_template_xlsx

PAGE_SIZE = 25


def _visible_class(request, pk) -> TrainingClass:
    return get_object_or_404(selectors.classes_visible_to(request.user).select_related("institution__county", "occupation"), pk=pk)


def _visible_enrollment(request, training_class: TrainingClass, enrollment_pk):
    return get_object_or_404(
        selectors.enrollments_visible_to(request.user).filter(training_class=training_class).select_related("trainee"),
        pk=enrollment_pk,
    )


@login_required
def class_list(request):
    base = selectors.class_list_for(request.user)
    class_filter = TrainingClassFilter(request.GET, queryset=base, request=request)
    classes = class_filter.qs if class_filter.is_valid() else base.none()
    page = ScaledPaginator(classes, PAGE_SIZE, rows_for=selectors.class_list_rows).get_page(request.GET.get("page"))
    return render(
        request,
        "classes/class_list.html",
        {"filter": class_filter, "page": page, "can_create_class": can_create_class(request.user)},
    )


@login_required
def class_detail(request, pk):
    training_class = _visible_class(request, pk)
    roster = Paginator(selectors.class_roster(training_class), 100).get_page(request.GET.get("page"))
    actions = class_actions_for(request.user, training_class)
    return render(
        request,
        "classes/class_detail.html",
        {
            "training_class": training_class,
            "roster": roster,
            "actions": actions,
            "name_mismatches": selectors.roster_name_mismatches(training_class) if actions.can_see_name_mismatches else [],
            "history": selectors.class_history(training_class),
            "roster_imports": selectors.roster_imports_visible_to(request.user)
            .filter(training_class=training_class)
            .select_related("uploaded_by")[:10],
            "finish_form": FinishClassForm(initial={"assessment_end_date": timezone.localdate()}),
        },
    )


@login_required
def class_create(request):
    if not can_create_class(request.user):
        raise Http404
    institution = request.user.institution
    form = TrainingClassForm(request.POST or None, institution=institution)
    if request.method == "POST" and form.is_valid():
        try:
            training_class = services.training_class_create(actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"培训班 {training_class.batch_number} 已创建，请导入学员名册。")
            return redirect("classes:class_detail", pk=training_class.pk)
    return render(request, "classes/class_form.html", {"form": form, "title": "新建培训班"})


@login_required
def class_edit(request, pk):
    training_class = _visible_class(request, pk)
    if not class_actions_for(request.user, training_class).can_edit:
        raise Http404
    form = TrainingClassForm(request.POST or None, instance=training_class, institution=training_class.institution)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_class_update(actor=request.user, training_class=training_class, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "培训班信息已保存。")
            return redirect("classes:class_detail", pk=training_class.pk)
    return render(
        request, "classes/class_form.html", {"form": form, "title": f"修改培训班 {training_class.batch_number}", "training_class": training_class}
    )


@login_required
@require_POST
def class_start(request, pk):
    training_class = _visible_class(request, pk)
    try:
        services.training_class_start(actor=request.user, training_class=training_class)
        messages.success(request, "培训班已开班。")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("classes:class_detail", pk=pk)


@login_required
@require_POST
def class_finish(request, pk):
    training_class = _visible_class(request, pk)
    form = FinishClassForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写正确的培训鉴定结束日期。")
        return redirect("classes:class_detail", pk=pk)
    try:
        services.training_class_finish(
            actor=request.user, training_class=training_class, assessment_end_date=form.cleaned_data["assessment_end_date"]
        )
        messages.success(request, "培训班已结业。")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("classes:class_detail", pk=pk)


@login_required
def roster_template(request):
    return file_response(roster_template_xlsx(), "学员名册模板.xlsx", XLSX)


@login_required
def roster_upload(request, pk):
    training_class = _visible_class(request, pk)
    if not class_actions_for(request.user, training_class).can_import_roster:
        raise Http404
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            roster_import = services.roster_import_preview(
                actor=request.user, training_class=training_class, file_name=upload.name, data=upload.read()
            )
        except ServiceError as error:
            form.add_error("file", error.message)
        else:
            return redirect("classes:roster_import_detail", pk=pk, import_pk=roster_import.pk)
    return render(request, "classes/roster_upload.html", {"training_class": training_class, "form": form})


@login_required
def roster_import_detail(request, pk, import_pk):
    training_class = _visible_class(request, pk)
    roster_import = get_object_or_404(
        selectors.roster_imports_visible_to(request.user).filter(training_class=training_class), pk=import_pk
    )
    rows = services.roster_import_preview_rows(roster_import)
    return render(
        request,
        "classes/roster_import_detail.html",
        {
            "training_class": training_class,
            "roster_import": roster_import,
            "rows": rows[:200],
            "row_total": len(rows),
            "can_confirm": roster_import.status == RosterImport.Status.PREVIEWED
            and class_actions_for(request.user, training_class).can_import_roster,
        },
    )


@login_required
@require_POST
def roster_import_confirm(request, pk, import_pk):
    training_class = _visible_class(request, pk)
    roster_import = get_object_or_404(
        selectors.roster_imports_visible_to(request.user).filter(training_class=training_class), pk=import_pk
    )
    try:
        result = services.roster_import_confirm(actor=request.user, roster_import=roster_import, request=request)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("classes:roster_import_detail", pk=pk, import_pk=import_pk)
    if result.status == RosterImport.Status.CONFIRMED:
        messages.success(request, f"已导入 {result.row_count} 名学员。")
        return redirect("classes:class_detail", pk=pk)
    messages.error(request, "名册在预览后发生变化，重新检查发现错误，未导入任何数据。")
    return redirect("classes:roster_import_detail", pk=pk, import_pk=import_pk)


@login_required
def roster_export(request, pk):
    training_class = _visible_class(request, pk)
    content = roster_export_xlsx(training_class)
    audit_event_record(
        action=AuditEvent.Action.EXPORT_PERSONAL_DATA,
        request=request,
        target=training_class,
        detail="导出花名册（脱敏）",
    )
    return file_response(content, f"花名册_{training_class.batch_number}.xlsx", XLSX)


@login_required
@require_POST
@sensitive_variables("personal_data")
def enrollment_reveal(request, pk, enrollment_pk):
    training_class = _visible_class(request, pk)
    if not class_actions_for(request.user, training_class).can_reveal_personal_data:
        raise Http404
    enrollment = _visible_enrollment(request, training_class, enrollment_pk)
    personal_data = services.enrollment_reveal_personal_data(actor=request.user, enrollment=enrollment, request=request)
    return render(
        request,
        "classes/enrollment_reveal.html",
        {"training_class": training_class, "enrollment": enrollment, "personal_data": personal_data},
    )


@login_required
@require_POST
def enrollment_mark_dropped(request, pk, enrollment_pk):
    training_class = _visible_class(request, pk)
    if not class_actions_for(request.user, training_class).can_mark_dropped:
        raise Http404
    enrollment = _visible_enrollment(request, training_class, enrollment_pk)
    try:
        services.enrollment_mark_dropped(actor=request.user, enrollment=enrollment)
        messages.success(request, f"已登记 {enrollment.roster_name} 中途退出。")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("classes:class_detail", pk=pk)


@login_required
def enrollment_remove(request, pk, enrollment_pk):
    training_class = _visible_class(request, pk)
    if not class_actions_for(request.user, training_class).can_remove_trainees:
        raise Http404
    enrollment = _visible_enrollment(request, training_class, enrollment_pk)
    if request.method == "POST":
        try:
            services.enrollment_remove(actor=request.user, enrollment=enrollment)
            messages.success(request, f"已将 {enrollment.roster_name} 移出花名册。")
        except ServiceError as error:
            messages.error(request, error.message)
        return redirect("classes:class_detail", pk=pk)
    return render(request, "classes/enrollment_remove.html", {"training_class": training_class, "enrollment": enrollment})


@login_required
def institution_list(request):
    query = request.GET.get("q", "").strip()
    institutions = selectors.institution_list_for(request.user, query=query)
    page = ScaledPaginator(institutions, PAGE_SIZE, rows_for=selectors.institution_list_rows).get_page(request.GET.get("page"))
    return render(request, "classes/institution_list.html", {"page": page, "query": query})


@login_required
def institution_detail(request, pk):
    institution = get_object_or_404(selectors.institutions_visible_to(request.user).select_related("county"), pk=pk)
    classes = selectors.class_list_for(request.user).filter(institution=institution)
    page = ScaledPaginator(classes, PAGE_SIZE, rows_for=selectors.class_list_rows).get_page(request.GET.get("page"))
    return render(
        request,
        "classes/institution_detail.html",
        {
            "institution": institution,
            "page": page,
            "licensed_occupations": institution.licensed_occupations.all(),
        },
    )
