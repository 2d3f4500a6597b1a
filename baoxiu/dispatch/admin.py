from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from baoxiu.dispatch.models import DispatchAlert, SlaClock, SlaPolicy
from baoxiu.dispatch.services import dispatch_alert_acknowledge


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "priority",
        "division",
        "dispatch_minutes",
        "accept_minutes",
        "arrive_minutes",
        "complete_minutes",
        "warn_fraction",
    )
    list_filter = ("priority",)
    raw_id_fields = ("division",)


@admin.register(SlaClock)
class SlaClockAdmin(admin.ModelAdmin):
    list_display = ("ticket", "kind", "state", "started_at", "due_at", "warned_at", "breached_at")
    list_filter = ("kind", "state")
    list_select_related = ("ticket",)
    search_fields = ("ticket__code",)
    readonly_fields = [f.name for f in SlaClock._meta.fields]

    def has_add_permission(self, request):
        return False  # clocks follow tickets; policies are edited instead


@admin.register(DispatchAlert)
class DispatchAlertAdmin(admin.ModelAdmin):
    list_display = ("created_at", "ticket", "kind", "message", "acknowledged_at", "acknowledged_by")
    list_filter = ("kind", ("acknowledged_at", admin.EmptyFieldListFilter))
    list_select_related = ("ticket", "acknowledged_by")
    search_fields = ("ticket__code",)
    readonly_fields = [f.name for f in DispatchAlert._meta.fields]
    actions = ["acknowledge"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("确认所选提醒"))
    def acknowledge(self, request, queryset):
        done = sum(
            dispatch_alert_acknowledge(alert=alert, user=request.user)
            for alert in queryset.filter(acknowledged_at__isnull=True)
        )
        self.message_user(request, _("已确认 %(n)d 条提醒。") % {"n": done})
