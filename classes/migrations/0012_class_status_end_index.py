"""An index on (status, end_date) for a year's batches (issue #12, region scale: inspection coverage).

Inspection coverage (policy §8.5) counts and lists a year's batches: started classes whose training shares a day
with the year (end_date on or after 1 January, start_date on or before 31 December). No index led with the end
date, so each of the page's three queries scanned all 100,000 classes for the year's ~9,500 (20-30 ms each);
with this one PostgreSQL reads the year's classes by a bitmap index scan (8-14 ms).
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('classes', '0011_class_institution_status_index'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='trainingclass',
            index=models.Index(fields=['status', 'end_date'], name='class_status_end'),
        ),
    ]
