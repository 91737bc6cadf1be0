from .demand import DemandCatalogueEntry, TrainingWish
from .department_lists import DepartmentList, DepartmentListEntry, DepartmentListKind
from .opening import ChangeRequest, OpeningDocument, OpeningEvent, OpeningReview, OpeningTraineeDecision
from .teachers import ClassTeacher, Teacher

__all__ = [
    "ChangeRequest",
    "ClassTeacher",
    "DemandCatalogueEntry",
    "DepartmentList",
    "DepartmentListEntry",
    "DepartmentListKind",
    "OpeningDocument",
    "OpeningEvent",
    "OpeningReview",
    "OpeningTraineeDecision",
    "Teacher",
    "TrainingWish",
]
