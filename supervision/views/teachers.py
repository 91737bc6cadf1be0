"""Pages of the teacher pool and of a class's teachers. Each view reads through a selector, writes through a service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from classes.selectors import classes_visible_to
from xingan_training.errors import ServiceError
from xingan_training.pagination import ScaledPaginator

from .. import teacher_selectors as selectors, teachers as services
from ..forms.teachers import ClassTeachersForm, TeacherFilterForm, TeacherProposalForm, TeacherRejectForm

PAGE_SIZE = 25


def _visible_teacher(request, pk):
    return get_object_or_404(selectors.teachers_visible_to(request.user).select_related("proposed_by_institution"), pk=pk)


@login_required
def teacher_list(request):
    form = TeacherFilterForm(request.GET or None)
    teachers = selectors.teacher_list_for(request.user, **form.filters())
    page = ScaledPaginator(teachers, PAGE_SIZE, rows_for=selectors.teacher_list_rows).get_page(request.GET.get("page"))
    return render(request, "supervision/teacher_list.html", {
        "form": form, "page": page,
        "can_propose": services.can_propose_teacher(request.user),
        "can_review": services.can_review_teachers(request.user),
    })


@login_required
@sensitive_post_parameters("id_number")
def teacher_propose(request):
    if not services.can_propose_teacher(request.user):
        raise Http404
    form = TeacherProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            teacher = services.teacher_propose(actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"已推荐教师 {teacher.name}，等待盟级确认入库。")
            return redirect("supervision:teacher_detail", pk=teacher.pk)
    return render(request, "supervision/teacher_propose.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def teacher_queue(request):
    if not services.can_review_teachers(request.user):
        raise Http404
    page = Paginator(selectors.teacher_queue_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/teacher_queue.html", {"page": page, "reject_form": TeacherRejectForm()})


@login_required
def teacher_detail(request, pk):
    teacher = _visible_teacher(request, pk)
    visible_classes = classes_visible_to(request.user)
    assignments = (
        selectors.class_teachers_visible_to(request.user).filter(teacher=teacher)
        .select_related("training_class__institution__county", "training_class__occupation")
        .order_by("-training_class__start_date")
    )
    visible_ids = set(visible_classes.filter(teacher_assignments__teacher=teacher).values_list("pk", flat=True))
    conflicts = [
        {
            "first": conflict.first_class if conflict.first_class.pk in visible_ids else None,
            "second": conflict.second_class if conflict.second_class.pk in visible_ids else None,
        }
        for conflict in selectors.teacher_conflicts([teacher.pk])
        if {conflict.first_class.pk, conflict.second_class.pk} & visible_ids
    ]
    return render(request, "supervision/teacher_detail.html", {
        "teacher": teacher, "assignments": assignments, "conflicts": conflicts,
        "occupations": teacher.occupations.all(),
        "can_reveal": services.can_reveal_teacher_id(request.user, teacher),
        "can_review": services.can_review_teachers(request.user) and teacher.status == teacher.Status.PROPOSED,
        "reject_form": TeacherRejectForm(),
    })


@login_required
@require_POST
@sensitive_variables("id_number")
def teacher_reveal(request, pk):
    teacher = _visible_teacher(request, pk)
    if not services.can_reveal_teacher_id(request.user, teacher):
        raise Http404
    id_number = services.teacher_reveal_id_number(actor=request.user, teacher=teacher, request=request)
    return render(request, "supervision/teacher_reveal.html", {"teacher": teacher, "id_number": id_number})


@login_required
@require_POST
def teacher_confirm(request, pk):
    teacher = _visible_teacher(request, pk)
    if not services.can_review_teachers(request.user):
        raise Http404
    try:
        services.teacher_confirm(actor=request.user, teacher=teacher)
        messages.success(request, f"教师 {teacher.name} 已确认入库。")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("supervision:teacher_queue")


@login_required
@require_POST
def teacher_reject(request, pk):
    teacher = _visible_teacher(request, pk)
    if not services.can_review_teachers(request.user):
        raise Http404
    form = TeacherRejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写未通过的原因（不超过500字）。")
        return redirect("supervision:teacher_queue")
    try:
        services.teacher_reject(actor=request.user, teacher=teacher, reason=form.cleaned_data["reason"])
        messages.success(request, f"已退回对教师 {teacher.name} 的推荐。")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("supervision:teacher_queue")


@login_required
def class_teachers(request, pk):
    training_class = get_object_or_404(classes_visible_to(request.user).select_related("institution__county", "occupation"), pk=pk)
    can_assign = services.can_assign_teachers(request.user, training_class)
    assignments = (
        selectors.class_teachers_visible_to(request.user).filter(training_class=training_class)
        .select_related("teacher", "assigned_by").prefetch_related("teacher__occupations").order_by("teacher__name")
    )
    form = None
    if can_assign:
        form = ClassTeachersForm(
            request.POST or None, pool=selectors.confirmed_teachers_for_class(request.user, training_class),
            initial={"teachers": [assignment.teacher_id for assignment in assignments]},
        )
    elif request.method == "POST":
        raise Http404
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.class_teachers_assign(actor=request.user, training_class=training_class, teachers=form.cleaned_data["teachers"])
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "授课教师已保存。")
            return redirect("supervision:class_teachers", pk=pk)
    return render(request, "supervision/class_teachers.html", {
        "training_class": training_class, "assignments": assignments, "form": form,
    }, status=400 if form is not None and form.errors else 200)
