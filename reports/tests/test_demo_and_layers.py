"""Demo data (seed_demo) and the project's layering rule."""

import ast
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from classes.models import Enrollment, Trainee, TrainingClass

BASE_DIR = Path(__file__).resolve().parents[2]
UPPER_APPS = {"evaluations", "followups", "supervision", "reports"}


def test_seed_demo_is_idempotent_and_creates_the_demo_logins(reference_data, client, settings):
    call_command("seed_demo")
    counts = (TrainingClass.objects.count(), Trainee.objects.count(), Enrollment.objects.count(), User.objects.count())
    call_command("seed_demo")
    assert (TrainingClass.objects.count(), Trainee.objects.count(), Enrollment.objects.count(), User.objects.count()) == counts
    assert counts[0] == 100 and counts[1] >= 2500
    assert set(TrainingClass.objects.values_list("status", flat=True)) == set(TrainingClass.Status.values)
    assert {trainee.id_number[:4] for trainee in Trainee.objects.all()[:200]} == {"1522"}
    for username in ("league", "county", "county2", "institution", "institution2"):
        response = client.post(reverse("accounts:login"), {"username": username, "password": settings.DEMO_PASSWORD})
        assert response.status_code == 302 and response.url == reverse("home"), username
        client.logout()
    county2 = User.objects.get(username="county2")
    assert county2.region.name == "突泉县"
    assert User.objects.get(username="institution2").institution.county.name == "突泉县"


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
