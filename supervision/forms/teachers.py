"""Forms of the teacher pool. They validate input only; services decide."""

from django import forms

from classes.forms import PersonNameField
from classes.identity import IdentifierError, parse_resident_id
from classes.models import Occupation

from ..models import Teacher
from .demand import INVALID_CHOICE, ModelChoice, ModelMultipleChoice, bootstrap


class TeacherProposalForm(forms.Form):
    name = PersonNameField(label="姓名")
    id_number = forms.CharField(label="身份证号", max_length=18, min_length=18,
                                error_messages={"min_length": "身份证号应为18位", "max_length": "身份证号应为18位"})
    employment_type = forms.ChoiceField(label="专兼职", choices=Teacher.EmploymentType.choices, widget=forms.RadioSelect,
                                        error_messages={"invalid_choice": INVALID_CHOICE, "required": "请选择专职或兼职。"})
    occupations = ModelMultipleChoice(
        label="授课职业（工种）", queryset=Occupation.objects.filter(is_active=True).order_by("code", "level"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个授课职业（工种）。", "invalid_choice": INVALID_CHOICE,
                        "invalid_pk_value": INVALID_CHOICE},
    )
    qualification = forms.ChoiceField(label="资质类别", choices=[("", "请选择")] + Teacher.Qualification.choices,
                                      error_messages={"invalid_choice": INVALID_CHOICE, "required": "请选择资质类别。"})
    certificate_number = forms.CharField(label="证书编号", max_length=50)
    employer = forms.CharField(label="工作单位", max_length=100, help_text="兼职教师填写其所在企业、院校或机构。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def clean_id_number(self):
        try:
            return parse_resident_id(self.cleaned_data["id_number"]).number
        except IdentifierError as error:
            raise forms.ValidationError(str(error)) from None


class TeacherRejectForm(forms.Form):
    reason = forms.CharField(label="未通过原因", max_length=500, widget=forms.TextInput(attrs={"placeholder": "如：证书编号无法核实"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self, small=True)


class TeacherFilterForm(forms.Form):
    q = forms.CharField(label="姓名、单位或证书编号", max_length=50, required=False)
    occupation = ModelChoice(label="授课职业（工种）", queryset=Occupation.objects.order_by("code", "level"),
                                        required=False, empty_label="全部职业", error_messages={"invalid_choice": INVALID_CHOICE})
    status = forms.ChoiceField(label="状态", choices=[("", "全部")] + Teacher.Status.choices, required=False)
    employment_type = forms.ChoiceField(label="专兼职", choices=[("", "全部")] + Teacher.EmploymentType.choices, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self, small=True)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"query": data["q"], "occupation": data["occupation"], "status": data["status"],
                "employment_type": data["employment_type"]}


class ClassTeachersForm(forms.Form):
    teachers = ModelMultipleChoice(
        label="授课教师", queryset=None, required=False, widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": "只能选择师资库中已确认入库的教师。", "invalid_pk_value": INVALID_CHOICE},
    )

    def __init__(self, *args, pool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teachers"].queryset = pool
        self.fields["teachers"].label_from_instance = lambda teacher: (
            f"{teacher.name}（{teacher.get_employment_type_display()}）· "
            + "、".join(occupation.name for occupation in teacher.occupations.all())
        )
