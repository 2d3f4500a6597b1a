from django.contrib import admin

from baoxiu.workforce.models import OnCallShift, Outlet, Technician, TechnicianLocation


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "area_name", "active")
    search_fields = ("code", "name", "area_name")


@admin.register(Technician)
class TechnicianAdmin(admin.ModelAdmin):
    list_display = ("name", "certificate_no", "outlet", "active")
    list_filter = ("active", "outlet")
    search_fields = ("name", "certificate_no")
    filter_horizontal = ("skills",)
    raw_id_fields = ("user", "outlet")


@admin.register(OnCallShift)
class OnCallShiftAdmin(admin.ModelAdmin):
    list_display = ("technician", "starts_at", "ends_at", "note")
    list_filter = ("technician__outlet",)
    raw_id_fields = ("technician",)
    date_hierarchy = "starts_at"


@admin.register(TechnicianLocation)
class TechnicianLocationAdmin(admin.ModelAdmin):
    list_display = ("technician", "latitude", "longitude", "accuracy_m", "recorded_at")
    readonly_fields = ("technician", "latitude", "longitude", "accuracy_m", "recorded_at")

    def has_add_permission(self, request):
        return False
