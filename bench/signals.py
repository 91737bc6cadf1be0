"""Seeds N classes (default 10,000) with rosters, 附表2, some attendance, follow-up calls and teachers, plants a
few fraud cases, and times the full fraud-signal recompute (the nightly sweep); then a second sweep, which must
create nothing, and a few single-class recomputes (what the task does after a change).

Run: .venv/bin/python bench/signals.py [--classes N]   (DATABASE_URL for PostgreSQL; default a throwaway SQLite file)
"""

import argparse
import random
import time
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

from benchdb import start_django, throwaway_database

start_django()

RATINGS = ("excellent", "good", "fair", "poor")
RATING_WEIGHTS = (50, 35, 12, 3)
PLANTED = {"shared_phone": 5, "id_overlap": 3, "repeat_training": 3, "identical_forms": 3, "far_check_ins": 2,
           "followup_contradiction": 2, "teacher_conflict": 1}


def _phone(rng) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def seed(classes_total: int, rng: random.Random) -> dict:
    from accounts.models import Role, User
    from classes.models import Enrollment, Institution, Occupation, Region, Trainee, TraineeCategory, TrainingClass
    from evaluations.form_counts import trainee_form_counts_rebuild
    from evaluations.models import TraineeEvaluation
    from followups.models import FollowupItem, FollowupSample
    from followups.services import followup_call_counts_rebuild
    from supervision.models import AttendanceDay, CheckIn, ClassTeacher, Teacher

    counties = list(Region.objects.filter(level=Region.Level.COUNTY, parent__code="152200").order_by("code"))
    occupations = [
        Occupation.objects.create(code=f"B-{number:02d}", name=f"职业{number}", level=level, training_type="employment_skills",
                                  subsidy_per_person=1500)
        for number in range(8) for level in ("5", "4")
    ]
    institutions = []
    for number in range(24):
        institution = Institution.objects.create(name=f"基准机构{number}", credit_code=f"52152201MJ{number:07d}X"[:18],
                                                 county=counties[number % len(counties)], contact_person="x",
                                                 contact_phone="13800000000")
        institutions.append(institution)
    staff = User.objects.create(username="bench-school", role=Role.INSTITUTION, institution=institutions[0])
    category = TraineeCategory.objects.first()
    today = date.today()
    first_start = today - timedelta(days=3 * 365)
    classes = []
    for number in range(classes_total):
        start = first_start + timedelta(days=int(number * 3 * 365 / classes_total))
        end = start + timedelta(days=rng.randint(7, 20))
        status = "finished" if end < today else ("in_training" if start <= today else "draft")
        classes.append(TrainingClass(
            batch_number=f"BENCH-{number:05d}", institution=rng.choice(institutions), occupation=rng.choice(occupations),
            category="employment_skills", start_date=start, end_date=end,
            assessment_end_date=end + timedelta(days=2) if status == "finished" else None,
            registered_headcount=40, class_hours=60, location="x", status=status,
        ))
    classes = TrainingClass.objects.bulk_create(classes, batch_size=2000)

    # Mostly one class a person; about 2% come back later for another occupation (no signal).
    sizes = [rng.randint(10, 40) for _ in classes]
    trainees = Trainee.objects.bulk_create(
        (Trainee(id_number=f"152201{number:011d}X", name="学员", gender="male", birth_date=date(1990, 1, 1), category=category)
         for number in range(sum(sizes))),
        batch_size=5000,
    )
    enrollments, cursor = [], 0
    for training_class, size in zip(classes, sizes):
        for trainee in trainees[cursor:cursor + size]:
            enrollments.append(Enrollment(training_class=training_class, trainee=trainee, roster_name="学员", phone=_phone(rng),
                                          completion="completed" if training_class.status == "finished" else "enrolled"))
        cursor += size
    finished = [training_class for training_class in classes if training_class.status == "finished"]
    by_class: dict[int, list] = {}
    for enrollment in enrollments:
        by_class.setdefault(enrollment.training_class.pk, []).append(enrollment)
    returning = rng.sample(enrollments[: len(enrollments) // 2], len(enrollments) // 100)
    for enrollment in returning:
        later = rng.choice(finished[len(finished) // 2:])
        if later.occupation_id != enrollment.training_class.occupation_id and later.start_date > enrollment.training_class.end_date \
                and all(row.trainee_id != enrollment.trainee_id for row in by_class[later.pk]):
            row = Enrollment(training_class=later, trainee_id=enrollment.trainee_id, roster_name="学员", phone=enrollment.phone,
                             completion="completed")
            enrollments.append(row)
            by_class[later.pk].append(row)

    planted_rows = []
    # Planted: phones shared by three people of different classes; people on two overlapping classes; people twice
    # on the same occupation and level.
    sharing = rng.sample(finished, 3 * PLANTED["shared_phone"])
    for number in range(PLANTED["shared_phone"]):
        for training_class in sharing[3 * number: 3 * number + 3]:
            by_class[training_class.pk][0].phone = f"1990000{number:04d}"
    for number in range(PLANTED["id_overlap"]):
        first, second = classes[100 * number + 10], classes[100 * number + 11]  # consecutive classes overlap
        person = by_class[first.pk][1]
        planted_rows.append(Enrollment(training_class=second, trainee_id=person.trainee_id, roster_name="学员", phone=person.phone))
    for number in range(PLANTED["repeat_training"]):
        first = finished[50 * number + 5]
        later = next(item for item in finished[len(finished) // 2:] if item.occupation_id == first.occupation_id)
        person = by_class[first.pk][2]
        planted_rows.append(Enrollment(training_class=later, trainee_id=person.trainee_id, roster_name="学员", phone=person.phone))
    Enrollment.objects.bulk_create(enrollments + planted_rows, batch_size=5000)
    for row in planted_rows:
        by_class[row.training_class.pk].append(row)

    # 附表2: every trainee of a finished class, online, over two hours of the last day, answers drawn item by item.
    forms = []
    for training_class in finished:
        last_day = datetime.combine(training_class.end_date, datetime.min.time(), tzinfo=dt_timezone.utc) + timedelta(hours=1)
        for enrollment in by_class[training_class.pk]:
            answers = {f"item_{item}": rng.choices(RATINGS, RATING_WEIGHTS)[0] for item in range(1, 9)}
            forms.append(TraineeEvaluation(
                enrollment=enrollment, training_class=training_class, overall=rng.choices(RATINGS, RATING_WEIGHTS)[0],
                completed_training=True,
                attended_from=training_class.start_date, attended_to=training_class.end_date, attended_amount=60,
                attended_unit="hours", organiser_name="基准机构", occupation_name="职业", is_confirmed=True,
                signed_on=training_class.end_date, source="online", **answers,
            ))
            forms[-1].bench_moment = last_day + timedelta(seconds=rng.randrange(7200))
    for number in range(PLANTED["identical_forms"]):
        training_class = finished[97 * number + 3]
        for index, form_row in enumerate(row for row in forms if row.enrollment.training_class_id == training_class.pk):
            if index < 5:
                for item in range(1, 9):
                    setattr(form_row, f"item_{item}", "excellent")
                form_row.overall = "excellent"
                form_row.bench_moment = datetime.combine(training_class.end_date, datetime.min.time(), tzinfo=dt_timezone.utc) \
                    + timedelta(hours=5, minutes=index)
    for form_row in forms:
        form_row.submitted_at = form_row.bench_moment
    submitted_at = TraineeEvaluation._meta.get_field("submitted_at")
    submitted_at.auto_now_add = False  # the bench writes the submission times it drew
    try:
        TraineeEvaluation.objects.bulk_create(forms, batch_size=5000)
    finally:
        submitted_at.auto_now_add = True
    trainee_form_counts_rebuild()  # what the form services keep, for forms loaded in bulk

    # Attendance for the 400 latest finished classes: every day, near the site, two planted far check-ins.
    days, check_ins = [], []
    for training_class in finished[-400:]:
        for offset in range((training_class.end_date - training_class.start_date).days + 1):
            day = training_class.start_date + timedelta(days=offset)
            days.append(AttendanceDay(training_class=training_class, date=day, opened_by=staff))
            for enrollment in by_class[training_class.pk]:
                check_ins.append(CheckIn(enrollment=enrollment, training_class=training_class, date=day,
                                         checked_in_at=datetime.combine(day, datetime.min.time(), tzinfo=dt_timezone.utc),
                                         latitude=46.07, longitude=122.07, distance_m=rng.randint(5, 400)))
    for check_in in check_ins[:: len(check_ins) // PLANTED["far_check_ins"]][: PLANTED["far_check_ins"]]:
        check_in.distance_m = 8000
    AttendanceDay.objects.bulk_create(days, batch_size=5000)
    CheckIn.objects.bulk_create(check_ins, batch_size=5000)

    # Follow-up calls: a sample for 2,000 finished classes, their first five trainees called; two deny attending.
    samples = FollowupSample.objects.bulk_create(
        FollowupSample(training_class=training_class, seed="bench", candidates=[], order=[], target_size=5,
                       due_date=training_class.end_date + timedelta(days=30), trigger="sweep")
        for training_class in finished[:2000]
    )
    items = []
    for sample, training_class in zip(samples, finished[:2000]):
        for position, enrollment in enumerate(by_class[training_class.pk][:5]):
            items.append(FollowupItem(sample=sample, enrollment=enrollment, position=position, status="completed",
                                      received_training=True, completed_training=True, completed_at=datetime.now(dt_timezone.utc)))
    for item in items[7: 7 + 11 * PLANTED["followup_contradiction"]: 11]:
        item.received_training, item.completed_training = False, None
    FollowupItem.objects.bulk_create(items, batch_size=5000)
    followup_call_counts_rebuild(sample_ids=[sample.pk for sample in samples])  # what call_attempt_record keeps

    # Teachers: 1,000, each on five classes 2,000 classes apart; one more planted on two overlapping classes.
    teachers = Teacher.objects.bulk_create(
        Teacher(name=f"教师{number}", id_number=f"152201{number:011d}9", employment_type="full_time",
                qualification="teacher_qualification", certificate_number="C", employer="x", status="confirmed",
                proposed_by_institution=institutions[0], proposed_by=staff, proposed_at=datetime.now(dt_timezone.utc))
        for number in range(1001)
    )
    planted_teacher = teachers.pop()
    assignments = [
        ClassTeacher(training_class=classes[(number + 2000 * turn) % len(classes)], teacher=teacher, assigned_by=staff)
        for number, teacher in enumerate(teachers) for turn in range(5)
    ]
    middle = len(classes) // 2  # consecutive classes overlap
    assignments += [ClassTeacher(training_class=classes[index], teacher=planted_teacher, assigned_by=staff) for index in (middle, middle + 1)]
    ClassTeacher.objects.bulk_create(assignments, batch_size=5000, ignore_conflicts=True)
    return {"classes": len(classes), "enrollments": len(enrollments) + len(planted_rows), "forms": len(forms),
            "check_ins": len(check_ins), "calls": len(items), "assignments": len(assignments)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--classes", type=int, default=10000)
    options = parser.parse_args()
    with throwaway_database():
        from django.db import connection

        from supervision.fraud_signals import fraud_signals_recompute, fraud_signals_sweep
        from supervision.models import FraudSignal

        started = time.perf_counter()
        counts = seed(options.classes, random.Random(7))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # a database in use has its statistics; a bulk-loaded one has none yet
        print(f"database: {connection.vendor}; seeded {counts} in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        first = fraud_signals_sweep()
        print(f"full recompute   {time.perf_counter() - started:6.2f} s  {first.classes} classes, {first.created} signals")
        found = Counter(FraudSignal.objects.values_list("kind", flat=True))
        for kind, planted in PLANTED.items():
            print(f"  {kind:24s} {found.get(kind, 0):5d} rows   (planted {planted} case(s))")
        for kind in sorted(set(found) - set(PLANTED)):
            print(f"  {kind:24s} {found[kind]:5d} rows   (not planted)")
        started = time.perf_counter()
        again = fraud_signals_sweep()
        print(f"second recompute {time.perf_counter() - started:6.2f} s  {again.created} new, {again.reopened} reopened, "
              f"{again.no_longer_detected} no longer detected (must be 0, 0, 0)")
        assert (again.created, again.reopened, again.no_longer_detected) == (0, 0, 0)
        sample = random.Random(3).sample(range(1, options.classes + 1), 20)
        started = time.perf_counter()
        for class_id in sample:
            fraud_signals_recompute(class_ids=[class_id])
        print(f"one class        {(time.perf_counter() - started) / len(sample) * 1000:6.1f} ms on average (20 classes, as the task)")


if __name__ == "__main__":
    main()
