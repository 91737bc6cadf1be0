from .demand import DemandCatalogueEntry, TrainingWish
from .rectification import (
    RectificationAttachment,
    RectificationEvidence,
    RectificationItem,
    RectificationItemEvent,
    RectificationSource,
)
from .teachers import ClassTeacher, Teacher

__all__ = [
    "ClassTeacher",
    "DemandCatalogueEntry",
    "RectificationAttachment",
    "RectificationEvidence",
    "RectificationItem",
    "RectificationItemEvent",
    "RectificationSource",
    "Teacher",
    "TrainingWish",
]
