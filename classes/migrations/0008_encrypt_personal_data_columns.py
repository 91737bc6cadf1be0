"""ID and phone columns become ciphertext (text) with a blind-index column beside them (issue #13 item 2).

The format checks cannot read a ciphertext: the services check the numbers before saving. Uniqueness and the
phone index move to the digests in 0010, once 0009 has filled them."""

import xingan_training.encrypted_fields
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('classes', '0007_enrollment_phone_index'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='enrollment',
            name='enrollment_phone_format',
        ),
        migrations.RemoveConstraint(
            model_name='trainee',
            name='trainee_id_number_format',
        ),
        migrations.RemoveIndex(
            model_name='enrollment',
            name='enrollment_phone',
        ),
        migrations.AddField(
            model_name='enrollment',
            name='phone_digest',
            field=xingan_training.encrypted_fields.BlindIndexField(source='phone'),
        ),
        migrations.AddField(
            model_name='historicalenrollment',
            name='phone_digest',
            field=xingan_training.encrypted_fields.BlindIndexField(source='phone'),
        ),
        migrations.AddField(
            model_name='historicaltrainee',
            name='id_number_digest',
            field=xingan_training.encrypted_fields.BlindIndexField(db_index=True, source='id_number'),
        ),
        migrations.AddField(
            model_name='trainee',
            name='id_number_digest',
            field=xingan_training.encrypted_fields.BlindIndexField(source='id_number'),
        ),
        migrations.AlterField(
            model_name='enrollment',
            name='phone',
            field=xingan_training.encrypted_fields.EncryptedCharField(max_length=11, purpose='phone', verbose_name='联系电话'),
        ),
        migrations.AlterField(
            model_name='historicalenrollment',
            name='phone',
            field=xingan_training.encrypted_fields.EncryptedCharField(max_length=11, purpose='phone', verbose_name='联系电话'),
        ),
        migrations.AlterField(
            model_name='historicalinstitution',
            name='contact_phone',
            field=xingan_training.encrypted_fields.EncryptedCharField(max_length=20, purpose='phone', verbose_name='联系电话'),
        ),
        migrations.AlterField(
            model_name='historicaltrainee',
            name='id_number',
            field=xingan_training.encrypted_fields.EncryptedCharField(max_length=18, purpose='resident_id', verbose_name='身份证号'),
        ),
        migrations.AlterField(
            model_name='institution',
            name='contact_phone',
            field=xingan_training.encrypted_fields.EncryptedCharField(max_length=20, purpose='phone', verbose_name='联系电话'),
        ),
        migrations.AlterField(
            model_name='trainee',
            name='id_number',
            field=xingan_training.encrypted_fields.EncryptedCharField(max_length=18, purpose='resident_id', verbose_name='身份证号'),
        ),
    ]
