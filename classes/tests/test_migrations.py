"""The phone and the roster's name move to the enrollment (classes 0004, 0005), and back."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("classes", "0003_subsidy_eligibility_and_institution_flag")]
AFTER = [("classes", "0005_enrollment_keeps_the_roster_name")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_phone_and_name_move_to_the_enrollment_and_back(reference_data):
    old = migrate(BEFORE)
    try:
        Region, Occupation, Institution, TrainingClass, Trainee, Enrollment, HistoricalEnrollment, TraineeCategory = (
            old.get_model("classes", name) for name in ("Region", "Occupation", "Institution", "TrainingClass", "Trainee",
                                                         "Enrollment", "HistoricalEnrollment", "TraineeCategory")
        )
        occupation = Occupation.objects.create(code="X", name="养老护理员", level="4", training_type="employment_skills",
                                               subsidy_per_person=1600)
        institution = Institution.objects.create(name="学校", credit_code="52152201MJ00000018", contact_person="x",
                                                 contact_phone="13800000000", county=Region.objects.get(code="152201"))
        classes = [
            TrainingClass.objects.create(batch_number=f"M-{number}", institution=institution, occupation=occupation,
                                         category="employment_skills", start_date=date(2026, 5, 4),
                                         end_date=date(2026, 5, 18), registered_headcount=5, class_hours=10, location="x")
            for number in range(2)
        ]
        category = TraineeCategory.objects.first()
        person = Trainee.objects.create(id_number="152201199001011236", name="张三", gender="male",
                                        birth_date=date(1990, 1, 1), phone="13911112222", category=category)
        _first, second = (Enrollment.objects.create(training_class=c, trainee=person) for c in classes)
        # A person whose only enrollment was removed: only the history remembers the roster.
        removed = Trainee.objects.create(id_number="152201199001011252", name="李四", gender="male",
                                         birth_date=date(1990, 1, 1), phone="13822223333", category=category)
        now = timezone.now()
        for history_type, when in (("+", now - timedelta(days=1)), ("-", now)):
            HistoricalEnrollment.objects.create(id=999, training_class_id=classes[0].pk, trainee_id=removed.pk,
                                                completion="enrolled", created_at=now, history_date=when,
                                                history_type=history_type)

        new = migrate(AFTER)
        Enrollment = new.get_model("classes", "Enrollment")
        assert {(e.phone, e.roster_name) for e in Enrollment.objects.all()} == {("13911112222", "张三")}
        assert "phone" not in {field.name for field in new.get_model("classes", "Trainee")._meta.fields}
        history = new.get_model("classes", "HistoricalEnrollment").objects.filter(trainee_id=removed.pk)
        assert set(history.values_list("phone", "roster_name")) == {("13822223333", "李四")}
        # The later roster gave another number: migrating back keeps the latest roster's.
        Enrollment.objects.filter(pk=second.pk).update(phone="18633334444")

        old = migrate(BEFORE)
        Trainee = old.get_model("classes", "Trainee")
        assert Trainee.objects.get(pk=person.pk).phone == "18633334444"
        assert Trainee.objects.get(pk=removed.pk).phone == "13822223333"
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
