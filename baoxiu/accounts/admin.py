from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from baoxiu.accounts.models import ApiToken, OfficialChannel, Organisation, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "region", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + (
        ("baoxiu", {"fields": ("role", "display_name", "region")}),
    )


class OfficialChannelInline(admin.TabularInline):
    model = OfficialChannel
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    inlines = [OfficialChannelInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "created_at", "last_used_at", "revoked")
    readonly_fields = ("token_hash", "last_used_at")
