"""A database dump holds no ID number and no phone number in clear (issue #13 item 2): the demo data, its
django-simple-history tables, the audit log of a search and of a reveal, all through a real ``pg_dump``.

Celery stores no results and its task arguments are ids (no result backend is configured), so nothing of a task
can reach the database."""

import os
import shutil
import subprocess

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from accounts.models import AuditEvent, User
from classes import services as class_services
from classes.models import Enrollment, Institution, Trainee
from reports.search import services as search_services
from reports.search.queries import parse_trainee_query
from supervision.models import DepartmentListEntry, Teacher, TrainingWish
from xingan_training.encrypted_fields import EncryptedCharField

IS_CI = os.environ.get("CI", "").lower() == "true"


def _pg_dump() -> str:
    executable = shutil.which("pg_dump")
    if executable is None:
        if IS_CI:
            pytest.fail("pg_dump is missing: it comes with PostgreSQL")
        pytest.skip("pg_dump is not installed")
    database = settings.DATABASES["default"]
    command = [executable, "--no-owner", "--host", database["HOST"] or "127.0.0.1", "--port", str(database["PORT"] or 5432),
               "--username", database["USER"], database["NAME"]]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PGPASSWORD": database.get("PASSWORD") or ""})
    assert result.returncode == 0, result.stderr
    return result.stdout


def _clear_values_of_every_encrypted_column() -> dict[str, set[str]]:
    """Every stored ID and phone number, read back (decrypted) through the models, per model label."""
    values: dict[str, set[str]] = {}
    for model in apps.get_models():
        names = [field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedCharField)]
        for name in names:
            found = {value for value in model._default_manager.values_list(name, flat=True) if value}
            values.setdefault(model._meta.label, set()).update(found)
    return values


@pytest.mark.django_db(transaction=True)
def test_a_pg_dump_of_the_demo_shows_no_id_or_phone_number_in_clear(reference_data):
    if connection.vendor != "postgresql":
        if IS_CI:
            pytest.fail("CI runs on PostgreSQL")
        pytest.skip("the dump test needs PostgreSQL")
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    league = User.objects.get(username="league")
    county = User.objects.get(username="county")
    enrollment = Enrollment.objects.filter(training_class__institution__county=county.region).select_related("trainee").first()
    league.phone = "13700001111"
    league.save()
    # Audited reads of personal data: a search by full ID number and by phone, and a reveal.
    for text in (enrollment.trainee.id_number, enrollment.phone):
        found = search_services.trainee_search_run(actor=county, query=parse_trainee_query(text))
        assert enrollment.trainee_id in [person.trainee.pk for person in found.people]
    class_services.enrollment_reveal_personal_data(actor=county, enrollment=enrollment)

    values = _clear_values_of_every_encrypted_column()
    for model in (Trainee, Enrollment, Institution, Teacher, TrainingWish, DepartmentListEntry, User):
        assert values[model._meta.label], f"the demo has no {model._meta.label} personal data: the test would prove nothing"
    for history in ("classes.HistoricalTrainee", "classes.HistoricalEnrollment", "supervision.HistoricalTeacher"):
        assert values[history], history
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_PERSONAL_DATA).exists()
    every_value = set().union(*values.values())
    assert enrollment.trainee.id_number in every_value and "13700001111" in every_value

    dump = _pg_dump()
    assert "COPY public.classes_trainee" in dump and "COPY public.accounts_auditevent" in dump
    in_clear = sorted(value for value in every_value if value in dump)
    assert in_clear == [], f"{len(in_clear)} numbers in clear in the dump, e.g. {in_clear[:3]}"
