"""The one rule of who sees what. Every selector of the project narrows its queryset through here.

- league staff: everything under their league (the counties whose parent is their region);
- county staff: their county;
- institution staff: their institution;
- a commissioned third party (受委托第三方): nothing here, ever. It reads only the inspections assigned to it,
  through supervision.inspection_selectors, which does not call this function for it;
- an auditor (纪检监察/审计): what the staff of its region read (User.read_role), league-wide or one county;
- superusers: everything (they administer the catalogues);
- anyone else, or an inactive account: nothing.
"""

from django.db.models import QuerySet

from .models import Role


def scope_to_user(queryset: QuerySet, user, *, county_path: str, institution_path: str) -> QuerySet:
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    role = user.read_role
    if role == Role.THIRD_PARTY:
        return queryset.none()
    if role == Role.LEAGUE and user.region_id:
        return queryset.filter(**{f"{county_path}__parent": user.region_id})
    if role == Role.COUNTY and user.region_id:
        return queryset.filter(**{county_path: user.region_id})
    if role == Role.INSTITUTION and user.institution_id:
        return queryset.filter(**{institution_path: user.institution_id})
    return queryset.none()
