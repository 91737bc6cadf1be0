"""Summary rows behind the dashboards and the statistics report (STYLE.md, "Figures at scale").

One row per finished class holds what policy §3, §4 and §5 count about it; a beat task recomputes the rows
(services.class_figures_refresh) and the pages sum them per county, institution or month, so that no request
aggregates trainee forms, calls and employment records. Imported by reports/models.py so Django registers them.
"""

from django.db import models
from django.db.models import Q

from evaluations import rules

# Policy §4 groups → (completed trainees, successes) fields of a row.
EMPLOYMENT_FIELDS = {
    rules.FARMER_HERDER: ("farmer_herder_total", "farmer_herder_successes"),
    rules.URBAN_UNEMPLOYED: ("urban_unemployed_total", "urban_unemployed_successes"),
    rules.ENTREPRENEURSHIP: ("entrepreneurship_total", "entrepreneurship_successes"),
}


class EmploymentCounts(models.Model):
    """Policy §4: completed trainees of each group (total) and those employed or who started a business (successes),
    the EMPLOYMENT_FIELDS of a class's row and of an institution's sum."""

    farmer_herder_total = models.PositiveIntegerField("农牧民结业人数")
    farmer_herder_successes = models.PositiveIntegerField("农牧民就业人数")
    urban_unemployed_total = models.PositiveIntegerField("城镇失业人员结业人数")
    urban_unemployed_successes = models.PositiveIntegerField("城镇失业人员就业人数")
    entrepreneurship_total = models.PositiveIntegerField("创业培训结业人数")
    entrepreneurship_successes = models.PositiveIntegerField("创业成功人数")

    class Meta:
        abstract = True


class ClassFigures(EmploymentCounts):
    """The counted facts of one finished class, as of the last refresh."""

    class Conclusion(models.TextChoices):
        OUTSTANDING = rules.CONCLUSION_OUTSTANDING, rules.CONCLUSION_LABELS[rules.CONCLUSION_OUTSTANDING]
        QUALIFIED = rules.CONCLUSION_QUALIFIED, rules.CONCLUSION_LABELS[rules.CONCLUSION_QUALIFIED]
        RECTIFYING = rules.CONCLUSION_RECTIFYING, rules.CONCLUSION_LABELS[rules.CONCLUSION_RECTIFYING]
        UNDER_INVESTIGATION = (
            rules.CONCLUSION_UNDER_INVESTIGATION, rules.CONCLUSION_LABELS[rules.CONCLUSION_UNDER_INVESTIGATION]
        )
        FAILED = rules.CONCLUSION_FAILED, rules.CONCLUSION_LABELS[rules.CONCLUSION_FAILED]
        NO_DATA = rules.CONCLUSION_NO_DATA, "尚无结论"

    training_class = models.OneToOneField(
        "classes.TrainingClass", verbose_name="培训班", on_delete=models.CASCADE, primary_key=True, related_name="figures"
    )
    conclusion = models.CharField("评价结论", max_length=30, choices=Conclusion.choices)
    enrolled = models.PositiveIntegerField("参训人数")
    completed = models.PositiveIntegerField("结业人数")
    valid_forms = models.PositiveIntegerField("结业学员的有效附表2")
    # Policy §3: valid 附表2 / completed trainees >= 80%; None while nobody completed.
    is_form_coverage_sufficient = models.BooleanField("附表2覆盖率达到80%", null=True)
    has_followup_sample = models.BooleanField("已抽取回访样本")
    followup_target = models.PositiveIntegerField("应回访人数")
    followup_completed = models.PositiveIntegerField("已完成回访")
    followup_on_time = models.PositiveIntegerField("按时完成回访")
    followup_due_date = models.DateField("回访截止日期", null=True)

    class Meta:
        verbose_name = "培训班统计数据"
        verbose_name_plural = "培训班统计数据"
        indexes = [models.Index(fields=["conclusion"], name="class_figures_conclusion")]
        constraints = [
            models.CheckConstraint(
                name="class_figures_forms_within_completed", condition=Q(valid_forms__lte=models.F("completed"))
            ),
            models.CheckConstraint(
                name="class_figures_completed_within_enrolled", condition=Q(completed__lte=models.F("enrolled"))
            ),
        ]

    def __str__(self):
        return f"{self.training_class_id} {self.get_conclusion_display()}"


