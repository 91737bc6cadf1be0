"""Catalogue administration for superusers. Classes and rosters change only through the portal's services."""

from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from xingan_training.admin_mixins import ReadOnlyAdminMixin

from .models import Institution, Occupation, Region, TraineeCategory, TrainingClass


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")


@admin.register(TraineeCategory)
class TraineeCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "employment_group", "sort_order")


@admin.register(Occupation)
class OccupationAdmin(ImportExportModelAdmin):
    list_display = ("code", "name", "level", "training_type", "subsidy_per_person", "is_urgent", "is_active")
    list_filter = ("training_type", "level", "is_urgent", "is_active")
    search_fields = ("code", "name")


@admin.register(Institution)
class InstitutionAdmin(SimpleHistoryAdmin):
    list_display = ("name", "county", "credit_code", "catalogue_status")
    list_filter = ("county", "catalogue_status")
    search_fields = ("name", "credit_code")
    filter_horizontal = ("licensed_occupations",)


@admin.register(TrainingClass)
class TrainingClassAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only: a class's status and roster move only through the services the portal calls."""

    list_display = ("batch_number", "institution", "occupation", "status", "start_date")
    list_filter = ("status", "category")
    search_fields = ("batch_number", "institution__name")
