from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "baoxiu.workforce"
    label = "workforce"
    verbose_name = "网点与师傅"
