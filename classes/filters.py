from collections.abc import Callable

import django_filters
from django.db.models import Q

from xingan_training.text_match import contains

from .forms import DateInput, QuickSelect
from .models import Institution, Occupation, TrainingCategory, TrainingClass
from .selectors import counties_visible_to, institutions_visible_to


def _counties(request):
    return counties_visible_to(request.user)


def _institutions(request):
    # Only what an option shows: a league's list holds every institution, and loading the whole rows decrypted each
    # contact phone (10 ms of a queue or dashboard page at region scale).
    return institutions_visible_to(request.user).only("pk", "name")


# Filters on what the apps above classes know about a class (its evaluation conclusion, its follow-up), added to
# the class list by those apps at start-up: classes imports nothing from them (the layering rule).
_registered_filters: dict[str, Callable[[object], django_filters.Filter | None]] = {}


def register_class_filter(name: str, make_filter: Callable[[object], django_filters.Filter | None]) -> None:
    """Called by an upper app's ``AppConfig.ready``. ``make_filter(request)`` returns a fresh filter for each list,
    or None where the user may not filter on it. Registering a name again replaces the earlier filter."""
    _registered_filters[name] = make_filter


class TrainingClassFilter(django_filters.FilterSet):
    """Class list filters. Choices come from the user's scope, so a foreign id is an invalid choice."""

    q = django_filters.CharFilter(label="搜索", method="search")
    county = django_filters.ModelChoiceFilter(
        label="旗县市", field_name="institution__county", queryset=_counties, empty_label="全部旗县市",
        widget=QuickSelect,
    )
    institution = django_filters.ModelChoiceFilter(
        label="培训机构", queryset=_institutions, empty_label="全部机构", widget=QuickSelect
    )
    occupation = django_filters.ModelChoiceFilter(
        label="职业（工种）", queryset=Occupation.objects.all(), empty_label="全部职业", widget=QuickSelect
    )
    category = django_filters.ChoiceFilter(label="培训类别", choices=TrainingCategory.choices, empty_label="全部类别")
    status = django_filters.ChoiceFilter(label="状态", choices=TrainingClass.Status.choices, empty_label="全部状态")
    start_from = django_filters.DateFilter(
        label="开班日期从", field_name="start_date", lookup_expr="gte", widget=DateInput()
    )
    start_to = django_filters.DateFilter(label="开班日期至", field_name="start_date", lookup_expr="lte", widget=DateInput())
    # The statistics place a class in the period its training ended: these select a month, quarter or year.
    end_from = django_filters.DateFilter(label="结束日期从", field_name="end_date", lookup_expr="gte", widget=DateInput())
    end_to = django_filters.DateFilter(label="结束日期至", field_name="end_date", lookup_expr="lte", widget=DateInput())

    class Meta:
        model = TrainingClass
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, make_filter in _registered_filters.items():
            registered = make_filter(self.request)
            if registered is not None:
                registered.parent = self
                self.filters[name] = registered
        for field in self.form.fields.values():
            is_select = field.widget.input_type == "select" if hasattr(field.widget, "input_type") else False
            field.widget.attrs["class"] = "form-select form-select-sm" if is_select else "form-control form-control-sm"

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # The institution and occupation matches are read from their small tables first, so every condition is
        # on the class row: the list then walks its order's index (class_start_id) instead of joining first.
        return queryset.filter(
            contains("batch_number", value)
            | Q(institution__in=Institution.objects.filter(contains("name", value)).values("pk"))
            | Q(occupation__in=Occupation.objects.filter(contains("name", value)).values("pk"))
            | contains("location", value)
        )
