"""Documents rendered in the background (a PDF or a list export too large for a web request), and the
printouts whose QR code lets anyone check them against the portal's record."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .dashboards.models import ClassFigures, FiguresRefresh, InstitutionFigures, MonthFigures  # noqa: F401 (the dashboards' summary rows belong to this app)


class GeneratedDocument(models.Model):
    """One requested file, rendered by a worker in chunks with its progress: all 附表2 of a big class as PDF, or
    a list exported to Excel above settings.EXPORT_INLINE_MAX_ROWS (progress then counts rows, not pages).

    The file holds what the requester may see (masked or full numbers, decided by the same rule as the inline
    PDF); it lives in the default storage for a day (purged by a beat task) and is served only through the
    scoped download view, never from a public media URL.
    """

    class Kind(models.TextChoices):
        CLASS_FORM2 = "class_form2", "学员绩效评价和诚信登记表（附表2）"
        LIST_EXPORT = "list_export", "列表导出（Excel）"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已生成"
        FAILED = "failed", "生成失败"

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField("文件类型", max_length=30, choices=Kind.choices)
    training_class = models.ForeignKey(
        "classes.TrainingClass", verbose_name="培训班", on_delete=models.CASCADE, related_name="generated_documents",
        null=True, blank=True,
    )
    # A list export: which list (reports.exports.registry) and the list page's query string, re-read by the
    # worker through the requester's scope at render time.
    export_list = models.CharField("导出列表", max_length=40, blank=True)
    export_query = models.CharField("筛选条件", max_length=2000, blank=True)
    # The address the requester used, for the verification QR code a worker prints (no request there).
    link_base = models.CharField("核验链接地址", max_length=200, blank=True)
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
            models.UniqueConstraint(
                fields=["requested_by", "export_list", "export_query"],
                condition=Q(kind="list_export", status__in=["queued", "running"]),
                name="one_active_export_per_list_and_requester",
            ),
            models.CheckConstraint(
                name="document_names_what_it_renders",
                condition=Q(kind="class_form2", training_class__isnull=False) | (Q(kind="list_export") & ~Q(export_list="")),
            ),
            models.CheckConstraint(name="document_progress_within_total", condition=Q(pages_done__lte=F("pages_total"))),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.training_class_id or self.export_list} {self.get_status_display()}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class Printout(models.Model):
    """One official PDF as printed: the short code and QR code on its footer lead to the public verification
    page, which recomputes ``fingerprint`` from the record now and says whether the paper still matches.

    Nothing here is personal: the fingerprint is a SHA-256 of the printed record's relevant fields
    (reports.verification.fingerprints), ``reference`` a notice number or a report's period.
    """

    class Kind(models.TextChoices):
        FORM1 = "form1", "培训班绩效评价表（附表1）"
        CLASS_FORM2 = "class_form2", "学员绩效评价和诚信登记表（附表2，全班）"
        TRAINEE_FORM2 = "trainee_form2", "学员绩效评价和诚信登记表（附表2，单人）"
        RECTIFICATION_NOTICE = "rectification_notice", "整改通知书"
        FOLLOWUPS = "followups", "电话跟踪回访记录表"
        STATISTICS_REPORT = "statistics_report", "培训质量监督和绩效评价情况统计表"

    code = models.CharField("核验码", max_length=12, unique=True)
    kind = models.CharField("文件类型", max_length=30, choices=Kind.choices)
    training_class = models.ForeignKey(
        "classes.TrainingClass", verbose_name="培训班", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="printouts",
    )
    object_id = models.CharField("记录编号", max_length=64)
    reference = models.CharField("文号或期间", max_length=100, blank=True)
    fingerprint = models.CharField("内容指纹", max_length=64)
    review_status = models.CharField("打印时复核状态", max_length=20, blank=True)
    printed_at = models.DateTimeField("打印时间", auto_now_add=True, db_index=True)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="打印人", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "打印件核验记录"
        verbose_name_plural = "打印件核验记录"
        ordering = ["-printed_at"]
        constraints = [
            models.CheckConstraint(name="printout_code_format", condition=Q(code__regex=r"^[0-9A-HJKMNP-TV-Z]{12}$")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.code}"
