from django.contrib import admin

from baoxiu.evidence.models import CompletionReview, EvidenceRule


@admin.register(EvidenceRule)
class EvidenceRuleAdmin(admin.ModelAdmin):
    list_display = ["fault_type", "before_photos", "after_photos", "old_part_return_required"]


@admin.register(CompletionReview)
class CompletionReviewAdmin(admin.ModelAdmin):
    list_display = ["ticket", "reason", "created_at", "resolved_at", "resolved_by"]
    readonly_fields = ["ticket", "reason", "created_at", "resolved_at", "resolved_by", "note"]
