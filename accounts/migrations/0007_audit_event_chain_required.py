"""The chain columns become required, and unique where two records must never share a place: a second record
after the same predecessor (a fork) is refused by the database itself."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0006_audit_event_hash_chain"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(unique=True, verbose_name="序号"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(max_length=64, unique=True, verbose_name="前一条哈希"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="record_hash",
            field=models.CharField(max_length=64, verbose_name="本条哈希"),
        ),
    ]
