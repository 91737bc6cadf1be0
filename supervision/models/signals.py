"""Fraud signals (policy §8.4: 拉人头, 虚报人数, 虚构课时): what the nightly and per-change recompute found, per class.

A signal informs the county's evaluation; it never blocks anything. Rows are written only by
supervision/fraud_signals.py (recompute, dismiss).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .. import signals_detection as detection


class FraudSignal(models.Model):
    """One finding about one class: (kind, class, key) is unique, so a recompute finds its row again.

    A finding about several classes (an ID number in two overlapping classes, a phone shared across classes, a
    teacher in two places) has one row per class with the same key and evidence; each county sees its own rows,
    and the evidence of classes outside its scope only as a count. Evidence holds masked ID and phone numbers.

    Status: 待核实 while found; 不再出现 once a recompute no longer finds it (it becomes 待核实 again if it comes
    back); 已核销 when the county dismissed it with a reason. The dismissal stays on the row through every
    recompute: a dismissed signal whose evidence disappears reads 不再出现 and, if it comes back, 已核销 again.
    """

    class Kind(models.TextChoices):
        ID_OVERLAP = detection.ID_OVERLAP, "同一身份证号参加日期重叠的培训班"
        SHARED_PHONE = detection.SHARED_PHONE, "多名学员共用一个手机号"
        REPEAT_TRAINING = detection.REPEAT_TRAINING, "同一人重复参加同职业同等级培训"
        IDENTICAL_FORMS = detection.IDENTICAL_FORMS, "附表2答案雷同且集中提交"
        FAR_CHECK_INS = detection.FAR_CHECK_INS, "签到位置远离培训地点"
        ATTENDANCE_SHORTFALL = detection.ATTENDANCE_SHORTFALL, "结业学员出勤低于80%"
        FOLLOWUP_CONTRADICTION = detection.FOLLOWUP_CONTRADICTION, "电话回访答复与附表2矛盾"
        TEACHER_CONFLICT = detection.TEACHER_CONFLICT, "同一教师同时段在两个培训班授课"

    class Status(models.TextChoices):
        OPEN = "open", "待核实"
        DISMISSED = "dismissed", "已核销"
        NOT_DETECTED = "not_detected", "不再出现"

    kind = models.CharField("疑点类型", max_length=30, choices=Kind.choices)
    training_class = models.ForeignKey(
        "classes.TrainingClass", verbose_name="培训班", on_delete=models.CASCADE, related_name="fraud_signals"
    )
    key = models.CharField("疑点标识", max_length=120)
    # Which facts decide the finding (signals_detection): trainee:<id>, phone:<digest>, teacher:<id>, class:<id>.
    subject = models.CharField("疑点对象", max_length=80)
    evidence = models.JSONField("证据")
    evidence_digest = models.CharField("证据摘要", max_length=64)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.OPEN)
    first_detected_at = models.DateTimeField("首次发现时间")
    last_detected_at = models.DateTimeField("最近发现时间")
    # When the facts behind the last write were read: an older recompute finishing late never overwrites it.
    checked_at = models.DateTimeField("最近核对时间")
    not_detected_since = models.DateTimeField("不再出现时间", null=True, blank=True)
    dismissal_reason = models.CharField("核销理由", max_length=500, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="核销人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dismissed_at = models.DateTimeField("核销时间", null=True, blank=True)
    # The evidence the county saw when it dismissed: a page says so when the evidence has changed since.
    dismissed_evidence_digest = models.CharField("核销时证据摘要", max_length=64, blank=True)

    class Meta:
        verbose_name = "疑点"
        verbose_name_plural = "疑点"
        ordering = ["-last_detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "training_class", "key"], name="fraud_signal_once_per_class_and_key"),
            models.CheckConstraint(
                name="fraud_signal_dismissal_complete",
                condition=Q(dismissed_at__isnull=True, dismissed_by__isnull=True, dismissal_reason="")
                | (Q(dismissed_at__isnull=False, dismissed_by__isnull=False) & ~Q(dismissal_reason="")),
            ),
            models.CheckConstraint(
                name="fraud_signal_dismissed_has_dismissal",
                condition=~Q(status="dismissed") | Q(dismissed_at__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["subject"], name="fraud_signal_subject"),
            models.Index(fields=["training_class", "status"], name="fraud_signal_class_status"),
            models.Index(fields=["status", "-last_detected_at"], name="fraud_signal_status_recent"),
        ]

    def __str__(self):
        return f"{self.training_class_id} {self.get_kind_display()}"

    @property
    def is_evidence_changed_since_dismissal(self) -> bool:
        return bool(self.dismissed_at) and self.evidence_digest != self.dismissed_evidence_digest


class ClassSignalCheck(models.Model):
    """When a class's signals were last recomputed. The nightly sweep takes the classes not checked since it
    started, a batch at a time under SKIP LOCKED, so two workers share the work; a per-change recompute locks
    the same row, so two recomputes of one class run one after the other."""

    training_class = models.OneToOneField(
        "classes.TrainingClass", verbose_name="培训班", on_delete=models.CASCADE, related_name="signal_check"
    )
    checked_at = models.DateTimeField("最近核对时间", null=True, blank=True)

    class Meta:
        verbose_name = "疑点核对记录"
        verbose_name_plural = "疑点核对记录"
        indexes = [models.Index(fields=["checked_at"], name="signal_check_checked_at")]
