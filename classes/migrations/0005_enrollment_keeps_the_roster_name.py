"""Issue #8 item 9: each enrollment keeps the name as its roster wrote it.

Until now a roster whose name differed from the registered one was refused with a message that told the
institution the ID was registered under another name. Existing enrollments were all imported under the
registered name, so they take it; the reverse has nothing to restore (the column goes away).
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def copy_registered_name(apps, schema_editor):
    Trainee = apps.get_model("classes", "Trainee")
    Enrollment = apps.get_model("classes", "Enrollment")
    HistoricalEnrollment = apps.get_model("classes", "HistoricalEnrollment")
    name_of_trainee = Trainee.objects.filter(pk=OuterRef("trainee_id")).values("name")[:1]
    Enrollment.objects.update(roster_name=Subquery(name_of_trainee))
    HistoricalEnrollment.objects.update(roster_name=Coalesce(Subquery(name_of_trainee), Value("")))


class Migration(migrations.Migration):

    dependencies = [
        ("classes", "0004_phone_moves_to_the_enrollment"),
    ]

    operations = [
        migrations.AddField(
            model_name="enrollment",
            name="roster_name",
            field=models.CharField(default="", max_length=40, verbose_name="花名册姓名"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalenrollment",
            name="roster_name",
            field=models.CharField(default="", max_length=40, verbose_name="花名册姓名"),
            preserve_default=False,
        ),
        migrations.RunPython(copy_registered_name, migrations.RunPython.noop),
    ]
