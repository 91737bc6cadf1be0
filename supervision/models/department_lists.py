"""Lists other departments hand over (registered unemployed, monitored households, graduates, …), imported by
league staff and matched by ID number in the class-opening review (policy §8.2, S2 三: 数据共享比对)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from classes.masking import MaskedIdNumber
from classes.models import Region, TraineeCategory
from xingan_training import personal_data
from xingan_training.encrypted_fields import BlindIndexField, EncryptedCharField


class DepartmentListKind(models.Model):
    """A kind of list (城镇登记失业人员, 防止返贫监测对象, …), as data: the league may receive new kinds."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名单类别", max_length=40, unique=True)
    # The trainee category an entry on this list bears out; empty for a list that proves none by itself.
    category = models.ForeignKey(
        TraineeCategory, verbose_name="可证明的人员类别", on_delete=models.PROTECT, null=True, blank=True,
        related_name="department_list_kinds",
    )
    usual_source = models.CharField("通常来源部门", max_length=100, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "部门名单类别"
        verbose_name_plural = "部门名单类别"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name


class DepartmentList(models.Model):
    """One imported list. A new list of the same kind in the same league replaces it: the old one keeps its
    metadata (who imported what, from which department, dated when) and loses its rows (Decision: the rows are
    personal data with no use once superseded; what a county saw when it decided is kept with the decision)."""

    league = models.ForeignKey(
        Region, verbose_name="盟市", on_delete=models.PROTECT, related_name="department_lists",
        limit_choices_to={"level": Region.Level.LEAGUE},
    )
    kind = models.ForeignKey(DepartmentListKind, verbose_name="名单类别", on_delete=models.PROTECT, related_name="lists")
    source_department = models.CharField("提供部门", max_length=100)
    list_date = models.DateField("名单日期")
    file_name = models.CharField("文件名", max_length=200)
    file_sha256 = models.CharField("文件摘要", max_length=64)
    row_count = models.PositiveIntegerField("人数")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    is_current = models.BooleanField("现行名单", default=True)
    replaced_at = models.DateTimeField("被替换时间", null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self", verbose_name="替换为", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "部门名单"
        verbose_name_plural = "部门名单"
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["league", "kind"], condition=Q(is_current=True), name="one_current_department_list_per_kind"
            ),
        ]

    def __str__(self):
        return f"{self.kind.name}（{self.source_department}，{self.list_date:%Y-%m-%d}）"


class DepartmentListEntry(MaskedIdNumber, models.Model):
    """One person on a list, by resident ID number (stored in full like Trainee.id_number, shown masked)."""

    department_list = models.ForeignKey(DepartmentList, verbose_name="名单", on_delete=models.CASCADE, related_name="entries")
    id_number = EncryptedCharField("身份证号", max_length=18, purpose=personal_data.RESIDENT_ID)
    id_number_digest = BlindIndexField(source="id_number")
    name = models.CharField("姓名", max_length=40)
    row_number = models.PositiveIntegerField("行号")

    class Meta:
        verbose_name = "部门名单人员"
        verbose_name_plural = "部门名单人员"
        ordering = ["department_list", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["department_list", "id_number_digest"], name="department_list_entry_once"),
        ]
        indexes = [models.Index(fields=["id_number_digest"], name="department_entry_id_digest")]

    def __str__(self):
        return f"{self.name} {self.masked_id_number}"
