from django.db import migrations, models
from django.db.models import Count


def count_finished_classes(apps, schema_editor):
    """Fills the new column from the existing ClassFigures, as the next refresh would (no wait for the beat task)."""
    ClassFigures = apps.get_model("reports", "ClassFigures")
    InstitutionFigures = apps.get_model("reports", "InstitutionFigures")
    for row in ClassFigures.objects.values("training_class__institution").annotate(total=Count("pk")).order_by():
        InstitutionFigures.objects.filter(institution_id=row["training_class__institution"]).update(
            finished_classes=row["total"])


class Migration(migrations.Migration):
    """The landing page's finished classes from one row per institution instead of reading all 100,000 classes."""

    dependencies = [
        ("reports", "0005_institution_figures_enrolled"),
    ]

    operations = [
        migrations.AddField(
            model_name="institutionfigures",
            name="finished_classes",
            field=models.PositiveIntegerField(default=0, verbose_name="已结业培训班数"),
        ),
        migrations.RunPython(count_finished_classes, migrations.RunPython.noop),
    ]
