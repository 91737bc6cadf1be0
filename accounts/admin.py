from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from xingan_training.admin_mixins import ReadOnlyAdminMixin

from .models import AuditEvent, User


@admin.register(User)
class PortalUserAdmin(UserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "first_name", "role", "region", "institution", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_superuser")
    fieldsets = UserAdmin.fieldsets + (("角色与范围", {"fields": ("role", "region", "institution", "phone")}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("角色与范围", {"fields": ("role", "region", "institution")}),)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "action", "username", "ip_address", "object_type", "object_id", "detail")
    list_filter = ("action",)
    search_fields = ("username", "object_id")
