"""Seeds 10,000 ended classes and times the follow-up sweep, then a second sweep that must draw nothing.

Run: .venv/bin/python bench/sampling.py   (DATABASE_URL for PostgreSQL; default a throwaway SQLite file)
Target: the first sweep under 30 s.
"""

import os
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xingan_training.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.test.utils import setup_databases, teardown_databases  # noqa: E402

CLASSES = int(os.environ.get("BENCH_CLASSES", "10000"))


def seed():
    from classes.demo_data import make_resident_id
    from classes.models import Enrollment, Institution, Occupation, Region, Trainee, TraineeCategory, TrainingClass

    rng = random.Random(7)
    county = Region.objects.get(code="152201")
    occupation = Occupation.objects.create(code="B-3", name="电工", level="4", training_type="employment_skills", subsidy_per_person=2000)
    institution = Institution.objects.create(name="基准测试学校", credit_code="52152201MJ00000018", county=county,
                                             contact_person="x", contact_phone="13800000000")
    category = TraineeCategory.objects.first()
    classes = TrainingClass.objects.bulk_create(
        TrainingClass(batch_number=f"BENCH-{number:05d}", institution=institution, occupation=occupation,
                      category="employment_skills", start_date=date(2026, 3, 1), end_date=date(2026, 3, 10),
                      assessment_end_date=date(2026, 3, 12), registered_headcount=40, class_hours=60, location="x",
                      status="finished")
        for number in range(CLASSES)
    )
    # 30,000 people shared across classes (a person may attend several): 10–40 trainees a class.
    people = {make_resident_id(rng) for _ in range(30000)}
    trainees = Trainee.objects.bulk_create(
        Trainee(id_number=number, name="学员", gender="male", birth_date=date(1990, 1, 1), phone="13800000000", category=category)
        for number in people
    )
    trainee_ids = [trainee.pk for trainee in trainees]
    enrollments = []
    for training_class in classes:
        for trainee_id in rng.sample(trainee_ids, rng.randint(10, 40)):
            enrollments.append(Enrollment(training_class=training_class, trainee_id=trainee_id, completion="completed"))
    Enrollment.objects.bulk_create(enrollments, batch_size=5000)
    return len(enrollments)


def main():
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        from django.db import connection

        from followups.models import FollowupItem, FollowupSample
        from followups.services import followup_samples_sweep

        started = time.perf_counter()
        enrolled = seed()
        print(f"database: {connection.vendor}; seeded {CLASSES} ended classes, {enrolled} enrollments in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        drawn = followup_samples_sweep()
        first = time.perf_counter() - started
        print(f"first sweep   {first:6.2f} s  drew {drawn} samples, {FollowupItem.objects.count()} trainees to phone  (target < 30 s)")
        started = time.perf_counter()
        again = followup_samples_sweep()
        print(f"second sweep  {time.perf_counter() - started:6.2f} s  drew {again} (must be 0); samples in database: {FollowupSample.objects.count()}")
        assert drawn == CLASSES and again == 0 and FollowupSample.objects.count() == CLASSES
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
