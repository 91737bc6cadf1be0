from django import forms
from django.utils import timezone

from classes.forms import DateInput, PersonNameField, bound_dates

from .items import CLASS_ITEM_FIELDS, CLASS_ITEMS, TRAINEE_ANSWER_FIELDS, TRAINEE_ITEM_FIELDS, TRAINEE_ITEMS
from .models import Rating, TraineeEvaluation

RATING_REQUIRED = {"required": "请选择评价等级。", "invalid_choice": "请从优、良、一般、差中选择。"}


class RatingLayoutMixin:
    """Splits a form into the rating grid (items + overall, laid out like the paper form) and the rest,
    and gives the rest Bootstrap classes."""

    RATING_FIELD_NAMES: tuple[str, ...] = ()

    def style_inputs(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.RadioSelect, forms.CheckboxInput, forms.HiddenInput)):
                continue
            widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")

    @property
    def rating_fields(self):
        return [self[name] for name in self.RATING_FIELD_NAMES]

    @property
    def other_fields(self):
        return [field for field in self.visible_fields() if field.name not in self.RATING_FIELD_NAMES]


def rating_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=Rating.choices, widget=forms.RadioSelect, error_messages=RATING_REQUIRED)


class ClassAssessmentForm(RatingLayoutMixin, forms.Form):
    """附表1's ten items, the overall rating and the evaluator, as either party fills them."""

    RATING_FIELD_NAMES = (*CLASS_ITEM_FIELDS, "overall")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        items = {name: rating_field(f"{number}、{text}") for number, (name, text) in enumerate(zip(CLASS_ITEM_FIELDS, CLASS_ITEMS), 1)}
        items["overall"] = rating_field("综合评价")
        items["evaluator"] = PersonNameField(label="评价人签字")
        items["evaluated_on"] = forms.DateField(label="评价日期", widget=DateInput(), initial=timezone.localdate)
        version = self.fields.pop("version")
        self.fields.update(items)
        self.fields["version"] = version
        bound_dates(self)
        self.style_inputs()

    def ratings(self) -> dict:
        return {name: self.cleaned_data[name] for name in CLASS_ITEM_FIELDS}


