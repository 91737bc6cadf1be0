"""Each follow-up sample counts its completed calls (issue #12, region scale: the coverage report).

The coverage report (policy §5: completed calls against the 20% targets, and those on time) counted the completed
calls of every sample of the period, twice (all, and those by the due date): 10,000 samples and 60,000 calls for the
league's year on each page. call_attempt_record now counts them on the sample in the transaction that completes the
call; this migration counts the calls already completed, exactly as the report counted them (the completion's
local date against the due date), so the rows are right from the start. Reversing drops the two columns: the calls
themselves are untouched, so there is nothing to undo in the data.
"""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def count_completed_calls(apps, schema_editor):
    FollowupItem = apps.get_model("followups", "FollowupItem")
    FollowupSample = apps.get_model("followups", "FollowupSample")
    completed = FollowupItem.objects.filter(sample=OuterRef("pk"), status="completed").order_by().values("sample")

    def counted(items):
        return Coalesce(Subquery(items.annotate(number=Count("pk")).values("number"), output_field=models.IntegerField()), Value(0))

    FollowupSample.objects.update(
        completed_calls=counted(completed),
        completed_on_time=counted(completed.filter(completed_at__date__lte=OuterRef("due_date"))),
    )


class Migration(migrations.Migration):

    dependencies = [
        ('followups', '0005_completed_items_index_for_coverage'),
    ]

    operations = [
        migrations.AddField(
            model_name='followupsample',
            name='completed_calls',
            field=models.PositiveIntegerField(default=0, verbose_name='已完成回访'),
        ),
        migrations.AddField(
            model_name='followupsample',
            name='completed_on_time',
            field=models.PositiveIntegerField(default=0, verbose_name='按时完成回访'),
        ),
        migrations.RunPython(count_completed_calls, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='followupsample',
            constraint=models.CheckConstraint(condition=models.Q(('completed_on_time__lte', models.F('completed_calls'))), name='sample_on_time_within_completed'),
        ),
    ]
