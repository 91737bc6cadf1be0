"""The call script asks whether the trainee completed the class, so that follow-ups can be checked against 附表2
(policy §5). Calls made before stay empty: they were never asked."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('followups', '0002_call_outcomes_of_policy_and_replacement_reason'),
    ]

    operations = [
        migrations.AddField(
            model_name='followupitem',
            name='completed_training',
            field=models.BooleanField(blank=True, null=True, verbose_name='确认完成了培训'),
        ),
        migrations.AddField(
            model_name='historicalfollowupitem',
            name='completed_training',
            field=models.BooleanField(blank=True, null=True, verbose_name='确认完成了培训'),
        ),
    ]