class CountyVerificationForm(ClassAssessmentForm):
    """附表1 middle (county evaluation) and bottom (verification) together."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        version = self.fields.pop("version")
        self.fields["is_qualified"] = forms.TypedChoiceField(
            label="确定该培训班", choices=[("true", "合格"), ("false", "不合格")], coerce=lambda value: value == "true",
            widget=forms.RadioSelect, error_messages={"required": "请确定培训班是否合格。"},
        )
        self.fields["passing_trainees"] = forms.IntegerField(label="初审培训合格学员（人）", min_value=0)
        self.fields["unqualified_reason"] = forms.CharField(
            label="不合格原因", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
            help_text="核实为不合格时填写；经核查情况属实的可不填。",
        )
        self.fields["responsible_person"] = PersonNameField(label="负责人（签字）")
        self.fields["verified_on"] = forms.DateField(label="核实日期", widget=DateInput(), initial=timezone.localdate)
        self.fields["version"] = version
        bound_dates(self)
        self.style_inputs()


def _trainee_answer_field(db_field, **kwargs):
    """附表2's fields as the form offers them, shaped once per form class rather than on each of a classroom's
    submissions: the ratings without the blank radio the model's choices bring, each with the form's messages."""
    field = db_field.formfield(**kwargs)
    if db_field.name in (*TRAINEE_ITEM_FIELDS, "overall"):
        field.choices = Rating.choices
        field.error_messages.update(RATING_REQUIRED)
    elif db_field.name == "attended_unit":
        field.error_messages.update(invalid_choice="请选择课时或天。")
    elif db_field.name == "signed_on":
        field.initial = timezone.localdate
    return field


class TraineeEvaluationForm(RatingLayoutMixin, forms.ModelForm):
    """附表2's evaluation and participation facts."""

    RATING_FIELD_NAMES = (*TRAINEE_ITEM_FIELDS, "overall")

    completed_training = forms.TypedChoiceField(
        label="1、本人是否完成此次培训", choices=[("true", "是"), ("false", "否")], coerce=lambda value: value == "true",
        widget=forms.RadioSelect,
        error_messages={"required": "请选择是否完成培训。", "invalid_choice": "请选择是或否。"},
    )
    is_confirmed = forms.BooleanField(
        label="本人确认以上内容真实，并签字确认", error_messages={"required": "请勾选本人确认后再提交。"}
    )

    class Meta:
        model = TraineeEvaluation
        fields = list(TRAINEE_ANSWER_FIELDS)
        formfield_callback = _trainee_answer_field
        widgets = {
            **{name: forms.RadioSelect for name in (*TRAINEE_ITEM_FIELDS, "overall")},
            "attended_from": DateInput(),
            "attended_to": DateInput(),
            "signed_on": DateInput(),
            "suggestions": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            **{name: f"{number}、{text}" for number, (name, text) in enumerate(zip(TRAINEE_ITEM_FIELDS, TRAINEE_ITEMS), 1)},
            "attended_from": "2、参加培训的起始日期",
            "attended_to": "参加培训的结束日期",
            "attended_amount": "3、参加培训的课时（天数）",
            "organiser_name": "4、组织培训的机构",
            "occupation_name": "5、培训的职业（工种、专项能力）",
            "signed_on": "填表时间",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_dates(self)
        self.style_inputs()

    @property
    def item_fields(self):
        return [self[name] for name in TRAINEE_ITEM_FIELDS]

    def _get_validation_exclusions(self):
        # The model's check constraints on these fields (signed; dates in order) are this form's own rules
        # (is_confirmed is required, clean() orders the dates, each with its message) and the database enforces them
        # again on insert. Left in, Django asks the database to evaluate each constraint for every form: two of the
        # trainee form's seven queries, on the page a whole classroom submits at once (bench/submissions.py).
        return super()._get_validation_exclusions() | {"is_confirmed", "attended_from", "attended_to"}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("attended_from"), cleaned.get("attended_to")
        if start and end and end < start:
            self.add_error("attended_to", "结束日期不能早于起始日期。")
        return cleaned

    def answers(self) -> dict:
        return dict(self.cleaned_data)


class TraineeIdentityForm(forms.Form):
    name = PersonNameField(label="姓名")
    id_number = forms.CharField(label="身份证号", max_length=18, min_length=18,
                                error_messages={"min_length": "身份证号应为18位。", "max_length": "身份证号应为18位。"})


class PaperEntryForm(TraineeEvaluationForm):
    """A county officer types in a signed paper 附表2 for one trainee of the roster."""

    def __init__(self, *args, enrollments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"enrollment": TraineeChoiceField(queryset=enrollments), **self.fields}
        self.fields["is_confirmed"].label = "纸质表已由学员本人签字确认"
        self.style_inputs()

    @property
    def other_fields(self):
        return [field for field in super().other_fields if field.name != "enrollment"]


class TraineeChoiceField(forms.ModelChoiceField):
    """A roster entry as a clerk recognises it on the paper form: name and masked ID number."""

    def __init__(self, **kwargs):
        super().__init__(
            label="学员（姓名 · 身份证号）", empty_label="请选择学员",
            error_messages={"invalid_choice": "该学员不在本班花名册中，或已有评价表（含被认定不如实填报的），请重新选择。"},
            **kwargs,
        )

    def label_from_instance(self, enrollment):
        return f"{enrollment.trainee.name} · {enrollment.trainee.masked_id_number}"


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class RectificationForm(forms.Form):
    # Optional for callers that post only requirements and deadline: the notice then states the grade.
    problems = forms.CharField(label="存在问题", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False)
    requirements = forms.CharField(label="整改要求", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    deadline = forms.DateField(label="整改期限", widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_dates(self)


class RectificationReportForm(forms.Form):
    report = forms.CharField(label="整改情况", widget=forms.Textarea(attrs={"rows": 5}), max_length=4000)


class EvidenceForm(forms.Form):
    evidence = forms.CharField(label="整改情况及佐证", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class InvestigationOpenForm(forms.Form):
    findings = forms.CharField(label="核查事由", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False)


class InvestigationConcludeForm(forms.Form):
    is_confirmed = forms.TypedChoiceField(
        label="核查结论", choices=[("true", "情况属实（不合格，取消补贴资格）"), ("false", "情况不属实")],
        coerce=lambda value: value == "true", widget=forms.RadioSelect,
    )
    findings = forms.CharField(label="核查情况", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    reason = forms.CharField(label="结论及理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    is_falsification = forms.BooleanField(label="培训机构弄虚作假（标记机构待处理）", required=False)


class CommendationPeriodForm(forms.Form):
    """The commendation list's period: the year the classes ended (this year by default), or every year."""

    ALL_YEARS = "all"
    FIRST_YEAR = 2015

    year = forms.ChoiceField(label="结业年度", required=False)

    def __init__(self, data, *, today):
        super().__init__(data, initial={"year": str(today.year)})
        self.today = today
        years = [(str(year), f"{year} 年") for year in range(today.year + 1, self.FIRST_YEAR - 1, -1)]
        self.fields["year"].choices = [*years, (self.ALL_YEARS, "全部年度")]
        self.fields["year"].error_messages["invalid_choice"] = "请选择列表中的年度。"
        self.fields["year"].widget.attrs["class"] = "form-select form-select-sm"

    def chosen_year(self) -> int | None:
        """The chosen year, None for every year; this year when nothing or something invalid was asked."""
        chosen = self.cleaned_data.get("year") if self.is_valid() else ""
        if chosen == self.ALL_YEARS:
            return None
        return int(chosen) if chosen else self.today.year
