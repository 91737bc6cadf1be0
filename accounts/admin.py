from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from xingan_training.admin_mixins import ReadOnlyAdminMixin

from .models import AuditEvent, User
from .second_factor.services import second_factor_reset
from .user_sessions.services import user_sessions_end_all


# Authenticators are not edited by hand: an administrator resets them with the user action below (audited).
admin.site.unregister(TOTPDevice)


@admin.register(User)
class PortalUserAdmin(UserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "first_name", "role", "region", "institution", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_superuser")
    fieldsets = UserAdmin.fieldsets + (("角色与范围", {"fields": ("role", "region", "institution", "phone")}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("角色与范围", {"fields": ("role", "region", "institution")}),)
    actions = ["reset_second_factor", "end_all_sessions"]

    @admin.action(description="重置所选用户的二次验证（手机丢失时），下次登录重新绑定")
    def reset_second_factor(self, request, queryset):
        if not request.user.is_superuser:
            self.message_user(request, "只有系统管理员可以重置二次验证。", messages.ERROR)
            return
        for user in queryset:
            second_factor_reset(actor=request.user, user=user, request=request)
        self.message_user(request, f"已重置 {len(queryset)} 个用户的二次验证。", messages.SUCCESS)

    @admin.action(description="结束所选用户的全部登录会话")
    def end_all_sessions(self, request, queryset):
        if not request.user.is_superuser:
            self.message_user(request, "只有系统管理员可以结束其他用户的会话。", messages.ERROR)
            return
        ended = sum(user_sessions_end_all(actor=request.user, user=user, request=request) for user in queryset)
        self.message_user(request, f"已结束 {ended} 个会话。", messages.SUCCESS)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "action", "username", "ip_address", "object_type", "object_id", "detail")
    list_filter = ("action",)
    search_fields = ("username", "object_id")
