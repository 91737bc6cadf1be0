"""The training domain: regions, institutions, the occupation catalogue, classes, trainees and rosters."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from xingan_training import personal_data
from xingan_training.encrypted_fields import BlindIndexField, EncryptedCharField
from xingan_training.locking import LockableModel

from .masking import MaskedIdNumber, MaskedPhone


class Region(models.Model):
    """An administrative region by its GB/T 2260 code (内蒙古 → 兴安盟 → 旗县市)."""

    class Level(models.TextChoices):
        PROVINCE = "province", "自治区"
        LEAGUE = "league", "盟市"
        COUNTY = "county", "旗县市"

    code = models.CharField("行政区划代码", max_length=6, unique=True)
    name = models.CharField("名称", max_length=50)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(name="region_code_is_six_digits", condition=Q(code__regex=r"^[0-9]{6}$")),
        ]

    def __str__(self):
        return self.name


class TrainingCategory(models.TextChoices):
    EMPLOYMENT_SKILLS = "employment_skills", "就业技能培训"
    JOB_SKILLS_UPGRADE = "job_skills_upgrade", "岗位技能提升培训"
    ENTREPRENEURSHIP = "entrepreneurship", "创业培训"


class TraineeCategory(models.Model):
    """The eligible trainee categories of S2 三 (policy §8), as data so the catalogue can grow."""

    class EmploymentGroup(models.TextChoices):
        FARMER_HERDER = "farmer_herder", "农牧民"
        URBAN_UNEMPLOYED = "urban_unemployed", "城镇失业人员"
        STUDENT = "student", "学生（只统计，不评级）"

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    employment_group = models.CharField("就业率统计分组", max_length=20, choices=EmploymentGroup.choices)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "人员类别"
        verbose_name_plural = "人员类别"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name


class Occupation(models.Model):
    """An entry of the training demand catalogue (职业/工种, S2 二)."""

    class Level(models.TextChoices):
        SPECIAL = "special", "专项能力"
        LEVEL_5 = "5", "五级/初级工"
        LEVEL_4 = "4", "四级/中级工"
        LEVEL_3 = "3", "三级/高级工"
        LEVEL_2 = "2", "二级/技师"
        LEVEL_1 = "1", "一级/高级技师"

    code = models.CharField("职业编码", max_length=20)
    name = models.CharField("职业（工种）名称", max_length=80)
    level = models.CharField("等级", max_length=10, choices=Level.choices)
    training_type = models.CharField("培训类型", max_length=30, choices=TrainingCategory.choices)
    subsidy_per_person = models.DecimalField(
        "补贴标准（元/人）", max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    is_urgent = models.BooleanField("急需紧缺", default=False)
    is_active = models.BooleanField("在目录中", default=True)

    class Meta:
        verbose_name = "职业（工种）目录"
        verbose_name_plural = "职业（工种）目录"
        ordering = ["code", "level"]
        constraints = [
            models.UniqueConstraint(fields=["code", "level"], name="occupation_code_level_unique"),
            models.CheckConstraint(name="occupation_subsidy_not_negative", condition=Q(subsidy_per_person__gte=0)),
        ]

    def __str__(self):
        return f"{self.name}（{self.get_level_display()}）"


class Institution(models.Model):
    """A training institution (承训机构) in one county."""

    class CatalogueStatus(models.TextChoices):
        LISTED = "listed", "在目录内"
        SUSPENDED = "suspended", "暂停承训"
        REMOVED = "removed", "已退出目录"

    name = models.CharField("机构名称", max_length=100, unique=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    county = models.ForeignKey(
        Region, verbose_name="所在旗县市", on_delete=models.PROTECT, related_name="institutions",
        limit_choices_to={"level": Region.Level.COUNTY},
    )
    address = models.CharField("地址", max_length=200, blank=True)
    contact_person = models.CharField("联系人", max_length=40)
    contact_phone = EncryptedCharField("联系电话", max_length=20, purpose=personal_data.PHONE)
    licensed_occupations = models.ManyToManyField(
        Occupation, verbose_name="办学许可范围", related_name="licensed_institutions", blank=True
    )
    catalogue_status = models.CharField(
        "补贴性培训机构目录状态", max_length=20, choices=CatalogueStatus.choices, default=CatalogueStatus.LISTED
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    # Policy §7 / S2 四(一): an institution found falsifying records is marked for handling (catalogue removal).
    is_flagged_for_handling = models.BooleanField("待处理（弄虚作假）", default=False)
    flag_reason = models.CharField("处理原因", max_length=500, blank=True)

    history = HistoricalRecords(m2m_fields=[licensed_occupations])

    class Meta:
        verbose_name = "培训机构"
        verbose_name_plural = "培训机构"
        ordering = ["county__code", "name"]
        constraints = [
            models.CheckConstraint(
                name="institution_credit_code_format", condition=Q(credit_code__regex=r"^[0-9A-HJ-NP-RT-UW-Y]{18}$")
            ),
        ]

    def __str__(self):
        return self.name


# A training class is one classroom taught together: its trainees sit one assessment and fill 附表2 in one
# session. 200 is well above any classroom; a bigger intake is registered as several classes (batches).
# It also bounds the work of one class: a roster, a 附表2 set as PDF, a follow-up sample.
MAX_REGISTERED_HEADCOUNT = 200


class TrainingClass(LockableModel):
    """A class batch (培训班): the header of 附表1 plus what the portal tracks about it."""

    LOCK_PATH = "review__status"

    class Status(models.TextChoices):
        DRAFT = "draft", "筹备中"
        IN_TRAINING = "in_training", "培训中"
        FINISHED = "finished", "已结业"

    batch_number = models.CharField("审核（备案）班期", max_length=40, unique=True)
    institution = models.ForeignKey(
        Institution, verbose_name="培训机构", on_delete=models.PROTECT, related_name="classes"
    )
    occupation = models.ForeignKey(
        Occupation, verbose_name="培训职业（工种）", on_delete=models.PROTECT, related_name="classes"
    )
    category = models.CharField("培训类别", max_length=30, choices=TrainingCategory.choices)
    start_date = models.DateField("培训开始日期")
    end_date = models.DateField("培训结束日期")
    assessment_end_date = models.DateField("培训鉴定结束日期", null=True, blank=True)
    registered_headcount = models.PositiveIntegerField(
        "备案人数",
        validators=[
            MinValueValidator(1, message="备案人数至少为1人。"),
            MaxValueValidator(
                MAX_REGISTERED_HEADCOUNT,
                message=f"备案人数不能超过{MAX_REGISTERED_HEADCOUNT}人：一个培训班是一个教学班，人数更多请分班备案。",
            ),
        ],
    )
    class_hours = models.PositiveIntegerField("培训课时", validators=[MinValueValidator(1)])
    location = models.CharField("培训地点", max_length=200)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "培训班"
        verbose_name_plural = "培训班"
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(name="class_ends_after_start", condition=Q(end_date__gte=F("start_date"))),
            models.CheckConstraint(
                name="class_assessment_after_end",
                condition=Q(assessment_end_date__isnull=True) | Q(assessment_end_date__gte=F("end_date")),
            ),
            models.CheckConstraint(name="class_headcount_positive", condition=Q(registered_headcount__gte=1)),
            models.CheckConstraint(
                name="class_headcount_within_one_classroom",
                condition=Q(registered_headcount__lte=MAX_REGISTERED_HEADCOUNT),
            ),
            models.CheckConstraint(name="class_hours_positive", condition=Q(class_hours__gte=1)),
        ]
        indexes = [
            models.Index(fields=["status", "-start_date"], name="class_status_start"),
            models.Index(fields=["-start_date", "-id"], name="class_start_id"),
            models.Index(fields=["assessment_end_date"], name="class_assessment_end"),
            # The landing page's tallies per county and status: an index-only scan instead of reading every class.
            models.Index(fields=["institution", "status"], include=["assessment_end_date"], name="class_institution_status"),
            # The dashboards, inspection coverage and statistics report count the classes that ended in (or ran into) a
            # period: a range of this index instead of reading every class (EXPLAIN at region scale: 146 → 65 ms for
            # the figures, 20–30 → 8–14 ms for each coverage query).
            models.Index(fields=["status", "end_date"], name="class_status_end"),
            # The commendation list's order (newest end first) within a year: walked backwards, stopping after a page.
            models.Index(fields=["-end_date", "-id"], name="class_end_id"),
            # A county's classes as ids, read from the index alone: the county review queue (and its count on the
            # landing page) joins its county's ids to the reviews waiting (5,900) instead of reading all 100,000
            # classes to learn their institution (EXPLAIN at region scale: 28 → 9.5 ms).
            models.Index(fields=["institution", "id"], name="class_institution_id"),
            # The classes not yet finished (1,200 of 100,000), whose tallies and rosters the landing page counts live:
            # read from this small index alone instead of scanning every class (league-wide: 27 → 5 ms).
            models.Index(fields=["institution", "id"], include=["status"], condition=~Q(status="finished"),
                         name="class_unfinished"),
        ]

    def __str__(self):
        return f"{self.batch_number} {self.occupation.name}"

    @property
    def county(self) -> Region:
        return self.institution.county


class Trainee(MaskedIdNumber, models.Model):
    """A person, once in the whole system, identified by the resident ID number.

    ``name`` is the name of the first registration. What a roster says about the person (name as written,
    phone) belongs to that roster's Enrollment: an institution must not read what another institution gave.
    """

    class Gender(models.TextChoices):
        MALE = "male", "男"
        FEMALE = "female", "女"

    # Encrypted at rest; one person per number is the digest's uniqueness (personal_data.py).
    id_number = EncryptedCharField("身份证号", max_length=18, purpose=personal_data.RESIDENT_ID)
    id_number_digest = BlindIndexField(source="id_number", unique=True)
    name = models.CharField("姓名", max_length=40)
    gender = models.CharField("性别", max_length=6, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    category = models.ForeignKey(
        TraineeCategory, verbose_name="人员类别", on_delete=models.PROTECT, related_name="trainees"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "学员"
        verbose_name_plural = "学员"

    def __str__(self):
        return f"{self.name} {self.masked_id_number}"


class RosterImport(models.Model):
    """One uploaded roster workbook: previewed first, written only on confirmation, all or nothing."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "待确认"
        REJECTED = "rejected", "有错误，未导入"
        CONFIRMED = "confirmed", "已导入"

    training_class = models.ForeignKey(
        TrainingClass, verbose_name="培训班", on_delete=models.CASCADE, related_name="roster_imports"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField("文件名", max_length=200)
    file_sha256 = models.CharField("文件摘要", max_length=64)
    # Kept only until the import is confirmed or rejected, then cleared: personal data is not hoarded.
    content = models.BinaryField("文件内容", blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices)
    row_count = models.PositiveIntegerField("行数", default=0)
    errors = models.JSONField("错误", default=list, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    confirmed_at = models.DateTimeField("导入时间", null=True, blank=True)

    class Meta:
        verbose_name = "名册导入"
        verbose_name_plural = "名册导入"
        ordering = ["-created_at"]


class Enrollment(MaskedPhone, LockableModel):
    """A trainee on a class roster, with what that roster said about the person (issue #8 item 9)."""

    LOCK_PATH = "training_class__review__status"

    class Completion(models.TextChoices):
        ENROLLED = "enrolled", "在训"
        COMPLETED = "completed", "已结业"
        DROPPED = "dropped", "中途退出"

    training_class = models.ForeignKey(
        TrainingClass, verbose_name="培训班", on_delete=models.PROTECT, related_name="enrollments"
    )
    trainee = models.ForeignKey(Trainee, verbose_name="学员", on_delete=models.PROTECT, related_name="enrollments")
    # The name as this roster wrote it: what the class's pages and files show, so that an institution never
    # learns the name under which another roster registered the same ID number. The county sees a mismatch
    # with the trainee's registered name (selectors.roster_name_mismatches).
    roster_name = models.CharField("花名册姓名", max_length=40)
    # The number this roster gave: the class page, reveal, exports, follow-up calls and forms read this one,
    # never a number another institution's roster gave for the same person.
    phone = EncryptedCharField("联系电话", max_length=11, purpose=personal_data.PHONE)
    phone_digest = BlindIndexField(source="phone")
    completion = models.CharField("结业情况", max_length=20, choices=Completion.choices, default=Completion.ENROLLED)
    roster_import = models.ForeignKey(
        RosterImport, verbose_name="来源导入", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Policy §7: a trainee found to have filled 附表2 untruthfully loses the training subsidy eligibility.
    is_subsidy_eligible = models.BooleanField("享受培训补贴资格", default=True)
    ineligibility_reason = models.CharField("取消资格原因", max_length=500, blank=True)
    created_at = models.DateTimeField("加入时间", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "花名册"
        verbose_name_plural = "花名册"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["training_class", "trainee"], name="enrollment_once_per_class"),
        ]
        # The shared-phone fraud signal (policy §8.4) finds every roster row with a class's phone numbers.
        indexes = [models.Index(fields=["phone_digest"], name="enrollment_phone_digest")]
