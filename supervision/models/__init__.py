from .demand import DemandCatalogueEntry, TrainingWish
from .inspections import Inspection, InspectionAttachment
from .teachers import ClassTeacher, Teacher

__all__ = ["ClassTeacher", "DemandCatalogueEntry", "Inspection", "InspectionAttachment", "Teacher", "TrainingWish"]
