"""Phone follow-up (policy §5) and the employment tracking file (policy §4)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class FollowupSample(models.Model):
    """The one random draw of a class's trainees to phone. One per class: the database refuses a second.

    ``candidates`` (the roster's enrollment ids, sorted) and ``seed`` re-derive ``order`` with
    random.Random(seed).sample(candidates, len(candidates)); the first ``target_size`` of the order are
    phoned, the following ones replace trainees who cannot be reached, in that order.
    """

    class Trigger(models.TextChoices):
        # Which path drew the sample: the county sees whether it came on time by itself or had to be pushed.
        CLASS_FINISHED = "class_finished", "结业后自动抽取"
        SWEEP = "sweep", "系统定时抽取"
        MANUAL = "manual", "人工抽取"
        COMMAND = "command", "命令行抽取"

    training_class = models.OneToOneField(
        "classes.TrainingClass", verbose_name="培训班", on_delete=models.PROTECT, related_name="followup_sample"
    )
    seed = models.CharField("随机种子", max_length=64)
    candidates = models.JSONField("候选学员（按编号排序）")
    order = models.JSONField("抽取顺序")
    target_size = models.PositiveIntegerField("应回访人数")
    due_date = models.DateField("回访截止日期")
    drawn_at = models.DateTimeField("抽取时间", auto_now_add=True)
    trigger = models.CharField("抽取方式", max_length=20, choices=Trigger.choices)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="抽取人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The completed calls of the sample and those completed by the due date (policy §5), counted by
    # call_attempt_record in the transaction that completes the call (the only path to a completed item), so the
    # coverage report sums 10,000 samples without visiting their 60,000 completed calls.
    completed_calls = models.PositiveIntegerField("已完成回访", default=0)
    completed_on_time = models.PositiveIntegerField("按时完成回访", default=0)

    class Meta:
        verbose_name = "电话回访样本"
        verbose_name_plural = "电话回访样本"
        indexes = [
            models.Index(fields=["due_date"], name="sample_due_date"),
            # From a pending call to its class without reading the sample row (its jsonb draw makes the table 13,500
            # pages): the worklist's count per county then starts from the 2,700 pending calls instead of walking
            # the county's 14,000 samples (EXPLAIN at region scale, the smaller county: 90 → 5 ms).
            models.Index(fields=["id"], include=["training_class"], name="sample_id_class"),
        ]
        constraints = [
            models.CheckConstraint(
                name="sample_on_time_within_completed", condition=Q(completed_on_time__lte=models.F("completed_calls"))
            ),
            # A person draws only by hand, and a hand draw always names the person.
            models.CheckConstraint(
                name="sample_drawn_by_person_iff_manual",
                condition=Q(trigger="manual", drawn_by__isnull=False) | (~Q(trigger="manual") & Q(drawn_by__isnull=True)),
            )
        ]

    @property
    def trigger_label(self) -> str:
        if self.trigger == self.Trigger.MANUAL:
            return f"{self.get_trigger_display()}（{self.drawn_by.display_name}）"
        return self.get_trigger_display()


class FollowupItem(models.Model):
    """One sampled trainee to phone, with the answers of the completed call."""

    class Status(models.TextChoices):
        PENDING = "pending", "待回访"
        COMPLETED = "completed", "已完成"
        REPLACED = "replaced", "已替换"

    class ReplacementReason(models.TextChoices):
        # Policy §5 Decision; the rule itself is followups/replacement.py.
        WRONG_NUMBER = "wrong_number", "空号"
        REFUSED = "refused", "拒绝回访"
        UNREACHABLE = "unreachable", "多次未接通（无人接听、关机、占线）"

    class EmploymentStatus(models.TextChoices):
        EMPLOYEE = "employee", "单位就业"
        SELF_EMPLOYED = "self_employed", "自主就业（个体经营）"
        FLEXIBLE = "flexible", "灵活就业"
        BUSINESS = "business", "创业（创办企业）"
        UNEMPLOYED = "unemployed", "未就业"

    sample = models.ForeignKey(FollowupSample, verbose_name="样本", on_delete=models.CASCADE, related_name="items")
    enrollment = models.ForeignKey("classes.Enrollment", verbose_name="学员", on_delete=models.PROTECT, related_name="followups")
    position = models.PositiveIntegerField("抽取顺位")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    replaced_by = models.OneToOneField(
        "self", verbose_name="替换为", on_delete=models.PROTECT, null=True, blank=True, related_name="replaces"
    )
    replacement_reason = models.CharField("替换原因", max_length=20, choices=ReplacementReason.choices, blank=True)
    received_training = models.BooleanField("确认参加了培训", null=True, blank=True)
    # Empty when not asked: the trainee did not attend, or the call predates the question (policy §5 contradictions).
    completed_training = models.BooleanField("确认完成了培训", null=True, blank=True)
    satisfaction = models.CharField("对培训的满意度", max_length=10, blank=True,
                                    choices=[("excellent", "满意"), ("good", "基本满意"), ("fair", "一般"), ("poor", "不满意")])
    employment_status = models.CharField("就业状况", max_length=20, choices=EmploymentStatus.choices, blank=True)
    employer = models.CharField("就业单位", max_length=100, blank=True)
    monthly_wage = models.DecimalField("月工资收入（元）", max_digits=8, decimal_places=0, null=True, blank=True)
    skill_improvement = models.CharField("技能提升情况", max_length=200, blank=True)
    suggestions = models.CharField("意见建议", max_length=500, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)

    @property
    def participation_display(self) -> str:
        """Answers 1 and 2 of the script in a word, for the class page and the record sheet."""
        if self.received_training is None:
            return ""
        if not self.received_training:
            return "未参加"
        return {True: "已完成", False: "未完成", None: "已参加"}[self.completed_training]

    # The call script's answers, in the order the caller asks them.
    ANSWER_FIELDS = ("received_training", "completed_training", "satisfaction", "employment_status", "employer",
                     "monthly_wage", "skill_improvement", "suggestions")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "回访学员"
        verbose_name_plural = "回访学员"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "enrollment"], name="followup_trainee_once_per_sample"),
            models.UniqueConstraint(fields=["sample", "position"], name="followup_position_once_per_sample"),
        ]
        indexes = [
            models.Index(fields=["status", "sample"], name="followup_status_sample"),
            # Coverage (policy §5) counts each sample's completed calls and those on time: a partial index of the
            # completed items carrying completed_at and id answers both counts by index-only scans.
            models.Index(fields=["sample"], include=["completed_at", "id"], condition=Q(status="completed"),
                         name="followup_completed_sample"),
        ]


class CallAttempt(models.Model):
    """Every call, whatever came of it, is kept (policy §5)."""

    class Outcome(models.TextChoices):
        # The labels are the policy's words (§5); which outcomes replace the trainee is followups/replacement.py.
        COMPLETED = "completed", "接通完成"
        NO_ANSWER = "no_answer", "无人接听"
        BUSY = "busy", "占线"
        POWERED_OFF = "powered_off", "关机"
        WRONG_NUMBER = "wrong_number", "空号"
        REFUSED = "refused", "拒绝回访"
        CALLBACK = "callback", "约定回拨"

    item = models.ForeignKey(FollowupItem, verbose_name="回访学员", on_delete=models.CASCADE, related_name="attempts")
    caller = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="回访人", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField("结果", max_length=20, choices=Outcome.choices)
    callback_at = models.DateTimeField("约定回拨时间", null=True, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    called_at = models.DateTimeField("通话时间", auto_now_add=True)

    class Meta:
        verbose_name = "通话记录"
        verbose_name_plural = "通话记录"
        ordering = ["called_at", "id"]


class EmploymentRecord(models.Model):
    """就业跟踪档案: where a trainee went after the class (S1 三), kept by the institution, fed by follow-ups."""

    class Source(models.TextChoices):
        INSTITUTION = "institution", "培训机构跟踪"
        FOLLOWUP = "followup", "电话回访"

    enrollment = models.OneToOneField(
        "classes.Enrollment", verbose_name="学员", on_delete=models.PROTECT, related_name="employment_record"
    )
    destination = models.CharField("就业去向", max_length=20, choices=FollowupItem.EmploymentStatus.choices)
    employer = models.CharField("就业单位", max_length=100, blank=True)
    monthly_wage = models.DecimalField("月工资收入（元）", max_digits=8, decimal_places=0, null=True, blank=True)
    skill_improvement = models.CharField("技能提升情况", max_length=200, blank=True)
    source = models.CharField("来源", max_length=20, choices=Source.choices)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "就业跟踪档案"
        verbose_name_plural = "就业跟踪档案"
        indexes = [models.Index(fields=["destination"], name="employment_destination")]


class Reminder(models.Model):
    """A reminder in the portal (and by e-mail where configured) about overdue follow-ups."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="reminders")
    training_class = models.ForeignKey("classes.TrainingClass", verbose_name="培训班", on_delete=models.CASCADE, related_name="+")
    message = models.CharField("内容", max_length=300)
    created_on = models.DateField("日期")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "提醒"
        verbose_name_plural = "提醒"
        ordering = ["-created_on", "-id"]
        constraints = [
            # The daily task runs again after a restart: one reminder per person, class and day.
            models.UniqueConstraint(fields=["user", "training_class", "created_on"], name="one_reminder_per_day")
        ]
