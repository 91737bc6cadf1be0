"""The period chosen on a dashboard or for the statistics report."""

from django import forms
from django.utils import timezone

from .periods import Period

# 兴人社办发〔2021〕55号 took effect in 2021: no figures before it.
FIRST_YEAR = 2021
SELECT = {"class": "form-select form-select-sm"}


def _year_choices():
    return [(year, f"{year}年") for year in range(timezone.localdate().year + 1, FIRST_YEAR - 1, -1)]


class PeriodForm(forms.Form):
    """Year, optionally narrowed to a quarter or a month. Without input: the current year."""

    year = forms.TypedChoiceField(label="年度", coerce=int, choices=_year_choices, widget=forms.Select(attrs=SELECT))
    quarter = forms.TypedChoiceField(
        label="季度", coerce=int, required=False, empty_value=None,
        choices=[("", "全年")] + [(quarter, f"第{'一二三四'[quarter - 1]}季度") for quarter in range(1, 5)],
        widget=forms.Select(attrs=SELECT),
    )
    month = forms.TypedChoiceField(
        label="月份", coerce=int, required=False, empty_value=None,
        choices=[("", "全部月份")] + [(month, f"{month}月") for month in range(1, 13)],
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, data=None, *, with_month: bool = True):
        today = timezone.localdate()
        if not data or not data.get("year"):
            data = {**(data.dict() if hasattr(data, "dict") else data or {}), "year": str(today.year)}
        super().__init__(data)
        if not with_month:
            del self.fields["month"]

    def clean(self):
        cleaned = super().clean()
        quarter, month = cleaned.get("quarter"), cleaned.get("month")
        if quarter and month and (month - 1) // 3 + 1 != quarter:
            raise forms.ValidationError("所选月份不在所选季度内。")
        return cleaned

    def period(self) -> Period | None:
        """The chosen period, or None when the input is invalid."""
        if not self.is_valid():
            return None
        return Period(self.cleaned_data["year"], self.cleaned_data.get("quarter"), self.cleaned_data.get("month"))
