"""The league's teacher pool (师资库, policy §8.8, S2 五(一)) and the teachers of each class."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from classes.masking import mask_id_number
from classes.models import Institution, Occupation, TrainingClass
from xingan_training import personal_data
from xingan_training.encrypted_fields import BlindIndexField, EncryptedCharField


class Teacher(models.Model):
    """A person who teaches subsidised classes; one row per resident ID number, league-wide."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "待确认"
        CONFIRMED = "confirmed", "已入库"
        REJECTED = "rejected", "未通过"

    class EmploymentType(models.TextChoices):
        FULL_TIME = "full_time", "专职"
        PART_TIME = "part_time", "兼职"

    class Qualification(models.TextChoices):
        SKILL_LEVEL_CERTIFICATE = "skill_level_certificate", "职业技能等级证书"
        VOCATIONAL_QUALIFICATION = "vocational_qualification", "职业资格证书"
        SPECIAL_ABILITY = "special_ability", "专项职业能力证书"
        TEACHER_QUALIFICATION = "teacher_qualification", "教师资格证"
        PROFESSIONAL_TITLE = "professional_title", "专业技术职称证书"

    name = models.CharField("姓名", max_length=40)
    id_number = EncryptedCharField("身份证号", max_length=18, purpose=personal_data.RESIDENT_ID)
    id_number_digest = BlindIndexField(source="id_number", unique=True)
    employment_type = models.CharField("专兼职", max_length=20, choices=EmploymentType.choices)
    occupations = models.ManyToManyField(Occupation, verbose_name="授课职业（工种）", related_name="teachers")
    qualification = models.CharField("资质类别", max_length=40, choices=Qualification.choices)
    certificate_number = models.CharField("证书编号", max_length=50)
    employer = models.CharField("工作单位", max_length=100)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PROPOSED)
    proposed_by_institution = models.ForeignKey(
        Institution, verbose_name="推荐机构", on_delete=models.PROTECT, related_name="proposed_teachers"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="推荐人", on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField("推荐时间")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    rejection_reason = models.CharField("未通过原因", max_length=500, blank=True)

    history = HistoricalRecords(m2m_fields=[occupations])

    class Meta:
        verbose_name = "教师"
        verbose_name_plural = "师资库"
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                name="teacher_rejection_has_reason", condition=~Q(status="rejected") | ~Q(rejection_reason=""),
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.masked_id_number}"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class ClassTeacher(models.Model):
    """A teacher of the pool assigned to a class."""

    training_class = models.ForeignKey(
        TrainingClass, verbose_name="培训班", on_delete=models.CASCADE, related_name="teacher_assignments"
    )
    teacher = models.ForeignKey(Teacher, verbose_name="教师", on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="安排人", on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField("安排时间", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "培训班授课教师"
        verbose_name_plural = "培训班授课教师"
        ordering = ["training_class", "teacher__name"]
        constraints = [
            models.UniqueConstraint(fields=["training_class", "teacher"], name="class_teacher_once_per_class"),
        ]

    def __str__(self):
        return f"{self.training_class.batch_number} {self.teacher.name}"
