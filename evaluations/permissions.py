"""Which review-chain buttons and evidence a user sees on a class. The services enforce the same conditions;
these flags only decide what a page shows, so a form the user may not use is never rendered."""

from dataclasses import dataclass

from accounts.models import Role
from classes.models import TrainingClass

from .models import ClassReview, RectificationNotice

Status = ClassReview.Status
FORMS_OPEN = (Status.AWAITING_SELF_EVALUATION, Status.AWAITING_COUNTY)
# Once the county has verified the class, the institution may read its counts per rating (policy §6.6).
VERIFIED = (Status.COUNTY_VERIFIED, Status.FORWARDED, Status.RETURNED, Status.APPROVED)
# While the league holds the class, or after approval, consequences wait (policy §6.8).
HELD_BY_LEAGUE = (Status.FORWARDED, Status.APPROVED)


@dataclass(frozen=True)
class ReviewActions:
    can_self_assess: bool
    can_verify: bool
    can_forward: bool
    can_decide: bool
    can_reopen: bool
    can_enter_paper: bool
    can_manage_link: bool
    can_handle_consequences: bool
    can_see_trainee_forms: bool
    can_see_rating_counts: bool
    can_download_full_ids: bool


def review_actions_for(user, training_class: TrainingClass, review: ClassReview | None) -> ReviewActions:
    status = review.status if review else Status.AWAITING_SELF_EVALUATION
    is_county = user.role == Role.COUNTY
    is_league = user.role == Role.LEAGUE
    is_owner = user.role == Role.INSTITUTION and user.institution_id == training_class.institution_id
    # What the page shows follows the read scope (an auditor reads as its region's staff); what it lets one do
    # follows the role.
    reads_as_bureau = user.read_role in (Role.COUNTY, Role.LEAGUE)
    forms_open = status in FORMS_OPEN
    finished = training_class.status == TrainingClass.Status.FINISHED
    return ReviewActions(
        can_self_assess=is_owner and forms_open and training_class.status != TrainingClass.Status.DRAFT,
        can_verify=is_county and finished and status in (Status.AWAITING_COUNTY, Status.COUNTY_VERIFIED, Status.RETURNED),
        can_forward=is_county and status == Status.COUNTY_VERIFIED,
        can_decide=is_league and status == Status.FORWARDED,
        can_reopen=is_league and status == Status.APPROVED,
        can_enter_paper=is_county and forms_open,
        can_manage_link=is_county and forms_open,
        can_handle_consequences=is_county and status not in HELD_BY_LEAGUE,
        can_see_trainee_forms=reads_as_bureau or user.is_superuser,
        can_see_rating_counts=reads_as_bureau or user.is_superuser or (is_owner and status in VERIFIED),
        can_download_full_ids=reads_as_bureau,
    )


@dataclass(frozen=True)
class RectificationActions:
    can_report: bool
    can_close: bool
    can_return: bool


def rectification_actions_for(user, notice: RectificationNotice) -> RectificationActions:
    """Buttons of a 整改通知书: the addressed institution reports, the county closes or sends the report back."""
    is_county = user.role == Role.COUNTY
    is_addressee = user.role == Role.INSTITUTION and user.institution_id == notice.training_class.institution_id
    return RectificationActions(
        can_report=is_addressee and notice.status == RectificationNotice.Status.OPEN,
        can_close=is_county and notice.status in RectificationNotice.UNRESOLVED_STATUSES,
        can_return=is_county and notice.status == RectificationNotice.Status.SUBMITTED,
    )
