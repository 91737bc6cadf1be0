"""One trainee per ID number, now on the digest; the shared-phone index on the phone's digest."""

from django.db import migrations, models

import xingan_training.encrypted_fields


class Migration(migrations.Migration):

    dependencies = [("classes", "0009_encrypt_personal_data_rows")]

    operations = [
        migrations.AlterField(
            model_name="trainee",
            name="id_number_digest",
            field=xingan_training.encrypted_fields.BlindIndexField(source="id_number", unique=True),
        ),
        migrations.AddIndex(
            model_name="enrollment",
            index=models.Index(fields=["phone_digest"], name="enrollment_phone_digest"),
        ),
    ]
