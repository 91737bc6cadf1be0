from .demand import DemandCatalogueEntry, TrainingWish
from .performance import CatalogueStatusChange, InstitutionEvaluation, ListDecision
from .teachers import ClassTeacher, Teacher

__all__ = [
    "CatalogueStatusChange", "ClassTeacher", "DemandCatalogueEntry", "InstitutionEvaluation", "ListDecision", "Teacher",
    "TrainingWish",
]
