from django.contrib import admin

from baoxiu.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("ticket", "template", "channel", "state", "created_at", "sent_at")
    list_filter = ("state", "template")
    readonly_fields = [f.name for f in Notification._meta.fields]
