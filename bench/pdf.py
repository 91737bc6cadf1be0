"""Times the official forms as PDF: one 附表2, a class of 50 as one document, and 附表1.

Run: .venv/bin/python bench/pdf.py    Target: the 50-page PDF under 3 s and 2 MB.
"""

import time
from datetime import date

from benchdb import bench_school, start_django, throwaway_database

start_django()

CLASS_SIZE = 50


def timed(label, render):
    started = time.perf_counter()
    content = render()
    elapsed = time.perf_counter() - started
    print(f"{label:<34} {elapsed:6.2f} s  {len(content) / 1024:8.1f} KiB")
    return content


def run():
    import random

    from django.db import connection

    from accounts.models import Role, User
    from classes.demo_data import make_mobile, make_name, make_resident_id
    from classes.models import Enrollment, Trainee, TraineeCategory, TrainingClass
    from evaluations.items import TRAINEE_ITEM_FIELDS
    from evaluations.models import TraineeEvaluation
    from reports.forms_data import form1_for, form2_for
    from reports.pdf import render_pdf

    rng = random.Random(5)
    institution, occupation = bench_school("中式烹调师")
    User.objects.create(username="bench", role=Role.INSTITUTION, institution=institution)
    training_class = TrainingClass.objects.create(
        batch_number="BENCH-PDF", institution=institution, occupation=occupation, category="employment_skills",
        start_date=date(2026, 5, 4), end_date=date(2026, 5, 18), registered_headcount=CLASS_SIZE, class_hours=90, location="本部",
        status="finished",
    )
    category = TraineeCategory.objects.first()
    ratings = ("excellent", "good", "fair", "poor")
    for _ in range(CLASS_SIZE):
        number = make_resident_id(rng)
        trainee = Trainee.objects.create(id_number=number, name=make_name(rng), gender="male" if int(number[16]) % 2 else "female",
                                         birth_date=date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
                                         category=category)
        enrollment = Enrollment.objects.create(training_class=training_class, trainee=trainee, roster_name=trainee.name,
                                               phone=make_mobile(rng))
        TraineeEvaluation.objects.create(
            enrollment=enrollment, source="online", overall=rng.choice(ratings), completed_training=True,
            attended_from=training_class.start_date, attended_to=training_class.end_date, attended_amount=90,
            organiser_name=institution.name, occupation_name=occupation.name, is_confirmed=True,
            signed_on=training_class.end_date, suggestions="希望增加实操课时", **{name: rng.choice(ratings) for name in TRAINEE_ITEM_FIELDS},
        )
    evaluations = list(TraineeEvaluation.objects.select_related("enrollment__trainee").order_by("id"))
    render_pdf("reports/pdf/form2.html", {"forms": [form2_for(evaluations[0], numbers="full")]})  # font cache warm-up

    print(f"database: {connection.vendor}")
    timed("附表2, one trainee", lambda: render_pdf("reports/pdf/form2.html", {"forms": [form2_for(evaluations[0], numbers="full")]}))
    timed(f"附表2, class of {CLASS_SIZE} as one PDF", lambda: render_pdf(
        "reports/pdf/form2.html", {"forms": [form2_for(item, numbers="full") for item in evaluations]}))
    timed("附表1, one class", lambda: render_pdf("reports/pdf/form1.html", {"form": form1_for(training_class)}))
    print("target: the 50-page PDF under 3 s and 2 MB")


def main():
    with throwaway_database():
        run()


if __name__ == "__main__":
    main()
