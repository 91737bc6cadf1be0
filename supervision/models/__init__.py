"""Models of the supervision app, one module per domain, re-exported here for Django and for imports.

One import line per module (and no ``__all__``), so each domain adds its own line.
"""
# ruff: noqa: F401

from .attendance import AttendanceDay, CheckIn, ClassSite, PhotoSpotCheck, PhotoSpotCheckItem, ShortfallDismissal
from .demand import DemandCatalogueEntry, TrainingWish
from .department_lists import DepartmentList, DepartmentListEntry, DepartmentListKind
from .inspections import Inspection, InspectionAttachment
from .opening import CHANGEABLE_FIELDS, ChangeRequest, OpeningDocument, OpeningEvent, OpeningReview, OpeningTraineeDecision
from .performance import CatalogueStatusChange, InstitutionEvaluation, ListDecision
from .rectification import RectificationAttachment, RectificationEvidence, RectificationItem, RectificationItemEvent, RectificationSource
from .signals import ClassSignalCheck, FraudSignal
from .teachers import ClassTeacher, Teacher
