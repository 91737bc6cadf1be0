"""Re-encrypts every stored ID and phone number under the current key (the first of FIELD_ENCRYPTION_KEYS).

Key rotation: put the new key first (FIELD_ENCRYPTION_KEYS="k2:<new>,k1:<old>"), restart, run this command,
then remove k1. Values already under the current key are left alone, so the command can be re-run after an
interruption; each batch is its own transaction. Digests do not change (the blind index key is separate)."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection

from xingan_training.encrypted_fields import EncryptedCharField
from xingan_training.personal_data_rows import BATCH_SIZE, Column, reencrypt_value, rewrite_table


def encrypted_columns() -> dict:
    """Every model (historical ones included) with its encrypted columns."""
    found = {}
    for model in apps.get_models():
        columns = [
            Column(field.column, field.purpose)
            for field in model._meta.concrete_fields if isinstance(field, EncryptedCharField)
        ]
        if columns:
            found[model] = columns
    return found


class Command(BaseCommand):
    help = "Re-encrypts every stored ID and phone number under the current key (key rotation)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, batch_size, **options):
        for model, columns in encrypted_columns().items():
            written = rewrite_table(
                connection, table=model._meta.db_table, pk=model._meta.pk.column, columns=columns,
                rewrite=reencrypt_value, batch_size=batch_size,
            )
            self.stdout.write(f"{model._meta.label}: {written} 行已用当前密钥重新加密")
