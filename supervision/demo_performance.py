"""Demo data of the institutions' yearly performance and the red/black list (policy §8.7), for seed_demo.

Runs after the other demo data (institutions, classes and their stories, the teacher pool). The league's demo officer
evaluates every institution of the league for the demo year through the services, from what the portal draws; then
decides three entries: one black entry (the institution whose falsification was confirmed) and one red entry, both
published, and one red entry kept unpublished. Idempotent: an evaluation or a decision already there is kept.
"""

import random

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import Role, User
from classes.models import Institution, Region, TrainingClass
from evaluations import rules as evaluation_rules
from evaluations.models import Investigation

from . import performance as services
from .models import InstitutionEvaluation, ListDecision
from .performance_selectors import STARTED_CLASS_STATUSES, default_evaluation_date, institution_year_evidence

LEAGUE_CODE = "152200"
SYSTEM_NOTES = {
    "excellent": "教学、学员、考勤、财务和档案管理制度齐全，执行记录完整。",
    "good": "各项管理制度基本健全，个别制度的执行记录不够完整。",
    "fair": "缺少学员考勤和实操管理细则，已要求补充完善。",
}
FOLLOWUP_NOTES = {
    "excellent": "结业后按月回访，就业跟踪档案建立及时、内容完整。",
    "good": "建立了就业跟踪档案，少数学员的去向更新不够及时。",
    "fair": "跟踪回访不够及时，部分学员就业去向未记录，需加强。",
}
BLACK_NOTE = "依据自治区人力资源和社会保障厅2024年1月25日通知第四部分第（二）项，列入黑名单，退出政府补贴性职业培训机构目录。"
RED_NOTE = "该年度培训班评价均为优秀或合格，培训后就业率不低于全盟平均水平，列入红名单。"
RED_PENDING_NOTE = "培训质量和就业效果较好，拟列入红名单，待现场检查后公布。"


@transaction.atomic
def seed_performance_demo(rng: random.Random) -> dict[str, int]:
    league = Region.objects.get(code=LEAGUE_CODE)
    officer = User.objects.filter(role=Role.LEAGUE, region=league).order_by("pk").first()
    if officer is None:
        raise ValueError("请先运行 seed_demo 创建盟级演示账号。")
    today = timezone.localdate()
    year = _demo_year(league, today)
    institutions = list(Institution.objects.filter(county__parent=league).order_by("county__code", "name", "pk"))
    evidence = institution_year_evidence(officer, [institution.pk for institution in institutions], year=year, today=today)
    evaluations = {}
    for institution in institutions:
        evaluation = InstitutionEvaluation.objects.filter(institution=institution, year=year).first()
        if evaluation is None:
            ratings, notes = _judgement(evidence[institution.pk], rng)
            evaluation = services.institution_evaluation_save(
                actor=officer, institution=institution, year=year, ratings=ratings, notes=notes,
                evaluated_on=default_evaluation_date(year, today), summary="",
            )
        evaluations[institution.pk] = evaluation
    if not ListDecision.objects.filter(evaluation__year=year, evaluation__institution__county__parent=league).exists():
        _decide(officer, institutions, evidence, evaluations, today)
    return {
        "evaluations": InstitutionEvaluation.objects.filter(year=year).count(),
        "decisions": ListDecision.objects.filter(evaluation__year=year).count(),
        "published": ListDecision.objects.filter(evaluation__year=year, is_published=True).count(),
    }


def _demo_year(league: Region, today) -> int:
    """The year of the confirmed falsification, so that the black entry has its reason; else the busiest year."""
    falsification = (
        Investigation.objects.filter(status=Investigation.Status.CONFIRMED, is_falsification=True,
                                     training_class__institution__county__parent=league)
        .order_by("-concluded_at").values_list("training_class__start_date", flat=True).first()
    )
    if falsification is not None:
        return falsification.year
    busiest = (
        TrainingClass.objects.filter(institution__county__parent=league, status__in=STARTED_CLASS_STATUSES)
        .values("start_date__year").annotate(total=Count("id")).order_by("-total", "-start_date__year").first()
    )
    return busiest["start_date__year"] if busiest else today.year


