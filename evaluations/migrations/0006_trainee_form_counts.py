"""Per-class counts of the valid 附表2 (issue #12, region scale: teacher performance).

The teacher ranking (policy §8.8) needs, for every class of a year, its valid forms and those rating item 7 优 or
良; counting them from the forms cost an index-only scan of the year's ~230,000 forms on each page. The
institutions' yearly evidence (policy §8.7) grades each class of a year from its overall ratings. The services
that add or void a form now keep TraineeFormCounts in the form's transaction (evaluations.form_counts); this
migration counts the forms already there, one grouped pass, so the rows are exact from the start. Reversing
drops the table (the forms are untouched), so there is nothing to undo in the data.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Q

GOOD_ITEM_7 = ("excellent", "good")
RATINGS = ("excellent", "good", "fair", "poor")


def count_existing_forms(apps, schema_editor):
    TraineeEvaluation = apps.get_model("evaluations", "TraineeEvaluation")
    TraineeFormCounts = apps.get_model("evaluations", "TraineeFormCounts")
    counted = (
        TraineeEvaluation.objects.filter(is_valid=True).order_by().values("training_class")
        .annotate(
            valid=Count("pk"), good=Count("pk", filter=Q(item_7__in=GOOD_ITEM_7)),
            **{f"overall_{rating}": Count("pk", filter=Q(overall=rating)) for rating in RATINGS},
        )
    )
    TraineeFormCounts.objects.bulk_create(
        (TraineeFormCounts(training_class_id=row["training_class"], valid_forms=row["valid"], item_7_good=row["good"],
                           **{f"overall_{rating}": row[f"overall_{rating}"] for rating in RATINGS})
         for row in counted.iterator(chunk_size=5000)),
        batch_size=5000,
    )


def forget_counts(apps, schema_editor):
    apps.get_model("evaluations", "TraineeFormCounts").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('classes', '0013_class_end_date_index'),
        ('evaluations', '0005_trainee_form_class'),
    ]

    operations = [
        migrations.CreateModel(
            name='TraineeFormCounts',
            fields=[
                ('training_class', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='trainee_form_counts', serialize=False, to='classes.trainingclass', verbose_name='培训班')),
                ('valid_forms', models.PositiveIntegerField(default=0, verbose_name='有效附表2')),
                ('item_7_good', models.PositiveIntegerField(default=0, verbose_name='第7项评为优或良')),
                ('overall_excellent', models.PositiveIntegerField(default=0, verbose_name='综合评价为优')),
                ('overall_good', models.PositiveIntegerField(default=0, verbose_name='综合评价为良')),
                ('overall_fair', models.PositiveIntegerField(default=0, verbose_name='综合评价为一般')),
                ('overall_poor', models.PositiveIntegerField(default=0, verbose_name='综合评价为差')),
            ],
            options={
                'verbose_name': '培训班附表2计数',
                'verbose_name_plural': '培训班附表2计数',
                'constraints': [models.CheckConstraint(condition=models.Q(('item_7_good__lte', models.F('valid_forms'))), name='trainee_form_counts_good_within_valid'), models.CheckConstraint(condition=models.Q(('valid_forms', django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('overall_excellent'), '+', models.F('overall_good')), '+', models.F('overall_fair')), '+', models.F('overall_poor')))), name='trainee_form_counts_overall_sum_to_valid')],
            },
        ),
        migrations.RunPython(count_existing_forms, forget_counts),
    ]
