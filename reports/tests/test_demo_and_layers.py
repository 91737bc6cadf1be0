"""Demo data (seed_demo) and the project's layering rule."""

import ast
import importlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.second_factor.demo import demo_code
from classes.models import Enrollment, Trainee, TrainingCategory, TrainingClass
from evaluations.models import ClassAssessment, ClassReview, Investigation, RectificationNotice, ReviewEvent, TraineeEvaluation
from followups.models import CallAttempt, EmploymentRecord, FollowupItem
from followups.selectors import overdue_samples

BASE_DIR = Path(__file__).resolve().parents[2]
UPPER_APPS = {"evaluations", "followups", "supervision", "reports"}
PLACEHOLDER_NAMES = {"经办人", "教务负责人", "分管负责人", "赵老师", "孙老师", "李科员", "王科员", "张审核", "教务"}


@pytest.fixture(scope="class")
def demo_data(django_db_setup, django_db_blocker):
    """One seed_demo run for a whole test class (it takes seconds), rolled back afterwards."""
    from django.apps import apps

    migration = importlib.import_module("classes.migrations.0002_regions_and_trainee_categories")
    with django_db_blocker.unblock(), transaction.atomic():
        migration.add_reference_data(apps, None)  # a browser test may have flushed the reference rows
        call_command("seed_demo")
        yield
        transaction.set_rollback(True)


@pytest.mark.usefixtures("demo_data")
class TestSeededDemo:

    def test_a_second_run_changes_nothing_and_the_demo_logins_work(self, db, client, settings):
        models = (TrainingClass, Trainee, Enrollment, User, TraineeEvaluation, ReviewEvent, CallAttempt, EmploymentRecord)
        counts = [model.objects.count() for model in models]
        call_command("seed_demo")
        assert [model.objects.count() for model in models] == counts
        assert counts[0] == 106 and counts[1] >= 2500  # 100 told classes + 6 in the opening review (supervision demo)
        assert set(TrainingClass.objects.values_list("status", flat=True)) == set(TrainingClass.Status.values)
        assert {trainee.id_number[:4] for trainee in Trainee.objects.all()[:200]} == {"1522"}
        for username in ("league", "county", "county2", "institution", "institution2", "admin", "inspector", "auditor"):
            response = client.post(reverse("accounts:login"), {"username": username, "password": settings.DEMO_PASSWORD})
            assert response.status_code == 302, username
            if username not in ("institution", "institution2"):
                # Staff pass the second factor with the published demo key (`manage.py demo_code`, make run says so).
                assert client.get(response.url).url.startswith(reverse("accounts:second_factor_verify")), username
                TOTPDevice.objects.filter(user__username=username).update(last_t=-1)  # same 30 s step as the last one
                response = client.post(reverse("accounts:second_factor_verify"), {"code": demo_code()})
            assert client.get(response.url, follow=True).status_code == 200, username
            client.logout()
        county2 = User.objects.get(username="county2")
        assert county2.region.name == "突泉县"
        assert User.objects.get(username="institution2").institution.county.name == "突泉县"

    def test_classes_that_ended_months_ago_carry_their_own_dates(self, db):
        today = timezone.localdate()
        old_classes = list(TrainingClass.objects.filter(assessment_end_date__lte=today - timedelta(days=150)))
        assert len(old_classes) >= 30
        for training_class in old_classes:
            start, end, assessed = training_class.start_date, training_class.end_date, training_class.assessment_end_date
            form_days = {timezone.localdate(moment) for moment in TraineeEvaluation.objects.filter(
                enrollment__training_class=training_class).values_list("submitted_at", flat=True)}
            assert form_days and all(start <= day <= end + timedelta(days=3) for day in form_days), training_class
            event_days = {timezone.localdate(moment) for moment in ReviewEvent.objects.filter(
                review__training_class=training_class).exclude(action="盟级撤销复核").values_list("created_at", flat=True)}
            assert event_days and all(end <= day <= assessed + timedelta(days=120) for day in event_days), training_class
            call_days = {timezone.localdate(moment) for moment in CallAttempt.objects.filter(
                item__sample__training_class=training_class).values_list("called_at", flat=True)}
            assert call_days and all(assessed <= day <= assessed + timedelta(days=75) for day in call_days), training_class
        # Reopening (撤销复核) is a later finding: its date is recent, and it is the only such event.
        assert ReviewEvent.objects.filter(action="盟级撤销复核").count() == 1

    def test_every_signature_and_account_names_a_person(self, db):
        person = re.compile(r"^[\u4e00-\u9fff]{2,5}$")
        evaluators = set(ClassAssessment.objects.values_list("evaluator", flat=True))
        responsible = set(ClassReview.objects.exclude(responsible_person="").values_list("responsible_person", flat=True))
        assert evaluators and responsible
        assert not (evaluators | responsible) & PLACEHOLDER_NAMES
        assert all(person.match(name) for name in evaluators | responsible)
        for user in User.objects.exclude(role=""):
            office, _, name = user.display_name.rpartition(" ")
            assert office and person.match(name) and name not in PLACEHOLDER_NAMES, user.username

    def test_employment_records_agree_with_the_follow_up_calls(self, db):
        completed = FollowupItem.objects.filter(status=FollowupItem.Status.COMPLETED).select_related("enrollment__employment_record")
        assert completed.count() >= 100
        for item in completed:
            assert item.enrollment.employment_record.destination == item.employment_status
        assert not EmploymentRecord.objects.filter(destination="unemployed").exclude(employer="", monthly_wage=None).exists()
        assert EmploymentRecord.objects.filter(
            destination="business", enrollment__training_class__category=TrainingCategory.ENTREPRENEURSHIP
        ).exists()

    def test_the_cases_the_portal_catches_are_there(self, db):
        assert TraineeEvaluation.objects.filter(is_valid=False, invalidated_reason__startswith="不如实填报").count() == 1
        assert TraineeEvaluation.objects.filter(
            is_valid=True, attended_unit="hours", attended_amount__lt=F("enrollment__training_class__class_hours") / 2
        ).exists()
        assert Investigation.objects.filter(status=Investigation.Status.CONFIRMED, is_falsification=True).exists()
        assert RectificationNotice.objects.filter(status=RectificationNotice.Status.CLOSED).exclude(evidence="").exists()
        assert overdue_samples(today=timezone.localdate()).exists()
        assert ClassReview.objects.filter(status=ClassReview.Status.RETURNED, events__action="盟级撤销复核").exists()


def test_seed_demo_refuses_production_settings_unless_forced(reference_data, settings):
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError, match="生产环境"):
        call_command("seed_demo")
    assert TrainingClass.objects.count() == 0 and not User.objects.filter(username="league").exists()


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_classes_imports_nothing_from_the_apps_above_it():
    offenders = {
        str(path.relative_to(BASE_DIR)): sorted(_imported_modules(path) & UPPER_APPS)
        for path in (BASE_DIR / "classes").rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    }
    assert {name: apps for name, apps in offenders.items() if apps} == {}


def test_nothing_below_reports_imports_reports():
    offenders = [
        str(path.relative_to(BASE_DIR))
        for app in ("accounts", "classes", "evaluations", "followups", "supervision", "xingan_training")
        for path in (BASE_DIR / app).rglob("*.py")
        if "tests" not in path.parts and "reports" in _imported_modules(path) and path.relative_to(BASE_DIR).as_posix() != "xingan_training/urls.py"
    ]
    assert offenders == []
