from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("classes", "0010_personal_data_digest_constraints"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="trainingclass",
            index=models.Index(
                fields=["institution", "status"], include=["assessment_end_date"], name="class_institution_status"
            ),
        ),
    ]
