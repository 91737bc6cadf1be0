"""Forms of the rectification ledger. They validate input only; supervision/rectification.py decides."""

from django import forms
from django.utils import timezone

from classes.forms import DateInput, PersonNameField, bound_dates

from ..models import RectificationItem, RectificationSource
from ..rectification_files import MAX_FILES
from ..rectification_selectors import UNRESOLVED_FILTER
from .demand import INVALID_CHOICE, ModelChoice, bootstrap

RAISABLE_SOURCES = [(value, label) for value, label in RectificationSource.choices if value != RectificationSource.CLASS_EVALUATION]
OVERDUE = "overdue"


class RectificationFilterForm(forms.Form):
    q = forms.CharField(label="问题、机构、责任人或文号", max_length=50, required=False)
    source = forms.ChoiceField(label="问题来源", choices=[("", "全部来源")] + RectificationSource.choices, required=False)
    status = forms.ChoiceField(label="状态", choices=[("", "全部状态"), (UNRESOLVED_FILTER, "未销号")] + RectificationItem.Status.choices,
                               required=False)
    overdue = forms.ChoiceField(label="是否逾期", choices=[("", "全部"), (OVERDUE, "只看逾期")], required=False)
    county = ModelChoice(label="旗县市", queryset=None, required=False, empty_label="全部旗县市",
                         error_messages={"invalid_choice": INVALID_CHOICE})
    institution = ModelChoice(label="培训机构", queryset=None, required=False, empty_label="全部机构",
                              error_messages={"invalid_choice": INVALID_CHOICE})
    found_from = forms.DateField(label="发现日期起", required=False, widget=DateInput())
    found_to = forms.DateField(label="发现日期止", required=False, widget=DateInput())

    def __init__(self, *args, institutions, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        if counties.count() > 1:
            self.fields["county"].queryset = counties
        else:
            del self.fields["county"]  # a county or an institution has one: no choice to offer
        bound_dates(self)
        bootstrap(self, small=True)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "query": data["q"], "source": data["source"], "status": data["status"],
            "is_overdue": data["overdue"] == OVERDUE, "institution": data["institution"],
            "county": data.get("county"), "found_from": data["found_from"], "found_to": data["found_to"],
        }


class RectificationRaiseForm(forms.Form):
    institution = ModelChoice(label="培训机构", queryset=None, empty_label="请选择培训机构",
                              error_messages={"invalid_choice": INVALID_CHOICE, "required": "请选择培训机构。"})
    batch_number = forms.CharField(label="培训班审核（备案）班期（选填）", max_length=40, required=False,
                                   help_text="问题涉及某个培训班时填写；机构层面的问题不填。")
    source = forms.ChoiceField(label="问题来源", choices=[("", "请选择")] + RAISABLE_SOURCES,
                               error_messages={"invalid_choice": INVALID_CHOICE, "required": "请选择问题来源。"},
                               help_text="培训班评价的整改通知书在培训班绩效评价页面下达，自动列入清单。")
    source_reference = forms.CharField(label="来源说明（选填，培训机构不可见）", max_length=200, required=False,
                                       help_text="如审计报告文号、巡察反馈意见、检查记录编号。")
    found_on = forms.DateField(label="发现日期", widget=DateInput())
    deadline = forms.DateField(label="整改期限", widget=DateInput())
    problem = forms.CharField(label="存在问题", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(label="整改措施", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    responsible_name = PersonNameField(label="责任人姓名")
    responsible_position = forms.CharField(label="责任人职务", max_length=40, help_text="培训机构的负责人或具体责任人，如校长、教学主任。")

    def __init__(self, *args, institutions, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        self.classes = classes
        self.initial.setdefault("found_on", timezone.localdate())
        bound_dates(self)
        bootstrap(self)

    def clean(self):
        cleaned = super().clean()
        batch_number = (cleaned.get("batch_number") or "").strip()
        cleaned["training_class"] = None
        if batch_number and cleaned.get("institution") is not None:
            training_class = self.classes.filter(batch_number=batch_number, institution=cleaned["institution"]).first()
            if training_class is None:
                self.add_error("batch_number", "所选培训机构没有这个班期的培训班。")
            cleaned["training_class"] = training_class
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        names = ("institution", "training_class", "source", "source_reference", "found_on", "problem", "measures",
                 "deadline", "responsible_name", "responsible_position")
        return {name: data[name] for name in names}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); the service checks each by its content."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(file, initial) for file in files if file]


class RectificationEvidenceForm(forms.Form):
    text = forms.CharField(label="整改情况", max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    responsible_name = PersonNameField(label="责任人姓名", required=False)
    responsible_position = forms.CharField(label="责任人职务", max_length=40, required=False)
    files = MultipleFileField(label=f"佐证材料（选填，PDF/JPG/PNG，每个不超过10MB，最多{MAX_FILES}个）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class RectificationReasonForm(forms.Form):
    reason = forms.CharField(label="退回原因", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class RectificationCloseForm(forms.Form):
    note = forms.CharField(label="销号意见（整改情况及核实佐证）", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
