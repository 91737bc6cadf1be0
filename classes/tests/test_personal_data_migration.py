"""The data migrations encrypt the existing ID and phone numbers (history included) and fill their digests; the
reverse gives the clear numbers back (classes 0008-0010, accounts 0004; supervision 0010-0012 use the same rewriter)."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from xingan_training.personal_data import id_number_digest, phone_digest

BEFORE = [("classes", "0007_enrollment_phone_index"), ("accounts", "0003_third_party_role"),
          ("supervision", "0009_fraud_signals")]
ID_NUMBER, PHONE, OFFICE_PHONE = "152201199001011236", "13911112222", "0482-8261234"


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" ORDER BY 1')
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_existing_numbers_are_encrypted_with_their_digests_and_decrypted_back(reference_data):
    old = migrate(BEFORE)
    try:
        Region, Occupation, Institution, TrainingClass, Trainee, HistoricalTrainee, Enrollment, TraineeCategory, User = (
            old.get_model(*label.split(".")) for label in (
                "classes.Region", "classes.Occupation", "classes.Institution", "classes.TrainingClass", "classes.Trainee",
                "classes.HistoricalTrainee", "classes.Enrollment", "classes.TraineeCategory", "accounts.User")
        )
        occupation = Occupation.objects.create(code="X", name="养老护理员", level="4", training_type="employment_skills",
                                               subsidy_per_person=1600)
        institution = Institution.objects.create(name="学校", credit_code="52152201MJ00000018", contact_person="x",
                                                 contact_phone=OFFICE_PHONE, county=Region.objects.get(code="152201"))
        training_class = TrainingClass.objects.create(
            batch_number="M-1", institution=institution, occupation=occupation, category="employment_skills",
            start_date=date(2026, 5, 4), end_date=date(2026, 5, 18), registered_headcount=5, class_hours=10, location="x")
        person = Trainee.objects.create(id_number=ID_NUMBER, name="张三", gender="male", birth_date=date(1990, 1, 1),
                                        category=TraineeCategory.objects.first())
        HistoricalTrainee.objects.create(id=person.pk, id_number=ID_NUMBER, name="张三", gender="male",
                                         birth_date=date(1990, 1, 1), category_id=person.category_id,
                                         created_at=timezone.now(), history_date=timezone.now(), history_type="+")
        Enrollment.objects.create(training_class=training_class, trainee=person, roster_name="张三", phone=PHONE)
        User.objects.create(username="staff", phone="13800000000")

        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        for table, column in (("classes_trainee", "id_number"), ("classes_historicaltrainee", "id_number"),
                              ("classes_enrollment", "phone"), ("classes_institution", "contact_phone"),
                              ("accounts_user", "phone")):
            (value,) = raw(table, column)
            assert value.startswith("demo1:") and not any(number in value for number in (ID_NUMBER, PHONE, OFFICE_PHONE))
        assert raw("classes_trainee", "id_number_digest") == [id_number_digest(ID_NUMBER)]
        assert raw("classes_historicaltrainee", "id_number_digest") == [id_number_digest(ID_NUMBER)]
        assert raw("classes_enrollment", "phone_digest") == [phone_digest(PHONE)]
        from classes.models import Enrollment as CurrentEnrollment
        from classes.models import Institution as CurrentInstitution

        assert CurrentEnrollment.objects.get(phone_digest=phone_digest(PHONE)).trainee.id_number == ID_NUMBER
        assert CurrentInstitution.objects.get().contact_phone == OFFICE_PHONE

        migrate(BEFORE)
        assert raw("classes_trainee", "id_number") == [ID_NUMBER]
        assert raw("classes_historicaltrainee", "id_number") == [ID_NUMBER]
        assert raw("classes_enrollment", "phone") == [PHONE]
        assert raw("classes_institution", "contact_phone") == [OFFICE_PHONE]
        assert raw("accounts_user", "phone") == ["13800000000"]
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
