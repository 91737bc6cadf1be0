"""Seeds 10,000 ended classes and times the follow-up sweep, then a second sweep that must draw nothing.

Run: .venv/bin/python bench/sampling.py   (DATABASE_URL for PostgreSQL; default a throwaway SQLite file)
Target: the first sweep under 30 s.
"""

import os
import random
import time
from datetime import date

from benchdb import bench_school, start_django, throwaway_database

start_django()

CLASSES = int(os.environ.get("BENCH_CLASSES", "10000"))


def seed():
    from classes.demo_data import make_resident_id
    from classes.models import Enrollment, Trainee, TraineeCategory, TrainingClass

    rng = random.Random(7)
    institution, occupation = bench_school("电工")
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
        Trainee(id_number=number, name="学员", gender="male", birth_date=date(1990, 1, 1), category=category)
        for number in people
    )
    trainee_ids = [trainee.pk for trainee in trainees]
    enrollments = []
    for training_class in classes:
        for trainee_id in rng.sample(trainee_ids, rng.randint(10, 40)):
            enrollments.append(Enrollment(training_class=training_class, trainee_id=trainee_id, roster_name="学员",
                                          phone="13800000000", completion="completed"))
    Enrollment.objects.bulk_create(enrollments, batch_size=5000)
    return len(enrollments)


def main():
    with throwaway_database():
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


if __name__ == "__main__":
    main()
