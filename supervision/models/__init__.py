"""Models of the supervision app, one module per domain, re-exported here for Django and for imports."""

from .attendance import AttendanceDay, CheckIn, ClassSite, PhotoSpotCheck, PhotoSpotCheckItem, ShortfallDismissal
from .demand import DemandCatalogueEntry, TrainingWish
from .signals import ClassSignalCheck, FraudSignal
from .teachers import ClassTeacher, Teacher

__all__ = [
    "AttendanceDay",
    "CheckIn",
    "ClassSignalCheck",
    "ClassSite",
    "ClassTeacher",
    "DemandCatalogueEntry",
    "FraudSignal",
    "PhotoSpotCheck",
    "PhotoSpotCheckItem",
    "ShortfallDismissal",
    "Teacher",
    "TrainingWish",
]
