"""On-site inspections of classes (日常检查, policy §8.5, S2 四(一)) and the photos and documents kept with them."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from simple_history.models import HistoricalRecords

from classes.models import Enrollment, TrainingClass


# The inspection list's order (supervision:inspection_list): open plans first, then the newest planned first. The
# selector orders by this very expression so that the index inspection_list_order below serves it.
INSPECTION_OPEN_FIRST = Case(When(status="planned", then=Value(0)), default=Value(1))


class Inspection(models.Model):
    """One visit to a class: planned by county or league staff, recorded once by one of its inspectors.

    The record carries the client's id (``client_id``, a UUID made when the form opened): a send repeated after a
    dropped connection finds the record it already made instead of making a second one.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", "待检查"
        RECORDED = "recorded", "已检查"
        CANCELLED = "cancelled", "已取消"

    class Result(models.TextChoices):
        QUALIFIED = "qualified", "合格"
        PROBLEMS = "problems", "发现问题"
        SERIOUS = "serious", "严重问题，建议退出目录"

    # What was checked and how (S2 四(一): "现场核查招生、师资、培训、后续跟踪服务等情况，采取问询、听课、查阅资料等方式").
    class Aspect(models.TextChoices):
        ENROLMENT = "enrolment", "招生"
        TEACHERS = "teachers", "师资"
        TRAINING = "training", "培训"
        FOLLOW_UP = "follow_up", "后续跟踪服务"

    class Method(models.TextChoices):
        INQUIRY = "inquiry", "问询"
        LECTURE = "lecture", "听课"
        DOCUMENTS = "documents", "查阅资料"

    ASPECT_FIELDS = {
        Aspect.ENROLMENT: "checked_enrolment", Aspect.TEACHERS: "checked_teachers",
        Aspect.TRAINING: "checked_training", Aspect.FOLLOW_UP: "checked_follow_up",
    }
    METHOD_FIELDS = {Method.INQUIRY: "by_inquiry", Method.LECTURE: "by_lecture", Method.DOCUMENTS: "by_documents"}

    training_class = models.ForeignKey(
        TrainingClass, verbose_name="培训班", on_delete=models.PROTECT, related_name="inspections"
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PLANNED)
    planned_on = models.DateField("计划检查日期")
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="检查人员", related_name="assigned_inspections"
    )
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="安排人", on_delete=models.PROTECT, related_name="+"
    )
    planned_at = models.DateTimeField("安排时间", default=timezone.now)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="取消人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    cancellation_reason = models.CharField("取消原因", max_length=500, blank=True)

    client_id = models.UUIDField("提交编号", unique=True, null=True, blank=True)
    inspected_on = models.DateField("检查日期", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField("提交时间", null=True, blank=True)
    checked_enrolment = models.BooleanField("检查招生", default=False)
    checked_teachers = models.BooleanField("检查师资", default=False)
    checked_training = models.BooleanField("检查培训", default=False)
    checked_follow_up = models.BooleanField("检查后续跟踪服务", default=False)
    by_inquiry = models.BooleanField("问询", default=False)
    by_lecture = models.BooleanField("听课", default=False)
    by_documents = models.BooleanField("查阅资料", default=False)
    roster_size = models.PositiveIntegerField("名册人数", null=True, blank=True)
    present_count = models.PositiveIntegerField("实到人数", null=True, blank=True)
    absent_enrollments = models.ManyToManyField(
        Enrollment, verbose_name="缺勤学员", blank=True, related_name="inspection_absences"
    )
    findings = models.TextField("检查发现", blank=True)
    result = models.CharField("检查结论", max_length=20, choices=Result.choices, blank=True)
    # The rectification ledger (policy §8.6) takes its item from here: inspections.inspection_record calls the
    # registered hook inside its transaction with the inspection's id.
    needs_rectification = models.BooleanField("需要整改", default=False)
    rectification_text = models.TextField("整改要求", blank=True)
    # S2 四(一): "按规定予以退出政府补贴性职业培训机构目录处理" — the proposal, for the league to decide.
    proposes_catalogue_removal = models.BooleanField("建议退出补贴性培训机构目录", default=False)

    history = HistoricalRecords(m2m_fields=[inspectors])

    class Meta:
        verbose_name = "现场检查"
        verbose_name_plural = "现场检查"
        ordering = ["-planned_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["training_class"], condition=Q(status="planned"), name="inspection_one_open_plan_per_class"
            ),
            models.CheckConstraint(
                name="inspection_record_is_complete",
                condition=~Q(status="recorded") | (
                    Q(client_id__isnull=False, inspected_on__isnull=False, recorded_by__isnull=False,
                      recorded_at__isnull=False, roster_size__isnull=False, present_count__isnull=False)
                    & ~Q(result="")
                    & (Q(checked_enrolment=True) | Q(checked_teachers=True) | Q(checked_training=True) | Q(checked_follow_up=True))
                    & (Q(by_inquiry=True) | Q(by_lecture=True) | Q(by_documents=True))
                ),
            ),
            models.CheckConstraint(
                name="inspection_rectification_has_text", condition=Q(needs_rectification=False) | ~Q(rectification_text=""),
            ),
            models.CheckConstraint(
                name="inspection_removal_proposal_follows_result",
                condition=Q(proposes_catalogue_removal=True, result="serious")
                | (Q(proposes_catalogue_removal=False) & ~Q(result="serious")),
            ),
            models.CheckConstraint(
                name="inspection_cancellation_has_reason",
                condition=~Q(status="cancelled") | (Q(cancelled_at__isnull=False) & ~Q(cancellation_reason="")),
            ),
        ]
        indexes = [
            # Coverage asks, per class, whether a recorded inspection falls within a year.
            models.Index(fields=["training_class", "status", "inspected_on"], name="inspection_class_status_day"),
            # The list's order, so that a page walks 25 entries of this index instead of sorting every inspection
            # of the league (63,000 at region scale) on each request.
            models.Index(INSPECTION_OPEN_FIRST, F("planned_on").desc(), F("id").desc(), name="inspection_list_order"),
        ]

    def __str__(self):
        return f"{self.training_class.batch_number} {self.planned_on:%Y-%m-%d} {self.get_status_display()}"

    @property
    def checked_aspect_labels(self) -> list[str]:
        return [aspect.label for aspect, field in self.ASPECT_FIELDS.items() if getattr(self, field)]

    @property
    def method_labels(self) -> list[str]:
        return [method.label for method, field in self.METHOD_FIELDS.items() if getattr(self, field)]


def inspection_attachment_path(instance: "InspectionAttachment", filename: str) -> str:
    """A random name under a folder no URL serves (there is no MEDIA_URL route): the scoped view is the only door.
    The uploader's file name is kept in the row, never in the path."""
    extension = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}.get(
        instance.content_type, PurePath(filename).suffix.lower()[:8]
    )
    return f"inspections/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{extension}"


class InspectionAttachment(models.Model):
    """A photo or document taken at an inspection, checked by its content (a real image or PDF) on upload."""

    class Kind(models.TextChoices):
        PHOTO = "photo", "照片"
        DOCUMENT = "document", "文件（PDF）"

    inspection = models.ForeignKey(Inspection, verbose_name="现场检查", on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    file = models.FileField("文件", upload_to=inspection_attachment_path)
    content_type = models.CharField("文件格式", max_length=40)
    original_name = models.CharField("原文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("文件摘要", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "现场检查附件"
        verbose_name_plural = "现场检查附件"
        ordering = ["inspection", "id"]
        constraints = [
            models.CheckConstraint(
                name="inspection_attachment_known_format",
                condition=Q(content_type__in=["image/jpeg", "image/png", "image/webp", "application/pdf"]),
            ),
        ]

    def __str__(self):
        return self.original_name
