from django.contrib import admin

from baoxiu.feedback.models import Complaint, Rating


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ["ticket", "kind", "created_at", "handled_at"]
    list_filter = ["kind"]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["ticket", "stars", "created_at"]
