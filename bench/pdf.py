"""Times the official forms as PDF: one 附表2, a class of 50 as one document, and 附表1.

Run: .venv/bin/python bench/pdf.py    Target: the 50-page PDF under 3 s and 2 MB.
"""

import os
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

CLASS_SIZE = 50


def timed(label, render):
    started = time.perf_counter()
    content = render()
    elapsed = time.perf_counter() - started
    print(f"{label:<34} {elapsed:6.2f} s  {len(content) / 1024:8.1f} KiB")
    return content


def run():
    import random

    from accounts.models import Role, User
    from classes.demo_data import make_mobile, make_name, make_resident_id
    from classes.models import Enrollment, Institution, Occupation, Region, Trainee, TraineeCategory, TrainingClass
    from evaluations.items import TRAINEE_ITEM_FIELDS
    from evaluations.models import TraineeEvaluation
    from reports.forms_data import form1_for, form2_for
    from reports.pdf import render_pdf

    rng = random.Random(5)
    county = Region.objects.get(code="152201")
    occupation = Occupation.objects.create(code="B-2", name="中式烹调师", level="4", training_type="employment_skills", subsidy_per_person=1800)
    institution = Institution.objects.create(name="基准测试学校", credit_code="52152201MJ00000018", county=county,
                                             contact_person="x", contact_phone="13800000000")
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
                                         phone=make_mobile(rng), category=category)
        enrollment = Enrollment.objects.create(training_class=training_class, trainee=trainee)
        TraineeEvaluation.objects.create(
            enrollment=enrollment, source="online", overall=rng.choice(ratings), completed_training=True,
            attended_from=training_class.start_date, attended_to=training_class.end_date, attended_amount=90,
            organiser_name=institution.name, occupation_name=occupation.name, is_confirmed=True,
            signed_on=training_class.end_date, suggestions="希望增加实操课时", **{name: rng.choice(ratings) for name in TRAINEE_ITEM_FIELDS},
        )
    evaluations = list(TraineeEvaluation.objects.select_related("enrollment__trainee").order_by("id"))
    render_pdf("reports/pdf/form2.html", {"forms": [form2_for(evaluations[0], full_ids=True)]})  # font cache warm-up

    print(f"database: {django.db.connection.vendor}")
    timed("附表2, one trainee", lambda: render_pdf("reports/pdf/form2.html", {"forms": [form2_for(evaluations[0], full_ids=True)]}))
    timed(f"附表2, class of {CLASS_SIZE} as one PDF", lambda: render_pdf(
        "reports/pdf/form2.html", {"forms": [form2_for(item, full_ids=True) for item in evaluations]}))
    timed("附表1, one class", lambda: render_pdf("reports/pdf/form1.html", {"form": form1_for(training_class)}))
    print("target: the 50-page PDF under 3 s and 2 MB")


def main():
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        run()
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
