"""Policy §5 Decision: call outcomes in the policy's words (空号, 拒绝回访, 无人接听, 关机, and the new 占线), and
why each replaced trainee was replaced.

Trainees replaced before this migration were replaced after three failures of any kind; the call that
replaced them was their last, so its outcome is the best reason the records give: 空号 or 拒绝回访 when it
was one of those, otherwise 多次未接通.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_replacement_reasons(apps, schema_editor):
    FollowupItem = apps.get_model("followups", "FollowupItem")
    CallAttempt = apps.get_model("followups", "CallAttempt")
    last_outcome = CallAttempt.objects.filter(item=OuterRef("pk")).order_by("-called_at", "-id").values("outcome")[:1]
    replaced = FollowupItem.objects.filter(status="replaced", replacement_reason="").annotate(last_outcome=Subquery(last_outcome))
    by_reason = {"wrong_number": [], "refused": [], "unreachable": []}
    for pk, outcome in replaced.values_list("pk", "last_outcome"):
        by_reason[outcome if outcome in ("wrong_number", "refused") else "unreachable"].append(pk)
    for reason, pks in by_reason.items():
        FollowupItem.objects.filter(pk__in=pks).update(replacement_reason=reason)


class Migration(migrations.Migration):

    dependencies = [
        ('followups', '0001_followup_samples_calls_employment'),
    ]

    operations = [
        migrations.AddField(
            model_name='followupitem',
            name='replacement_reason',
            field=models.CharField(blank=True, choices=[('wrong_number', '空号'), ('refused', '拒绝回访'), ('unreachable', '多次未接通（无人接听、关机、占线）')], max_length=20, verbose_name='替换原因'),
        ),
        migrations.AddField(
            model_name='historicalfollowupitem',
            name='replacement_reason',
            field=models.CharField(blank=True, choices=[('wrong_number', '空号'), ('refused', '拒绝回访'), ('unreachable', '多次未接通（无人接听、关机、占线）')], max_length=20, verbose_name='替换原因'),
        ),
        migrations.AlterField(
            model_name='callattempt',
            name='outcome',
            field=models.CharField(choices=[('completed', '接通完成'), ('no_answer', '无人接听'), ('busy', '占线'), ('powered_off', '关机'), ('wrong_number', '空号'), ('refused', '拒绝回访'), ('callback', '约定回拨')], max_length=20, verbose_name='结果'),
        ),
        migrations.AlterField(
            model_name='followupitem',
            name='status',
            field=models.CharField(choices=[('pending', '待回访'), ('completed', '已完成'), ('replaced', '已替换')], default='pending', max_length=20, verbose_name='状态'),
        ),
        migrations.AlterField(
            model_name='historicalfollowupitem',
            name='status',
            field=models.CharField(choices=[('pending', '待回访'), ('completed', '已完成'), ('replaced', '已替换')], default='pending', max_length=20, verbose_name='状态'),
        ),
        # Backwards the column is dropped by the schema operations above: nothing to undo here.
        migrations.RunPython(fill_replacement_reasons, migrations.RunPython.noop),
    ]
