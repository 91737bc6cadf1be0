from django.db import migrations, models


class Migration(migrations.Migration):
    """The classes that ended in a period (dashboards, coverage, statistics report) by index."""

    dependencies = [
        ("classes", "0011_class_institution_status_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="trainingclass",
            index=models.Index(fields=["status", "end_date"], name="class_status_end"),
        ),
    ]
