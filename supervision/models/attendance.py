"""Daily attendance against 虚构课时 (policy §8.3): the class site, the days a class opened its classroom code,
the trainees' check-ins with location and photo, and the county's photo spot checks."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


def new_code_secret() -> str:
    return secrets.token_hex(32)


class ClassSite(models.Model):
    """Where a class is taught, with WGS-84 coordinates; check-ins are measured against it.

    Its history keeps every move of the site, so a county sees when a site was shifted towards the trainees."""

    training_class = models.OneToOneField(
        "classes.TrainingClass", verbose_name="培训班", on_delete=models.PROTECT, related_name="attendance_site"
    )
    address = models.CharField("培训地址", max_length=200)
    latitude = models.FloatField("纬度")
    longitude = models.FloatField("经度")
    # The key of the class's rotating classroom code; never shown, never in the history.
    code_secret = models.CharField("签到码密钥", max_length=64, default=new_code_secret, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField("登记时间", auto_now=True)

    history = HistoricalRecords(excluded_fields=["code_secret"])

    class Meta:
        verbose_name = "培训地点"
        verbose_name_plural = "培训地点"
        constraints = [
            models.CheckConstraint(
                name="class_site_coordinates_in_range",
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
            ),
        ]

    def __str__(self):
        return self.address


class AttendanceDay(models.Model):
    """A day on which the institution opened the class's classroom code (a day that was taught)."""

    training_class = models.ForeignKey(
        "classes.TrainingClass", verbose_name="培训班", on_delete=models.PROTECT, related_name="attendance_days"
    )
    date = models.DateField("日期")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="开启人", on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField("开启时间", default=timezone.now)

    class Meta:
        verbose_name = "签到日"
        verbose_name_plural = "签到日"
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["training_class", "date"], name="attendance_day_once_per_class"),
        ]


class CheckIn(models.Model):
    """A trainee's check-in on one training day, with what the phone gave: location (optional) and photo.

    ``distance_m`` is measured against the class site at check-in time. A check-in far from the site or without
    location is a fraud signal (policy §8.4): it informs, and the county may dismiss it with a reason."""

    enrollment = models.ForeignKey(
        "classes.Enrollment", verbose_name="学员", on_delete=models.PROTECT, related_name="check_ins"
    )
    # The enrollment's class, kept on the row so a class's day is read without a join through the roster.
    training_class = models.ForeignKey(
        "classes.TrainingClass", verbose_name="培训班", on_delete=models.PROTECT, related_name="check_ins"
    )
    date = models.DateField("签到日期")
    checked_in_at = models.DateTimeField("签到时间")
    latitude = models.FloatField("纬度", null=True, blank=True)
    longitude = models.FloatField("经度", null=True, blank=True)
    accuracy_m = models.PositiveIntegerField("定位精度（米）", null=True, blank=True)
    distance_m = models.PositiveIntegerField("距培训地点（米）", null=True, blank=True)
    photo = models.FileField("照片", blank=True, max_length=200)
    # A random value the phone keeps in a cookie: one phone checking in several trainees is 代签 evidence.
    device = models.CharField("设备标识", max_length=32, blank=True)
    flag_dismissed_reason = models.CharField("异常核销理由", max_length=500, blank=True)
    flag_dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="核销人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    flag_dismissed_at = models.DateTimeField("核销时间", null=True, blank=True)

    class Meta:
        verbose_name = "签到记录"
        verbose_name_plural = "签到记录"
        ordering = ["date", "checked_in_at"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "date"], name="check_in_once_per_day"),
            models.CheckConstraint(
                name="check_in_location_complete",
                condition=(
                    Q(latitude__isnull=True, longitude__isnull=True, accuracy_m__isnull=True, distance_m__isnull=True)
                    | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180,
                        distance_m__isnull=False)
                ),
            ),
        ]
        indexes = [models.Index(fields=["training_class", "date"], name="check_in_class_date")]

    @property
    def has_location(self) -> bool:
        return self.distance_m is not None


class ShortfallDismissal(models.Model):
    """The county's reasoned dismissal of a trainee's attendance-below-80% signal (policy §8.3, §8.4), with
    the figures it saw."""

    enrollment = models.OneToOneField(
        "classes.Enrollment", verbose_name="学员", on_delete=models.PROTECT, related_name="attendance_shortfall_dismissal"
    )
    attended_days = models.PositiveIntegerField("核销时出勤天数")
    training_days = models.PositiveIntegerField("核销时培训天数")
    reason = models.CharField("核销理由", max_length=500)
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核销人", on_delete=models.PROTECT, related_name="+")
    dismissed_at = models.DateTimeField("核销时间", auto_now_add=True)

    class Meta:
        verbose_name = "出勤不足核销"
        verbose_name_plural = "出勤不足核销"


class PhotoSpotCheck(models.Model):
    """One random draw of a class's check-in photos for the county to look at (抽查).

    ``candidates`` are the class's check-ins with a photo at draw time, as sorted [check-in id, enrollment id]
    pairs; attendance_rules.spot_check_order(candidates, seed, size) gives the drawn check-ins (at most one per
    trainee) in their order."""

    training_class = models.ForeignKey(
        "classes.TrainingClass", verbose_name="培训班", on_delete=models.PROTECT, related_name="photo_spot_checks"
    )
    seed = models.CharField("随机种子", max_length=64)
    candidates = models.JSONField("候选签到记录（签到编号、学员编号，按编号排序）")
    size = models.PositiveSmallIntegerField("拟抽查张数")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="抽查人", on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField("抽查时间", auto_now_add=True)

    class Meta:
        verbose_name = "照片抽查"
        verbose_name_plural = "照片抽查"
        ordering = ["-drawn_at", "-id"]


class PhotoSpotCheckItem(models.Model):
    """One drawn photo and the county's verdict on it; the history keeps every change of verdict."""

    class Verdict(models.TextChoices):
        SAME_PERSON = "same_person", "本人"
        OTHER_PERSON = "other_person", "非本人"
        UNDETERMINED = "undetermined", "无法判断"

    spot_check = models.ForeignKey(PhotoSpotCheck, verbose_name="抽查", on_delete=models.CASCADE, related_name="items")
    check_in = models.ForeignKey(CheckIn, verbose_name="签到记录", on_delete=models.PROTECT, related_name="spot_check_items")
    position = models.PositiveSmallIntegerField("抽取顺位")
    verdict = models.CharField("结论", max_length=20, choices=Verdict.choices, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="判定人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("判定时间", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "抽查照片"
        verbose_name_plural = "抽查照片"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["spot_check", "check_in"], name="spot_check_photo_once"),
            models.UniqueConstraint(fields=["spot_check", "position"], name="spot_check_position_once"),
        ]
