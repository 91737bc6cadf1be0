"""Encrypts the existing ID and phone numbers and fills their digests, in batches; the reverse decrypts them.

Needs the keys of the settings (FIELD_ENCRYPTION_KEYS, BLIND_INDEX_KEY): the shared row rewriter is imported
because the migration cannot encrypt without it."""

from django.db import migrations

from xingan_training.personal_data import PHONE, RESIDENT_ID
from xingan_training.personal_data_rows import Column, decrypt_value, encrypt_value, rewrite_models

COLUMNS = {
    "supervision.Teacher": [Column("id_number", RESIDENT_ID, "id_number_digest")],
    "supervision.HistoricalTeacher": [Column("id_number", RESIDENT_ID, "id_number_digest")],
    "supervision.TrainingWish": [Column("phone", PHONE, "phone_digest")],
    "supervision.HistoricalTrainingWish": [Column("phone", PHONE, "phone_digest")],
    "supervision.DepartmentListEntry": [Column("id_number", RESIDENT_ID, "id_number_digest")],
}


def encrypt_rows(apps, schema_editor):
    rewrite_models(apps, schema_editor, COLUMNS, encrypt_value)


def decrypt_rows(apps, schema_editor):
    rewrite_models(apps, schema_editor, COLUMNS, decrypt_value)


class Migration(migrations.Migration):

    dependencies = [("supervision", "0010_encrypt_personal_data_columns")]

    operations = [migrations.RunPython(encrypt_rows, decrypt_rows)]
