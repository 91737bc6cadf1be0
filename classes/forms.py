from datetime import date

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from .identity import IdentifierError, clean_person_name
from .models import TrainingClass

# No record of this portal can carry a date outside these (a typo such as 0202-05-04 or 20266-01-01).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2099, 12, 31)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class QuickSelect(forms.Select):
    """A select with the same HTML as Django's, written in Python: Django's template renderer includes one template per
    option, and a league's filter lists every institution (400 to 2,000), 30–60 ms of a list page's time."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            rendered = format_html_join("", '<option value="{}"{}>{}</option>', (
                (option["value"], flatatt(option["attrs"]), option["label"]) for option in options
            ))
            groups.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, rendered) if group_name else rendered)
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), mark_safe("".join(groups)))


def bound_dates(form: forms.BaseForm) -> None:
    """Gives every date field of a form the portal's plausible range, with Chinese messages."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField) and not getattr(field, "is_range_bounded", False):
            field.is_range_bounded = True
            field.validators += [
                MinValueValidator(EARLIEST_DATE, message="日期不能早于1900年1月1日。"),
                MaxValueValidator(LATEST_DATE, message="日期不能晚于2099年12月31日。"),
            ]
            field.widget.attrs.update(min=EARLIEST_DATE.isoformat(), max=LATEST_DATE.isoformat())


class PersonNameField(forms.CharField):
    """A person's name or signature: invisible characters removed; a name with nothing visible is refused."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        try:
            return clean_person_name(value, max_length=self.max_length)
        except IdentifierError as error:
            raise forms.ValidationError(str(error)) from None


class TrainingClassForm(forms.ModelForm):
    """Header of 附表1 as an institution fills it. The occupation list is the institution's licensed scope."""

    class Meta:
        model = TrainingClass
        fields = [
            "batch_number",
            "occupation",
            "category",
            "start_date",
            "end_date",
            "registered_headcount",
            "class_hours",
            "location",
        ]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}
        help_texts = {"batch_number": "人社部门审核（备案）的班期编号，全盟唯一。"}

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occupation"].queryset = institution.licensed_occupations.filter(is_active=True)
        self.fields["occupation"].help_text = "只列出本机构办学许可范围内的职业（工种）。"
        self.fields["occupation"].error_messages["invalid_choice"] = "所选职业（工种）不在本机构的办学许可范围内。"
        bound_dates(self)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "培训结束日期不能早于开始日期。")
        return cleaned


class FinishClassForm(forms.Form):
    assessment_end_date = forms.DateField(label="培训鉴定结束日期", widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_dates(self)


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="学员名册（.xlsx）",
        help_text="请使用下载的模板填写；身份证号以文本格式填写。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    )


