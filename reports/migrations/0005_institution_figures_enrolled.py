from django.db import migrations, models
from django.db.models import Sum


def sum_rosters(apps, schema_editor):
    """Fills the new column from the existing ClassFigures, as the next refresh would (no wait for the beat task)."""
    ClassFigures = apps.get_model("reports", "ClassFigures")
    InstitutionFigures = apps.get_model("reports", "InstitutionFigures")
    for row in ClassFigures.objects.values("training_class__institution").annotate(total=Sum("enrolled")).order_by():
        InstitutionFigures.objects.filter(institution_id=row["training_class__institution"]).update(enrolled=row["total"])


class Migration(migrations.Migration):
    """The landing page's 参训人次 from one row per institution instead of one per class."""

    dependencies = [
        ("reports", "0004_institution_figures"),
    ]

    operations = [
        migrations.AddField(
            model_name="institutionfigures",
            name="enrolled",
            field=models.PositiveIntegerField(default=0, verbose_name="已结业培训班参训人数"),
        ),
        migrations.RunPython(sum_rosters, migrations.RunPython.noop),
    ]
