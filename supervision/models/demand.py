"""The training demand catalogue (需求指导目录) and the workers' training wishes (培训需求档案), policy §8.1, S2 二."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from classes.masking import MaskedPersonalData
from classes.models import Occupation, Region, TraineeCategory, TrainingCategory, TrainingClass
from xingan_training import personal_data
from xingan_training.encrypted_fields import BlindIndexField, EncryptedCharField


class DemandCatalogueEntry(models.Model):
    """One occupation of a league's published training demand catalogue, valid from/to (both days inclusive)."""

    league = models.ForeignKey(
        Region, verbose_name="发布盟市", on_delete=models.PROTECT, related_name="demand_catalogue_entries",
        limit_choices_to={"level": Region.Level.LEAGUE},
    )
    occupation = models.ForeignKey(
        Occupation, verbose_name="职业（工种）", on_delete=models.PROTECT, related_name="demand_catalogue_entries"
    )
    training_type = models.CharField("培训类型", max_length=30, choices=TrainingCategory.choices)
    subsidy_per_person = models.DecimalField(
        "补贴标准（元/人）", max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    is_urgent = models.BooleanField("急需紧缺", default=False)
    valid_from = models.DateField("有效期起")
    valid_to = models.DateField("有效期止")
    ended_at = models.DateTimeField("终止时间", null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="终止人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.CharField("终止原因", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发布人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("发布时间", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "培训需求目录条目"
        verbose_name_plural = "培训需求目录"
        ordering = ["-is_urgent", "occupation__code", "-valid_from"]
        constraints = [
            models.CheckConstraint(name="demand_entry_valid_to_after_from", condition=Q(valid_to__gte=F("valid_from"))),
            models.CheckConstraint(name="demand_entry_subsidy_not_negative", condition=Q(subsidy_per_person__gte=0)),
        ]
        indexes = [models.Index(fields=["valid_from", "valid_to"], name="demand_entry_validity")]

    def __str__(self):
        return f"{self.occupation}（{self.valid_from:%Y-%m-%d}至{self.valid_to:%Y-%m-%d}）"


class TrainingWish(MaskedPersonalData, models.Model):
    """A worker's registered wish to be trained (培训需求档案): personal data, seen by the bureaus only."""

    name = models.CharField("姓名", max_length=40)
    phone = EncryptedCharField("手机号", max_length=11, purpose=personal_data.PHONE)
    phone_digest = BlindIndexField(source="phone")
    category = models.ForeignKey(
        TraineeCategory, verbose_name="人员类别", on_delete=models.PROTECT, related_name="training_wishes"
    )
    catalogue_entry = models.ForeignKey(
        DemandCatalogueEntry, verbose_name="意向培训项目", on_delete=models.PROTECT, related_name="training_wishes"
    )
    occupation = models.ForeignKey(
        Occupation, verbose_name="意向职业（工种）", on_delete=models.PROTECT, related_name="training_wishes"
    )
    county = models.ForeignKey(
        Region, verbose_name="所在旗县市", on_delete=models.PROTECT, related_name="training_wishes",
        limit_choices_to={"level": Region.Level.COUNTY},
    )
    note = models.CharField("备注", max_length=200, blank=True)
    consented_at = models.DateTimeField("同意信息使用说明的时间")
    created_at = models.DateTimeField("登记时间", auto_now_add=True, db_index=True)
    told_at = models.DateTimeField("通知时间", null=True, blank=True)
    told_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="通知人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    told_class = models.ForeignKey(
        TrainingClass, verbose_name="通知参加的培训班", on_delete=models.PROTECT, null=True, blank=True,
        related_name="told_training_wishes",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "培训意愿登记"
        verbose_name_plural = "培训需求档案"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="training_wish_told_completely",
                condition=Q(told_at__isnull=True, told_by__isnull=True, told_class__isnull=True)
                | Q(told_at__isnull=False, told_by__isnull=False, told_class__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["county", "occupation", "created_at"], name="training_wish_county_occ")]

    def __str__(self):
        return f"{self.name} {self.masked_phone} {self.occupation.name}"

    @property
    def is_told(self) -> bool:
        return self.told_at is not None
