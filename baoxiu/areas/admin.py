from django.contrib import admin

from baoxiu.areas.models import Coverage, CoverageImport, Division


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("code", "full_name", "level", "point_source")
    list_filter = ("level",)
    search_fields = ("code", "name", "full_name")
    readonly_fields = [f.name for f in Division._meta.fields]

    def has_add_permission(self, request):
        return False  # the table comes from areas/data/divisions.tsv


@admin.register(Coverage)
class CoverageAdmin(admin.ModelAdmin):
    list_display = ("outlet", "division", "emergency_available", "response_hours")
    list_filter = ("emergency_available",)
    raw_id_fields = ("outlet", "division")


@admin.register(CoverageImport)
class CoverageImportAdmin(admin.ModelAdmin):
    list_display = ("outlet", "created_by", "lines_total", "lines_saved", "created_at")
    readonly_fields = [f.name for f in CoverageImport._meta.fields]
