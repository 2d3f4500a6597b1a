from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from baoxiu.core.errors import DomainError
from baoxiu.pricing.models import Holiday, LockSerial, PriceItem, PriceListVersion
from baoxiu.pricing.services import price_list_publish


class PriceItemInline(admin.TabularInline):
    model = PriceItem
    extra = 0
    fields = (
        "kind",
        "key",
        "name",
        "division_code",
        "fault_type",
        "lock_model",
        "amount",
        "free_km",
    )

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.is_draft

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(PriceListVersion)
class PriceListVersionAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "status", "effective_from", "published_at")
    readonly_fields = ("status", "effective_from", "published_at", "published_by")
    inlines = [PriceItemInline]
    actions = ["publish_now"]

    @admin.action(description=_("立即发布所选草稿"))
    def publish_now(self, request, queryset):
        for version in queryset:
            try:
                price_list_publish(version=version, effective_from=None, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"V{version.number}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"V{version.number}: {_('已发布')}")

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.is_draft


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("day", "name")


@admin.register(LockSerial)
class LockSerialAdmin(admin.ModelAdmin):
    list_display = ("serial", "lock_model", "purchased_on", "installed_on", "warranty_months")
    search_fields = ("serial",)
