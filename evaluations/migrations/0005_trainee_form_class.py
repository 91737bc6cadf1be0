"""附表2 keeps its enrollment's class (issue #12, region scale: teacher performance).

The teacher ranking (policy §8.8) orders every teacher by the share of valid forms rating item 7 优 or 良 over
their classes of a year, so it counts the forms of all the year's classes (270,000 at region scale) on each page;
reaching them through the rosters cost one index probe per trainee (≈1 s for the league). With the class on the
form and the partial index trainee_form_class_item_7 (valid forms only, with item 7), a class's counts are read
from the index alone. The column is filled from the enrollments (an enrollment never changes class), then made
required; TraineeEvaluation.save() copies it for every new form.
"""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
UPDATE evaluations_traineeevaluation AS form SET training_class_id = enrollment.training_class_id
FROM classes_enrollment AS enrollment WHERE enrollment.id = form.enrollment_id AND form.training_class_id IS NULL;
UPDATE evaluations_historicaltraineeevaluation AS form SET training_class_id = enrollment.training_class_id
FROM classes_enrollment AS enrollment WHERE enrollment.id = form.enrollment_id AND form.training_class_id IS NULL;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('classes', '0011_class_institution_status_index'),
        ('evaluations', '0004_consequence_status_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicaltraineeevaluation',
            name='training_class',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='classes.trainingclass', verbose_name='培训班'),
        ),
        migrations.AddField(
            model_name='traineeevaluation',
            name='training_class',
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='trainee_evaluations', to='classes.trainingclass', verbose_name='培训班'),
        ),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop),
        migrations.AlterField(
            model_name='traineeevaluation',
            name='training_class',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='trainee_evaluations', to='classes.trainingclass', verbose_name='培训班'),
        ),
        migrations.AddIndex(
            model_name='traineeevaluation',
            index=models.Index(condition=models.Q(('is_valid', True)), fields=['training_class', 'item_7'], name='trainee_form_class_item_7'),
        ),
    ]
