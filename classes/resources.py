"""django-import-export resources: the roster export, and the admin's row-by-row trainee import."""

from import_export import fields, resources, widgets

from xingan_training.personal_data import id_number_digest

from .models import Enrollment, Trainee, TraineeCategory


class RosterExportResource(resources.ModelResource):
    """One roster row as staff see it: the roster's own name and phone, numbers masked, labels in Chinese."""

    name = fields.Field(column_name="姓名", attribute="roster_name")
    gender = fields.Field(column_name="性别")
    id_number = fields.Field(column_name="身份证号")
    phone = fields.Field(column_name="联系电话")
    category = fields.Field(column_name="人员类别", attribute="trainee__category__name")
    completion = fields.Field(column_name="结业情况")

    class Meta:
        model = Enrollment
        fields = ("name", "gender", "id_number", "phone", "category", "completion")
        export_order = fields

    def dehydrate_gender(self, enrollment):
        return enrollment.trainee.get_gender_display()

    def dehydrate_id_number(self, enrollment):
        return enrollment.trainee.masked_id_number

    def dehydrate_phone(self, enrollment):
        return enrollment.masked_phone

    def dehydrate_completion(self, enrollment):
        return enrollment.get_completion_display()


class GenderWidget(widgets.Widget):
    LABELS = {"男": Trainee.Gender.MALE, "女": Trainee.Gender.FEMALE}

    def clean(self, value, row=None, **kwargs):
        return self.LABELS.get(str(value).strip(), value)


class IdNumberDigestWidget(widgets.Widget):
    """Reads the ID number cell as its blind index: a trainee is found by digest, never by the ciphertext."""

    def clean(self, value, row=None, **kwargs):
        return id_number_digest(str(value or ""))


class TraineeRosterResource(resources.ModelResource):
    """The roster template's person columns mapped onto Trainee, imported by import-export row by row.

    Used by bench/import_roster.py as the baseline the portal's bulk roster import is measured against.
    The phone column is not read: a phone belongs to an enrollment, which this baseline does not write.
    """

    name = fields.Field(column_name="姓名", attribute="name")
    gender = fields.Field(column_name="性别", attribute="gender", widget=GenderWidget())
    id_number = fields.Field(column_name="身份证号", attribute="id_number")
    id_number_digest = fields.Field(column_name="身份证号", attribute="id_number_digest", widget=IdNumberDigestWidget())
    category = fields.Field(
        column_name="人员类别", attribute="category", widget=widgets.ForeignKeyWidget(TraineeCategory, field="name")
    )

    class Meta:
        model = Trainee
        import_id_fields = ("id_number_digest",)
        fields = ("name", "gender", "id_number", "id_number_digest", "category")

    def before_save_instance(self, instance, row, **kwargs):
        from .identity import parse_resident_id

        instance.birth_date = parse_resident_id(instance.id_number).birth_date
