"""Staff pages of the demand catalogue (league keeps it, everyone reads it) and of the training wishes
(county and league staff only). Each view reads through a selector and writes through a service."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from xingan_training.errors import ServiceError

from .. import demand, demand_selectors as selectors
from ..forms.demand import CatalogueEndForm, CatalogueEntryForm, CatalogueFilterForm, NotifyForm, PeriodForm, WishFilterForm

PAGE_SIZE = 25


def _visible_entry(request, pk):
    return get_object_or_404(selectors.catalogue_entries_visible_to(request.user).select_related("occupation"), pk=pk)


def _require_wish_reader(request):
    # Wishes are personal data for the bureaus only: anyone else gets the same 404 as for a missing page.
    if not selectors.can_read_wishes(request.user):
        raise Http404


@login_required
def catalogue_list(request):
    today = timezone.localdate()
    form = CatalogueFilterForm(request.GET or None)
    entries = selectors.catalogue_list_for(request.user, today=today, **form.filters())
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/catalogue_list.html", {
        "form": form, "page": page, "today": today, "can_manage": demand.can_manage_catalogue(request.user),
    })


@login_required
def catalogue_detail(request, pk):
    entry = _visible_entry(request, pk)
    today = timezone.localdate()
    can_manage = demand.can_manage_catalogue(request.user, entry) and entry.ended_at is None and entry.valid_to >= today
    return render(request, "supervision/catalogue_detail.html", {
        "entry": entry, "today": today, "history": selectors.catalogue_entry_history(entry),
        "can_edit": can_manage, "can_end": can_manage and entry.valid_from <= today,
    })


@login_required
def catalogue_create(request):
    if not demand.can_manage_catalogue(request.user):
        raise Http404
    form = CatalogueEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = demand.catalogue_entry_create(actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"已发布目录条目：{entry.occupation}。")
            return redirect("supervision:catalogue_detail", pk=entry.pk)
    return render(request, "supervision/catalogue_form.html", {"form": form, "title": "发布培训需求目录条目"}, status=400 if form.errors else 200)


@login_required
def catalogue_edit(request, pk):
    entry = _visible_entry(request, pk)
    if not demand.can_manage_catalogue(request.user, entry):
        raise Http404
    form = CatalogueEntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        try:
            demand.catalogue_entry_update(actor=request.user, entry=entry, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "目录条目已保存。")
            return redirect("supervision:catalogue_detail", pk=entry.pk)
    return render(request, "supervision/catalogue_form.html", {
        "form": form, "title": f"修改目录条目：{entry.occupation}", "entry": entry,
    }, status=400 if form.errors else 200)


@login_required
def catalogue_end(request, pk):
    entry = _visible_entry(request, pk)
    if not demand.can_manage_catalogue(request.user, entry):
        raise Http404
    today = timezone.localdate()
    form = CatalogueEndForm(request.POST or None, initial={"last_day": max(today, entry.valid_from)})
    if request.method == "POST" and form.is_valid():
        try:
            demand.catalogue_entry_end(actor=request.user, entry=entry, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"目录条目已终止，最后有效日为 {form.cleaned_data['last_day']:%Y-%m-%d}。")
            return redirect("supervision:catalogue_detail", pk=entry.pk)
    return render(request, "supervision/catalogue_end.html", {"form": form, "entry": entry}, status=400 if form.errors else 200)


def _period(form: PeriodForm, today: date) -> dict:
    """The chosen period and county; this year so far when nothing (or nothing valid) was chosen."""
    if not form.is_bound or not form.is_valid():
        return {"date_from": date(today.year, 1, 1), "date_to": today, "county": None}
    data = form.cleaned_data
    return {"date_from": data.get("date_from"), "date_to": data.get("date_to"), "county": data.get("county")}


@login_required
def demand_overview(request):
    _require_wish_reader(request)
    today = timezone.localdate()
    counties = selectors.wish_counties_visible_to(request.user)
    form = PeriodForm(request.GET or None, counties=counties, initial={"date_from": date(today.year, 1, 1), "date_to": today})
    period = _period(form, today)
    categories, rows = selectors.demand_per_occupation(request.user, today=today, **period)
    totals = [sum(row.counts[index] for row in rows) for index in range(len(categories))]
    return render(request, "supervision/demand_overview.html", {
        "form": form, "categories": categories, "rows": rows, "totals": totals, "period": period,
        "grand_total": sum(row.total for row in rows), "told_total": sum(row.told for row in rows),
    })


@login_required
def wish_list(request):
    _require_wish_reader(request)
    today = timezone.localdate()
    counties = selectors.wish_counties_visible_to(request.user)
    form = WishFilterForm(request.GET or None, counties=counties)
    wishes = selectors.training_wish_list_for(request.user, **form.filters())
    page = Paginator(wishes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/wish_list.html", {
        "form": form, "page": page, "today": today, "can_tell": demand.can_tell_registrants(request.user),
    })


@login_required
@require_POST
@sensitive_variables("phone")
def wish_reveal(request, pk):
    _require_wish_reader(request)
    wish = get_object_or_404(selectors.training_wishes_visible_to(request.user).select_related("occupation", "county"), pk=pk)
    phone = demand.training_wish_reveal_phone(actor=request.user, wish=wish, request=request)
    return render(request, "supervision/wish_reveal.html", {"wish": wish, "phone": phone})


@login_required
@require_POST
def wish_notify(request):
    """Two steps: the list posts the ticked registrants (confirmation page); the confirmation posts the class."""
    if not demand.can_tell_registrants(request.user):
        raise Http404
    today = timezone.localdate()
    visible = selectors.training_wishes_visible_to(request.user).select_related("occupation", "category")
    chosen = visible.filter(pk__in=[value for value in request.POST.getlist("wishes") if value.isdigit()])
    codes = sorted(set(chosen.values_list("occupation__code", flat=True)))
    classes = selectors.classes_matching_wishes(
        request.user, county_id=request.user.region_id, occupation_code=codes[0] if codes else "", today=today
    )
    if len(codes) != 1:
        classes = classes.none()
    form = NotifyForm(request.POST, wishes=visible, classes=classes)
    is_confirming = "confirm" in request.POST
    if form.is_valid():
        if len(codes) > 1:
            form.add_error(None, "所选人员的意向职业（工种）不同，请按职业分别通知。")
        elif is_confirming and form.cleaned_data["training_class"] is None:
            form.add_error("training_class", "请选择通知参加的培训班。")
        elif is_confirming:
            training_class = form.cleaned_data["training_class"]
            try:
                count = demand.training_wishes_mark_told(
                    actor=request.user, wishes=form.cleaned_data["wishes"], training_class=training_class
                )
            except ServiceError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"已记录：通知 {count} 人参加培训班 {training_class.batch_number}。")
                return redirect("supervision:wish_list")
    return render(request, "supervision/wish_notify.html", {
        "form": form, "wishes": chosen, "has_classes": classes.exists(),
    }, status=400 if form.errors else 200)
