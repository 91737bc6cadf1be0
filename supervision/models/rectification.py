"""The rectification ledger (整改清单, policy §8.6, S2 八): every problem found, from any source, is one item with
its measures, deadline and responsible person, followed until the office that raised it closes it.

A 整改通知书 of a class evaluation (policy §3) stays the official document in evaluations (number, PDF); its
ledger item points at it one-to-one and follows it step by step (supervision/rectification.py).

An item is not a LockableModel on purpose: a class's approved *evaluation record* is locked (policy §6.8), but a
problem found later about the institution (an audit, an on-site inspection) is the ledger's business, not a change
of that record. Only a 整改通知书 belongs to the record, and its own lock refuses every step after approval.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone


class RectificationSource(models.TextChoices):
    """Where a problem was found (S2 八, policy §8.5, §8.4, §3)."""

    AUDIT = "audit", "审计"
    INSPECTION_TOUR = "inspection_tour", "巡视巡查"
    THIRD_PARTY = "third_party", "第三方评估"
    SPOT_CHECK = "spot_check", "抽查"
    SELF_CHECK = "self_check", "自查"
    ON_SITE_INSPECTION = "on_site_inspection", "现场检查发现"
    CLASS_EVALUATION = "class_evaluation", "培训班评价整改通知书"
    FRAUD_SIGNAL = "fraud_signal", "欺诈信号核实"


# The ledger's order (supervision:rectification_list): unresolved items first, then the closed ones, each by
# deadline. The selector orders by this very expression so that the index rectification_ledger_order serves it.
RECTIFICATION_CLOSED_LAST = Case(When(status="closed", then=Value(1)), default=Value(0))


class RectificationItem(models.Model):
    class Status(models.TextChoices):
        # The values and words of RectificationNotice.Status: a notice's item mirrors it one to one.
        OPEN = "open", "整改中"
        SUBMITTED = "submitted", "待销号"
        CLOSED = "closed", "已整改"

    UNRESOLVED_STATUSES = (Status.OPEN, Status.SUBMITTED)

    source = models.CharField("问题来源", max_length=30, choices=RectificationSource.choices)
    # The bureau's own reference (audit report number, inspection tour feedback, who reported): never shown to
    # the institution, which sees the kind of source and the raising office only.
    source_reference = models.CharField("来源说明", max_length=200, blank=True)
    institution = models.ForeignKey(
        "classes.Institution", verbose_name="培训机构", on_delete=models.PROTECT, related_name="rectification_items"
    )
    training_class = models.ForeignKey(
        "classes.TrainingClass", verbose_name="培训班", on_delete=models.PROTECT, null=True, blank=True,
        related_name="rectification_items",
    )
    notice = models.OneToOneField(
        "evaluations.RectificationNotice", verbose_name="整改通知书", on_delete=models.PROTECT, null=True, blank=True,
        related_name="ledger_item",
    )
    problem = models.TextField("存在问题")
    measures = models.TextField("整改措施")
    deadline = models.DateField("整改期限")
    responsible_name = models.CharField("责任人", max_length=40, blank=True)
    responsible_position = models.CharField("责任人职务", max_length=40, blank=True)
    found_on = models.DateField("发现日期")
    # The office that raised the item, written once: only that office (its staff) sends back or closes it.
    raising_region = models.ForeignKey("classes.Region", verbose_name="提出单位所在地区", on_delete=models.PROTECT, related_name="+")
    raising_office = models.CharField("提出单位", max_length=60)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField("登记时间", default=timezone.now)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    return_reason = models.TextField("退回原因", blank=True)
    closing_note = models.TextField("销号意见", blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="销号人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = "整改清单"
        ordering = ["deadline", "id"]
        indexes = [
            # Open and overdue counts of every landing page: the unresolved items by deadline, never the history.
            models.Index(fields=["status", "deadline"], name="rectification_status_deadline"),
            models.Index(fields=["found_on"], name="rectification_found_on"),
            # The ledger's order, so that a page walks 25 entries of this index instead of sorting the league's
            # whole ledger (21,000 items at region scale) on each request.
            models.Index(RECTIFICATION_CLOSED_LAST, "deadline", "id", name="rectification_ledger_order"),
        ]
        constraints = [
            # A notice's item comes from the class evaluation, and an item of that source is a notice's.
            models.CheckConstraint(
                name="rectification_notice_iff_class_evaluation",
                condition=(Q(notice__isnull=True) & ~Q(source="class_evaluation"))
                | (Q(notice__isnull=False) & Q(source="class_evaluation")),
            ),
            models.CheckConstraint(
                name="rectification_closed_has_closer",
                condition=~Q(status="closed") | Q(closed_by__isnull=False, closed_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.institution_id} {self.get_source_display()} {self.deadline:%Y-%m-%d}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class RectificationEvidence(models.Model):
    """One report of the institution on its rectification (整改情况), with its attachments. A sent-back report
    stays; the next one is a new row."""

    item = models.ForeignKey(RectificationItem, verbose_name="整改事项", on_delete=models.CASCADE, related_name="evidence_submissions")
    text = models.TextField("整改情况")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("报送时间", default=timezone.now)

    class Meta:
        verbose_name = "整改佐证"
        verbose_name_plural = "整改佐证"
        ordering = ["submitted_at", "id"]


def attachment_path(instance: "RectificationAttachment", file_name: str) -> str:
    """A random name in the default storage, outside any public URL (there is no MEDIA_URL route); the file is
    served only by the scoped view, under its original name."""
    return f"rectification-evidence/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{instance.extension}"


class RectificationAttachment(models.Model):
    class Kind(models.TextChoices):
        # Decided from the file's first bytes, never from its name or the browser's word.
        PDF = "application/pdf", "PDF"
        JPEG = "image/jpeg", "JPG 图片"
        PNG = "image/png", "PNG 图片"

    EXTENSIONS = {Kind.PDF: ".pdf", Kind.JPEG: ".jpg", Kind.PNG: ".png"}

    evidence = models.ForeignKey(RectificationEvidence, verbose_name="整改佐证", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to=attachment_path)
    original_name = models.CharField("原文件名", max_length=120)
    content_type = models.CharField("文件类型", max_length=30, choices=Kind.choices)
    size = models.PositiveIntegerField("大小（字节）")

    class Meta:
        verbose_name = "整改佐证附件"
        verbose_name_plural = "整改佐证附件"
        ordering = ["id"]

    @property
    def extension(self) -> str:
        return self.EXTENSIONS[self.content_type]


class RectificationItemEvent(models.Model):
    """One step of an item: raised, reported, sent back, closed, responsible person named; who, when, from, to."""

    item = models.ForeignKey(RectificationItem, verbose_name="整改事项", on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=40)
    from_status = models.CharField("原状态", max_length=10, choices=RectificationItem.Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=10, choices=RectificationItem.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    text = models.TextField("内容", blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "整改事项办理记录"
        verbose_name_plural = "整改事项办理记录"
        ordering = ["created_at", "id"]
