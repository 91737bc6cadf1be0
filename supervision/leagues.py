"""The league a portal user works in. The demand catalogue and the teacher pool are league-wide (S2 二, 五(一)),
so their scoping asks for the user's league rather than a county or an institution."""

from accounts.models import Role


def league_id_of(user) -> int | None:
    """League staff: their region; county staff: the league above their county; institution staff: the league
    of their institution's county. None for anyone else (anonymous, inactive, unassigned; superusers see all)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.read_role == Role.LEAGUE:
        return user.region_id
    if user.read_role == Role.COUNTY and user.region_id:
        return user.region.parent_id
    if user.role == Role.INSTITUTION and user.institution_id:
        return user.institution.county.parent_id
    return None
