from django.contrib import admin

from baoxiu.customers.models import Address, Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """Personal data stays out of the admin lists; the console shows it masked by role."""

    list_display = ("__str__", "created_at")
    fields = ("created_at",)
    readonly_fields = ("created_at",)

    def has_add_permission(self, request):
        return False


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ("__str__", "area_name", "area_code")
    fields = ("area_name", "area_code", "latitude", "longitude")

    def has_add_permission(self, request):
        return False
