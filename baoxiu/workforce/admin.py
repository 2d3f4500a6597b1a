from django.contrib import admin

from baoxiu.workforce.models import Outlet, Technician


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
