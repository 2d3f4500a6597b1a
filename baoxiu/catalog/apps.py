from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "baoxiu.catalog"
    label = "catalog"
    verbose_name = "产品与故障"
