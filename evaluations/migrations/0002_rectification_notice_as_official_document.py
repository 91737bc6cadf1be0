"""整改通知书 becomes an official notice: number per county and year, addressee, issuing office, problems, the
institution's rectification report and the 待销号 status; a counter row per county and year; a log of its steps.

Notices issued before get their number now, in the order they were issued within each county and year, the
addressee and office from today's names, and the local date of issue; their history rows get the same values.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def number_existing_notices(apps, schema_editor):
    RectificationNotice = apps.get_model("evaluations", "RectificationNotice")
    HistoricalRectificationNotice = apps.get_model("evaluations", "HistoricalRectificationNotice")
    RectificationNumberCounter = apps.get_model("evaluations", "RectificationNumberCounter")
    last = {}
    notices = RectificationNotice.objects.select_related("training_class__institution__county").order_by("issued_at", "id")
    for notice in notices:
        county = notice.training_class.institution.county
        issued_on = timezone.localtime(notice.issued_at).date()
        key = (county.pk, issued_on.year)
        last[key] = last.get(key, 0) + 1
        values = {
            "county_id": county.pk,
            "year": issued_on.year,
            "sequence": last[key],
            "number": f"{county.name}人社整改〔{issued_on.year}〕{last[key]}号",
            "issuing_office": f"{county.name}人力资源和社会保障局",
            "addressee": notice.training_class.institution.name,
            "issued_on": issued_on,
        }
        RectificationNotice.objects.filter(pk=notice.pk).update(**values)
        HistoricalRectificationNotice.objects.filter(id=notice.pk).update(**values)
    for (county_id, year), sequence in last.items():
        RectificationNumberCounter.objects.create(county_id=county_id, year=year, last_sequence=sequence)


class Migration(migrations.Migration):

    dependencies = [
        ('classes', '0003_subsidy_eligibility_and_institution_flag'),
        ('evaluations', '0001_class_review_forms_and_consequences'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalrectificationnotice',
            name='addressee',
            field=models.CharField(default='', max_length=100, verbose_name='主送单位'),
        ),
        migrations.AddField(
            model_name='historicalrectificationnotice',
            name='county',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='classes.region', verbose_name='发文旗县市'),
        ),
        migrations.AddField(
            model_name='historicalrectificationnotice',
            name='issued_on',
            field=models.DateField(null=True, verbose_name='成文日期'),
        ),
        migrations.AddField(
            model_name='historicalrectificationnotice',
            name='issuing_office',
            field=models.CharField(default='', max_length=60, verbose_name='发文机关'),
        ),
        migrations.AddField(
            model_name='historicalrectificationnotice',
            name='number',
            field=models.CharField(max_length=60, null=True, verbose_name='文号'),
        ),
        migrations.AddField(
            model_name='historicalrectificationnotice',
            name='problems',
            field=models.TextField(blank=True, verbose_name='存在问题'),
        ),
        migrations.AddField(
            model_name='historicalrectificationnotice',
            name='report',
            field=models.TextField(blank=True, verbose_name='整改情况报告'),
        ),
        migrations.AddField(
            model_name='historicalrectificationnotice',
            name='reported_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='报告时间'),
        ),
        migrations.AddField(
            model_name='historicalrectificationnotice',
            name='reported_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='报告人'),
        ),
        migrations.AddField(
            model_name='historicalrectificationnotice',
            name='return_reason',
            field=models.TextField(blank=True, verbose_name='退回原因'),
        ),
        migrations.AddField(
            model_name='historicalrectificationnotice',
            name='sequence',
            field=models.PositiveIntegerField(null=True, verbose_name='序号'),
        ),
        migrations.AddField(
            model_name='historicalrectificationnotice',
            name='year',
            field=models.PositiveSmallIntegerField(null=True, verbose_name='年份'),
        ),
        migrations.AddField(
            model_name='rectificationnotice',
            name='addressee',
            field=models.CharField(default='', max_length=100, verbose_name='主送单位'),
        ),
        migrations.AddField(
            model_name='rectificationnotice',
            name='county',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='classes.region', verbose_name='发文旗县市'),
        ),
        migrations.AddField(
            model_name='rectificationnotice',
            name='issued_on',
            field=models.DateField(null=True, verbose_name='成文日期'),
        ),
        migrations.AddField(
            model_name='rectificationnotice',
            name='issuing_office',
            field=models.CharField(default='', max_length=60, verbose_name='发文机关'),
        ),
        migrations.AddField(
            model_name='rectificationnotice',
            name='number',
            field=models.CharField(max_length=60, null=True, verbose_name='文号'),
        ),
        migrations.AddField(
            model_name='rectificationnotice',
            name='problems',
            field=models.TextField(blank=True, verbose_name='存在问题'),
        ),
        migrations.AddField(
            model_name='rectificationnotice',
            name='report',
            field=models.TextField(blank=True, verbose_name='整改情况报告'),
        ),
        migrations.AddField(
            model_name='rectificationnotice',
            name='reported_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='报告时间'),
        ),
        migrations.AddField(
            model_name='rectificationnotice',
            name='reported_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='报告人'),
        ),
        migrations.AddField(
            model_name='rectificationnotice',
            name='return_reason',
            field=models.TextField(blank=True, verbose_name='退回原因'),
        ),
        migrations.AddField(
            model_name='rectificationnotice',
            name='sequence',
            field=models.PositiveIntegerField(null=True, verbose_name='序号'),
        ),
        migrations.AddField(
            model_name='rectificationnotice',
            name='year',
            field=models.PositiveSmallIntegerField(null=True, verbose_name='年份'),
        ),
        migrations.AlterField(
            model_name='historicalrectificationnotice',
            name='status',
            field=models.CharField(choices=[('open', '整改中'), ('submitted', '待销号'), ('closed', '已整改')], default='open', max_length=10, verbose_name='状态'),
        ),
        migrations.AlterField(
            model_name='rectificationnotice',
            name='status',
            field=models.CharField(choices=[('open', '整改中'), ('submitted', '待销号'), ('closed', '已整改')], default='open', max_length=10, verbose_name='状态'),
        ),
        migrations.CreateModel(
            name='RectificationEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(max_length=40, verbose_name='操作')),
                ('from_status', models.CharField(blank=True, choices=[('open', '整改中'), ('submitted', '待销号'), ('closed', '已整改')], max_length=10, verbose_name='原状态')),
                ('to_status', models.CharField(choices=[('open', '整改中'), ('submitted', '待销号'), ('closed', '已整改')], max_length=10, verbose_name='新状态')),
                ('text', models.TextField(blank=True, verbose_name='内容')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='时间')),
                ('actor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('notice', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='evaluations.rectificationnotice', verbose_name='整改通知书')),
            ],
            options={
                'verbose_name': '整改办理记录',
                'verbose_name_plural': '整改办理记录',
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='RectificationNumberCounter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='年份')),
                ('last_sequence', models.PositiveIntegerField(default=0, verbose_name='已用序号')),
                ('county', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='classes.region', verbose_name='旗县市')),
            ],
            options={
                'verbose_name': '整改通知书编号',
                'verbose_name_plural': '整改通知书编号',
                'constraints': [models.UniqueConstraint(fields=('county', 'year'), name='one_notice_counter_per_county_year')],
            },
        ),
        migrations.RunPython(number_existing_notices, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='historicalrectificationnotice',
            name='addressee',
            field=models.CharField(max_length=100, verbose_name='主送单位'),
        ),
        migrations.AlterField(
            model_name='historicalrectificationnotice',
            name='issued_on',
            field=models.DateField(verbose_name='成文日期'),
        ),
        migrations.AlterField(
            model_name='historicalrectificationnotice',
            name='issuing_office',
            field=models.CharField(max_length=60, verbose_name='发文机关'),
        ),
        migrations.AlterField(
            model_name='historicalrectificationnotice',
            name='number',
            field=models.CharField(db_index=True, max_length=60, verbose_name='文号'),
        ),
        migrations.AlterField(
            model_name='historicalrectificationnotice',
            name='sequence',
            field=models.PositiveIntegerField(verbose_name='序号'),
        ),
        migrations.AlterField(
            model_name='historicalrectificationnotice',
            name='year',
            field=models.PositiveSmallIntegerField(verbose_name='年份'),
        ),
        migrations.AlterField(
            model_name='rectificationnotice',
            name='addressee',
            field=models.CharField(max_length=100, verbose_name='主送单位'),
        ),
        migrations.AlterField(
            model_name='rectificationnotice',
            name='county',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='classes.region', verbose_name='发文旗县市'),
        ),
        migrations.AlterField(
            model_name='rectificationnotice',
            name='issued_on',
            field=models.DateField(verbose_name='成文日期'),
        ),
        migrations.AlterField(
            model_name='rectificationnotice',
            name='issuing_office',
            field=models.CharField(max_length=60, verbose_name='发文机关'),
        ),
        migrations.AlterField(
            model_name='rectificationnotice',
            name='number',
            field=models.CharField(max_length=60, unique=True, verbose_name='文号'),
        ),
        migrations.AlterField(
            model_name='rectificationnotice',
            name='sequence',
            field=models.PositiveIntegerField(verbose_name='序号'),
        ),
        migrations.AlterField(
            model_name='rectificationnotice',
            name='year',
            field=models.PositiveSmallIntegerField(verbose_name='年份'),
        ),
        migrations.AddConstraint(
            model_name='rectificationnotice',
            constraint=models.UniqueConstraint(fields=('county', 'year', 'sequence'), name='one_notice_number_per_county_year'),
        ),
        migrations.AddConstraint(
            model_name='rectificationnotice',
            constraint=models.CheckConstraint(condition=models.Q(('sequence__gte', 1)), name='notice_sequence_positive'),
        ),
    ]
