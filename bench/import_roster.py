"""Times the longest roster a class can have (200 rows, MAX_REGISTERED_HEADCOUNT): the portal's import path,
then django-import-export's default row-by-row path; then the time the portal takes to refuse each hostile
workbook of classes/tests/hostile_workbooks.py.

Run: .venv/bin/python bench/import_roster.py   (uses DATABASE_URL when set, else a throwaway SQLite file)
Targets: the portal's preview + confirm of 200 rows in under 1 s; each hostile file refused in under 2 s.
"""

import random
import time

from benchdb import bench_school, start_django, throwaway_database

start_django()

from django.db import connection  # noqa: E402

ROWS = 200  # classes.models.MAX_REGISTERED_HEADCOUNT: a roster is never longer


def main() -> None:
    with throwaway_database():
        run()


def run() -> None:
    import tablib
    from import_export.formats.base_formats import XLSX

    from accounts.models import Role, User
    from classes import services
    from classes.demo_data import make_roster_rows, roster_workbook_bytes
    from classes.models import Enrollment, Trainee, TrainingClass
    from classes.resources import TraineeRosterResource

    institution, occupation = bench_school()
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
          f"total {finished - started:6.2f} s  (target < 1 s)")
    print(f"import-export  row-by-row import_data            total {baseline_finished - baseline_started:6.2f} s  "
          f"(writes trainees only, no roster, no per-row policy checks)")
    time_refusals(user, training_class)


def time_refusals(user, training_class) -> None:
    from classes import services
    from classes.demo_data import ROSTER_HEADERS, make_roster_rows
    from classes.tests import hostile_workbooks as hostile
    from xingan_training.errors import ServiceError

    row = make_roster_rows(random.Random(3), 1)[0]
    files = {
        "dimension A1:XFD1048576 + cell at XFD1048576": hostile.lying_dimension_and_last_row(ROSTER_HEADERS, row),
        "value at XFD1": hostile.value_at_last_column(ROSTER_HEADERS, row),
        "3,000,000 whitespace-only rows": hostile.whitespace_rows(ROSTER_HEADERS, 3_000_000),
        "200,000 whitespace-only rows": hostile.whitespace_rows(ROSTER_HEADERS, 200_000),
        "300,000 shared strings": hostile.shared_strings_flood(ROSTER_HEADERS, 300_000),
        "5,000 rows x 60 empty cells": hostile.empty_cells_everywhere(ROSTER_HEADERS, 5000, 60),
    }
    for label, data in files.items():
        started = time.perf_counter()
        try:
            services.roster_import_preview(actor=user, training_class=training_class, file_name="x.xlsx", data=data)
            outcome = "NOT REFUSED"
        except ServiceError as error:
            outcome = error.message[:40]
        print(f"hostile  {label:46s} {len(data) / 1024:8.0f} KB  refused in {time.perf_counter() - started:5.2f} s  "
              f"(target < 2 s)  {outcome}")


if __name__ == "__main__":
    main()
