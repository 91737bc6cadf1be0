"""Pages of the evaluation and review chain. Reads through selectors, writes through services."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.security import client_ip
from classes.filters import TrainingClassFilter
from classes.selectors import classes_visible_to, enrollments_visible_to
from followups.selectors import followup_contradictions_for
from xingan_training.errors import ServiceError
from xingan_training.pagination import ScaledPaginator

from . import rules, selectors, services, throttling
from .forms import (
    CommendationPeriodForm,
    ClassAssessmentForm,
    CountyVerificationForm,
    EvidenceForm,
    InvestigationConcludeForm,
    InvestigationOpenForm,
    PaperEntryForm,
    ReasonForm,
    RectificationForm,
    TraineeEvaluationForm,
    TraineeIdentityForm,
)
from .items import CLASS_ITEM_FIELDS, CLASS_ITEMS, DATA_NOTICE, FORM_2_TITLE, TRAINEE_ITEM_FIELDS
from .models import ClassAssessment, ClassReview, EvaluationLink, Rating, TraineeEvaluation
from .permissions import review_actions_for

QUEUE_PAGE_SIZE = 25
COMMENDATION_PAGE_SIZE = 50


def _visible_class(request, pk):
    return get_object_or_404(classes_visible_to(request.user).select_related("institution__county", "occupation"), pk=pk)


def _review_of(training_class) -> ClassReview | None:
    return ClassReview.objects.filter(training_class=training_class).first()


def _back(pk):
    return redirect("evaluations:class_evaluation", pk=pk)


def _run(request, pk, action, success: str):
    """Calls a service for a POST button; a refusal is shown on the class's evaluation page."""
    try:
        action()
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return _back(pk)


def _trainee_link_url(request, link: EvaluationLink) -> str:
    return request.build_absolute_uri(reverse("trainee_form_public", args=[link.token]))


def _qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=8, border=2)


@login_required
def class_evaluation(request, pk):
    training_class = _visible_class(request, pk)
    review = _review_of(training_class)
    actions = review_actions_for(request.user, training_class, review)
    assessments = {item.party: item for item in ClassAssessment.objects.filter(review=review)} if review else {}
    active_link = (
        selectors.evaluation_links_visible_to(request.user)
        .filter(training_class=training_class, revoked_at__isnull=True)
        .first()
    )
    link_url = _trainee_link_url(request, active_link) if active_link else ""
    forms = (
        selectors.trainee_evaluations_visible_to(request.user)
        .filter(enrollment__training_class=training_class)
        .select_related("enrollment__trainee", "entered_by")
        .order_by("-is_valid", "enrollment_id")
    )
    summary = selectors.class_evaluation_summary(training_class)
    return render(
        request,
        "evaluations/class_evaluation.html",
        {
            "training_class": training_class,
            "review": review,
            "summary": summary if actions.can_see_rating_counts else None,
            "contradictions": summary.contradictions if actions.can_see_trainee_forms else [],
            "followup_findings": followup_contradictions_for(training_class, user=request.user),
            "suggestions": selectors.class_suggestions(training_class) if actions.can_see_rating_counts else [],
            "self_assessment": assessments.get(ClassAssessment.Party.INSTITUTION),
            "county_assessment": assessments.get(ClassAssessment.Party.COUNTY),
            "item_rows": _item_rows(assessments),
            "actions": actions,
            "events": review.events.select_related("actor") if review else [],
            "forms": forms if actions.can_see_trainee_forms else [],
            "active_link": active_link,
            "link_url": link_url,
            "link_qr": _qr_data_uri(link_url) if link_url else "",
            "window_open": services.evaluation_window_is_open(training_class),
            "needs_coverage_reason": actions.can_forward and services.forwarding_needs_coverage_reason(training_class),
            "notices": training_class.rectification_notices.select_related("issued_by", "closed_by"),
            "investigations": training_class.investigations.select_related("opened_by", "concluded_by"),
            "blockers": services.forwarding_blockers(training_class) if review and review.status == ClassReview.Status.COUNTY_VERIFIED else [],
            "return_form": ReasonForm(),
            "reopen_form": ReasonForm(),
            "rectification_form": RectificationForm(),
            "evidence_form": EvidenceForm(),
            "investigation_open_form": InvestigationOpenForm(),
            "conclude_form": InvestigationConcludeForm(),
        },
    )


