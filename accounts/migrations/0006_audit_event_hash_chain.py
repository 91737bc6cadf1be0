"""Audit events get their place in a hash chain (sequence, previous hash, own hash) and the archive marker field.

Existing events are chained in the order they were written. The hash is the frozen canonical form of
``accounts.audit_chain`` (pure, no Django): importing it, rather than copying it here, keeps one definition of a
form that can never change without breaking every stored chain. The columns become required in 0005.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from accounts.audit_chain import CHAINED_FIELDS, GENESIS_HASH, record_hash


def chain_existing_events(apps, schema_editor):
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    previous = GENESIS_HASH
    for sequence, event in enumerate(AuditEvent.objects.order_by("created_at", "pk").iterator(chunk_size=2000), 1):
        event.sequence, event.previous_hash = sequence, previous
        event.record_hash = record_hash({name: getattr(event, name) for name in CHAINED_FIELDS})
        event.save(update_fields=["sequence", "previous_hash", "record_hash"])
        previous = event.record_hash


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_second_factor_and_sessions"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditevent",
            options={"ordering": ["-sequence"], "verbose_name": "审计事件", "verbose_name_plural": "审计事件"},
        ),
        migrations.AddField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(null=True, verbose_name="序号"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(max_length=64, null=True, verbose_name="前一条哈希"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="record_hash",
            field=models.CharField(max_length=64, null=True, verbose_name="本条哈希"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="archived_through",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="归档至序号"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(choices=[("login", "登录"), ("logout", "退出登录"), ("login_failed", "登录失败"), ("session_expired", "会话超时"), ("view_personal_data", "查看完整个人信息"), ("export_personal_data", "导出个人信息"), ("print_document", "打印正式文书"), ("import_roster", "导入名册"), ("class_status", "培训班状态变更"), ("opening_review", "开班审核"), ("evaluation_review", "评价与复核"), ("investigation", "核查"), ("rectification", "整改"), ("followup", "电话回访"), ("inspection", "实地检查"), ("signal_dismissed", "核销疑点"), ("list_decision", "红黑名单决定"), ("teacher_review", "师资审核"), ("audit_archived", "审计记录归档")], max_length=32, verbose_name="事件"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="audit_events", to=settings.AUTH_USER_MODEL, verbose_name="操作人"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="时间"),
        ),
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
    ]
