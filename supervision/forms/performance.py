"""Forms of the yearly performance evaluation, the red/black list and teacher performance. They validate input only;
services decide."""

from django import forms

from classes.forms import DateInput, bound_dates
from classes.models import Region
from evaluations.models import Rating

from ..models import ListDecision
from ..models.performance import PERFORMANCE_ITEMS
from .demand import INVALID_CHOICE, ModelChoice, bootstrap

PUBLIC_TEXT_HELP = "理由将随名单向社会公布：只写事实和依据，不写个人姓名、身份证号、电话。"


def year_choices(years: list[int]) -> list[tuple[str, str]]:
    return [(str(year), f"{year}年度") for year in years]


class PerformanceFilterForm(forms.Form):
    year = forms.TypedChoiceField(label="评估年度", coerce=int, required=False, empty_value=None,
                                  error_messages={"invalid_choice": INVALID_CHOICE})
    q = forms.CharField(label="机构名称或信用代码", max_length=50, required=False)
    county = ModelChoice(label="旗县市", queryset=Region.objects.none(), required=False, empty_label="全部旗县市",
                         error_messages={"invalid_choice": INVALID_CHOICE})
    evaluated = forms.ChoiceField(label="评估情况", required=False, choices=[("", "全部"), ("no", "未评估"), ("yes", "已评估")],
                                  error_messages={"invalid_choice": INVALID_CHOICE})

    def __init__(self, *args, years: list[int], counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices(years)
        self.fields["county"].queryset = counties
        self.default_year = years[0]
        bootstrap(self, small=True)

    def filters(self) -> dict:
        if not self.is_valid():
            return {"year": self.default_year}
        data = self.cleaned_data
        return {"year": data["year"] or self.default_year, "query": data["q"], "county": data["county"],
                "evaluated": {"yes": True, "no": False}.get(data["evaluated"])}


class InstitutionEvaluationForm(forms.Form):
    """The five items of S2 四(二), each a rating and a note, the evaluation date and an overall opinion."""

    evaluated_on = forms.DateField(label="评估日期", widget=DateInput(), help_text="“长期不开展培训”按评估日期前12个月计算。")
    summary = forms.CharField(label="综合意见", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in PERFORMANCE_ITEMS:
            self.fields[name] = forms.ChoiceField(
                label=label, choices=Rating.choices, widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": f"请为“{label}”评定等级。", "invalid_choice": INVALID_CHOICE},
            )
            self.fields[f"{name}_note"] = forms.CharField(
                label=f"{label}说明", max_length=500, required=False,
                widget=forms.Textarea(attrs={"rows": 2, "placeholder": "评为“一般”或“差”时必填"}),
            )
        bound_dates(self)
        bootstrap(self, small=True)

    def items(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(label, self[name], self[f"{name}_note"]) for name, label in PERFORMANCE_ITEMS]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "ratings": {name: data[name] for name, _label in PERFORMANCE_ITEMS},
            "notes": {name: data[f"{name}_note"] for name, _label in PERFORMANCE_ITEMS},
            "evaluated_on": data["evaluated_on"],
            "summary": data["summary"],
        }


class ListDecisionForm(forms.Form):
    listing = forms.ChoiceField(label="决定", choices=ListDecision.Listing.choices,
                                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                                error_messages={"required": "请选择：列入红名单、列入黑名单或不列入。", "invalid_choice": INVALID_CHOICE})
    reason = forms.CharField(label="理由", max_length=500, widget=forms.Textarea(attrs={"rows": 3}), help_text=PUBLIC_TEXT_HELP)
    decided_on = forms.DateField(label="决定日期", widget=DateInput())
    publish = forms.BooleanField(label="同时向社会公布（仅红名单、黑名单）", required=False,
                                 widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_dates(self)
        bootstrap(self, small=True)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=500, widget=forms.TextInput())

    def __init__(self, *args, label: str = "原因", placeholder: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].widget.attrs["placeholder"] = placeholder
        bootstrap(self, small=True)


class DecisionFilterForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False, empty_value=None,
                                  error_messages={"invalid_choice": INVALID_CHOICE})
    listing = forms.ChoiceField(label="决定", required=False, choices=[("", "全部")] + ListDecision.Listing.choices,
                                error_messages={"invalid_choice": INVALID_CHOICE})
    published = forms.ChoiceField(label="公布情况", required=False, choices=[("", "全部"), ("yes", "已公布"), ("no", "未公布")],
                                  error_messages={"invalid_choice": INVALID_CHOICE})

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "全部年度")] + year_choices(years)
        bootstrap(self, small=True)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"year": data["year"], "listing": data["listing"],
                "published": {"yes": True, "no": False}.get(data["published"])}


TEACHER_SORT_CHOICES = [
    ("share", "优良占比从高到低"),
    ("share_asc", "优良占比从低到高"),
    ("classes", "授课班次从多到少"),
    ("name", "姓名"),
]


class TeacherPerformanceFilterForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False, empty_value=None,
                                  error_messages={"invalid_choice": INVALID_CHOICE})
    sort = forms.ChoiceField(label="排序", choices=TEACHER_SORT_CHOICES, required=False,
                             error_messages={"invalid_choice": INVALID_CHOICE})
    q = forms.CharField(label="教师姓名", max_length=40, required=False)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices(years)
        self.default_year = years[0]
        bootstrap(self, small=True)

    def filters(self) -> dict:
        if not self.is_valid():
            return {"year": self.default_year, "sort": "share", "query": ""}
        data = self.cleaned_data
        return {"year": data["year"] or self.default_year, "sort": data["sort"] or "share", "query": data["q"]}
