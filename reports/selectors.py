"""Scoped reads behind the printed documents."""

from django.db.models import QuerySet

from accounts.models import Role
from accounts.scoping import scope_to_user
from classes.models import TrainingClass
from evaluations.models import TraineeEvaluation
from evaluations.selectors import trainee_evaluations_visible_to

from .models import GeneratedDocument

STAFF_ROLES = (Role.COUNTY, Role.LEAGUE)


def class_form2_evaluations(user, training_class: TrainingClass) -> QuerySet[TraineeEvaluation]:
    """The valid 附表2 of a class that ``user`` may see, in roster order: what the class's 附表2 PDF prints,
    inline or in the background."""
    return (
        trainee_evaluations_visible_to(user)
        .filter(enrollment__training_class=training_class, is_valid=True)
        .select_related("enrollment__trainee")
        .order_by("enrollment_id")
    )


def generated_documents_visible_to(user) -> QuerySet[GeneratedDocument]:
    """Documents of the classes ``user`` may see. Institution staff see only the ones they requested themselves;
    county and league staff see every document of a class in their scope (one may print full ID numbers, which
    only staff may read). A list export is its requester's alone: the rows were read through that person's
    scope and filters."""
    documents = scope_to_user(
        GeneratedDocument.objects.filter(kind=GeneratedDocument.Kind.CLASS_FORM2),
        user,
        county_path="training_class__institution__county",
        institution_path="training_class__institution",
    )
    if user.is_authenticated and not user.is_superuser and user.read_role not in STAFF_ROLES:
        documents = documents.filter(requested_by=user)
    if not (user.is_authenticated and user.is_active):
        return documents
    return documents | GeneratedDocument.objects.filter(kind=GeneratedDocument.Kind.LIST_EXPORT, requested_by=user)
