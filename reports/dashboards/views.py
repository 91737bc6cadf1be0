"""The dashboard page of each role: the registered figures of figures.py over a period and the chosen filters."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from classes.filters import TrainingClassFilter
from classes.selectors import classes_visible_to

from ..statistics.report import can_print_statistics
from . import figures
from .forms import PeriodForm

# The class list filters a dashboard offers, by dashboard: a county has one county, an institution one institution.
FILTERS = {
    figures.LEAGUE: ("county", "institution", "occupation", "category"),
    figures.COUNTY: ("institution", "occupation", "category"),
    figures.INSTITUTION: ("occupation", "category"),
}
TITLES = {figures.LEAGUE: "全盟统计分析", figures.COUNTY: "本旗县市统计分析", figures.INSTITUTION: "本机构统计分析"}


def _statistics_url(period) -> str:
    return f"{reverse('reports:statistics')}?{urlencode({'year': period.year, 'quarter': period.quarter or ''})}"


@login_required
def dashboard(request):
    kind = figures.dashboard_kind_for(request.user)
    if kind is None:
        raise Http404
    period_form = PeriodForm(request.GET)
    period = period_form.period()
    names = FILTERS[kind]
    class_filter = TrainingClassFilter(
        {name: request.GET.get(name, "") for name in names}, queryset=classes_visible_to(request.user), request=request
    )
    context = None
    if period is not None and class_filter.is_valid():
        context = figures.figure_context_for(
            request.user, dashboard=kind, period=period, filtered_classes=class_filter.qs,
            filter_values={name: class_filter.form.cleaned_data.get(name) for name in names},
            today=timezone.localdate(),
        )
    return render(request, "reports/dashboards/dashboard.html", {
        "title": TITLES[kind],
        "period_form": period_form,
        "filter_fields": [class_filter.form[name] for name in names],
        "filter_errors": class_filter.form.errors if class_filter.is_bound else {},
        "figure_context": context,
        "drawn_figures": figures.figures_for(context) if context else [],
        "refresh": figures.latest_refresh(),
        "not_enabled": figures.NOT_ENABLED,
        "statistics_url": _statistics_url(period) if period and can_print_statistics(request.user) else "",
    })
