"""Who needs a second factor, and when wrong codes lock it. Pure functions: no Django, no database."""

from datetime import datetime, timedelta

# League and county staff decide on subsidies and read whole rosters; a commissioned third party (受委托第三方) is
# an outside firm whose staff read the rosters and photos of the classes they inspect, from devices the league does
# not manage — its accounts are the likeliest to leak, so they need the second factor as much as staff do. An
# auditor (纪检监察/审计) reads every roster and the audit trail of its region.
ROLES_ALWAYS_REQUIRED = frozenset({"league", "county", "third_party", "auditor"})
INSTITUTION_ROLE = "institution"

# Events that decide the lockout, as AuditEvent.Action values.
FAILED, VERIFIED, LOCKED, RESET = "otp_failed", "otp_verified", "otp_locked", "otp_reset"


def is_second_factor_required(*, role: str, is_superuser: bool, is_staff: bool, institutions_required: bool) -> bool:
    """Administrators (the Django admin) and league, county, third-party and auditor accounts always; institution staff when
    the league requires it (SecondFactorPolicy). An institution user may enrol anyway; once enrolled, every login
    asks for the code (the middleware checks the device, not this rule)."""
    if is_superuser or is_staff or role in ROLES_ALWAYS_REQUIRED:
        return True
    return role == INSTITUTION_ROLE and institutions_required


def locked_until(events: list[tuple[str, datetime]], *, period: timedelta) -> datetime | None:
    """When the second factor unlocks, or None if it is not locked.

    events: the user's second-factor events of the last `period`, newest first. A lock lasts `period` from the
    event that recorded it; a success or an administrator's reset clears the count of wrong codes before it.
    """
    for action, at in events:
        if action in (VERIFIED, RESET):
            return None
        if action == LOCKED:
            return at + period
    return None


def is_limit_reached(events: list[tuple[str, datetime]], *, limit: int) -> bool:
    """True when the wrong codes since the last success, reset or lock reach the limit (the caller then records a
    lock)."""
    failures = 0
    for action, _at in events:
        if action in (VERIFIED, RESET, LOCKED):
            break
        if action == FAILED:
            failures += 1
    return failures >= limit
