from datetime import date

from django import forms

from classes.forms import DateInput

from .models import CallAttempt, FollowupItem

YES_NO = [("", "—"), ("true", "是"), ("false", "否")]


def _yes(value: str) -> bool:
    return value == "true"


class CallForm(forms.Form):
    """One call: its outcome, and for a completed call the answers of the script."""

    outcome = forms.ChoiceField(label="通话结果", choices=CallAttempt.Outcome.choices, widget=forms.RadioSelect,
                                error_messages={"required": "请选择通话结果。"})
    callback_at = forms.DateTimeField(label="约定回拨时间", required=False,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}))
    note = forms.CharField(label="备注", max_length=300, required=False, widget=forms.TextInput(attrs={"class": "form-control"}))
    received_training = forms.TypedChoiceField(
        label="1、是否参加了此次培训", choices=YES_NO, coerce=_yes, empty_value=None, required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    completed_training = forms.TypedChoiceField(
        label="2、是否完成了此次培训", choices=YES_NO, coerce=_yes, empty_value=None, required=False,
        help_text="未参加培训的不必填写。", widget=forms.Select(attrs={"class": "form-select"}),
    )
    satisfaction = forms.ChoiceField(label="3、对培训是否满意", required=False,
                                     choices=[("", "—")] + FollowupItem._meta.get_field("satisfaction").choices,
                                     widget=forms.Select(attrs={"class": "form-select"}))
    employment_status = forms.ChoiceField(label="4、培训后就业状况", required=False,
                                          choices=[("", "—")] + list(FollowupItem.EmploymentStatus.choices),
                                          widget=forms.Select(attrs={"class": "form-select"}))
    employer = forms.CharField(label="5、就业单位", max_length=100, required=False, widget=forms.TextInput(attrs={"class": "form-control"}))
    monthly_wage = forms.DecimalField(label="6、月工资收入（元）", min_value=0, max_digits=8, decimal_places=0, required=False,
                                      widget=forms.NumberInput(attrs={"class": "form-control"}))
    skill_improvement = forms.CharField(label="7、技能提升情况", max_length=200, required=False,
                                        widget=forms.TextInput(attrs={"class": "form-control"}))
    suggestions = forms.CharField(label="8、意见建议", max_length=500, required=False, widget=forms.TextInput(attrs={"class": "form-control"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == CallAttempt.Outcome.COMPLETED:
            for name in ("received_training", "satisfaction", "employment_status"):
                if cleaned.get(name) in (None, ""):
                    self.add_error(name, "接通完成时必须填写。")
            if cleaned.get("received_training") is True and cleaned.get("completed_training") is None:
                self.add_error("completed_training", "参加了培训的须填写是否完成。")
            if cleaned.get("received_training") is False and cleaned.get("completed_training") is True:
                self.add_error("completed_training", "未参加培训的不能填写已完成。")
        if cleaned.get("outcome") == CallAttempt.Outcome.CALLBACK and not cleaned.get("callback_at"):
            self.add_error("callback_at", "约定回拨须填写回拨时间。")
        return cleaned

    def answers(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in FollowupItem.ANSWER_FIELDS}


class EmploymentRecordForm(forms.Form):
    destination = forms.ChoiceField(label="就业去向", choices=FollowupItem.EmploymentStatus.choices,
                                    widget=forms.Select(attrs={"class": "form-select"}))
    employer = forms.CharField(label="就业单位", max_length=100, required=False, widget=forms.TextInput(attrs={"class": "form-control"}))
    monthly_wage = forms.DecimalField(label="月工资收入（元）", min_value=0, max_digits=8, decimal_places=0, required=False,
                                      widget=forms.NumberInput(attrs={"class": "form-control"}))
    skill_improvement = forms.CharField(label="技能提升情况", max_length=200, required=False,
                                        widget=forms.TextInput(attrs={"class": "form-control"}))


class PeriodForm(forms.Form):
    due_from = forms.DateField(label="回访截止日期从", widget=DateInput(attrs={"class": "form-control form-control-sm"}))
    due_to = forms.DateField(label="至", widget=DateInput(attrs={"class": "form-control form-control-sm"}))


def coverage_period(data, *, today: date) -> tuple[PeriodForm, date, date]:
    """The coverage page's form and period (by due date): this calendar year unless a valid period was given.
    Shared by the page and its Excel export."""
    due_from, due_to = date(today.year, 1, 1), date(today.year, 12, 31)
    form = PeriodForm(data or None, initial={"due_from": due_from, "due_to": due_to})
    if form.is_bound and form.is_valid():
        due_from, due_to = form.cleaned_data["due_from"], form.cleaned_data["due_to"]
    return form, due_from, due_to


class UploadForm(forms.Form):
    file = forms.FileField(label="就业跟踪档案（.xlsx）", help_text="请使用本页导出的文件填写，不要修改“学员编号”列。")
