"""Documents rendered in the background: a PDF too large to render within a web request."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .dashboards.models import ClassFigures, FiguresRefresh  # noqa: F401 (the dashboards' summary rows belong to this app)


class GeneratedDocument(models.Model):
    """One requested PDF (today: all 附表2 of a big class), rendered by a worker in chunks with its progress.

    The file holds what the requester may see (masked or full numbers, decided by the same rule as the inline
    PDF); it lives in the default storage for a day (purged by a beat task) and is served only through the
    scoped download view, never from a public media URL.
    """

    class Kind(models.TextChoices):
        CLASS_FORM2 = "class_form2", "学员绩效评价和诚信登记表（附表2）"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已生成"
        FAILED = "failed", "生成失败"

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField("文件类型", max_length=30, choices=Kind.choices)
    training_class = models.ForeignKey(
        "classes.TrainingClass", verbose_name="培训班", on_delete=models.CASCADE, related_name="generated_documents"
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.CASCADE, related_name="+")
    has_full_numbers = models.BooleanField("含完整身份证号、电话", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    pages_done = models.PositiveIntegerField("已生成页数", default=0)
    pages_total = models.PositiveIntegerField("总页数", default=0)
    # Each delivery of the task that starts the rendering takes the next attempt; a delivery whose attempt is no
    # longer current (the message came back after a worker died) stops at its next progress report.
    attempt = models.PositiveIntegerField("执行次数", default=0)
    file = models.FileField("文件", upload_to="generated-documents/%Y/%m/%d/", blank=True)
    error_message = models.CharField("错误信息", max_length=500, blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True, db_index=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    updated_at = models.DateTimeField("最近进展", auto_now=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台生成的文件"
        verbose_name_plural = "后台生成的文件"
        ordering = ["-created_at"]
        constraints = [
            # A second click while one is queued or running reuses it, also when two clicks race.
            models.UniqueConstraint(
                fields=["kind", "training_class", "requested_by"],
                condition=Q(status__in=["queued", "running"]),
                name="one_active_document_per_class_and_requester",
            ),
            models.CheckConstraint(name="document_progress_within_total", condition=Q(pages_done__lte=F("pages_total"))),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.training_class_id} {self.get_status_display()}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES
