from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


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
    phone = models.CharField("联系电话", max_length=20, blank=True)

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
    """Security events that are not row changes: logins, failures, views and exports of personal data.

    Row changes of classes, rosters and users are kept by django-simple-history beside each model.
    """

    class Action(models.TextChoices):
        LOGIN = "login", "登录"
        LOGOUT = "logout", "退出登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        SESSION_EXPIRED = "session_expired", "会话超时"
        VIEW_PERSONAL_DATA = "view_personal_data", "查看完整个人信息"
        EXPORT_PERSONAL_DATA = "export_personal_data", "导出个人信息"
        IMPORT_ROSTER = "import_roster", "导入名册"

    action = models.CharField("事件", max_length=32, choices=Action.choices)
    actor = models.ForeignKey(
        User, verbose_name="操作人", on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    detail = models.CharField("说明", max_length=500, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["action", "-created_at"], name="audit_action_time"),
            # The audit trail page's filters: who (username) and which record (object type and id).
            models.Index(fields=["username", "-created_at"], name="audit_username_time"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()}"
