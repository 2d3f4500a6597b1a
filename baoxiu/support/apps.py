from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "baoxiu.support"
    label = "support"
    verbose_name = "客服与验证"

    def ready(self):
        from baoxiu.support import privacy  # noqa: F401 - data-subject requests
