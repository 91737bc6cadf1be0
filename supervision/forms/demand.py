"""Forms of the demand catalogue and the training wishes. They validate input only; services decide."""

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone

from classes.forms import DateInput, PersonNameField, bound_dates
from classes.identity import IdentifierError, normalise_mobile
from classes.models import Occupation, Region, TraineeCategory, TrainingCategory

from ..demand_selectors import CATALOGUE_STATES
from ..models import DemandCatalogueEntry

INVALID_CHOICE = "所选内容不在可选范围内，请重新选择。"
NULL_CHARACTER = "不能包含控制字符，请删除后重新输入。"


def plain_text_messages(form: forms.BaseForm) -> None:
    """Django's own Chinese for a NUL byte reads badly ("不允许是用空字符串"): say what is wrong instead."""
    for field in form.fields.values():
        for validator in field.validators:
            if isinstance(validator, ProhibitNullCharactersValidator):
                validator.message = NULL_CHARACTER


class NullIsInvalidChoiceMixin:
    """A NUL byte in a submitted choice is an invalid choice like any other (Django would answer with its
    badly translated NUL message)."""

    def validate_no_null_characters(self, value):
        if value is not None and "\x00" in str(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": ""})


class ModelChoice(NullIsInvalidChoiceMixin, forms.ModelChoiceField):
    pass


class ModelMultipleChoice(NullIsInvalidChoiceMixin, forms.ModelMultipleChoiceField):
    pass


def bootstrap(form: forms.BaseForm, *, small: bool = False) -> None:
    """Gives a form's text inputs and selects Bootstrap's classes (checkboxes and radios keep their own)."""
    plain_text_messages(form)
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple, forms.HiddenInput)):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", f"{css} {css}-sm" if small else css)


class CatalogueEntryForm(forms.ModelForm):
    class Meta:
        model = DemandCatalogueEntry
        fields = ["occupation", "training_type", "subsidy_per_person", "is_urgent", "valid_from", "valid_to"]
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}
        field_classes = {"occupation": ModelChoice}
        help_texts = {
            "is_urgent": "急需紧缺职业（工种）在公开目录中排在最前。",
            "valid_to": "有效期起止日期当天均有效。",
        }
        error_messages = {
            "occupation": {"invalid_choice": INVALID_CHOICE},
            "training_type": {"invalid_choice": INVALID_CHOICE},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occupation"].queryset = Occupation.objects.filter(is_active=True).order_by("code", "level")
        self.fields["occupation"].empty_label = "请选择职业（工种）"
        if not self.instance.pk:
            today = timezone.localdate()
            self.initial.setdefault("valid_from", today)
            self.initial.setdefault("valid_to", today.replace(month=12, day=31))
        bound_dates(self)
        bootstrap(self)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", "有效期止不能早于有效期起。")
        return cleaned


class CatalogueEndForm(forms.Form):
    last_day = forms.DateField(label="最后有效日", widget=DateInput(), help_text="当天仍有效，次日起不再公布。")
    reason = forms.CharField(label="终止原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_dates(self)
        bootstrap(self)


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label="职业（工种）或培训类型", max_length=50, required=False)
    training_type = forms.ChoiceField(label="培训类型", choices=[("", "全部类型")] + TrainingCategory.choices, required=False)
    urgent = forms.ChoiceField(label="急需紧缺", choices=[("", "全部"), ("yes", "只看急需紧缺"), ("no", "非急需紧缺")], required=False)
    state = forms.ChoiceField(label="状态", choices=[("", "全部")] + list(CATALOGUE_STATES.items()), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self, small=True)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "query": data["q"],
            "training_type": data["training_type"],
            "is_urgent": {"yes": True, "no": False}.get(data["urgent"]),
            "state": data["state"],
        }


class CatalogueEntryChoiceField(ModelChoice):
    def label_from_instance(self, entry):
        # Short, so a phone's select shows it whole: name, level, and the urgent flag.
        urgent = " · 急需紧缺" if entry.is_urgent else ""
        return f"{entry.occupation.name}（{entry.occupation.get_level_display()}）{urgent}"


