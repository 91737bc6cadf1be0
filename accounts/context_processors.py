"""The navigation a user's role offers, decided here so templates hold no role logic."""

from django.urls import reverse

from .models import Role


def role_navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [("首页", reverse("home")), ("培训班", reverse("classes:class_list"))]
    if user.role == Role.COUNTY:
        items.append(("待评价核实", reverse("evaluations:county_queue")))
    if user.role == Role.LEAGUE:
        items.append(("待盟级复核", reverse("evaluations:league_queue")))
    if user.role in (Role.COUNTY, Role.LEAGUE):
        items += [("电话回访", reverse("followups:worklist")), ("回访统计", reverse("followups:coverage"))]
    items.append(("考勤签到", reverse("supervision:attendance_classes")))
    if user.role in (Role.COUNTY, Role.LEAGUE):
        items.append(("疑点", reverse("supervision:signal_list")))
    items.append(("就业评价", reverse("followups:employment_overview")))
    if user.role in (Role.COUNTY, Role.LEAGUE):
        items.append(("培训需求", reverse("supervision:demand_overview")))
    items += [("需求目录", reverse("supervision:catalogue_list")), ("师资库", reverse("supervision:teacher_list"))]
    items += [("培训机构", reverse("classes:institution_list")), ("表扬名单", reverse("evaluations:commendations"))]
    if user.is_superuser:
        items.append(("系统管理", reverse("admin:index")))
    role_label = user.get_role_display() if user.role else ("系统管理员" if user.is_superuser else "未分配角色")
    anchor = user.institution or user.region
    return {"navigation_items": items, "role_label": role_label, "role_anchor": anchor}
