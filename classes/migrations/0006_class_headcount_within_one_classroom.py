"""A class's registered headcount is at most one classroom (200, classes.models.MAX_REGISTERED_HEADCOUNT).

Existing classes above the bound are not changed silently: the migration stops and names them, so that the
county splits each into several batches (备案变更) before the constraint is added.
"""

import django.core.validators
from django.conf import settings
from django.db import migrations, models

BOUND = 200


def refuse_oversized_classes(apps, schema_editor):
    TrainingClass = apps.get_model("classes", "TrainingClass")
    oversized = list(
        TrainingClass.objects.filter(registered_headcount__gt=BOUND).values_list("batch_number", flat=True)[:20]
    )
    if oversized:
        raise RuntimeError(
            f"备案人数超过{BOUND}人的培训班须先分班备案，再执行本迁移：" + "、".join(oversized)
        )


class Migration(migrations.Migration):

    dependencies = [
        ('classes', '0005_enrollment_keeps_the_roster_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicaltrainingclass',
            name='registered_headcount',
            field=models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1, message='备案人数至少为1人。'), django.core.validators.MaxValueValidator(BOUND, message='备案人数不能超过200人：一个培训班是一个教学班，人数更多请分班备案。')], verbose_name='备案人数'),
        ),
        migrations.AlterField(
            model_name='trainingclass',
            name='registered_headcount',
            field=models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1, message='备案人数至少为1人。'), django.core.validators.MaxValueValidator(BOUND, message='备案人数不能超过200人：一个培训班是一个教学班，人数更多请分班备案。')], verbose_name='备案人数'),
        ),
        migrations.RunPython(refuse_oversized_classes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='trainingclass',
            constraint=models.CheckConstraint(condition=models.Q(('registered_headcount__lte', BOUND)), name='class_headcount_within_one_classroom'),
        ),
    ]
