import hashlib

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django_otp.models import Device
from django.utils import timezone
from simple_history.models import HistoricalRecords

from xingan_training import personal_data
from xingan_training.encrypted_fields import EncryptedCharField


class Role(models.TextChoices):
    LEAGUE = "league", "盟人力资源和就业服务中心"
    COUNTY = "county", "旗县市人力资源社会保障部门"
    INSTITUTION = "institution", "培训机构"
    # S2 四(一) "委托第三方": a firm the league or a county commissions for on-site inspections. It sees only the
    # inspections assigned to it (supervision.inspection_selectors); every other scoping function gives it nothing.
    THIRD_PARTY = "third_party", "受委托第三方"
    # Issue #13: discipline inspection and audit offices read what the staff of their region read, and change nothing
    # (accounts.read_only refuses every unsafe request). Anchored to the league (league-wide) or to one county.
    AUDITOR = "auditor", "纪检监察/审计"


class NormalisedUserManager(UserManager):
    def get_by_natural_key(self, username):
        return self.get(**{self.model.USERNAME_FIELD: self.model.normalize_username(username)})


class User(AbstractUser):
    """A portal user. The role and its anchor (region or institution) decide what the user may see."""

    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        "classes.Region",
        verbose_name="所属地区",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text="盟级人员填盟，旗县人员填旗县市；受委托第三方填委托它的盟或旗县市。",
    )
    institution = models.ForeignKey(
        "classes.Institution",
        verbose_name="所属培训机构",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    phone = EncryptedCharField("联系电话", max_length=20, blank=True, purpose=personal_data.PHONE)

    objects = NormalisedUserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                name="user_role_has_its_anchor",
                condition=(
                    Q(role="")
                    | Q(role="league", region__isnull=False, institution__isnull=True)
                    | Q(role="county", region__isnull=False, institution__isnull=True)
                    | Q(role="institution", institution__isnull=False, region__isnull=True)
                    | Q(role="third_party", region__isnull=False, institution__isnull=True)
                    | Q(role="auditor", region__isnull=False, institution__isnull=True)
                ),
                violation_error_message="角色与所属地区/机构不匹配。",
            ),
        ]

    @classmethod
    def normalize_username(cls, username):
        # "Bob" and "bob" are one account, and share one lockout counter.
        return super().normalize_username(username).strip().lower() if username else username

    def save(self, *args, **kwargs):
        self.username = self.normalize_username(self.username)
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.first_name or self.username

    @property
    def is_league_staff(self) -> bool:
        return self.role == Role.LEAGUE

    @property
    def is_county_staff(self) -> bool:
        return self.role == Role.COUNTY

    @property
    def is_institution_staff(self) -> bool:
        return self.role == Role.INSTITUTION

    @property
    def is_third_party(self) -> bool:
        return self.role == Role.THIRD_PARTY

    @property
    def is_auditor(self) -> bool:
        return self.role == Role.AUDITOR

    @property
    def read_role(self) -> str:
        """The role whose read scope this user has.

        An auditor reads as the staff of its region: league staff when anchored to the league, county staff when
        anchored to a county. Every other user reads as its own role. Only read checks (scoping, selectors, what a
        page shows) use this; write checks keep comparing ``role``, so an auditor passes none of them.
        """
        if self.role == Role.AUDITOR and self.region_id:
            # Region.Level values; classes.models is not imported here (it imports this app).
            return Role.LEAGUE if self.region.level == "league" else Role.COUNTY
        return self.role


