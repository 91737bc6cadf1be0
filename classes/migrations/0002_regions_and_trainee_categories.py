"""Reference data the portal cannot run without: the regions of 兴安盟 (GB/T 2260) and the six eligible
trainee categories of S2 三 (policy §8), with the employment group each is graded in (policy §4)."""

from django.db import migrations

REGIONS = [
    # code, name, level, parent code
    ("150000", "内蒙古自治区", "province", None),
    ("152200", "兴安盟", "league", "150000"),
    ("152201", "乌兰浩特市", "county", "152200"),
    ("152202", "阿尔山市", "county", "152200"),
    ("152221", "科尔沁右翼前旗", "county", "152200"),
    ("152222", "科尔沁右翼中旗", "county", "152200"),
    ("152223", "扎赉特旗", "county", "152200"),
    ("152224", "突泉县", "county", "152200"),
]

TRAINEE_CATEGORIES = [
    # code, name, employment group, order
    ("poverty_monitoring", "防止返贫监测对象", "farmer_herder", 1),
    ("college_graduate", "毕业年度高校毕业生", "student", 2),
    ("school_leaver", "城乡未继续升学的应届初高中毕业生", "student", 3),
    ("rural_migrant", "农村牧区转移就业劳动者", "farmer_herder", 4),
    ("urban_registered_unemployed", "城镇登记失业人员", "urban_unemployed", 5),
    ("hard_to_employ", "就业困难人员", "urban_unemployed", 6),
]


def add_reference_data(apps, schema_editor):
    Region = apps.get_model("classes", "Region")
    TraineeCategory = apps.get_model("classes", "TraineeCategory")
    by_code = {}
    for code, name, level, parent_code in REGIONS:
        region, _created = Region.objects.update_or_create(
            code=code, defaults={"name": name, "level": level, "parent": by_code.get(parent_code)}
        )
        by_code[code] = region
    for code, name, group, order in TRAINEE_CATEGORIES:
        TraineeCategory.objects.update_or_create(
            code=code, defaults={"name": name, "employment_group": group, "sort_order": order}
        )


def remove_reference_data(apps, schema_editor):
    apps.get_model("classes", "TraineeCategory").objects.filter(code__in=[row[0] for row in TRAINEE_CATEGORIES]).delete()
    Region = apps.get_model("classes", "Region")
    for code, *_rest in reversed(REGIONS):
        Region.objects.filter(code=code).delete()


class Migration(migrations.Migration):
    dependencies = [("classes", "0001_initial")]

    operations = [migrations.RunPython(add_reference_data, remove_reference_data)]
