from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "baoxiu.core"
    label = "core"
    verbose_name = "核心"