def _judgement(evidence, rng: random.Random) -> tuple[dict[str, str], dict[str, str]]:
    """Ratings and notes an officer would write beside the evidence."""
    counts = dict((conclusion, count) for conclusion, _label, count in evidence.conclusions)
    system = rng.choices(("excellent", "good", "fair"), weights=(3, 6, 1))[0]
    followup = rng.choices(("excellent", "good", "fair"), weights=(3, 5, 2))[0]
    if evidence.classes >= 5:
        scale = "excellent"
    elif evidence.classes >= 3:
        scale = "good"
    else:
        scale = "fair" if evidence.classes else "poor"
    blemished = sum(counts.get(conclusion, 0) for conclusion in (
        evaluation_rules.CONCLUSION_RECTIFYING, evaluation_rules.CONCLUSION_UNDER_INVESTIGATION))
    if evidence.falsifications or counts.get(evaluation_rules.CONCLUSION_FAILED):
        process = "poor"
        process_note = f"{counts.get(evaluation_rules.CONCLUSION_FAILED, 0)}个培训班核查属实、评为不合格，过程管理存在严重问题。"
    elif blemished:
        process = "fair"
        process_note = f"{blemished}个培训班需整改或待核查，培训过程组织管理有待加强。"
    elif counts.get(evaluation_rules.CONCLUSION_OUTSTANDING, 0) * 2 >= max(evidence.classes, 1):
        process = "excellent"
        process_note = f"{counts.get(evaluation_rules.CONCLUSION_OUTSTANDING, 0)}个培训班评为优秀，过程管理规范。"
    else:
        process = "good"
        process_note = "培训班均评为合格以上，签到、教学日志等过程资料基本齐全。"
    graded = evidence.facts.graded_groups
    if not graded:
        employment, employment_note = "fair", "暂无结业学员的就业数据，下年度重点核查就业跟踪情况。"
    elif any(group.is_below_average for group in graded):
        employment = "fair"
        employment_note = "就业率低于全盟平均水平：" + "；".join(group.describe() for group in graded if group.is_below_average)
    else:
        employment = "good"
        employment_note = "就业率不低于全盟平均水平：" + "；".join(group.describe() for group in graded)
    ratings = {"system_building": system, "training_scale": scale, "process_management": process,
               "followup_service": followup, "employment_after_training": employment}
    notes = {
        "system_building": SYSTEM_NOTES[system],
        "training_scale": f"全年开班{evidence.classes}个，培训学员{evidence.enrolled}人（结业{evidence.completed}人）。",
        "process_management": process_note,
        "followup_service": FOLLOWUP_NOTES[followup],
        "employment_after_training": employment_note,
    }
    return ratings, notes


def _decide(officer: User, institutions, evidence, evaluations, today) -> None:
    def goodness(institution):
        facts = evidence[institution.pk].facts
        return (bool(evidence[institution.pk].red_reasons), facts.conclusions.get(evaluation_rules.CONCLUSION_OUTSTANDING, 0),
                evidence[institution.pk].classes, -institution.pk)

    # Black: the institution whose falsification was confirmed (seed_demo gives that case to an institution without
    # a demo login, which thus keeps the right to open classes).
    black = next((institution for institution in institutions if evidence[institution.pk].falsifications), None)
    if black is not None:
        services.list_decision_record(
            actor=officer, evaluation=evaluations[black.pk], listing=ListDecision.Listing.BLACK, decided_on=today,
            reason=f"{evidence[black.pk].black_reasons[0]}。{BLACK_NOTE}", publish=True,
        )
    clean = [institution for institution in institutions
             if institution != black and not evidence[institution.pk].black_reasons
             and institution.catalogue_status == Institution.CatalogueStatus.LISTED]
    ranked = sorted(clean, key=goodness, reverse=True)
    for institution, publish, note in zip(ranked, (True, False), (RED_NOTE, RED_PENDING_NOTE)):
        services.list_decision_record(
            actor=officer, evaluation=evaluations[institution.pk], listing=ListDecision.Listing.RED, decided_on=today,
            reason=note, publish=publish,
        )