def _item_rows(assessments: dict) -> list[tuple[str, str, str]]:
    own = assessments.get(ClassAssessment.Party.INSTITUTION)
    county = assessments.get(ClassAssessment.Party.COUNTY)
    labels = dict(Rating.choices)

    def label(assessment, name):
        return labels.get(getattr(assessment, name), "") if assessment else ""

    rows = [
        (f"{number}、{text}", label(own, name), label(county, name))
        for number, (name, text) in enumerate(zip(CLASS_ITEM_FIELDS, CLASS_ITEMS), 1)
    ]
    return rows + [("综合评价", label(own, "overall"), label(county, "overall"))]


def _assessment_initial(review, party) -> dict:
    existing = ClassAssessment.objects.filter(review=review, party=party).first() if review else None
    initial = {"version": review.version if review else 0}
    if existing:
        initial.update({name: getattr(existing, name) for name in (*CLASS_ITEM_FIELDS, "overall", "evaluator", "evaluated_on")})
    return initial


@login_required
def self_assessment(request, pk):
    training_class = _visible_class(request, pk)
    review = _review_of(training_class)
    if not review_actions_for(request.user, training_class, review).can_self_assess:
        raise Http404
    form = ClassAssessmentForm(request.POST or None, initial=_assessment_initial(review, ClassAssessment.Party.INSTITUTION))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.self_assessment_submit(
                actor=request.user, training_class=training_class, ratings=form.ratings(), overall=data["overall"],
                evaluator=data["evaluator"], evaluated_on=data["evaluated_on"], version=data["version"],
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "自评已提交，等待旗县市人社部门评价核实。")
            return _back(pk)
    return render(request, "evaluations/assessment_form.html", {
        "training_class": training_class, "form": form, "title": "承训机构自评（附表1）",
    })


@login_required
def county_verification(request, pk):
    training_class = _visible_class(request, pk)
    review = _review_of(training_class)
    if not review_actions_for(request.user, training_class, review).can_verify:
        raise Http404
    initial = _assessment_initial(review, ClassAssessment.Party.COUNTY)
    if review and review.verified_on:
        initial.update(is_qualified="true" if review.is_qualified else "false", passing_trainees=review.passing_trainees,
                       responsible_person=review.responsible_person, verified_on=review.verified_on,
                       unqualified_reason=review.unqualified_reason)
    form = CountyVerificationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.county_verification_submit(
                actor=request.user, training_class=training_class, ratings=form.ratings(), overall=data["overall"],
                evaluator=data["evaluator"], evaluated_on=data["evaluated_on"], is_qualified=data["is_qualified"],
                passing_trainees=data["passing_trainees"], responsible_person=data["responsible_person"],
                verified_on=data["verified_on"], version=data["version"],
                unqualified_reason=data["unqualified_reason"],
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "评价核实已保存，可以上报盟级复核。")
            return _back(pk)
    return render(request, "evaluations/assessment_form.html", {
        "training_class": training_class, "form": form, "title": "旗县市人社部门评价与核实（附表1）",
        "summary": selectors.class_evaluation_summary(training_class), "review": review,
    })


@login_required
@require_POST
def forward(request, pk):
    training_class = _visible_class(request, pk)
    version = request.POST.get("version")
    return _run(request, pk, lambda: services.review_forward(
        actor=request.user, training_class=training_class, version=int(version) if version and version.isdigit() else None,
        coverage_reason=request.POST.get("coverage_reason", "")[:2000],
    ), "已上报盟人力资源和就业服务中心复核。")


@login_required
@require_POST
def approve(request, pk):
    training_class = _visible_class(request, pk)
    return _run(request, pk, lambda: services.review_approve(actor=request.user, training_class=training_class), "复核通过，记录已锁定。")


