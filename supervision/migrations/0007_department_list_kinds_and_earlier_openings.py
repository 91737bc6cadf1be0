"""Reference data and the state of classes that opened before the opening review existed.

- The kinds of department list S2 三 names (数据共享比对 with 教育、农牧等部门), each with the trainee category it
  bears out.
- Classes already in training or finished were opened without a review: they get an approved OpeningReview
  (one event saying so), so that the registered fields of a class in training change only by change request
  and wishes keep finding the classes they found before.
"""

from django.db import migrations
from django.utils import timezone

KINDS = [
    # code, name, trainee category code, usual source, order
    ("registered_unemployed", "城镇登记失业人员", "urban_registered_unemployed", "人力资源社会保障部门（公共就业服务机构）", 1),
    ("poverty_monitoring", "防止返贫监测对象", "poverty_monitoring", "乡村振兴（农牧）部门", 2),
    ("college_graduates", "毕业年度高校毕业生", "college_graduate", "教育部门", 3),
    ("hard_to_employ", "就业困难人员", "hard_to_employ", "人力资源社会保障部门（公共就业服务机构）", 4),
    ("school_leavers", "城乡未继续升学的应届初高中毕业生", "school_leaver", "教育部门", 5),
    ("rural_migrants", "农村牧区转移就业劳动者", "rural_migrant", "农牧部门", 6),
]
EARLIER_OPENING = "开班审核上线前已开班，视为已核准"


def add_kinds(apps, schema_editor):
    """Idempotent: test fixtures call it again after a transactional test flushed the table."""
    Kind = apps.get_model("supervision", "DepartmentListKind")
    TraineeCategory = apps.get_model("classes", "TraineeCategory")
    categories = dict(TraineeCategory.objects.values_list("code", "id"))
    for code, name, category_code, source, order in KINDS:
        Kind.objects.update_or_create(
            code=code,
            defaults={"name": name, "category_id": categories.get(category_code), "usual_source": source, "sort_order": order},
        )


def remove_kinds(apps, schema_editor):
    apps.get_model("supervision", "DepartmentListKind").objects.filter(
        code__in=[row[0] for row in KINDS], lists__isnull=True
    ).delete()


def mark_earlier_openings(apps, schema_editor):
    TrainingClass = apps.get_model("classes", "TrainingClass")
    OpeningReview = apps.get_model("supervision", "OpeningReview")
    OpeningEvent = apps.get_model("supervision", "OpeningEvent")
    now = timezone.now()
    started = TrainingClass.objects.filter(status__in=["in_training", "finished"], opening_review__isnull=True)
    for training_class in started.select_related("occupation").iterator():
        # What was registered when the review went live stands for the values the county would have approved.
        registered = {
            "start_date": training_class.start_date.isoformat(), "end_date": training_class.end_date.isoformat(),
            "occupation": f"{training_class.occupation.name}（{training_class.occupation.get_level_display()}）",
            "registered_headcount": training_class.registered_headcount, "location": training_class.location,
            "class_hours": training_class.class_hours, "enrolled": training_class.enrollments.count(),
        }
        review = OpeningReview.objects.create(
            training_class=training_class, status="approved", round=1, decided_at=now, note=EARLIER_OPENING,
            registered_values=registered,
        )
        OpeningEvent.objects.create(review=review, action="核准开班", from_status="", to_status="approved", reason=EARLIER_OPENING)


def unmark_earlier_openings(apps, schema_editor):
    OpeningReview = apps.get_model("supervision", "OpeningReview")
    earlier = OpeningReview.objects.filter(note=EARLIER_OPENING, submitted_at__isnull=True)
    apps.get_model("supervision", "OpeningEvent").objects.filter(review__in=earlier).delete()
    earlier.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0006_opening_review_and_department_lists"),
        ("classes", "0002_regions_and_trainee_categories"),
    ]

    operations = [
        migrations.RunPython(add_kinds, remove_kinds),
        migrations.RunPython(mark_earlier_openings, unmark_earlier_openings),
    ]
