"""supervision 0003: classes already started when the opening review went live are approved, with what was
registered then; classes still being prepared are not; and back."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("supervision", "0006_opening_review_and_department_lists")]
AFTER = [("supervision", "0007_department_list_kinds_and_earlier_openings")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_started_classes_are_approved_and_drafts_are_not(reference_data):
    old = migrate(BEFORE)
    try:
        Region, Occupation, Institution, TrainingClass = (
            old.get_model("classes", name) for name in ("Region", "Occupation", "Institution", "TrainingClass")
        )
        occupation = Occupation.objects.create(code="X", name="养老护理员", level="4", training_type="employment_skills",
                                               subsidy_per_person=1600)
        institution = Institution.objects.create(name="学校", credit_code="52152201MJ00000018", contact_person="x",
                                                 contact_phone="13800000000", county=Region.objects.get(code="152201"))
        for status in ("draft", "in_training", "finished"):
            TrainingClass.objects.create(
                batch_number=f"M-{status}", institution=institution, occupation=occupation, category="employment_skills",
                start_date=date(2026, 5, 4), end_date=date(2026, 5, 18), registered_headcount=5, class_hours=10,
                location="实训楼", status=status)
        new = migrate(AFTER)
        OpeningReview = new.get_model("supervision", "OpeningReview")
        reviews = {review.training_class.status: review for review in OpeningReview.objects.select_related("training_class")}
        assert set(reviews) == {"in_training", "finished"}
        assert all(review.status == "approved" and review.decided_at for review in reviews.values())
        assert reviews["in_training"].registered_values["occupation"] == "养老护理员（四级/中级工）"
        assert reviews["in_training"].registered_values["location"] == "实训楼"
        assert new.get_model("supervision", "OpeningEvent").objects.count() == 2
        assert new.get_model("supervision", "DepartmentListKind").objects.filter(category__isnull=False).count() == 6

        migrate(BEFORE)
        assert not old.get_model("supervision", "OpeningReview").objects.exists()
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
