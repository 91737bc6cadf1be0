"""Forms of on-site inspections. They validate input only; services decide."""

from django import forms

from classes.forms import DateInput, bound_dates

from ..inspection_files import MAX_FILES, MAX_TOTAL_BYTES
from ..models import Inspection
from .demand import INVALID_CHOICE, ModelChoice, ModelMultipleChoice, bootstrap

CHECKBOX = {"class": "form-check-input"}


class InspectionPlanForm(forms.Form):
    planned_on = forms.DateField(label="计划检查日期", widget=DateInput())
    inspectors = ModelMultipleChoice(
        label="检查人员", queryset=None, widget=forms.CheckboxSelectMultiple(attrs=CHECKBOX),
        error_messages={"required": "请至少选择一名检查人员。", "invalid_choice": "所选人员不能检查该培训班。",
                        "invalid_pk_value": INVALID_CHOICE},
        help_text="可选本旗县市或盟级人社部门人员，或受委托的第三方机构账号。",
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].queryset = candidates
        self.fields["inspectors"].label_from_instance = lambda user: f"{user.display_name}（{user.get_role_display()}）"
        bootstrap(self)
        bound_dates(self)


class InspectionCancelForm(forms.Form):
    reason = forms.CharField(label="取消原因", max_length=500, widget=forms.TextInput(attrs={"placeholder": "如：培训班调整上课时间"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self, small=True)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; their content is checked by the service (inspection_files)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={
            "accept": "image/jpeg,image/png,image/webp,application/pdf", "class": "form-control",
        }))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class InspectionRecordForm(forms.Form):
    client_id = forms.UUIDField(widget=forms.HiddenInput, error_messages={"required": "缺少提交编号，请刷新页面后重新填写。",
                                                                          "invalid": "提交编号无效，请刷新页面后重新填写。"})
    inspected_on = forms.DateField(label="检查日期", widget=DateInput())
    aspects = forms.MultipleChoiceField(
        label="检查内容（可多选）", choices=Inspection.Aspect.choices, widget=forms.CheckboxSelectMultiple(attrs=CHECKBOX),
        error_messages={"required": "请选择检查内容。", "invalid_choice": INVALID_CHOICE},
    )
    methods = forms.MultipleChoiceField(
        label="检查方式（可多选）", choices=Inspection.Method.choices, widget=forms.CheckboxSelectMultiple(attrs=CHECKBOX),
        error_messages={"required": "请选择检查方式。", "invalid_choice": INVALID_CHOICE},
    )
    present_count = forms.IntegerField(
        label="实到人数", min_value=0, max_value=999,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": "请填写现场清点的实到人数。", "invalid": "实到人数应为整数。",
                        "min_value": "实到人数不能为负数。", "max_value": "实到人数不能超过999。"},
    )
    absent = forms.TypedMultipleChoiceField(
        label="缺勤学员（选填，对照花名册勾选）", coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOX), error_messages={"invalid_choice": "缺勤学员须是本班花名册上的学员。"},
    )
    findings = forms.CharField(
        label="检查发现", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="结论为“发现问题”或“严重问题”时必填。",
    )
    result = forms.ChoiceField(
        label="检查结论", choices=Inspection.Result.choices, widget=forms.RadioSelect(attrs=CHECKBOX),
        error_messages={"required": "请选择检查结论。", "invalid_choice": INVALID_CHOICE},
    )
    needs_rectification = forms.BooleanField(label="需要培训机构整改（列入整改清单）", required=False,
                                             widget=forms.CheckboxInput(attrs=CHECKBOX))
    rectification_text = forms.CharField(label="整改要求", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    attachments = MultipleFileField(
        label="照片和文件", required=False,
        help_text=f"JPG、PNG、WebP 照片或 PDF 文件，最多{MAX_FILES}个，合计不超过{MAX_TOTAL_BYTES // (1024 * 1024)} MB。",
    )

    def __init__(self, *args, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["absent"].choices = [
            (entry.enrollment_id, f"{entry.name} {entry.masked_id_number}") for entry in roster if not entry.is_dropped
        ]
        bootstrap(self)
        bound_dates(self)

    def record_arguments(self) -> dict:
        """The cleaned form as inspections.inspection_record takes it."""
        data = dict(self.cleaned_data)
        data["absent_enrollment_ids"] = data.pop("absent")
        return data


class InspectionFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=[("", "全部")] + Inspection.Status.choices, required=False)
    county = ModelChoice(label="旗县市", queryset=None, required=False, empty_label="全部旗县市",
                         error_messages={"invalid_choice": INVALID_CHOICE})

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties
        if counties.count() <= 1:
            del self.fields["county"]
        bootstrap(self, small=True)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {"status": self.cleaned_data["status"], "county": self.cleaned_data.get("county")}


class CoverageFilterForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False, error_messages={"invalid_choice": INVALID_CHOICE})
    county = ModelChoice(label="旗县市", queryset=None, required=False, empty_label="全部旗县市",
                         error_messages={"invalid_choice": INVALID_CHOICE})
    institution = ModelChoice(label="培训机构", queryset=None, required=False, empty_label="全部机构",
                              error_messages={"invalid_choice": INVALID_CHOICE})

    def __init__(self, *args, counties, institutions, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, f"{year}年") for year in years]
        self.fields["county"].queryset = counties
        self.fields["institution"].queryset = institutions
        if counties.count() <= 1:
            del self.fields["county"]
        bootstrap(self, small=True)

    def filters(self, *, default_year: int) -> dict:
        """The year (this year unless chosen), county and institution; bad input leaves the defaults."""
        if not self.is_valid():
            return {"year": default_year, "county": None, "institution": None}
        data = self.cleaned_data
        return {"year": data["year"] or default_year, "county": data.get("county"), "institution": data["institution"]}
