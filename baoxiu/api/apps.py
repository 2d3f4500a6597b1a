from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "baoxiu.api"
    label = "api"
    verbose_name = "接口"
