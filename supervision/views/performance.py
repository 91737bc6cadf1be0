"""Pages of the institutions' yearly performance and the red/black list (league staff only; anyone else gets 404),
and of teacher performance (each role within its scope). Each view reads through a selector, writes through a service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from classes.selectors import counties_visible_to
from xingan_training.errors import ServiceError

from .. import performance as services, performance_selectors as selectors
from ..forms.performance import (
    DecisionFilterForm,
    InstitutionEvaluationForm,
    ListDecisionForm,
    PerformanceFilterForm,
    ReasonForm,
    TeacherPerformanceFilterForm,
)
from ..models import ListDecision

PAGE_SIZE = 20
TEACHER_PAGE_SIZE = 25


def _require_league(request) -> None:
    if not selectors.can_read_institution_evaluations(request.user):
        raise Http404


def _years(request) -> list[int]:
    return selectors.years_with_classes(request.user, today=timezone.localdate())


def _institution_year(request, institution_pk: int, year: int):
    """The institution of the league staff's league, and a year the pages offer; 404 otherwise."""
    _require_league(request)
    if year not in _years(request):
        raise Http404
    institution = get_object_or_404(selectors.institutions_for_evaluation(request.user).select_related("county"), pk=institution_pk)
    return institution


def _withdraw_form():
    return ReasonForm(label="撤销原因", placeholder="如：经复查，原认定依据不足")


def _readmit_form():
    return ReasonForm(label="重新纳入目录的理由", placeholder="如：整改到位，经现场核查符合条件")


@login_required
def performance_list(request):
    _require_league(request)
    years = _years(request)
    form = PerformanceFilterForm(request.GET or None, years=years, counties=counties_visible_to(request.user))
    filters = form.filters()
    year = filters["year"]
    page = Paginator(selectors.performance_list_for(request.user, **filters), PAGE_SIZE).get_page(request.GET.get("page"))
    institutions = list(page.object_list)
    evidence = selectors.institution_year_evidence(
        request.user, [institution.pk for institution in institutions], year=year, today=timezone.localdate()
    )
    rows = [(institution, evidence[institution.pk]) for institution in institutions]
    return render(request, "supervision/performance/list.html", {
        "form": form, "page": page, "rows": rows, "year": year,
        "present_figures": [source for source in selectors.SUPPLEMENTARY_EVIDENCE if source.gather is not None],
        "absent_figures": [source for source in selectors.SUPPLEMENTARY_EVIDENCE if source.gather is None],
    })


@login_required
def performance_detail(request, pk, year):
    institution = _institution_year(request, pk, year)
    evidence = selectors.institution_year_evidence(request.user, [institution.pk], year=year, today=timezone.localdate())[institution.pk]
    evaluation = selectors.evaluation_of(request.user, institution, year)
    decisions = list(selectors.decisions_of(request.user, institution))
    standing = next((decision for decision in decisions if decision.evaluation.year == year and decision.is_standing), None)
    return render(request, "supervision/performance/detail.html", {
        "institution": institution, "year": year, "evidence": evidence, "evaluation": evaluation,
        "decisions": decisions, "standing": standing,
        "changes": selectors.catalogue_changes_of(request.user, institution),
        "can_decide": evaluation is not None and standing is None,
        "can_readmit": institution.catalogue_status != institution.CatalogueStatus.LISTED,
        "withdraw_form": _withdraw_form(), "readmit_form": _readmit_form(),
    })


@login_required
def performance_evaluate(request, pk, year):
    institution = _institution_year(request, pk, year)
    evaluation = selectors.evaluation_of(request.user, institution, year)
    today = timezone.localdate()
    if evaluation is not None:
        initial = {"evaluated_on": evaluation.evaluated_on, "summary": evaluation.summary}
        for item in evaluation.items():
            initial[item["field"]] = item["rating"]
            initial[f"{item['field']}_note"] = item["note"]
    else:
        initial = {"evaluated_on": selectors.default_evaluation_date(year, today)}
    form = InstitutionEvaluationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.institution_evaluation_save(actor=request.user, institution=institution, year=year, **form.service_arguments())
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"已保存{institution.name}{year}年度绩效评估。")
            return redirect("supervision:performance_detail", pk=institution.pk, year=year)
    evidence = selectors.institution_year_evidence(request.user, [institution.pk], year=year, today=today)[institution.pk]
    return render(request, "supervision/performance/evaluate.html", {
        "institution": institution, "year": year, "form": form, "evaluation": evaluation, "evidence": evidence,
    }, status=400 if form.errors else 200)


