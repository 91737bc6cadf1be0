from .demand import DemandCatalogueEntry, TrainingWish
from .teachers import ClassTeacher, Teacher

__all__ = ["ClassTeacher", "DemandCatalogueEntry", "Teacher", "TrainingWish"]
