"""What a user may do with a class they can see: computed once, passed to templates as flags.

The services enforce the same conditions; these flags only decide which buttons a page shows.
"""

from dataclasses import dataclass

from accounts.models import Role

from . import hooks
from .models import TrainingClass

EDITABLE = (TrainingClass.Status.DRAFT, TrainingClass.Status.IN_TRAINING)


@dataclass(frozen=True)
class ClassActions:
    can_edit: bool
    can_import_roster: bool
    can_start: bool
    can_finish: bool
    can_remove_trainees: bool
    can_mark_dropped: bool
    can_reveal_personal_data: bool
    can_see_name_mismatches: bool


def class_actions_for(user, training_class: TrainingClass) -> ClassActions:
    is_owner = user.role == Role.INSTITUTION and user.institution_id == training_class.institution_id
    # The opening review (policy §8.2) holds the registered fields while it runs and after approval, and lets only
    # approved classes start; asked only for the owner, the one who could act.
    may_change = is_owner and hooks.registered_change_refusal(training_class.pk) is None
    may_start = is_owner and training_class.status == TrainingClass.Status.DRAFT and hooks.start_refusal(training_class.pk) is None
    return ClassActions(
        can_edit=may_change and training_class.status in EDITABLE,
        can_import_roster=may_change and training_class.status in EDITABLE,
        can_start=may_start,
        can_finish=is_owner and training_class.status == TrainingClass.Status.IN_TRAINING,
        can_remove_trainees=may_change and training_class.status == TrainingClass.Status.DRAFT,
        can_mark_dropped=is_owner and training_class.status == TrainingClass.Status.IN_TRAINING,
        can_reveal_personal_data=user.read_role in (Role.INSTITUTION, Role.COUNTY, Role.LEAGUE),
        # Issue #8 item 9: the registered name of an ID number is the bureaus' to compare, never the institution's.
        can_see_name_mismatches=user.read_role in (Role.COUNTY, Role.LEAGUE),
    )


def can_create_class(user) -> bool:
    return user.role == Role.INSTITUTION and user.institution_id is not None
