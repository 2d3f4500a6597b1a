from django.contrib import admin

from baoxiu.lockopening.models import LockOpeningPolicy


@admin.register(LockOpeningPolicy)
class LockOpeningPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "division_prefix",
        "name",
        "requires_id_check",
        "requires_residence_proof",
        "witness_rule",
        "retention_days",
    ]
