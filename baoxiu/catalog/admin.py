from django.contrib import admin

from baoxiu.catalog.models import FaultType, LockModel, Skill


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(LockModel)
class LockModelAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "warranty_months", "active")


@admin.register(FaultType)
class FaultTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "priority", "default_duration_minutes", "active")
    list_filter = ("priority", "active")
    filter_horizontal = ("required_skills",)
