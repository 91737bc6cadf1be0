"""Issue #8 item 9: a phone number belongs to the roster that gave it, not to the person.

Each enrollment gets the trainee's number (the only one known so far), its history rows too, so that the
history of a removed enrollment still carries the number it had. Then the trainee's number is dropped, so
that no institution can read the number another institution's roster gave.

Order matters for the reverse: the trainee's column comes back with an empty default, the numbers are
copied back, and only then does the trainee's format constraint come back.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce


def copy_phone_to_enrollments(apps, schema_editor):
    Trainee = apps.get_model("classes", "Trainee")
    Enrollment = apps.get_model("classes", "Enrollment")
    HistoricalEnrollment = apps.get_model("classes", "HistoricalEnrollment")
    phone_of_trainee = Trainee.objects.filter(pk=OuterRef("trainee_id")).values("phone")[:1]
    Enrollment.objects.update(phone=Subquery(phone_of_trainee))
    HistoricalEnrollment.objects.update(phone=Coalesce(Subquery(phone_of_trainee), Value("")))


def copy_phone_back_to_trainees(apps, schema_editor):
    """The number of the person's latest roster; for a person whose enrollments were all removed, the latest
    number in the enrollment history."""
    Trainee = apps.get_model("classes", "Trainee")
    Enrollment = apps.get_model("classes", "Enrollment")
    HistoricalEnrollment = apps.get_model("classes", "HistoricalEnrollment")
    latest = Enrollment.objects.filter(trainee_id=OuterRef("pk")).order_by("-id").values("phone")[:1]
    latest_in_history = (
        HistoricalEnrollment.objects.filter(trainee_id=OuterRef("pk")).exclude(phone="")
        .order_by("-history_date", "-history_id").values("phone")[:1]
    )
    Trainee.objects.update(phone=Coalesce(Subquery(latest), Subquery(latest_in_history), Value("")))
    missing = Trainee.objects.filter(phone="").count()
    if missing:
        raise RuntimeError(
            f"{missing} trainee(s) have no enrollment and no enrollment history with a phone number: the old schema "
            "requires one and this migration will not invent it. Remove or complete them before migrating back."
        )


class Migration(migrations.Migration):

    dependencies = [
        ("classes", "0003_subsidy_eligibility_and_institution_flag"),
    ]

    operations = [
        migrations.AddField(
            model_name="enrollment",
            name="phone",
            field=models.CharField(default="", max_length=11, verbose_name="联系电话"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalenrollment",
            name="phone",
            field=models.CharField(default="", max_length=11, verbose_name="联系电话"),
            preserve_default=False,
        ),
        migrations.RemoveConstraint(model_name="trainee", name="trainee_phone_format"),
        migrations.RunPython(copy_phone_to_enrollments, copy_phone_back_to_trainees),
        # A default just before the removal, so that migrating back can add the column to existing rows
        # (then fill it) instead of failing on NOT NULL.
        migrations.AlterField(
            model_name="trainee", name="phone", field=models.CharField(default="", max_length=11, verbose_name="联系电话")
        ),
        migrations.AlterField(
            model_name="historicaltrainee", name="phone",
            field=models.CharField(default="", max_length=11, verbose_name="联系电话"),
        ),
        migrations.RemoveField(model_name="historicaltrainee", name="phone"),
        migrations.RemoveField(model_name="trainee", name="phone"),
        migrations.AddConstraint(
            model_name="enrollment",
            constraint=models.CheckConstraint(condition=Q(phone__regex="^1[3-9][0-9]{9}$"), name="enrollment_phone_format"),
        ),
    ]
