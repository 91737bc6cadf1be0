"""Pages of the departments' lists (policy §8.2): league staff only; everyone else gets a 404, as for a page
that does not exist. Numbers are masked; a full ID number is shown only on an audited reveal."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from classes.spreadsheets import build_workbook, workbook_bytes
from xingan_training.downloads import XLSX, file_response
from xingan_training.errors import ServiceError

from .. import department_list_file, department_list_selectors as selectors, department_lists as services
from ..forms.opening import DepartmentListFilterForm, DepartmentListImportForm, EntrySearchForm

PAGE_SIZE = 25
ENTRIES_PER_PAGE = 50


def _require_list_reader(request):
    if not selectors.can_read_department_lists(request.user):
        raise Http404


def _visible_list(request, pk):
    return get_object_or_404(selectors.department_lists_visible_to(request.user).select_related("kind", "imported_by"), pk=pk)


@login_required
def department_list_list(request):
    _require_list_reader(request)
    form = DepartmentListFilterForm(request.GET or None)
    lists = selectors.department_list_overview_for(request.user, **form.filters())
    page = Paginator(lists, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/opening/department_lists.html", {
        "form": form, "page": page, "kinds": selectors.department_list_kinds(),
        "can_import": selectors.can_manage_department_lists(request.user),
    })


@login_required
def department_list_import(request):
    if not selectors.can_manage_department_lists(request.user):
        raise Http404
    form = DepartmentListImportForm(request.POST or None, request.FILES or None)
    row_errors, row_error_total = [], 0
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            department_list = services.department_list_import(
                actor=request.user, kind=form.cleaned_data["kind"], source_department=form.cleaned_data["source_department"],
                list_date=form.cleaned_data["list_date"], file_name=upload.name,
                data=upload.read(settings.DEPARTMENT_LIST_UPLOAD_MAX_BYTES + 1), request=request,
            )
        except services.ListRowsError as error:
            form.add_error("file", error.message)
            row_errors, row_error_total = error.errors[:200], len(error.errors)
        except ServiceError as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, f"已导入{department_list.kind.name}名单 {department_list.row_count} 人。")
            return redirect("supervision:department_list_detail", pk=department_list.pk)
    return render(request, "supervision/opening/department_list_import.html", {
        "form": form, "row_errors": row_errors, "row_error_total": row_error_total,
        "kinds": selectors.department_list_kinds(),
    }, status=400 if form.errors else 200)


@login_required
def department_list_template(request):
    if not selectors.can_manage_department_lists(request.user):
        raise Http404
    headers = [label for _key, label in department_list_file.COLUMNS]
    workbook = build_workbook(title="部门名单", headers=headers, rows=[[None, None]] * 200, text_columns=(1,))
    return file_response(workbook_bytes(workbook), "部门名单模板.xlsx", XLSX)


@login_required
def department_list_detail(request, pk):
    department_list = _visible_list(request, pk)
    form = EntrySearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    entries = selectors.department_list_entries_of(department_list, query=query)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "supervision/opening/department_list_detail.html", {
        "department_list": department_list, "form": form, "page": page, "query": query,
        "can_reveal": selectors.can_reveal_department_list_entries(request.user),
    })


@login_required
@require_POST
@sensitive_variables("id_number")
def department_list_entry_reveal(request, pk, entry_pk):
    department_list = _visible_list(request, pk)
    if not selectors.can_reveal_department_list_entries(request.user):
        raise Http404
    entry = get_object_or_404(selectors.department_list_entries_visible_to(request.user).filter(department_list=department_list),
                              pk=entry_pk)
    id_number = services.department_list_entry_reveal(actor=request.user, entry=entry, request=request)
    return render(request, "supervision/opening/department_list_reveal.html", {
        "department_list": department_list, "entry": entry, "id_number": id_number,
    })
