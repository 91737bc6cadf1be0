"""Pages of the rectification ledger (整改清单, policy §8.6): the list, raising an item, an item with its evidence
and history, the institution's report, the raising office's send-back and closure, and the evidence files.
Each view reads through rectification_selectors and writes through rectification (the services)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from classes.selectors import classes_visible_to, institutions_visible_to
from xingan_training.errors import ServiceError
from xingan_training.pagination import ScaledPaginator

from .. import rectification as services, rectification_selectors as selectors
from ..forms.rectification import (
    RectificationCloseForm,
    RectificationEvidenceForm,
    RectificationFilterForm,
    RectificationRaiseForm,
    RectificationReasonForm,
)

PAGE_SIZE = 25


def _visible_item(request, pk):
    return get_object_or_404(
        selectors.rectification_items_visible_to(request.user).select_related(
            "institution__county", "training_class__occupation", "notice", "raised_by", "closed_by"
        ),
        pk=pk,
    )


@login_required
def rectification_list(request):
    today = timezone.localdate()
    counties = selectors.counties_for_printing(request.user)
    form = RectificationFilterForm(
        request.GET or None, counties=counties,
        institutions=institutions_visible_to(request.user).order_by("county__code", "name"),
    )
    filters = form.filters()
    items = selectors.rectification_item_list_for(request.user, today=today, **filters)
    # Page first: the page's ids from the order index, then those items with their institution, class and notice.
    page = ScaledPaginator(items, PAGE_SIZE, rows_for=lambda ids: items.filter(pk__in=ids)).get_page(request.GET.get("page"))
    return render(request, "supervision/rectification/list.html", {
        "form": form, "page": page, "rows": selectors.ledger_rows(page.object_list, today=today),
        "counts": selectors.rectification_counts_for(request.user, today=today),
        "can_raise": services.can_raise_rectification(request.user),
        "print_counties": counties,
        "selected_county": filters.get("county"),
    })


@login_required
def rectification_new(request):
    if not services.can_raise_rectification(request.user):
        raise Http404
    form = RectificationRaiseForm(
        request.POST or None, institutions=selectors.institutions_for_raising(request.user),
        classes=classes_visible_to(request.user), initial={"institution": request.GET.get("institution")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = services.rectification_item_raise(actor=request.user, **form.service_arguments())
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "整改事项已列入整改清单。")
            return redirect("supervision:rectification_detail", pk=item.pk)
    return render(request, "supervision/rectification/new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def rectification_detail(request, pk):
    item = _visible_item(request, pk)
    actions = services.rectification_actions_for(request.user, item)
    today = timezone.localdate()
    return render(request, "supervision/rectification/detail.html", {
        "item": item, "row": selectors.ledger_rows([item], today=today)[0], "actions": actions,
        "evidence_submissions": selectors.rectification_evidence_of(item),
        "events": selectors.rectification_item_events(item),
        "evidence_form": RectificationEvidenceForm(initial={
            "responsible_name": item.responsible_name, "responsible_position": item.responsible_position,
        }),
        "reason_form": RectificationReasonForm(), "close_form": RectificationCloseForm(),
    })


def _run(request, item, form, action, success: str):
    """A POST of the item page: the form validates, the service decides; a refusal shows on the page."""
    if not form.is_valid():
        messages.error(request, "；".join(error for errors in form.errors.values() for error in errors))
    else:
        try:
            action(form.cleaned_data)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, success)
    return redirect("supervision:rectification_detail", pk=item.pk)


@login_required
@require_POST
def rectification_evidence(request, pk):
    item = _visible_item(request, pk)
    return _run(request, item, RectificationEvidenceForm(request.POST, request.FILES), lambda data: services.rectification_evidence_submit(
        actor=request.user, item=item, text=data["text"], files=data["files"],
        responsible_name=data["responsible_name"], responsible_position=data["responsible_position"],
    ), f"整改情况已报送，等待{item.raising_office}销号。")


@login_required
@require_POST
def rectification_send_back(request, pk):
    item = _visible_item(request, pk)
    return _run(request, item, RectificationReasonForm(request.POST), lambda data: services.rectification_item_send_back(
        actor=request.user, item=item, reason=data["reason"]), "整改情况已退回培训机构。")


@login_required
@require_POST
def rectification_close(request, pk):
    item = _visible_item(request, pk)
    return _run(request, item, RectificationCloseForm(request.POST), lambda data: services.rectification_item_close(
        actor=request.user, item=item, note=data["note"]), "整改事项已销号。")


@login_required
def rectification_attachment(request, pk):
    """An evidence file, for whoever sees its item. Its type was decided from its content at upload; shown in the
    browser (a PDF or an image) in a sandbox, never run as a page of the portal."""
    attachment = get_object_or_404(selectors.rectification_attachments_visible_to(request.user), pk=pk)
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type,
                            filename=attachment.original_name, as_attachment=False)
    response["Content-Security-Policy"] = "sandbox"
    return response