class FiguresRefresh(models.Model):
    """One run of the refresh: the pages say when their figures were taken."""

    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间")
    classes_checked = models.PositiveIntegerField("核算培训班数")
    rows_changed = models.PositiveIntegerField("更新行数")

    class Meta:
        verbose_name = "统计数据更新记录"
        verbose_name_plural = "统计数据更新记录"
        ordering = ["-finished_at"]
        get_latest_by = "finished_at"

    def __str__(self):
        return f"{self.finished_at:%Y-%m-%d %H:%M}"


class InstitutionFigures(EmploymentCounts):
    """Policy §4 counts of one institution: its ClassFigures rows summed, rebuilt at the end of every refresh, so that
    the employment overview reads one row per institution instead of grouping millions of enrolments."""

    institution = models.OneToOneField(
        "classes.Institution", verbose_name="培训机构", on_delete=models.CASCADE, primary_key=True, related_name="figures"
    )
    # The rosters of its finished classes summed: the landing page's 参训人次 reads a row per institution, not one
    # per class.
    enrolled = models.PositiveIntegerField("已结业培训班参训人数", default=0)
    # Its finished classes (its ClassFigures rows): the landing page's class tallies read a row per institution for
    # the finished classes (99% of them) and count only the unfinished ones live.
    finished_classes = models.PositiveIntegerField("已结业培训班数", default=0)

    class Meta:
        verbose_name = "培训机构就业统计数据"
        verbose_name_plural = "培训机构就业统计数据"

    def __str__(self):
        return str(self.institution_id)


class MonthFigures(EmploymentCounts):
    """The ClassFigures rows of one institution's classes that ended in one month, summed and counted per conclusion
    and follow-up state as a bureau's dashboard shows them; rebuilt at the end of every refresh
    (services.month_figures_rebuild), so that the league's and a county's dashboards sum a few hundred rows (months ×
    institutions) instead of grouping the period's 10,000 classes and their summary rows on each request. The field
    names are figures.AreaFigures's (conclusion_<value> for each graded conclusion)."""

    institution = models.ForeignKey(
        "classes.Institution", verbose_name="培训机构", on_delete=models.CASCADE, related_name="month_figures"
    )
    month = models.DateField("培训结束月份")  # the month's first day
    classes = models.PositiveIntegerField("已结业培训班数")
    enrolled = models.PositiveIntegerField("参训人数")
    completed = models.PositiveIntegerField("结业人数")
    valid_forms = models.PositiveIntegerField("结业学员的有效附表2")
    forms_below = models.PositiveIntegerField("附表2覆盖率不足80%的班数")
    followup_target = models.PositiveIntegerField("应回访人数")
    followup_completed = models.PositiveIntegerField("已完成回访")
    followup_on_time = models.PositiveIntegerField("按时完成回访")
    followup_reached = models.PositiveIntegerField("回访达到20%的班数")
    followup_overdue = models.PositiveIntegerField("回访逾期未达20%的班数")
    followup_unsampled = models.PositiveIntegerField("未抽样的班数")
    conclusion_outstanding = models.PositiveIntegerField("优秀的班数")
    conclusion_qualified = models.PositiveIntegerField("合格的班数")
    conclusion_rectifying = models.PositiveIntegerField("需整改的班数")
    conclusion_under_investigation = models.PositiveIntegerField("待核查的班数")
    conclusion_failed = models.PositiveIntegerField("不合格的班数")

    class Meta:
        verbose_name = "培训机构月度统计数据"
        verbose_name_plural = "培训机构月度统计数据"
        constraints = [models.UniqueConstraint(fields=["institution", "month"], name="month_figures_once_per_month")]
        indexes = [models.Index(fields=["month", "institution"], name="month_figures_month")]

    def __str__(self):
        return f"{self.institution_id} {self.month:%Y-%m}"
