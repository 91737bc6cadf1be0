"""What a user may do with a class's attendance: computed once, passed to templates as flags.

The services enforce the same conditions; these flags only decide what a page shows.

Decision (policy §8.3, §8.4): the institution is the supervised party. It registers the site, opens the daily
code and sees who checked in and when; the trainees' locations, photos, distance flags and the county's spot
checks are supervision evidence for county and league staff only.
"""

from dataclasses import dataclass
from datetime import date

from accounts.models import Role
from classes.models import TrainingClass

SITE_EDITABLE = (TrainingClass.Status.DRAFT, TrainingClass.Status.IN_TRAINING)


@dataclass(frozen=True)
class AttendanceActions:
    is_class_institution: bool  # may reach the projector page, which says why a code cannot be shown yet
    can_edit_site: bool
    can_open_code: bool
    can_see_evidence: bool  # locations, distances, photos, flags
    can_judge: bool  # draw spot checks, record verdicts, dismiss signals


def is_training_day(training_class: TrainingClass, day: date) -> bool:
    return training_class.status == TrainingClass.Status.IN_TRAINING and training_class.start_date <= day <= training_class.end_date


def can_see_evidence(user) -> bool:
    return user.read_role in (Role.COUNTY, Role.LEAGUE)


def attendance_actions_for(user, training_class: TrainingClass, *, has_site: bool, today: date) -> AttendanceActions:
    is_owner = user.role == Role.INSTITUTION and user.institution_id == training_class.institution_id
    is_bureau = can_see_evidence(user)
    return AttendanceActions(
        is_class_institution=is_owner,
        can_edit_site=is_owner and training_class.status in SITE_EDITABLE,
        can_open_code=is_owner and has_site and is_training_day(training_class, today),
        can_see_evidence=is_bureau,
        can_judge=is_bureau,
    )
