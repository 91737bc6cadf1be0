"""附表1, 附表2, the county → league review chain, and the consequences of a class's grade."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .items import CLASS_ITEMS, TRAINEE_ITEMS
from xingan_training.locking import LockableModel


class Rating(models.TextChoices):
    # Values are the names evaluations.rules uses.
    EXCELLENT = "excellent", "优"
    GOOD = "good", "良"
    FAIR = "fair", "一般"
    POOR = "poor", "差"


def rating_field(label: str) -> models.CharField:
    return models.CharField(label, max_length=10, choices=Rating.choices)


class ClassReview(LockableModel):
    """One class's 附表1 as a whole: where it stands in the review chain, and the county's verification."""

    LOCK_PATH = "status"

    class Status(models.TextChoices):
        AWAITING_SELF_EVALUATION = "awaiting_self", "待机构自评"
        AWAITING_COUNTY = "awaiting_county", "待旗县评价核实"
        COUNTY_VERIFIED = "county_verified", "旗县已核实，待上报"
        FORWARDED = "forwarded", "已上报，待盟级复核"
        RETURNED = "returned", "盟级退回，待旗县修改"
        APPROVED = "approved", "盟级复核通过"

    training_class = models.OneToOneField(
        "classes.TrainingClass", verbose_name="培训班", on_delete=models.PROTECT, related_name="review"
    )
    status = models.CharField("复核状态", max_length=20, choices=Status.choices, default=Status.AWAITING_SELF_EVALUATION)
    # Optimistic concurrency: every save through a service bumps it; a form carrying an old version is refused.
    version = models.PositiveIntegerField("版本", default=0)
    is_qualified = models.BooleanField("培训班是否合格", null=True, blank=True)
    passing_trainees = models.PositiveIntegerField("初审培训合格学员人数", null=True, blank=True)
    responsible_person = models.CharField("负责人", max_length=40, blank=True)
    verified_on = models.DateField("核实日期", null=True, blank=True)
    # Policy §6.7: 不合格 without a confirmed investigation must say why.
    unqualified_reason = models.TextField("不合格原因", blank=True)
    return_reason = models.TextField("退回原因", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "培训班绩效评价（附表1）"
        verbose_name_plural = "培训班绩效评价（附表1）"
        indexes = [models.Index(fields=["status", "-updated_at"], name="review_status_updated")]

    def __str__(self):
        return f"{self.training_class.batch_number} {self.get_status_display()}"


class ClassAssessment(LockableModel):
    """附表1's ten items, filled once by the institution (自评) and once by the county (评价)."""

    LOCK_PATH = "review__status"

    class Party(models.TextChoices):
        INSTITUTION = "institution", "职业技能培训承训机构自评情况"
        COUNTY = "county", "旗县市人力资源社会保障部门评价情况"

    review = models.ForeignKey(ClassReview, verbose_name="评价", on_delete=models.CASCADE, related_name="assessments")
    party = models.CharField("评价方", max_length=20, choices=Party.choices)
    item_1 = rating_field(f"1、{CLASS_ITEMS[0]}")
    item_2 = rating_field(f"2、{CLASS_ITEMS[1]}")
    item_3 = rating_field(f"3、{CLASS_ITEMS[2]}")
    item_4 = rating_field(f"4、{CLASS_ITEMS[3]}")
    item_5 = rating_field(f"5、{CLASS_ITEMS[4]}")
    item_6 = rating_field(f"6、{CLASS_ITEMS[5]}")
    item_7 = rating_field(f"7、{CLASS_ITEMS[6]}")
    item_8 = rating_field(f"8、{CLASS_ITEMS[7]}")
    item_9 = rating_field(f"9、{CLASS_ITEMS[8]}")
    item_10 = rating_field(f"10、{CLASS_ITEMS[9]}")
    overall = rating_field("综合评价")
    evaluator = models.CharField("评价人签字", max_length=40)
    evaluated_on = models.DateField("评价日期")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("提交时间", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "附表1评价项"
        verbose_name_plural = "附表1评价项"
        constraints = [models.UniqueConstraint(fields=["review", "party"], name="one_assessment_per_party")]


class TraineeEvaluation(LockableModel):
    """附表2: a trainee's evaluation of the class and integrity registration, signed by the trainee."""

    LOCK_PATH = "enrollment__training_class__review__status"

    class Source(models.TextChoices):
        ONLINE = "online", "学员手机填写"
        PAPER = "paper", "纸质表录入"

    class HoursUnit(models.TextChoices):
        HOURS = "hours", "课时"
        DAYS = "days", "天"

    enrollment = models.ForeignKey(
        "classes.Enrollment", verbose_name="学员", on_delete=models.PROTECT, related_name="evaluations"
    )
    # The enrollment's class, kept on the form (save() copies it; an enrollment never changes class) so that a
    # class's forms are read from one index without visiting its roster: the teacher ranking counts the forms of a
    # year's classes (270,000 at region scale) for every teacher before it can order them.
    training_class = models.ForeignKey(
        "classes.TrainingClass", verbose_name="培训班", on_delete=models.PROTECT, related_name="trainee_evaluations",
        editable=False,
    )
    item_1 = rating_field(f"1、{TRAINEE_ITEMS[0]}")
    item_2 = rating_field(f"2、{TRAINEE_ITEMS[1]}")
    item_3 = rating_field(f"3、{TRAINEE_ITEMS[2]}")
    item_4 = rating_field(f"4、{TRAINEE_ITEMS[3]}")
    item_5 = rating_field(f"5、{TRAINEE_ITEMS[4]}")
    item_6 = rating_field(f"6、{TRAINEE_ITEMS[5]}")
    item_7 = rating_field(f"7、{TRAINEE_ITEMS[6]}")
    item_8 = rating_field(f"8、{TRAINEE_ITEMS[7]}")
    suggestions = models.TextField("9、对培训的意见建议", max_length=1000, blank=True)
    overall = rating_field("综合评价情况")
    completed_training = models.BooleanField("本人是否完成此次培训")
    attended_from = models.DateField("参加培训的起始日期")
    attended_to = models.DateField("参加培训的结束日期")
    attended_amount = models.PositiveIntegerField("参加培训的课时（天数）")
    attended_unit = models.CharField("单位", max_length=10, choices=HoursUnit.choices, default=HoursUnit.HOURS)
    organiser_name = models.CharField("组织培训的机构", max_length=100)
    occupation_name = models.CharField("培训的职业（工种、专项能力）", max_length=80)
    is_confirmed = models.BooleanField("本人确认签字", default=False)
    signed_on = models.DateField("填表时间")
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    is_valid = models.BooleanField("有效", default=True)
    invalidated_reason = models.CharField("作废原因", max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "学员绩效评价和诚信登记表（附表2）"
        verbose_name_plural = "学员绩效评价和诚信登记表（附表2）"
        indexes = [
            # The valid forms of a class and their item 7 (师资配备和授课质量), read from the index alone: teacher
            # performance (policy §8.8) counts them for every class of a year to rank the teachers by their share.
            models.Index(
                fields=["training_class", "item_7"], condition=Q(is_valid=True), name="trainee_form_class_item_7"
            ),
        ]
        constraints = [
            # Two identical submissions at the same moment still give one valid form.
            models.UniqueConstraint(fields=["enrollment"], condition=Q(is_valid=True), name="one_valid_form_per_trainee"),
            models.CheckConstraint(name="trainee_form_is_signed", condition=Q(is_confirmed=True)),
            models.CheckConstraint(
                name="trainee_form_dates_in_order", condition=Q(attended_to__gte=models.F("attended_from"))
            ),
        ]

    def save(self, *args, **kwargs):
        # A new form always takes its enrollment's class, whatever a caller passed: the copy can never disagree
        # with the roster (an enrollment never changes class, and the form's enrollment is not editable).
        if self.enrollment_id is not None and (self._state.adding or self.training_class_id is None):
            self.training_class_id = self.enrollment.training_class_id
        super().save(*args, **kwargs)


class TraineeFormCounts(models.Model):
    """The valid 附表2 of one class, counted. The services that add a form (online, paper) or void one (untruthful,
    policy §7) change these counts in the same transaction as the form (evaluations.form_counts), so they are
    exact at every commit: the teacher ranking (policy §8.8) reads the year's 9,000 rows instead of counting
    the year's 230,000 forms on each page, and the institutions' yearly evidence (§8.7) grades each class from its
    row instead of its forms. A class without forms has no row (every count 0)."""

    training_class = models.OneToOneField(
        "classes.TrainingClass", verbose_name="培训班", on_delete=models.CASCADE, primary_key=True,
        related_name="trainee_form_counts",
    )
    valid_forms = models.PositiveIntegerField("有效附表2", default=0)
    # 附表2 item 7 (师资配备和授课质量) rated 优 or 良: the teacher's share of policy §8.8.
    item_7_good = models.PositiveIntegerField("第7项评为优或良", default=0)
    # The overall ratings (综合评价) that grade the class (policy §3, rules.grade_class).
    overall_excellent = models.PositiveIntegerField("综合评价为优", default=0)
    overall_good = models.PositiveIntegerField("综合评价为良", default=0)
    overall_fair = models.PositiveIntegerField("综合评价为一般", default=0)
    overall_poor = models.PositiveIntegerField("综合评价为差", default=0)

    class Meta:
        verbose_name = "培训班附表2计数"
        verbose_name_plural = "培训班附表2计数"
        constraints = [
            models.CheckConstraint(
                name="trainee_form_counts_good_within_valid", condition=Q(item_7_good__lte=models.F("valid_forms"))
            ),
            # Every valid form has an overall rating (the field is required).
            models.CheckConstraint(
                name="trainee_form_counts_overall_sum_to_valid",
                condition=Q(valid_forms=models.F("overall_excellent") + models.F("overall_good")
                            + models.F("overall_fair") + models.F("overall_poor")),
            ),
        ]

    def __str__(self):
        return f"{self.training_class_id}: {self.valid_forms}"


class EvaluationLink(LockableModel):
    """The unguessable, revocable link (and QR code) through which trainees open 附表2 on their phones."""

    LOCK_PATH = "training_class__review__status"

    training_class = models.ForeignKey(
        "classes.TrainingClass", verbose_name="培训班", on_delete=models.CASCADE, related_name="evaluation_links"
    )
    token = models.CharField("令牌", max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="生成人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    revoked_at = models.DateTimeField("作废时间", null=True, blank=True)

    class Meta:
        verbose_name = "学员评价链接"
        verbose_name_plural = "学员评价链接"
        constraints = [
            models.UniqueConstraint(
                fields=["training_class"], condition=Q(revoked_at__isnull=True), name="one_active_link_per_class"
            )
        ]


class ReviewEvent(models.Model):
    """One step of the review chain: who moved the class from which state to which, when, and why."""

    review = models.ForeignKey(ClassReview, verbose_name="评价", on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=40)
    from_status = models.CharField("原状态", max_length=20, choices=ClassReview.Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=ClassReview.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "复核记录"
        verbose_name_plural = "复核记录"
        ordering = ["-created_at", "-id"]


class RectificationNotice(LockableModel):
    """整改通知书 (policy §3, §8.6): an official notice of the county bureau to the institution, numbered per county
    and year, with the problems found, the requirements and a deadline. The institution reports its
    rectification (整改情况); the county closes the notice with evidence (销号) or sends the report back.

    The number, the addressee and the issuing office are written once at issue: an issued document does not
    change when an institution or a bureau is renamed later.
    """

    LOCK_PATH = "training_class__review__status"

    class Status(models.TextChoices):
        OPEN = "open", "整改中"
        SUBMITTED = "submitted", "待销号"
        CLOSED = "closed", "已整改"

    # Until closed the class still needs its rectification (policy §3: tracked until closed).
    UNRESOLVED_STATUSES = (Status.OPEN, Status.SUBMITTED)

    training_class = models.ForeignKey(
        "classes.TrainingClass", verbose_name="培训班", on_delete=models.PROTECT, related_name="rectification_notices"
    )
    county = models.ForeignKey("classes.Region", verbose_name="发文旗县市", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年份")
    sequence = models.PositiveIntegerField("序号")
    number = models.CharField("文号", max_length=60, unique=True)
    issuing_office = models.CharField("发文机关", max_length=60)
    addressee = models.CharField("主送单位", max_length=100)
    problems = models.TextField("存在问题", blank=True)
    requirements = models.TextField("整改要求")
    deadline = models.DateField("整改期限")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="下达人", on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField("成文日期")
    issued_at = models.DateTimeField("下达时间", auto_now_add=True)
    report = models.TextField("整改情况报告", blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报告人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField("报告时间", null=True, blank=True)
    return_reason = models.TextField("退回原因", blank=True)
    evidence = models.TextField("整改情况及佐证", blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="销号人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "整改通知书"
        verbose_name_plural = "整改通知书"
        ordering = ["-issued_at"]
        # A class's consequence states (with_review_facts: open / closed notices) are read per status for a page of
        # classes; this index answers them by index-only scans instead of reading every notice.
        indexes = [models.Index(fields=["status", "training_class"], name="notice_status_class")]
        constraints = [
            models.UniqueConstraint(fields=["county", "year", "sequence"], name="one_notice_number_per_county_year"),
            models.CheckConstraint(name="notice_sequence_positive", condition=Q(sequence__gte=1)),
        ]

    def __str__(self):
        return self.number

    @property
    def is_overdue(self) -> bool:
        """Policy §8.6: past the deadline and not closed."""
        return self.status != self.Status.CLOSED and self.deadline < timezone.localdate()


class RectificationNumberCounter(models.Model):
    """The last sequence given to a county's 整改通知书 in a year. Issuing locks this row, so two notices issued
    at the same moment get consecutive numbers, never the same one (the unique constraint above is the backstop)."""

    county = models.ForeignKey("classes.Region", verbose_name="旗县市", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年份")
    last_sequence = models.PositiveIntegerField("已用序号", default=0)

    class Meta:
        verbose_name = "整改通知书编号"
        verbose_name_plural = "整改通知书编号"
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="one_notice_counter_per_county_year")]


class RectificationEvent(models.Model):
    """One step of a 整改通知书: issued, reported, sent back, closed; who, when, from, to, why."""

    notice = models.ForeignKey(RectificationNotice, verbose_name="整改通知书", on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=40)
    from_status = models.CharField("原状态", max_length=10, choices=RectificationNotice.Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=10, choices=RectificationNotice.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    text = models.TextField("内容", blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "整改办理记录"
        verbose_name_plural = "整改办理记录"
        ordering = ["created_at", "id"]


class Investigation(LockableModel):
    """核查 (policy §3, §7): opened by the county when 差 reaches 10%; confirmed means 不合格, no subsidy."""

    LOCK_PATH = "training_class__review__status"

    class Status(models.TextChoices):
        OPEN = "open", "核查中"
        CONFIRMED = "confirmed", "情况属实"
        NOT_CONFIRMED = "not_confirmed", "情况不属实"

    training_class = models.ForeignKey(
        "classes.TrainingClass", verbose_name="培训班", on_delete=models.PROTECT, related_name="investigations"
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.OPEN)
    findings = models.TextField("核查情况", blank=True)
    conclusion_reason = models.TextField("结论及理由", blank=True)
    is_falsification = models.BooleanField("培训机构弄虚作假", default=False)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="立案人", on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField("立案时间", auto_now_add=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="结论人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    concluded_at = models.DateTimeField("结论时间", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "核查"
        verbose_name_plural = "核查"
        ordering = ["-opened_at"]
        # As notice_status_class: confirmed / not confirmed investigations of a page of classes (with_review_facts).
        indexes = [models.Index(fields=["status", "training_class"], name="investigation_status_class")]
        constraints = [
            models.UniqueConstraint(
                fields=["training_class"], condition=Q(status="open"), name="one_open_investigation_per_class"
            )
        ]
