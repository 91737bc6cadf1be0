"""The yearly performance evaluation of institutions, the red/black list and the catalogue's history (policy §8.7,
S2 四(二)).

League staff evaluate an institution's year item by item; the portal proposes red/black list candidates beside the
evidence (supervision/rules.py); league staff decide every entry, publish it or not, and may withdraw it. A black
entry takes the institution out of the subsidised catalogue; every removal and re-admission is a row here.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from classes.models import Institution
from evaluations.models import Rating

# S2 四(二): 对制度建设、培训规模、过程管理、后续跟踪服务、培训后实现就业等内容逐项进行评估.
PERFORMANCE_ITEMS = (
    ("system_building", "制度建设"),
    ("training_scale", "培训规模"),
    ("process_management", "过程管理"),
    ("followup_service", "后续跟踪服务"),
    ("employment_after_training", "培训后就业"),
)


def _rating(label: str) -> models.CharField:
    return models.CharField(label, max_length=10, choices=Rating.choices)


def _note(label: str) -> models.CharField:
    return models.CharField(f"{label}说明", max_length=500, blank=True)


class InstitutionEvaluation(models.Model):
    """One institution's yearly performance evaluation by league staff. The year's classes are those started in it."""

    institution = models.ForeignKey(
        Institution, verbose_name="培训机构", on_delete=models.PROTECT, related_name="performance_evaluations"
    )
    year = models.PositiveSmallIntegerField("评估年度")
    # The day the evaluation speaks for: 长期不开展培训 looks back 12 months from it (policy §8.7).
    evaluated_on = models.DateField("评估日期")
    system_building = _rating("制度建设")
    system_building_note = _note("制度建设")
    training_scale = _rating("培训规模")
    training_scale_note = _note("培训规模")
    process_management = _rating("过程管理")
    process_management_note = _note("过程管理")
    followup_service = _rating("后续跟踪服务")
    followup_service_note = _note("后续跟踪服务")
    employment_after_training = _rating("培训后就业")
    employment_after_training_note = _note("培训后就业")
    summary = models.TextField("综合意见", max_length=1000, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评估人", on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField("保存时间", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "培训机构年度绩效评估"
        verbose_name_plural = "培训机构年度绩效评估"
        ordering = ["-year", "institution__name"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "year"], name="one_performance_evaluation_per_year"),
        ]

    def __str__(self):
        return f"{self.institution.name} {self.year}年度"

    def items(self) -> list[dict]:
        """The five items in the order of S2 四(二), each with its rating label and note."""
        return [
            {"field": name, "label": label, "rating": getattr(self, name),
             "rating_label": getattr(self, f"get_{name}_display")(), "note": getattr(self, f"{name}_note")}
            for name, label in PERFORMANCE_ITEMS
        ]


class ListDecision(models.Model):
    """The league's decision on one institution's year: red list, black list, or not listed, with the reason.

    Only red and black entries may be published; the public pages show published entries that were not withdrawn.
    A withdrawn decision stays as a row (who, when, why) and leaves room for a new decision of the same year.
    """

    class Listing(models.TextChoices):
        RED = "red", "红名单"
        BLACK = "black", "黑名单"
        NONE = "none", "不列入"

    PUBLISHABLE = (Listing.RED, Listing.BLACK)

    evaluation = models.ForeignKey(
        InstitutionEvaluation, verbose_name="年度评估", on_delete=models.PROTECT, related_name="list_decisions"
    )
    listing = models.CharField("决定", max_length=10, choices=Listing.choices)
    # Published as written: the form tells the officer to leave out names, ID numbers and phone numbers, and the
    # service refuses ID and phone numbers.
    reason = models.TextField("理由", max_length=500)
    # What the portal proposed when the decision was taken, kept beside it (the evidence changes later).
    proposed_reasons = models.JSONField("平台提示的候选理由", default=list, blank=True)
    decided_on = models.DateField("决定日期")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="决定人", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("记录时间", auto_now_add=True)
    is_published = models.BooleanField("已公布", default=False)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="公布人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="撤销人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.CharField("撤销原因", max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "红黑名单决定"
        verbose_name_plural = "红黑名单决定"
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation"], condition=Q(withdrawn_at__isnull=True), name="one_standing_list_decision_per_year"
            ),
            models.CheckConstraint(name="list_decision_has_reason", condition=~Q(reason="")),
            models.CheckConstraint(
                name="only_red_or_black_is_published", condition=Q(is_published=False) | Q(listing__in=["red", "black"])
            ),
            models.CheckConstraint(
                name="list_withdrawal_has_reason", condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawal_reason="")
            ),
        ]
        indexes = [models.Index(fields=["is_published", "-decided_on"], name="list_decision_published")]

    def __str__(self):
        return f"{self.evaluation} {self.get_listing_display()}"

    @property
    def is_standing(self) -> bool:
        return self.withdrawn_at is None


class CatalogueStatusChange(models.Model):
    """One change of an institution's place in the subsidised-institution catalogue: who, when, from, to, why."""

    institution = models.ForeignKey(
        Institution, verbose_name="培训机构", on_delete=models.PROTECT, related_name="catalogue_changes"
    )
    from_status = models.CharField("原状态", max_length=20, choices=Institution.CatalogueStatus.choices)
    to_status = models.CharField("新状态", max_length=20, choices=Institution.CatalogueStatus.choices)
    reason = models.TextField("原因", max_length=500)
    list_decision = models.ForeignKey(
        ListDecision, verbose_name="依据的名单决定", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "培训机构目录变动"
        verbose_name_plural = "培训机构目录变动"
        ordering = ["-changed_at", "-id"]
        constraints = [models.CheckConstraint(name="catalogue_change_has_reason", condition=~Q(reason=""))]
