"""Forms of the fraud-signal pages: they validate input only; the services decide."""

from django import forms

from classes.forms import DateInput, bound_dates
from classes.models import Occupation, TrainingCategory

from ..fraud_signals import DISMISSAL_REASON_MAX
from ..models import FraudSignal
from .demand import INVALID_CHOICE, ModelChoice, bootstrap


class SignalFilterForm(forms.Form):
    kind = forms.ChoiceField(label="疑点类型", choices=[("", "全部类型")] + FraudSignal.Kind.choices, required=False,
                             error_messages={"invalid_choice": INVALID_CHOICE})
    status = forms.ChoiceField(label="状态", choices=[("", "全部状态")] + FraudSignal.Status.choices, required=False,
                               error_messages={"invalid_choice": INVALID_CHOICE})
    county = ModelChoice(label="旗县市", queryset=None, required=False, empty_label="全部旗县市",
                         error_messages={"invalid_choice": INVALID_CHOICE})
    institution = ModelChoice(label="培训机构", queryset=None, required=False, empty_label="全部机构",
                              error_messages={"invalid_choice": INVALID_CHOICE})
    occupation = ModelChoice(label="职业（工种）", queryset=Occupation.objects.order_by("code"), required=False,
                             empty_label="全部职业", error_messages={"invalid_choice": INVALID_CHOICE})
    category = forms.ChoiceField(label="培训类别", choices=[("", "全部类别")] + TrainingCategory.choices, required=False,
                                 error_messages={"invalid_choice": INVALID_CHOICE})
    start_from = forms.DateField(label="开班日期从", required=False, widget=DateInput())
    start_to = forms.DateField(label="至", required=False, widget=DateInput())
    q = forms.CharField(label="班期或机构名称", max_length=50, required=False)

    def __init__(self, data, *, counties, institutions):
        # The list opens on the signals waiting for the county (待核实); "全部状态" is an explicit empty choice.
        if "status" not in data:
            data = data.copy()
            data["status"] = FraudSignal.Status.OPEN
        super().__init__(data)
        self.fields["county"].queryset = counties
        if counties.count() <= 1:
            del self.fields["county"]
        self.fields["institution"].queryset = institutions.order_by("county__code", "name")
        bound_dates(self)
        bootstrap(self, small=True)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_from"), cleaned.get("start_to")
        if start and end and end < start:
            self.add_error("start_to", "结束日期不能早于开始日期。")
        return cleaned

    def filters(self) -> dict:
        if not self.is_valid():
            return {"status": FraudSignal.Status.OPEN}
        data = self.cleaned_data
        return {
            "kind": data["kind"], "status": data["status"], "county": data.get("county"),
            "institution": data["institution"], "occupation": data["occupation"], "category": data["category"],
            "start_from": data["start_from"], "start_to": data["start_to"],
            "query": data["q"],
        }


class SignalDismissForm(forms.Form):
    reason = forms.CharField(
        label="核销理由", max_length=DISMISSAL_REASON_MAX,
        error_messages={"required": "请填写核销理由。", "max_length": f"核销理由最多{DISMISSAL_REASON_MAX}个字。"},
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "如：三人为一家人，共用家中手机，已电话核实"}),
    )
    is_confirmed = forms.BooleanField(
        label="我已核实上述证据，确认核销该疑点（核销人、时间和理由将被记录，盟级可见）",
        error_messages={"required": "请勾选确认后再核销。"}, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