@login_required
@require_POST
def return_to_county(request, pk):
    training_class = _visible_class(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _run(request, pk, lambda: services.review_return(actor=request.user, training_class=training_class, reason=reason), "已退回旗县市人社部门。")


@login_required
@require_POST
def reopen(request, pk):
    training_class = _visible_class(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _run(request, pk, lambda: services.review_reopen(actor=request.user, training_class=training_class, reason=reason),
                "已撤销复核，培训班退回旗县市人社部门重新评价核实。")


def _participation_initial(training_class) -> dict:
    """附表2's participation facts start from the class record; the trainee corrects what differs."""
    return {
        "organiser_name": training_class.institution.name,
        "occupation_name": training_class.occupation.name,
        "attended_from": training_class.start_date,
        "attended_to": training_class.end_date,
    }


@login_required
def paper_entry(request, pk):
    training_class = _visible_class(request, pk)
    review = _review_of(training_class)
    if not review_actions_for(request.user, training_class, review).can_enter_paper:
        raise Http404
    pending = selectors.enrollments_awaiting_form(enrollments_visible_to(request.user).filter(training_class=training_class))
    query = request.GET.get("q", "").strip()[:40]
    choices = selectors.enrollments_matching(pending, query) if query else pending
    form = PaperEntryForm(request.POST or None, enrollments=pending if request.method == "POST" else choices,
                          initial=_participation_initial(training_class))
    if request.method == "POST" and form.is_valid():
        try:
            services.trainee_evaluation_enter_paper(
                actor=request.user, enrollment=form.cleaned_data["enrollment"], answers=form.answers()
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"已录入 {form.cleaned_data['enrollment'].trainee.name} 的纸质评价表。")
            return redirect("evaluations:paper_entry", pk=pk)
    return render(request, "evaluations/paper_entry.html", {
        "training_class": training_class, "form": form, "remaining": pending.count(), "query": query,
    })


@login_required
def trainee_evaluation_detail(request, evaluation_pk):
    evaluation = get_object_or_404(
        selectors.trainee_evaluations_visible_to(request.user).select_related("enrollment__trainee", "enrollment__training_class", "entered_by"),
        pk=evaluation_pk,
    )
    training_class = evaluation.enrollment.training_class
    return render(request, "evaluations/trainee_evaluation_detail.html", {
        "evaluation": evaluation, "training_class": training_class,
        "actions": review_actions_for(request.user, training_class, _review_of(training_class)),
        "rows": _trainee_form_rows(evaluation),
    })


def _trainee_form_rows(evaluation: TraineeEvaluation) -> list[tuple[str, str]]:
    rows = [(evaluation._meta.get_field(name).verbose_name, getattr(evaluation, f"get_{name}_display")()) for name in TRAINEE_ITEM_FIELDS]
    rows += [
        ("9、对培训的意见建议", evaluation.suggestions),
        ("综合评价情况", evaluation.get_overall_display()),
        ("本人是否完成此次培训", "是" if evaluation.completed_training else "否"),
        ("参加培训的起止日期", f"{evaluation.attended_from:%Y-%m-%d} 至 {evaluation.attended_to:%Y-%m-%d}"),
        ("参加培训的课时（天数）", f"{evaluation.attended_amount} {evaluation.get_attended_unit_display()}"),
        ("组织培训的机构", evaluation.organiser_name),
        ("培训的职业（工种、专项能力）", evaluation.occupation_name),
        ("本人确认签字", "已确认" if evaluation.is_confirmed else "未确认"),
        ("填表时间", f"{evaluation.signed_on:%Y年%-m月%-d日}"),
    ]
    return rows


@login_required
@require_POST
def mark_untruthful(request, evaluation_pk):
    evaluation = get_object_or_404(selectors.trainee_evaluations_visible_to(request.user).select_related("enrollment"), pk=evaluation_pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _run(request, evaluation.enrollment.training_class_id, lambda: services.trainee_evaluation_mark_untruthful(
        actor=request.user, evaluation=evaluation, reason=reason), "已认定不如实填报：评价表作废，取消该学员培训补贴资格。")


@login_required
@require_POST
def link_create(request, pk):
    training_class = _visible_class(request, pk)
    return _run(request, pk, lambda: services.evaluation_link_create(actor=request.user, training_class=training_class), "已生成新的评价链接和二维码，旧链接已停用。")


@login_required
@require_POST
def link_revoke(request, pk, link_pk):
    training_class = _visible_class(request, pk)
    link = get_object_or_404(selectors.evaluation_links_visible_to(request.user).filter(training_class=training_class), pk=link_pk)
    return _run(request, pk, lambda: services.evaluation_link_revoke(actor=request.user, link=link), "评价链接已停用。")


@login_required
def link_poster(request, pk):
    training_class = _visible_class(request, pk)
    if not review_actions_for(request.user, training_class, _review_of(training_class)).can_manage_link:
        raise Http404
    link = get_object_or_404(
        selectors.evaluation_links_visible_to(request.user).filter(training_class=training_class, revoked_at__isnull=True)
    )
    url = _trainee_link_url(request, link)
    return render(request, "evaluations/poster.html", {"training_class": training_class, "url": url, "qr_data_uri": _qr_data_uri(url)})


@login_required
@require_POST
def rectification_issue(request, pk):
    training_class = _visible_class(request, pk)
    form = RectificationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写整改要求和整改期限。")
        return _back(pk)
    return _run(request, pk, lambda: services.rectification_issue(actor=request.user, training_class=training_class, **form.cleaned_data), "整改通知书已下达。")


@login_required
@require_POST
def rectification_close(request, pk, notice_pk):
    training_class = _visible_class(request, pk)
    notice = get_object_or_404(selectors.rectification_notices_visible_to(request.user).filter(training_class=training_class), pk=notice_pk)
    form = EvidenceForm(request.POST)
    evidence = form.cleaned_data["evidence"] if form.is_valid() else ""
    return _run(request, pk, lambda: services.rectification_close(actor=request.user, notice=notice, evidence=evidence), "整改已销号。")


@login_required
@require_POST
def investigation_open(request, pk):
    training_class = _visible_class(request, pk)
    form = InvestigationOpenForm(request.POST)
    findings = form.cleaned_data["findings"] if form.is_valid() else ""
    return _run(request, pk, lambda: services.investigation_open(actor=request.user, training_class=training_class, findings=findings), "已立案核查。")


@login_required
@require_POST
def investigation_conclude(request, pk, investigation_pk):
    training_class = _visible_class(request, pk)
    investigation = get_object_or_404(selectors.investigations_visible_to(request.user).filter(training_class=training_class), pk=investigation_pk)
    form = InvestigationConcludeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择核查结论，并填写核查情况和理由。")
        return _back(pk)
    return _run(request, pk, lambda: services.investigation_conclude(actor=request.user, investigation=investigation, **form.cleaned_data), "核查结论已记录。")


def _queue_page(request, queryset, template, extra=None):
    class_filter = TrainingClassFilter(request.GET, queryset=queryset, request=request)
    classes = class_filter.qs if class_filter.is_valid() else queryset.none()
    page = ScaledPaginator(classes, QUEUE_PAGE_SIZE, rows_for=selectors.queue_rows).get_page(request.GET.get("page"))
    contradictions = selectors.contradiction_counts(list(page.object_list))
    rows = []
    for training_class in page.object_list:
        grade = selectors.grade_from_facts(training_class)
        rows.append({
            "training_class": training_class,
            "grade": grade,
            "conclusion": rules.CONCLUSION_LABELS[selectors.conclusion_from_facts(training_class, grade)],
            "contradictions": contradictions[training_class.pk],
        })
    return render(request, template, {"filter": class_filter, "page": page, "rows": rows, **(extra or {})})


@login_required
def county_queue(request):
    if request.user.read_role != Role.COUNTY:
        raise Http404
    return _queue_page(request, selectors.county_queue_for(request.user), "evaluations/county_queue.html")


@login_required
def league_queue(request):
    if request.user.read_role != Role.LEAGUE:
        raise Http404
    results = None
    if request.method == "POST":
        chosen = classes_visible_to(request.user).filter(pk__in=request.POST.getlist("classes")).order_by("pk")
        results = services.reviews_bulk_approve(actor=request.user, training_classes=list(chosen))
        if not results:
            messages.warning(request, "请先勾选要复核通过的培训班。")
    return _queue_page(request, selectors.league_queue_for(request.user), "evaluations/league_queue.html", {"results": results})


@login_required
def commendations(request):
    period = CommendationPeriodForm(request.GET or None, today=timezone.localdate())
    year = period.chosen_year()
    refusal = period.errors.get("year")
    if refusal:  # the list falls back to this year: so does the form, with the refusal said above it
        period = CommendationPeriodForm(None, today=timezone.localdate())
    candidates = selectors.commendation_candidates_for(request.user, year=year)
    page = ScaledPaginator(candidates, COMMENDATION_PAGE_SIZE, rows_for=selectors.commendation_rows).get_page(
        request.GET.get("page")
    )
    return render(request, "evaluations/commendations.html", {"period": period, "refusal": refusal, "page": page, "classes": page.object_list})


# The trainee's phone -------------------------------------------------------------------------------------


@never_cache  # a refused form echoes the typed ID number back: no browser or proxy may keep any answer
@sensitive_post_parameters("id_number")
def trainee_form(request, token):
    link = selectors.evaluation_link_for_trainee(token)
    if link is None:
        return render(request, "evaluations/trainee_form_closed.html", {"message": "该评价链接无效或已停用，请向培训机构或人社部门索取新的二维码。"}, status=404)
    training_class = link.training_class
    if not services.evaluation_window_is_open(training_class):
        return render(request, "evaluations/trainee_form_closed.html", {"message": "现在不在该培训班的评价时间内。"}, status=403)
    initial = _participation_initial(training_class)
    context = {"training_class": training_class, "title": FORM_2_TITLE, "notice": DATA_NOTICE, "error": ""}
    if request.method != "POST":
        # The empty form's HTML is kept in the shared cache (_unbound_form_key), so the forms (~150 fields, copied
        # per instance) are built only when the template misses it.
        return render(request, "evaluations/trainee_form.html", {
            **context, "unbound_form_key": _unbound_form_key(training_class, initial),
            "unbound_form_day": timezone.localdate().isoformat(),
            "identity": SimpleLazyObject(TraineeIdentityForm),
            "form": SimpleLazyObject(lambda: TraineeEvaluationForm(initial=initial)),
        })
    identity = TraineeIdentityForm(request.POST)
    form = TraineeEvaluationForm(request.POST, initial=initial)
    address = client_ip(request)
    if throttled := throttling.submission_refusal(link_id=link.pk, address=address):
        error, status = throttled, 429
    elif identity.is_valid() and form.is_valid():
        try:
            services.trainee_evaluation_submit_online(
                link=link, name=identity.cleaned_data["name"], id_number=identity.cleaned_data["id_number"],
                answers=form.answers(),
            )
        except services.TraineeIdentityMismatch as mismatch:
            throttling.identity_failure_record(link_id=link.pk, address=address)
            error, status = mismatch.message, 400
        except ServiceError as refusal:
            error, status = refusal.message, 400
        else:
            return render(request, "evaluations/trainee_form_done.html", {"training_class": training_class})
    else:
        error, status = "请检查标红的内容后重新提交，已填写的内容都已保留。", 400
    return render(request, "evaluations/trainee_form.html", {
        **context, "identity": identity, "form": form, "error": error, "unbound_form_key": "",
    }, status=status)


def _unbound_form_key(training_class, initial: dict) -> str:
    """The empty form's HTML holds nothing personal and is kept in the shared cache in two parts: the ratings (36
    radio buttons, the same for every class: one entry a day, ``unbound_form_day``) and the participation facts,
    whose defaults come from the class record and today's date (one entry per class and day, this key). Rendering
    the widgets was most of a GET's time; a class's first phone now renders only its own dozen.
    The key holds every value the defaults come from, so an edited class gets a fresh rendering."""
    return "|".join(str(value) for value in (training_class.pk, timezone.localdate(), *initial.values()))
