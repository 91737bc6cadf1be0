"""The audit trail's filters (who, what, when, which record), shared by its page and its export."""

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from accounts.audit_trail import audit_events_visible_to
from accounts.models import AuditEvent
from classes.forms import DateInput


class AuditEventFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(label="操作人（用户名）", method="filter_username", max_length=150)
    action = django_filters.ChoiceFilter(label="事件", choices=AuditEvent.Action.choices, empty_label="全部事件")
    date_from = django_filters.DateFilter(label="日期从", method="filter_date_from", widget=DateInput())
    date_to = django_filters.DateFilter(label="日期至", method="filter_date_to", widget=DateInput())
    object_type = django_filters.CharFilter(label="对象类型", method="filter_exact", max_length=64)
    object_id = django_filters.CharFilter(label="对象编号", method="filter_exact", max_length=64)

    class Meta:
        model = AuditEvent
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if is_select else "form-control form-control-sm"
        self.form.fields["object_type"].widget.attrs["placeholder"] = "如 classes.TrainingClass"

    def filter_username(self, queryset, name, value):
        value = value.strip().lower()  # usernames are stored lower-case (User.normalize_username)
        return queryset.filter(username=value) if value else queryset

    def filter_exact(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(**{name: value}) if value else queryset

    # A day is the local (Asia/Shanghai) calendar day; a range on created_at keeps its index usable.
    def filter_date_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=_day_start(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(created_at__lt=_day_start(value + timedelta(days=1)))

    def clean_dates(self) -> None:
        data = self.form.cleaned_data
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.form.add_error("date_to", "结束日期不能早于开始日期。")


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_events_filtered(user, params) -> tuple[AuditEventFilter, QuerySet[AuditEvent]]:
    """The user's events (accounts.audit_trail scoping) narrowed by ``params``, newest first. Invalid filters
    give no rows, never all of them."""
    event_filter = AuditEventFilter(params, queryset=audit_events_visible_to(user))
    if not event_filter.is_valid():
        return event_filter, AuditEvent.objects.none()
    event_filter.clean_dates()
    if event_filter.form.errors:
        return event_filter, AuditEvent.objects.none()
    return event_filter, event_filter.qs.order_by("-created_at", "-id")
