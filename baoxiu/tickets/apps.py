from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "baoxiu.tickets"
    label = "tickets"
    verbose_name = "工单"

    def ready(self):
        from baoxiu.tickets import jobs  # noqa: F401 - registers job handlers
