"""ID and phone columns become ciphertext (text) with a blind-index column beside them (issue #13 item 2).

The format checks cannot read a ciphertext: the services check the numbers before saving. Uniqueness and the
index move to the digests in 0012, once 0011 has filled them."""

import xingan_training.encrypted_fields
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('supervision', '0009_fraud_signals'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='departmentlistentry',
            name='department_list_entry_once',
        ),
        migrations.RemoveConstraint(
            model_name='departmentlistentry',
            name='department_list_entry_id_format',
        ),
        migrations.RemoveConstraint(
            model_name='teacher',
            name='teacher_id_number_format',
        ),
        migrations.RemoveConstraint(
            model_name='trainingwish',
            name='training_wish_phone_format',
        ),
        migrations.RemoveIndex(
            model_name='departmentlistentry',
            name='department_entry_id_number',
        ),
        migrations.AddField(
            model_name='departmentlistentry',
            name='id_number_digest',
            field=xingan_training.encrypted_fields.BlindIndexField(source='id_number'),
        ),
        migrations.AddField(
            model_name='historicalteacher',
            name='id_number_digest',
            field=xingan_training.encrypted_fields.BlindIndexField(db_index=True, source='id_number'),
        ),
        migrations.AddField(
            model_name='historicaltrainingwish',
            name='phone_digest',
            field=xingan_training.encrypted_fields.BlindIndexField(source='phone'),
        ),
        migrations.AddField(
            model_name='teacher',
            name='id_number_digest',
            field=xingan_training.encrypted_fields.BlindIndexField(source='id_number'),
        ),
        migrations.AddField(
            model_name='trainingwish',
            name='phone_digest',
            field=xingan_training.encrypted_fields.BlindIndexField(source='phone'),
        ),
        migrations.AlterField(
            model_name='departmentlistentry',
            name='id_number',
            field=xingan_training.encrypted_fields.EncryptedCharField(max_length=18, purpose='resident_id', verbose_name='身份证号'),
        ),
        migrations.AlterField(
            model_name='historicalteacher',
            name='id_number',
            field=xingan_training.encrypted_fields.EncryptedCharField(max_length=18, purpose='resident_id', verbose_name='身份证号'),
        ),
        migrations.AlterField(
            model_name='historicaltrainingwish',
            name='phone',
            field=xingan_training.encrypted_fields.EncryptedCharField(max_length=11, purpose='phone', verbose_name='手机号'),
        ),
        migrations.AlterField(
            model_name='teacher',
            name='id_number',
            field=xingan_training.encrypted_fields.EncryptedCharField(max_length=18, purpose='resident_id', verbose_name='身份证号'),
        ),
        migrations.AlterField(
            model_name='trainingwish',
            name='phone',
            field=xingan_training.encrypted_fields.EncryptedCharField(max_length=11, purpose='phone', verbose_name='手机号'),
        ),
    ]
