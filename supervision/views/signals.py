"""Pages of the fraud signals (policy §8.4): the county's (league's) list, a class's signals, the dismissal.

County and league staff only: anyone else gets the same 404 as for a missing page; league staff, who read but do
not dismiss, get 403 on the dismissal. Reads go through
supervision.signal_selectors, the dismissal through supervision.fraud_signals.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from classes.selectors import classes_visible_to, counties_visible_to, institutions_visible_to
from xingan_training.errors import ServiceError

from .. import fraud_signals
from .. import signal_selectors as selectors
from ..forms.signals import SignalDismissForm, SignalFilterForm

PAGE_SIZE = 25


def _require_reader(request) -> None:
    if not selectors.can_read_signals(request.user):
        raise Http404


@login_required
def signal_list(request):
    _require_reader(request)
    form = SignalFilterForm(
        request.GET, counties=counties_visible_to(request.user), institutions=institutions_visible_to(request.user)
    )
    page = Paginator(selectors.signal_list_for(request.user, **form.filters()), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/signals/signal_list.html", {
        "form": form, "page": page, "rows": selectors.with_evidence(request.user, page.object_list),
        "counts": selectors.signal_status_counts(request.user),
        "can_dismiss": fraud_signals.can_dismiss_signals(request.user),
    })


@login_required
def class_signals(request, pk):
    _require_reader(request)
    training_class = get_object_or_404(
        classes_visible_to(request.user).select_related("institution__county", "occupation"), pk=pk
    )
    return render(request, "supervision/signals/class_signals.html", {
        "training_class": training_class,
        "rows": selectors.with_evidence(request.user, selectors.class_signals_for(request.user, training_class)),
        "can_dismiss": fraud_signals.can_dismiss_signals(request.user),
    })


@login_required
def signal_dismiss(request, pk):
    """GET: the evidence and the form (reason and confirmation); POST: the dismissal, back to the class's page."""
    _require_reader(request)
    signal = get_object_or_404(
        selectors.fraud_signals_visible_to(request.user).select_related("training_class__institution__county"), pk=pk
    )
    if not fraud_signals.can_dismiss_signals(request.user):
        raise PermissionDenied  # league staff read the signal but do not dismiss (fraud_signals.can_dismiss_signals)
    form = SignalDismissForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            fraud_signals.fraud_signal_dismiss(actor=request.user, signal=signal, reason=form.cleaned_data["reason"])
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"已核销疑点：{signal.get_kind_display()}。")
            return redirect("supervision:class_signals", pk=signal.training_class_id)
    return render(request, "supervision/signals/signal_dismiss.html", {
        "signal": signal, "training_class": signal.training_class,
        "row": selectors.with_evidence(request.user, [signal])[0], "form": form,
        "is_dismissed": signal.dismissed_at is not None,
    }, status=400 if form.errors else 200)
