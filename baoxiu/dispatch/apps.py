from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "baoxiu.dispatch"
    label = "dispatch"
    verbose_name = "派单"

    def ready(self):
        from baoxiu.dispatch import appointments, jobs  # noqa: F401 - job handlers, followers
