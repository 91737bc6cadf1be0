"""The navigation a user's role offers, decided here so templates hold no role logic.

``navigation_items`` are the top-level links; ``navigation_menus`` group the rest under a heading each (a
dropdown in the navbar), so a new page is one more entry in a menu and the bar still fits a 1366 px screen.
"""

from django.urls import reverse

from .audit_trail import can_read_audit_trail
from .models import Role


def _followup_menu(user) -> list[tuple[str, str]]:
    entries = []
    if user.read_role in (Role.COUNTY, Role.LEAGUE):
        entries += [("电话回访", reverse("followups:worklist")), ("回访统计", reverse("followups:coverage")),
                    ("学员查询", reverse("reports:trainee_search"))]
    entries.append(("就业评价", reverse("followups:employment_overview")))
    return entries


def _supervision_menu(user) -> list[tuple[str, str]]:
    entries = [("开班审核", reverse("supervision:opening_list")), ("考勤签到", reverse("supervision:attendance_classes"))]
    if user.read_role == Role.LEAGUE:
        entries.append(("部门名单", reverse("supervision:department_list_list")))
    if user.read_role in (Role.COUNTY, Role.LEAGUE):
        entries.append(("疑点", reverse("supervision:signal_list")))
        entries.append(("现场检查", reverse("supervision:inspection_coverage")))
        entries.append(("培训需求", reverse("supervision:demand_overview")))
    entries += [("需求目录", reverse("supervision:catalogue_list")), ("师资库", reverse("supervision:teacher_list"))]
    entries.append(("整改清单", reverse("supervision:rectification_list")))
    # League staff evaluate institutions (and reach teacher performance from there); the others see their teachers'.
    performance = "supervision:performance_list" if user.read_role == Role.LEAGUE else "supervision:teacher_performance"
    entries.append(("机构与师资绩效", reverse(performance)))
    return entries


def role_navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if getattr(request, "second_factor_pending", False):
        # Password accepted, second factor not yet: no navigation (accounts/second_factor/middleware.py).
        return {"second_factor_pending": True}
    if user.role == Role.THIRD_PARTY:
        # A commissioned third party works on its assigned inspections and nothing else (policy §8.5).
        items = [("现场检查", reverse("supervision:inspection_list"))]
        return {"navigation_items": items, "navigation_menus": [], "role_label": user.get_role_display(),
                "role_anchor": user.region}
    role = user.read_role
    items = [("首页", reverse("home")), ("培训班", reverse("classes:class_list"))]
    if role in (Role.INSTITUTION, Role.COUNTY, Role.LEAGUE):
        items.append(("开班审核", reverse("supervision:opening_list")))
    if role == Role.COUNTY:
        items.append(("待评价核实", reverse("evaluations:county_queue")))
    if role == Role.LEAGUE:
        items.append(("待盟级复核", reverse("evaluations:league_queue")))
    if role in (Role.COUNTY, Role.LEAGUE, Role.INSTITUTION):
        items.append(("统计分析", reverse("reports:dashboard")))
    items += [("培训机构", reverse("classes:institution_list")), ("表扬名单", reverse("evaluations:commendations"))]
    if can_read_audit_trail(user):
        items.append(("审计日志", reverse("reports:audit_trail")))
    if user.is_superuser:
        items.append(("系统管理", reverse("admin:index")))
    menus = [("回访与就业", _followup_menu(user)), ("培训监管", _supervision_menu(user))]
    role_label = user.get_role_display() if user.role else ("系统管理员" if user.is_superuser else "未分配角色")
    anchor = user.institution or user.region
    return {"navigation_items": items, "navigation_menus": menus, "role_label": role_label, "role_anchor": anchor,
            # The auditor changes nothing: templates hide what submits a change (accounts.read_only refuses it).
            "is_read_only": user.is_auditor}
