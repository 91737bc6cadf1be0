"""Forms of the class-opening review, its change requests and the departments' lists. They validate input only;
services decide."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from classes.forms import DateInput, bound_dates
from classes.models import MAX_REGISTERED_HEADCOUNT

from ..models import DepartmentListKind, OpeningDocument, OpeningTraineeDecision
from ..opening_selectors import OPENING_STATES
from .demand import INVALID_CHOICE, ModelChoice, ModelMultipleChoice, bootstrap

DOCUMENT_ACCEPT = ".pdf,.doc,.docx,.xls,.xlsx,.jpg,.jpeg,.png"
INVALID_DATE = "请输入有效的日期，如 2026-05-04。"
INVALID_NUMBER = "请输入整数。"


class OpeningFilterForm(forms.Form):
    state = forms.ChoiceField(label="开班审核状态", choices=[("", "全部")] + list(OPENING_STATES.items()), required=False,
                              error_messages={"invalid_choice": INVALID_CHOICE})
    q = forms.CharField(label="班期编号或机构", max_length=50, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self, small=True)

    def filters(self) -> dict:
        if not self.is_valid():
            return {"state": "", "query": ""}
        return {"state": self.cleaned_data["state"], "query": self.cleaned_data["q"]}


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label="材料类型", choices=OpeningDocument.Kind.choices,
                             error_messages={"invalid_choice": INVALID_CHOICE, "required": "请选择材料类型。"})
    file = forms.FileField(label="文件", help_text="PDF、Word、Excel、JPG 或 PNG，单个文件不超过 5 MB。",
                           widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_ACCEPT}),
                           error_messages={"required": "请选择要上传的文件。", "empty": "文件为空。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class SubmitForm(forms.Form):
    note = forms.CharField(label="说明（可选）", max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如：退回后已按意见移除不符合条件的学员"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class TraineeDecisionForm(forms.Form):
    decision = forms.ChoiceField(label="审核意见", choices=OpeningTraineeDecision.Decision.choices, widget=forms.RadioSelect,
                                 error_messages={"invalid_choice": INVALID_CHOICE, "required": "请选择审核意见。"})
    reason = forms.CharField(label="理由", max_length=500, error_messages={"required": "请填写理由。"},
                             widget=forms.TextInput(attrs={"placeholder": "如：经电话核实，原培训班已退出"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self, small=True)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=1000, error_messages={"required": "请填写原因。"},
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, label="原因", placeholder="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].widget.attrs["placeholder"] = placeholder
        bootstrap(self)


class ChangeRequestForm(forms.Form):
    """Only what changes is filled in; empty fields keep the registered value."""

    start_date = forms.DateField(label="培训开始日期", required=False, widget=DateInput(), error_messages={"invalid": INVALID_DATE})
    end_date = forms.DateField(label="培训结束日期", required=False, widget=DateInput(), error_messages={"invalid": INVALID_DATE})
    occupation = ModelChoice(label="培训职业（工种）", queryset=None, required=False, empty_label="不变",
                             error_messages={"invalid_choice": "所选职业（工种）不在本机构的办学许可范围内。"})
    registered_headcount = forms.IntegerField(
        label="备案人数", required=False, error_messages={"invalid": INVALID_NUMBER},
        validators=[MinValueValidator(1, message="备案人数至少为1人。"),
                    MaxValueValidator(MAX_REGISTERED_HEADCOUNT, message=f"备案人数不能超过{MAX_REGISTERED_HEADCOUNT}人。")],
    )
    location = forms.CharField(label="培训地点", max_length=200, required=False)
    class_hours = forms.IntegerField(label="培训课时", required=False, min_value=1, max_value=10000,
                                     error_messages={"invalid": INVALID_NUMBER, "min_value": "培训课时至少为1。",
                                                     "max_value": "培训课时不能超过10000。"})
    removed_enrollments = ModelMultipleChoice(
        label="移出花名册的学员", queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "所选学员不在本班花名册中。", "invalid_pk_value": INVALID_CHOICE},
    )
    roster_file = forms.FileField(
        label="增加学员（名册 .xlsx）", required=False, help_text="使用学员名册模板，只填写要增加的学员。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    reason = forms.CharField(label="变更理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "请填写变更理由。"})

    def __init__(self, *args, training_class, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occupation"].queryset = training_class.institution.licensed_occupations.filter(is_active=True)
        self.fields["removed_enrollments"].queryset = training_class.enrollments.order_by("id")
        self.fields["removed_enrollments"].label_from_instance = lambda enrollment: enrollment.roster_name
        bound_dates(self)
        bootstrap(self)

    def changes(self) -> dict:
        names = ("start_date", "end_date", "occupation", "registered_headcount", "location", "class_hours")
        return {name: self.cleaned_data[name] for name in names if self.cleaned_data.get(name) not in (None, "")}


class DepartmentListImportForm(forms.Form):
    kind = ModelChoice(label="名单类别", queryset=DepartmentListKind.objects.order_by("sort_order", "id"), empty_label="请选择",
                       error_messages={"invalid_choice": INVALID_CHOICE, "required": "请选择名单类别。"})
    source_department = forms.CharField(label="提供部门", max_length=100,
                                        widget=forms.TextInput(attrs={"placeholder": "如：兴安盟教育局"}))
    list_date = forms.DateField(label="名单日期", widget=DateInput(), help_text="名单统计截至的日期。",
                                error_messages={"invalid": INVALID_DATE, "required": "请填写名单日期。"})
    file = forms.FileField(label="名单文件（.xlsx）", help_text="第 1 行为表头，须含“姓名”“身份证号”两列；身份证号以文本格式填写。",
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_dates(self)
        bootstrap(self)


class DepartmentListFilterForm(forms.Form):
    kind = ModelChoice(label="名单类别", queryset=DepartmentListKind.objects.order_by("sort_order", "id"), required=False,
                       empty_label="全部类别", error_messages={"invalid_choice": INVALID_CHOICE})
    current = forms.ChoiceField(label="状态", choices=[("", "全部"), ("1", "现行名单"), ("0", "已被替换")], required=False,
                                error_messages={"invalid_choice": INVALID_CHOICE})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self, small=True)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        current = self.cleaned_data["current"]
        return {"kind": self.cleaned_data["kind"], "is_current": None if current == "" else current == "1"}


class EntrySearchForm(forms.Form):
    q = forms.CharField(label="姓名或完整身份证号", max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self, small=True)