class TrainingWishForm(forms.Form):
    """我要参加培训: what a worker types on the public page. ``website`` is a honeypot no person sees."""

    name = PersonNameField(label="姓名", error_messages={"required": "请填写姓名。", "max_length": "姓名过长（最多40个字）。"})
    phone = forms.CharField(
        label="手机号", max_length=20, error_messages={"required": "请填写手机号。", "max_length": "手机号格式不正确，请填写11位手机号码。"},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    category = ModelChoice(
        label="人员类别", queryset=TraineeCategory.objects.order_by("sort_order", "id"), empty_label="请选择",
        error_messages={"required": "请选择人员类别。", "invalid_choice": INVALID_CHOICE},
    )
    catalogue_entry = CatalogueEntryChoiceField(
        label="想参加的培训（职业/工种）", queryset=DemandCatalogueEntry.objects.none(), empty_label="请选择",
        error_messages={"required": "请选择想参加的培训。", "invalid_choice": "所选培训项目已不在当前目录中，请重新选择。"},
    )
    county = ModelChoice(
        label="所在旗县市", queryset=Region.objects.none(), empty_label="请选择",
        error_messages={"required": "请选择所在旗县市。", "invalid_choice": INVALID_CHOICE},
    )
    note = forms.CharField(
        label="补充说明（可不填）", max_length=200, required=False, error_messages={"max_length": "补充说明最多200个字。"},
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如：希望周末上课、已有相关工作经验等"}),
    )
    has_consented = forms.BooleanField(
        label="我已阅读上面的信息使用说明，同意提供以上信息",
        error_messages={"required": "请阅读并同意信息使用说明后再提交。"},
    )
    website = forms.CharField(label="请勿填写此项", required=False, max_length=200)

    def __init__(self, *args, entries, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["catalogue_entry"].queryset = entries
        self.fields["county"].queryset = counties
        self.fields["website"].widget.attrs.update(tabindex="-1", autocomplete="off")
        plain_text_messages(self)

    def clean_phone(self):
        try:
            return normalise_mobile(self.cleaned_data["phone"])
        except IdentifierError as error:
            raise forms.ValidationError("手机号格式不正确，请填写11位手机号码。") from error

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())


class PeriodForm(forms.Form):
    date_from = forms.DateField(label="登记日期从", required=False, widget=DateInput())
    date_to = forms.DateField(label="至", required=False, widget=DateInput())
    county = ModelChoice(
        label="旗县市", queryset=Region.objects.none(), required=False, empty_label="全部旗县市",
        error_messages={"invalid_choice": INVALID_CHOICE},
    )

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties
        if counties.count() <= 1:
            del self.fields["county"]
        bound_dates(self)
        bootstrap(self, small=True)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "结束日期不能早于开始日期。")
        return cleaned


class WishFilterForm(PeriodForm):
    occupation = ModelChoice(
        label="意向职业（工种）", queryset=Occupation.objects.order_by("code", "level"), required=False, empty_label="全部职业",
        error_messages={"invalid_choice": INVALID_CHOICE},
    )
    category = ModelChoice(
        label="人员类别", queryset=TraineeCategory.objects.order_by("sort_order", "id"), required=False, empty_label="全部类别",
        error_messages={"invalid_choice": INVALID_CHOICE},
    )
    told = forms.ChoiceField(
        label="通知情况", choices=[("", "全部"), ("no", "未通知"), ("yes", "已通知")], required=False,
        error_messages={"invalid_choice": INVALID_CHOICE},
    )
    q = forms.CharField(label="姓名", max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self, small=True)

    def filters(self) -> dict:
        """The arguments of training_wish_list_for; none for an unbound or invalid form (the whole list)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "occupation": data["occupation"], "county": data.get("county"), "category": data["category"],
            "is_told": {"yes": True, "no": False}.get(data["told"]), "date_from": data["date_from"],
            "date_to": data["date_to"], "query": data["q"],
        }


class NotifyForm(forms.Form):
    """The bulk action: which registrants, and (on the confirmation step) which class."""

    wishes = ModelMultipleChoice(
        queryset=None, error_messages={"required": "请先勾选要通知的人员。", "invalid_choice": "所选人员不存在或无权操作。",
                                       "invalid_pk_value": "所选人员不存在或无权操作。"},
    )
    training_class = ModelChoice(
        label="通知参加的培训班", queryset=None, required=False, empty_label="请选择培训班",
        error_messages={"invalid_choice": "所选培训班不可用于通知，请重新选择。"},
    )

    def __init__(self, *args, wishes, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wishes"].queryset = wishes
        self.fields["training_class"].queryset = classes
        self.fields["training_class"].label_from_instance = (
            lambda item: f"{item.batch_number} · {item.institution.name} · {item.start_date:%Y-%m-%d} 开班 · {item.get_status_display()}"
        )
        bootstrap(self)
