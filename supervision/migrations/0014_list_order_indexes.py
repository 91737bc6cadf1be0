"""Indexes in the order of the inspection list and of the rectification ledger (issue #12, region scale).

Both lists sort by a CASE (open plans first; unresolved items first) and a date. Without an index in that order,
each page sorted every inspection (63,000) or ledger item (21,000) of the league to show 25; with it, PostgreSQL
walks the index and stops after the page. The selectors order by the same expressions (models INSPECTION_OPEN_FIRST,
RECTIFICATION_CLOSED_LAST), which is what lets the planner match them.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('supervision', '0013_opening_list_order_index'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='inspection',
            index=models.Index(models.Case(models.When(status='planned', then=models.Value(0)), default=models.Value(1)), models.OrderBy(models.F('planned_on'), descending=True), models.OrderBy(models.F('id'), descending=True), name='inspection_list_order'),
        ),
        migrations.AddIndex(
            model_name='rectificationitem',
            index=models.Index(models.Case(models.When(status='closed', then=models.Value(1)), default=models.Value(0)), models.F('deadline'), models.F('id'), name='rectification_ledger_order'),
        ),
    ]
