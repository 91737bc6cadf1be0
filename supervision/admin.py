"""Reference data of supervision for superusers: the kinds of department list (as data, policy §8.2). Lists, reviews
and change requests change only through the portal's services."""

from django.contrib import admin

from .models import DepartmentListKind


@admin.register(DepartmentListKind)
class DepartmentListKindAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "category", "usual_source", "sort_order")
