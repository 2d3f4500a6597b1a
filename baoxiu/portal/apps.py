from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "baoxiu.portal"
    label = "portal"
    verbose_name = "公众门户"
