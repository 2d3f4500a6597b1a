from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "baoxiu.notifications"
    label = "notifications"
    verbose_name = "通知"

    def ready(self):
        from baoxiu.notifications import jobs  # noqa: F401 - registers job handlers
