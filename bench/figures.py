"""Seeds 10,000 finished classes (10–40 trainees, 附表2 for most, a drawn follow-up sample, employment records) and
times the summary rows' refresh (first run, then a run with nothing changed) and the league dashboard and the
statistics report read from them.

Run: .venv/bin/python bench/figures.py   (DATABASE_URL for PostgreSQL; default a throwaway SQLite file)
Target: a refresh well within its 10-minute beat interval; the dashboard under 1 s with the same query count as
for a handful of classes.
"""

import os
import random
import time
from datetime import date, timedelta

from benchdb import bench_school, start_django, throwaway_database, verified_client

start_django()

CLASSES = int(os.environ.get("BENCH_CLASSES", "10000"))
RATINGS = ["excellent"] * 5 + ["good"] * 4 + ["fair"] * 2 + ["poor"]


def seed() -> int:
    from classes.demo_data import make_resident_id
    from classes.models import Enrollment, Trainee, TraineeCategory, TrainingClass
    from evaluations.items import TRAINEE_ITEM_FIELDS
    from evaluations.form_counts import trainee_form_counts_rebuild
    from evaluations.models import TraineeEvaluation
    from followups.models import EmploymentRecord
    from followups.services import followup_samples_sweep

    rng = random.Random(11)
    institution, occupation = bench_school("电工")
    category = TraineeCategory.objects.get(code="rural_migrant")
    classes = TrainingClass.objects.bulk_create(
        TrainingClass(batch_number=f"BENCH-{number:05d}", institution=institution, occupation=occupation,
                      category="employment_skills", start_date=end - timedelta(days=10), end_date=end,
                      assessment_end_date=end + timedelta(days=2), registered_headcount=40, class_hours=60, location="x",
                      status="finished")
        for number, end in ((number, date(2026, 1, 5) + timedelta(days=number % 300)) for number in range(CLASSES))
    )
    people = {make_resident_id(rng) for _ in range(30000)}
    trainee_ids = [trainee.pk for trainee in Trainee.objects.bulk_create(
        Trainee(id_number=number, name="学员", gender="male", birth_date=date(1990, 1, 1), category=category)
        for number in people
    )]
    enrollments = Enrollment.objects.bulk_create(
        (Enrollment(training_class=training_class, trainee_id=trainee_id, roster_name="学员", phone="13800000000",
                    completion="completed")
         for training_class in classes for trainee_id in rng.sample(trainee_ids, rng.randint(10, 40))),
        batch_size=5000,
    )
    by_class = {training_class.pk: training_class for training_class in classes}
    recorder = bench_user()
    forms, records = [], []
    for enrollment in enrollments:
        training_class = by_class[enrollment.training_class_id]
        if rng.random() < 0.9:
            forms.append(TraineeEvaluation(
                enrollment=enrollment, training_class=training_class, overall=rng.choice(RATINGS),
                **dict.fromkeys(TRAINEE_ITEM_FIELDS, "good"),
                completed_training=True, attended_from=training_class.start_date, attended_to=training_class.end_date,
                attended_amount=60, organiser_name="基准测试学校", occupation_name="电工", is_confirmed=True,
                signed_on=training_class.end_date, source="paper",
            ))
        if rng.random() < 0.3:
            records.append(EmploymentRecord(enrollment=enrollment, destination="employee", source="institution",
                                            updated_by=recorder))
    TraineeEvaluation.objects.bulk_create(forms, batch_size=5000)
    trainee_form_counts_rebuild(class_ids=list(by_class))  # what the form services keep, for forms loaded in bulk
    EmploymentRecord.objects.bulk_create(records, batch_size=5000)
    followup_samples_sweep()
    return len(enrollments)


def bench_user():
    from accounts.models import Role, User
    from accounts.second_factor.demo import demo_authenticators_ensure
    from classes.models import Region

    user = User.objects.filter(username="league").first()
    if user is None:
        user = User.objects.create_user("league", role=Role.LEAGUE, region=Region.objects.get(code="152200"))
    demo_authenticators_ensure(usernames=[user.username])  # league staff pass a second factor on every page
    return user


def timed(label: str, function):
    started = time.perf_counter()
    result = function()
    print(f"{label:<34} {time.perf_counter() - started:7.2f} s")
    return result


def main():
    with throwaway_database():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        from reports.dashboards.services import class_figures_refresh

        started = time.perf_counter()
        enrolled = seed()
        print(f"database: {connection.vendor}; seeded {CLASSES} finished classes, {enrolled} enrollments "
              f"in {time.perf_counter() - started:.1f} s")
        first = timed("refresh, every row new", class_figures_refresh)
        again = timed("refresh, nothing changed", class_figures_refresh)
        print(f"  rows written: {first.rows_changed}, then {again.rows_changed} (must be 0)")
        client = verified_client(bench_user())
        for label, name, params in (("league dashboard, 2026", "reports:dashboard", {"year": 2026}),
                                    ("statistics report .xlsx, 2026", "reports:statistics_xlsx", {"year": 2026}),
                                    ("statistics report PDF, 2026", "reports:statistics_pdf", {"year": 2026})):
            with CaptureQueriesContext(connection) as queries:
                response = timed(label, lambda: client.get(reverse(name), params, HTTP_HOST="localhost"))
            print(f"  status {response.status_code}, {len(queries)} queries")
            assert response.status_code == 200, f"{label}: status {response.status_code}, not the page itself"
        assert first.rows_changed == CLASSES and again.rows_changed == 0


if __name__ == "__main__":
    main()
