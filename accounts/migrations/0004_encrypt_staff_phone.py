"""Staff phone numbers are stored encrypted (issue #13 item 2); the existing ones are encrypted in batches."""

import xingan_training.encrypted_fields
from django.db import migrations

from xingan_training.personal_data import PHONE
from xingan_training.personal_data_rows import Column, decrypt_value, encrypt_value, rewrite_models

COLUMNS = {"accounts.User": [Column("phone", PHONE)], "accounts.HistoricalUser": [Column("phone", PHONE)]}


def encrypt_rows(apps, schema_editor):
    rewrite_models(apps, schema_editor, COLUMNS, encrypt_value)


def decrypt_rows(apps, schema_editor):
    rewrite_models(apps, schema_editor, COLUMNS, decrypt_value)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_third_party_role'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicaluser',
            name='phone',
            field=xingan_training.encrypted_fields.EncryptedCharField(blank=True, max_length=20, purpose='phone', verbose_name='联系电话'),
        ),
        migrations.AlterField(
            model_name='user',
            name='phone',
            field=xingan_training.encrypted_fields.EncryptedCharField(blank=True, max_length=20, purpose='phone', verbose_name='联系电话'),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]
