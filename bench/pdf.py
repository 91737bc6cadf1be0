"""Times the official forms as PDF: one 附表2, a class of 50 as one document, 附表1, and the largest class
(200) rendered by the background task in chunks.

Run: .venv/bin/python bench/pdf.py    Targets: the 50-page PDF under 3 s and 2 MB; the 200-page document
under 60 s and 5 MB in the worker, whose peak memory is shown.
"""

import os
import resource
import tempfile
import time
from datetime import date

from benchdb import bench_school, start_django, throwaway_database

os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp())  # the generated file goes to a throwaway folder
os.environ.setdefault("CELERY_BROKER_URL", "memory://")  # the bench runs the task itself; no message leaves
start_django()

CLASS_SIZE = 50
BIG_CLASS_SIZE = 200  # classes.models.MAX_REGISTERED_HEADCOUNT


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
    from evaluations.models import TraineeEvaluation
    from reports.forms_data import form1_for, form2_for
    from reports.pdf import render_pdf

    rng = random.Random(5)
    institution, occupation = bench_school("中式烹调师")
    User.objects.create(username="bench", role=Role.INSTITUTION, institution=institution)
    training_class = finished_class_with_forms(rng, institution, occupation, "BENCH-PDF", CLASS_SIZE)
    evaluations = list(TraineeEvaluation.objects.select_related("enrollment__trainee").order_by("id"))
    render_pdf("reports/pdf/form2.html", {"forms": [form2_for(evaluations[0], numbers="full")]})  # font cache warm-up

    print(f"database: {connection.vendor}")
    timed("附表2, one trainee", lambda: render_pdf("reports/pdf/form2.html", {"forms": [form2_for(evaluations[0], numbers="full")]}))
    timed(f"附表2, class of {CLASS_SIZE} as one PDF", lambda: render_pdf(
        "reports/pdf/form2.html", {"forms": [form2_for(item, numbers="full") for item in evaluations]}))
    timed("附表1, one class", lambda: render_pdf("reports/pdf/form1.html", {"form": form1_for(training_class)}))
    background(rng, institution, occupation)
    print("targets: the 50-page PDF under 3 s and 2 MB; the 200-page document under 60 s and 5 MB")


def background(rng, institution, occupation):
    """The largest class's 附表2 through the request's service and the task's service, as a worker runs them."""
    from django.conf import settings

    from accounts.models import Role, User
    from classes.models import Region
    from reports.services import class_form2_document_request, generated_document_render

    big_class = finished_class_with_forms(rng, institution, occupation, "BENCH-PDF-200", BIG_CLASS_SIZE)
    county_staff = User.objects.create(username="bench-county", role=Role.COUNTY, region=Region.objects.get(code="152201"))
    document = class_form2_document_request(actor=county_staff, training_class=big_class)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    document = generated_document_render(document_id=document.pk)
    elapsed = time.perf_counter() - started
    peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert document.status == "done" and document.pages_done == BIG_CLASS_SIZE, document.error_message
    size = document.file.size
    label = f"附表2, class of {BIG_CLASS_SIZE}, task ({settings.PDF_RENDER_CHUNK_PAGES}/chunk)"
    print(f"{label:<34} {elapsed:6.2f} s  {size / 1024 / 1024:8.2f} MiB  "
          f"(worker peak RSS {peak_after / 1024:.0f} MiB, +{(peak_after - peak_before) / 1024:.0f} MiB)")


def finished_class_with_forms(rng, institution, occupation, batch_number, size):
    """A finished class of ``size`` trainees, each with a valid 附表2."""
    from classes.demo_data import make_mobile, make_name, make_resident_id
    from classes.models import Enrollment, Trainee, TraineeCategory, TrainingClass
    from evaluations.items import TRAINEE_ITEM_FIELDS
    from evaluations.models import TraineeEvaluation

    training_class = TrainingClass.objects.create(
        batch_number=batch_number, institution=institution, occupation=occupation, category="employment_skills",
        start_date=date(2026, 5, 4), end_date=date(2026, 5, 18), registered_headcount=size, class_hours=90, location="本部",
        status="finished",
    )
    category = TraineeCategory.objects.first()
    ratings = ("excellent", "good", "fair", "poor")
    for _ in range(size):
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
    return training_class


def main():
    with throwaway_database():
        run()


if __name__ == "__main__":
    main()
