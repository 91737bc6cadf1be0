"""Times a 2,000-row roster import: the portal's path, then django-import-export's default row-by-row path.

Run: .venv/bin/python bench/import_roster.py   (uses DATABASE_URL when set, else a throwaway SQLite file)
Target: the portal's preview + confirm of 2,000 rows in under 3 s.
"""

import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xingan_training.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

ROWS = 2000


def main() -> None:
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        run()
    finally:
        teardown_databases(databases, verbosity=0)


def run() -> None:
    import tablib
    from import_export.formats.base_formats import XLSX

    from accounts.models import Role, User
    from classes import services
    from classes.demo_data import make_roster_rows, roster_workbook_bytes
    from classes.models import Enrollment, Institution, Occupation, Region, Trainee, TrainingClass
    from classes.resources import TraineeRosterResource

    county = Region.objects.get(code="152201")
    occupation = Occupation.objects.create(code="B-1", name="养老护理员", level="4", training_type="employment_skills", subsidy_per_person=1600)
    institution = Institution.objects.create(
        name="基准测试学校", credit_code="52152201MJ00000018", county=county, contact_person="x", contact_phone="13800000000"
    )
    institution.licensed_occupations.add(occupation)
    user = User.objects.create(username="bench", role=Role.INSTITUTION, institution=institution)
    training_class = TrainingClass.objects.create(
        batch_number="BENCH-1", institution=institution, occupation=occupation, category="employment_skills",
        start_date="2026-05-04", end_date="2026-05-18", registered_headcount=ROWS, class_hours=90, location="x",
    )
    data = roster_workbook_bytes(make_roster_rows(random.Random(2026), ROWS))

    started = time.perf_counter()
    pending = services.roster_import_preview(actor=user, training_class=training_class, file_name="bench.xlsx", data=data)
    previewed = time.perf_counter()
    result = services.roster_import_confirm(actor=user, roster_import=pending)
    finished = time.perf_counter()
    assert result.status == "confirmed", result.errors[:3]
    assert Enrollment.objects.filter(training_class=training_class).count() == ROWS

    # The same file through import-export: a fresh database state for the same people.
    Enrollment.objects.all().delete()
    Enrollment.history.all().delete()
    Trainee.history.all().delete()
    Trainee.objects.all().delete()
    dataset: tablib.Dataset = XLSX().create_dataset(data)
    baseline_started = time.perf_counter()
    outcome = TraineeRosterResource().import_data(dataset, dry_run=False, raise_errors=True)
    baseline_finished = time.perf_counter()
    assert not outcome.has_errors() and Trainee.objects.count() == ROWS

    print(f"database: {connection.vendor}, rows: {ROWS}")
    print(f"portal import  check+preview {previewed - started:6.2f} s, confirm {finished - previewed:6.2f} s, "
          f"total {finished - started:6.2f} s  (target < 3 s)")
    print(f"import-export  row-by-row import_data            total {baseline_finished - baseline_started:6.2f} s  "
          f"(writes trainees only, no roster, no per-row policy checks)")


if __name__ == "__main__":
    main()
