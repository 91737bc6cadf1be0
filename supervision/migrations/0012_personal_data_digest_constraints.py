"""One teacher per ID number and one entry per list and ID number, now on the digests."""

from django.db import migrations, models

import xingan_training.encrypted_fields


class Migration(migrations.Migration):

    dependencies = [("supervision", "0011_encrypt_personal_data_rows")]

    operations = [
        migrations.AlterField(
            model_name="teacher",
            name="id_number_digest",
            field=xingan_training.encrypted_fields.BlindIndexField(source="id_number", unique=True),
        ),
        migrations.AddIndex(
            model_name="departmentlistentry",
            index=models.Index(fields=["id_number_digest"], name="department_entry_id_digest"),
        ),
        migrations.AddConstraint(
            model_name="departmentlistentry",
            constraint=models.UniqueConstraint(
                fields=("department_list", "id_number_digest"), name="department_list_entry_once"
            ),
        ),
    ]
