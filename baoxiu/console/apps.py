from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "baoxiu.console"
    label = "console"
    verbose_name = "工作台"
