"""The class-opening review (开班审核, policy §8.2, S2 三) and the changes after it (备案变更).

Where the state lives, and why: in this app, beside the class, not as more ``TrainingClass.Status`` values.
The class's own lifecycle (筹备中 → 培训中 → 已结业) is the training domain's; whether the county has let a class
open is supervision's judgement, made on evidence only supervision gathers (department lists, the subsidy limit,
other classes, the teacher pool). Keeping it here leaves ``classes`` free of supervision's vocabulary and of any
import from above, as ``evaluations.ClassReview`` does for the review chain: ``classes`` consults two hooks that
this app registers at start-up (``classes.hooks``): may the class start, and may its registered fields change
directly. A class with no ``OpeningReview`` row has not been submitted yet.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from classes.models import Enrollment, TrainingClass


class OpeningReview(models.Model):
    """One class's opening review: submitted by its institution, approved or returned by its county."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待开班审核"
        RETURNED = "returned", "开班审核退回"
        APPROVED = "approved", "已核准开班"

    training_class = models.OneToOneField(
        TrainingClass, verbose_name="培训班", on_delete=models.PROTECT, related_name="opening_review"
    )
    status = models.CharField("开班审核状态", max_length=20, choices=Status.choices)
    # Each submission is a round; the county's per-trainee decisions belong to the round they were made in.
    round = models.PositiveIntegerField("提交轮次", default=1)
    note = models.TextField("机构说明", max_length=1000, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    return_reason = models.TextField("退回原因", max_length=1000, blank=True)
    # The registered values (备案信息) as the county approved them; later changes go through ChangeRequest.
    registered_values = models.JSONField("核准时的备案信息", default=dict, blank=True)

    class Meta:
        verbose_name = "开班审核"
        verbose_name_plural = "开班审核"
        indexes = [
            models.Index(fields=["status", "-submitted_at"], name="opening_status_submitted"),
            # The opening list's order (oldest submission first): its submitted part walks this index and stops
            # after a page, instead of joining and sorting every class (opening_list_page_source).
            models.Index(fields=["submitted_at"], name="opening_submitted_at"),
        ]
        constraints = [
            models.CheckConstraint(name="opening_return_has_reason", condition=~Q(status="returned") | ~Q(return_reason="")),
            models.CheckConstraint(
                name="opening_approval_is_dated",
                condition=~Q(status="approved") | Q(decided_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.training_class.batch_number} {self.get_status_display()}"


def opening_document_path(instance: "OpeningDocument", file_name: str) -> str:
    """A path the uploader does not choose: no name from the request reaches the file system."""
    return f"opening-documents/{instance.training_class_id}/{uuid.uuid4().hex}.{instance.file_type}"


class OpeningDocument(models.Model):
    """A document submitted with a class (teaching plan, assessment plan, other). Stored through Django's storage
    API under a path outside any public URL; served only by the scoped download view."""

    class Kind(models.TextChoices):
        TEACHING_PLAN = "teaching_plan", "教学计划"
        ASSESSMENT_PLAN = "assessment_plan", "考核（鉴定）方案"
        OTHER = "other", "其他材料"

    training_class = models.ForeignKey(
        TrainingClass, verbose_name="培训班", on_delete=models.PROTECT, related_name="opening_documents"
    )
    kind = models.CharField("材料类型", max_length=20, choices=Kind.choices)
    file = models.FileField("文件", upload_to=opening_document_path, max_length=200)
    file_type = models.CharField("文件格式", max_length=10)
    original_name = models.CharField("原文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("文件摘要", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "开班审核材料"
        verbose_name_plural = "开班审核材料"
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.original_name}"


class OpeningTraineeDecision(models.Model):
    """The county's decision on one trainee whose checks failed, in one submission round (§8.2): accept with a
    reason (an overlap override is one) or exclude from the subsidy. ``evidence`` keeps what the checks showed
    when the decision was made, since a department list may later be replaced."""

    class Decision(models.TextChoices):
        ACCEPT = "accept", "予以认可"
        EXCLUDE = "exclude", "不予纳入补贴"

    review = models.ForeignKey(OpeningReview, verbose_name="开班审核", on_delete=models.CASCADE, related_name="decisions")
    enrollment = models.ForeignKey(
        Enrollment, verbose_name="学员", on_delete=models.CASCADE, related_name="opening_decisions"
    )
    round = models.PositiveIntegerField("提交轮次")
    decision = models.CharField("审核意见", max_length=10, choices=Decision.choices)
    reason = models.CharField("理由", max_length=500)
    evidence = models.TextField("审核时的核查情况", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审核时间")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "开班审核学员意见"
        verbose_name_plural = "开班审核学员意见"
        ordering = ["review", "enrollment_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "enrollment", "round"], name="opening_decision_once_per_round"),
            models.CheckConstraint(name="opening_decision_has_reason", condition=~Q(reason="")),
        ]


# The registered fields a change request may change (§8.2: dates, occupation, headcount, location; and the class
# hours, which the county approved with the teaching plan). Order is the order of the form and the record.
CHANGEABLE_FIELDS = {
    "start_date": "培训开始日期",
    "end_date": "培训结束日期",
    "occupation": "培训职业（工种）",
    "registered_headcount": "备案人数",
    "location": "培训地点",
    "class_hours": "培训课时",
}


class ChangeRequest(models.Model):
    """备案变更 (§8.2): after opening approval, a change to the registered fields (dates, occupation, headcount,
    location, class hours) or to the roster, asked by the institution and approved or refused by the county."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已核准"
        REFUSED = "refused", "不予核准"

    training_class = models.ForeignKey(
        TrainingClass, verbose_name="培训班", on_delete=models.PROTECT, related_name="change_requests"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    # {field: {"label": 中文名, "old": shown, "new": shown, "value": stored}}; dates as ISO text, occupation by id.
    field_changes = models.JSONField("备案信息变更", default=dict, blank=True)
    # Trainees to take off the roster: [{"enrollment": id, "name": roster name, "id_number": masked}].
    roster_removals = models.JSONField("移出学员", default=list, blank=True)
    # Trainees to add, as a roster workbook checked at submission and again at approval; cleared once decided
    # (personal data is not kept past its use, like classes.RosterImport.content).
    roster_file_name = models.CharField("增加学员名册", max_length=200, blank=True)
    roster_content = models.BinaryField("名册内容", blank=True)
    roster_additions = models.PositiveIntegerField("增加学员人数", default=0)
    reason = models.TextField("变更理由", max_length=1000)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    refusal_reason = models.TextField("不予核准原因", max_length=1000, blank=True)

    class Meta:
        verbose_name = "备案变更申请"
        verbose_name_plural = "备案变更申请"
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # One open request at a time: the county decides on a known state of the class.
            models.UniqueConstraint(fields=["training_class"], condition=Q(status="pending"), name="one_pending_change_per_class"),
            models.CheckConstraint(name="change_refusal_has_reason", condition=~Q(status="refused") | ~Q(refusal_reason="")),
            models.CheckConstraint(name="change_has_reason", condition=~Q(reason="")),
        ]

    def __str__(self):
        return f"{self.training_class.batch_number} 备案变更 {self.get_status_display()}"

    def field_changes_in_form_order(self) -> list[dict]:
        """The field changes in the order of the form (jsonb keeps its keys sorted by length, not as written)."""
        return [self.field_changes[name] for name in CHANGEABLE_FIELDS if name in self.field_changes]


class OpeningEvent(models.Model):
    """One step of a class's opening review or of a change request: who, when, from which state to which, why."""

    review = models.ForeignKey(OpeningReview, verbose_name="开班审核", on_delete=models.CASCADE, related_name="events")
    change_request = models.ForeignKey(
        ChangeRequest, verbose_name="备案变更申请", on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    action = models.CharField("操作", max_length=40)
    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20, blank=True)
    # Null only for the rows the migration wrote for classes started before the review existed.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "开班审核记录"
        verbose_name_plural = "开班审核记录"
        ordering = ["-created_at", "-id"]
