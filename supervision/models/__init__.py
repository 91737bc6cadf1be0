"""Models of the supervision app, one module per domain, re-exported here for Django and for imports."""

from .attendance import (
    AttendanceDay,
    CheckIn,
    ClassSite,
    PhotoSpotCheck,
    PhotoSpotCheckItem,
    ShortfallDismissal,
)

__all__ = [
    "AttendanceDay",
    "CheckIn",
    "ClassSite",
    "PhotoSpotCheck",
    "PhotoSpotCheckItem",
    "ShortfallDismissal",
]