class AuditEvent(models.Model):
    """Security events and state changes, append-only and hash-chained (等保2.0 安全审计, 网络安全法 §21).

    Written only by ``accounts.audit.audit_event_record``. Each record carries its place in the chain (``sequence``),
    the hash of the record before it and the hash of its own canonical content (``accounts.audit_chain``), so an
    edited, removed or inserted record is found by ``manage.py audit_verify``. Database triggers refuse UPDATE,
    DELETE and TRUNCATE; the one exception is the archiving path (``accounts.audit_archive``), which may delete rows
    older than the retention period once an ``AUDIT_ARCHIVED`` marker records the file that holds them.
    Row changes of classes, rosters and users are kept by django-simple-history beside each model.
    """

    class Action(models.TextChoices):
        LOGIN = "login", "登录"
        LOGOUT = "logout", "退出登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        SESSION_EXPIRED = "session_expired", "会话超时"
        VIEW_PERSONAL_DATA = "view_personal_data", "查看完整个人信息"
        EXPORT_PERSONAL_DATA = "export_personal_data", "导出个人信息"
        PRINT_DOCUMENT = "print_document", "打印正式文书"
        IMPORT_ROSTER = "import_roster", "导入名册"
        OTP_ENROLLED = "otp_enrolled", "启用二次验证"
        OTP_VERIFIED = "otp_verified", "二次验证通过"
        OTP_FAILED = "otp_failed", "二次验证码错误"
        OTP_LOCKED = "otp_locked", "二次验证已锁定"
        OTP_RESET = "otp_reset", "重置二次验证"
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", "重新生成恢复码"
        SECOND_FACTOR_POLICY = "second_factor_policy", "修改二次验证要求"
        SESSION_ENDED = "session_ended", "结束会话"
        # State changes of the supervision chain, one per area, so that an auditor can filter by what changed;
        # the detail says which step, from which status to which, and the reason given.
        CLASS_STATUS = "class_status", "培训班状态变更"
        OPENING_REVIEW = "opening_review", "开班审核"
        EVALUATION_REVIEW = "evaluation_review", "评价与复核"
        INVESTIGATION = "investigation", "核查"
        RECTIFICATION = "rectification", "整改"
        FOLLOWUP = "followup", "电话回访"
        INSPECTION = "inspection", "实地检查"
        SIGNAL_DISMISSED = "signal_dismissed", "核销疑点"
        LIST_DECISION = "list_decision", "红黑名单决定"
        TEACHER_REVIEW = "teacher_review", "师资审核"
        AUDIT_ARCHIVED = "audit_archived", "审计记录归档"

    sequence = models.PositiveBigIntegerField("序号", unique=True)
    action = models.CharField("事件", max_length=32, choices=Action.choices)
    # PROTECT, not SET_NULL: clearing the actor would rewrite audit rows, which the trigger refuses. Staff who leave
    # are deactivated, never deleted.
    actor = models.ForeignKey(
        User, verbose_name="操作人", on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    detail = models.CharField("说明", max_length=500, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    # Only on AUDIT_ARCHIVED markers: the last sequence the archive file holds (the trigger reads it).
    archived_through = models.PositiveBigIntegerField("归档至序号", null=True, blank=True)
    previous_hash = models.CharField("前一条哈希", max_length=64, unique=True)
    record_hash = models.CharField("本条哈希", max_length=64)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-sequence"]
        indexes = [
            models.Index(fields=["action", "-created_at"], name="audit_action_time"),
            # The audit trail page's filters: who (username) and which record (object type and id).
            models.Index(fields=["username", "-created_at"], name="audit_username_time"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()}"


class RecoveryCodeDevice(Device):
    """A user's one-time recovery codes, for when the authenticator phone is lost.

    django-otp's otp_static keeps its tokens in clear (StaticToken.token); a database reader could then pass anyone's
    second factor. Only the SHA-256 digest of each code is kept here: codes are random (50 bits), so an unsalted
    digest cannot be reversed by guessing.
    """

    class Meta(Device.Meta):
        verbose_name = "恢复码"
        verbose_name_plural = "恢复码"

    @staticmethod
    def digest_of(code: str) -> str:
        normalised = "".join(code.split()).replace("-", "").upper()
        return hashlib.sha256(normalised.encode()).hexdigest()

    def verify_token(self, token) -> bool:
        # Deleting the matching row is the "one time": a second use of the same code finds nothing.
        deleted, _by_model = self.codes.filter(digest=self.digest_of(str(token))).delete()
        return deleted > 0


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField("SHA-256 摘要", max_length=64)

    class Meta:
        verbose_name = "恢复码摘要"
        verbose_name_plural = "恢复码摘要"
        constraints = [models.UniqueConstraint(fields=["device", "digest"], name="recovery_code_unique_per_device")]


class SecondFactorPolicy(models.Model):
    """The league's one switch: whether institution staff must use a second factor too (league, county, third-party
    and administrator accounts always must). One row; changes are audited (SECOND_FACTOR_POLICY)."""

    institutions_required = models.BooleanField("培训机构用户必须启用二次验证", default=False)
    updated_by = models.ForeignKey(User, verbose_name="修改人", on_delete=models.SET_NULL, null=True, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "二次验证要求"
        verbose_name_plural = "二次验证要求"


class UserSession(models.Model):
    """What a user needs to recognise a session of theirs: keyed by the session store's key, so ending one deletes
    the same key from the store (database or cache)."""

    session_key = models.CharField("会话键", max_length=40, unique=True)
    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="user_sessions")
    user_agent = models.CharField("浏览器", max_length=300, blank=True)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    created_at = models.DateTimeField("登录时间", auto_now_add=True)
    last_activity = models.DateTimeField("最近活动")

    class Meta:
        verbose_name = "登录会话"
        verbose_name_plural = "登录会话"
        ordering = ["-last_activity"]
