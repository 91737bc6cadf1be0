"""Each follow-up sample records how it was drawn: after the class finished, by the beat sweep, by hand (with the
person), or from the command line.

Samples drawn before this migration only kept the person: one with drawn_by was drawn by hand; the others
are counted as the sweep's, since the records cannot tell a class-finish draw from a sweep draw.
"""

from django.db import migrations, models
from django.db.models import Q


def fill_triggers(apps, schema_editor):
    FollowupSample = apps.get_model("followups", "FollowupSample")
    FollowupSample.objects.filter(drawn_by__isnull=False).update(trigger="manual")
    FollowupSample.objects.filter(drawn_by__isnull=True).update(trigger="sweep")


class Migration(migrations.Migration):

    dependencies = [
        ("followups", "0003_followup_asks_whether_training_was_completed"),
    ]

    operations = [
        migrations.AddField(
            model_name="followupsample",
            name="trigger",
            field=models.CharField(
                choices=[("class_finished", "结业后自动抽取"), ("sweep", "系统定时抽取"), ("manual", "人工抽取"), ("command", "命令行抽取")],
                default="sweep", max_length=20, verbose_name="抽取方式",
            ),
            preserve_default=False,
        ),
        # Backwards the column is dropped by the operation above: nothing to undo here.
        migrations.RunPython(fill_triggers, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="followupsample",
            constraint=models.CheckConstraint(
                condition=Q(trigger="manual", drawn_by__isnull=False) | (~Q(trigger="manual") & Q(drawn_by__isnull=True)),
                name="sample_drawn_by_person_iff_manual",
            ),
        ),
    ]
