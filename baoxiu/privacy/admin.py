from django.contrib import admin

from baoxiu.privacy.models import AuditEntry, PrivacyNumberBinding


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "ticket_code", "field", "reason")
    list_filter = ("action",)
    search_fields = ("ticket_code", "actor__username")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PrivacyNumberBinding)
class PrivacyNumberBindingAdmin(admin.ModelAdmin):
    """Read-only: bindings change only through their jobs."""

    list_display = ("ticket", "technician", "state", "virtual_number", "expires_at", "bound_at")
    list_filter = ("state",)
    search_fields = ("ticket__code", "virtual_number")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
