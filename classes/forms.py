from django import forms

from .models import TrainingClass


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


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

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "培训结束日期不能早于开始日期。")
        return cleaned


class FinishClassForm(forms.Form):
    assessment_end_date = forms.DateField(label="培训鉴定结束日期", widget=DateInput())


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="学员名册（.xlsx）",
        help_text="请使用下载的模板填写；身份证号以文本格式填写。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    )


