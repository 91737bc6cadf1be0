from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("classes", "0007_enrollment_phone_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="trainingclass",
            index=models.Index(
                fields=["institution", "status"], include=["assessment_end_date"], name="class_institution_status"
            ),
        ),
    ]