@login_required
def performance_decide(request, pk, year):
    institution = _institution_year(request, pk, year)
    evaluation = selectors.evaluation_of(request.user, institution, year)
    if evaluation is None:
        messages.error(request, "请先完成该机构本年度的绩效评估，再决定是否列入红黑名单。")
        return redirect("supervision:performance_detail", pk=institution.pk, year=year)
    today = timezone.localdate()
    evidence = selectors.institution_year_evidence(request.user, [institution.pk], year=year, today=today)[institution.pk]
    proposal = evidence.proposal or ListDecision.Listing.NONE
    form = ListDecisionForm(request.POST or None, initial={
        "listing": proposal, "decided_on": today, "reason": "；".join(evidence.black_reasons or evidence.red_reasons),
    })
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.list_decision_record(
                actor=request.user, evaluation=evaluation, listing=data["listing"], reason=data["reason"],
                decided_on=data["decided_on"], publish=data["publish"],
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"已记录决定：{decision.get_listing_display()}"
                                      f"{'，已公布' if decision.is_published else ''}"
                                      f"{'；该机构已退出补贴性培训机构目录' if decision.listing == ListDecision.Listing.BLACK else ''}。")
            return redirect("supervision:performance_detail", pk=institution.pk, year=year)
    return render(request, "supervision/performance/decide.html", {
        "institution": institution, "year": year, "form": form, "evaluation": evaluation, "evidence": evidence,
    }, status=400 if form.errors else 200)


def _visible_decision(request, pk) -> ListDecision:
    _require_league(request)
    return get_object_or_404(selectors.list_decisions_visible_to(request.user).select_related("evaluation"), pk=pk)


def _back_to_detail(decision: ListDecision):
    return redirect("supervision:performance_detail", pk=decision.evaluation.institution_id, year=decision.evaluation.year)


@login_required
@require_POST
def decision_publish(request, pk):
    decision = _visible_decision(request, pk)
    try:
        services.list_decision_publish(actor=request.user, decision=decision)
        messages.success(request, "已向社会公布。")
    except ServiceError as error:
        messages.error(request, error.message)
    return _back_to_detail(decision)


@login_required
@require_POST
def decision_withdraw(request, pk):
    decision = _visible_decision(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写撤销原因（不超过500字）。")
        return _back_to_detail(decision)
    try:
        services.list_decision_withdraw(actor=request.user, decision=decision, reason=form.cleaned_data["reason"])
        messages.success(request, "已撤销该决定，公开页面不再显示。撤销黑名单不会自动恢复目录资格。")
    except ServiceError as error:
        messages.error(request, error.message)
    return _back_to_detail(decision)


@login_required
@require_POST
def institution_readmit(request, pk, year):
    institution = _institution_year(request, pk, year)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写重新纳入目录的理由（不超过500字）。")
    else:
        try:
            services.institution_readmit(actor=request.user, institution=institution, reason=form.cleaned_data["reason"])
            messages.success(request, f"{institution.name}已重新纳入补贴性培训机构目录。")
        except ServiceError as error:
            messages.error(request, error.message)
    return redirect("supervision:performance_detail", pk=institution.pk, year=year)


@login_required
def decision_list(request):
    _require_league(request)
    form = DecisionFilterForm(request.GET or None, years=_years(request))
    decisions = selectors.list_decision_list_for(request.user, **form.filters())
    page = Paginator(decisions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/performance/decisions.html", {"form": form, "page": page})


@login_required
def teacher_performance(request):
    form = TeacherPerformanceFilterForm(request.GET or None, years=_years(request))
    filters = form.filters()
    page = Paginator(selectors.teacher_performance_for(request.user, **filters), TEACHER_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.teacher_performance_rows(
        request.user, list(page.object_list), year=filters["year"], first_rank=page.start_index()
    )
    return render(request, "supervision/performance/teachers.html", {
        "form": form, "page": page, "rows": rows, "year": filters["year"],
        "is_ranked": filters["sort"] in ("share", "share_asc"),
        "can_see_institutions": selectors.can_read_institution_evaluations(request.user),
        "counts_verified_only": selectors.teacher_forms_verified_only(request.user),
    })
